/*
 * reuse.c: see reuse.h.  The previous image is read here, from a layout
 * or a registry, and nowhere else; build.c asks reuse_find() for each
 * layer it is about to write.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "lib/strbuf.h"
#include "build/base.h"
#include "build/reuse.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "registry/registry.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

void reuse_prev_init(struct reuse_prev *p)
{
	memset(p, 0, sizeof(*p));
}

void reuse_prev_release(struct reuse_prev *p)
{
	if (!p)
		return;
	free(p->blob_dir);
	free(p->source);
	json_decref(p->layers);
	json_decref(p->diff_ids);
	for (size_t i = 0; i < p->keys_nr; i++)
		free(p->keys[i]);
	free(p->keys);
	free(p->base_tree);
	strlist_release(&p->remote);
	reuse_prev_init(p);
}

int reuse_names_registry(const char *from)
{
	struct stat st;

	if (!strncmp(from, "oci:", 4) || (stat(from, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	/* reference.h's rule, but "./dir" and "../dir" are paths */
	return from[0] != '.' && reference_names_registry(from);
}

/*
 * The keys of the manifest's layers, checked against them and the
 * config's diff_ids: NULL when usable, else why not.
 */
static const char *keys_take(struct reuse_prev *p, json_t *manifest, json_t *config)
{
	struct strlist keys = STRLIST_INIT;
	const char *v = json_string_value(json_object_get(json_object_get(manifest, "annotations"),
							  REUSE_ANN_LAYER_KEYS));
	const char *why = NULL;

	p->layers = json_incref(json_object_get(manifest, "layers"));
	p->diff_ids = json_incref(json_object_get(json_object_get(config, "rootfs"), "diff_ids"));
	if (!v)
		return "its manifest records no layer keys (" REUSE_ANN_LAYER_KEYS ")";
	if (!json_is_array(p->layers) || !json_is_array(p->diff_ids) ||
	    json_array_size(p->diff_ids) != json_array_size(p->layers))
		return "its config and manifest disagree on the layers";
	strlist_split(&keys, v, ' ');
	if (keys.nr != json_array_size(p->layers))
		why = "its layer keys do not match its layers";
	for (size_t i = 0; !why && i < keys.nr; i++)
		if (strcmp(keys.items[i], "-") && strcmp(keys.items[i], REUSE_KEY_BASE) &&
		    !digest_is_valid(keys.items[i]))
			why = "its layer keys are malformed";
	if (!why) {
		const char *bt = json_string_value(json_object_get(json_object_get(manifest, "annotations"),
								   REUSE_ANN_BASE_TREE));

		p->base_tree = bt ? xstrdup(bt) : NULL;
		p->keys = keys.items;	/* steals */
		p->keys_nr = keys.nr;
		memset(&keys, 0, sizeof(keys));
	}
	strlist_release(&keys);
	return why;
}

/* The only image of the OCI layout dir (an oci: output of an earlier build). */
static const char *load_layout(struct reuse_prev *p, const char *dir)
{
	struct strbuf man = STRBUF_INIT, cfg = STRBUF_INIT;
	char digest[DIGEST_HEX_LEN + 1];
	json_t *manifest = NULL, *config = NULL;
	const char *why = NULL;
	int rc;

	rc = base_layout_pick(dir, "", digest);
	if (!rc)
		rc = base_read_blob(dir, digest, &man);
	if (!rc && !(manifest = json_loadb(man.buf, man.len, 0, NULL)))
		why = "its manifest does not parse";
	if (!rc && !why)
		rc = base_read_blob(dir, json_string_value(json_object_get(json_object_get(manifest, "config"),
									   "digest")), &cfg);
	if (!rc && !why && !(config = json_loadb(cfg.buf, cfg.len, 0, NULL)))
		why = "its config does not parse";
	if (rc < 0)
		why = error_last();
	if (!why)
		why = keys_take(p, manifest, config);
	if (!why) {
		struct strbuf b = STRBUF_INIT;

		strbuf_addf(&b, "%s/blobs/sha256", dir);
		p->blob_dir = strbuf_detach(&b, NULL);
		p->active = 1;
	}
	json_decref(manifest);
	json_decref(config);
	strbuf_release(&man);
	strbuf_release(&cfg);
	return why;
}

/*
 * An image in a registry: its manifest (the platform's, from an index)
 * and config, never a layer.  *missing is set when it does not exist.
 */
static const char *load_registry(struct reuse_prev *p, const char *from, struct registry_client *client,
				 const char *platform, int *missing)
{
	struct reference ref = REFERENCE_INIT;
	struct platform want = PLATFORM_INIT;
	struct remote_image img = REMOTE_IMAGE_INIT;
	struct strbuf src = STRBUF_INIT;
	json_t *manifest = NULL, *config = NULL;
	const char *why = NULL;
	int rc;

	if (!client)
		return "no registry client";
	rc = reference_parse(from, &ref);
	if (!rc && platform)
		rc = platform_parse(platform, &want);
	if (!rc)
		rc = registry_fetch_image(client, &ref, platform ? &want : NULL, &img);
	if (rc < 0) {
		*missing = rc == -EXIT_NOT_FOUND;
		why = error_last();
		goto out;
	}
	if (!(manifest = json_loadb(img.manifest.bytes.buf, img.manifest.bytes.len, 0, NULL)) ||
	    !(config = json_loadb(img.config.buf, img.config.len, 0, NULL))) {
		why = "its manifest or config does not parse";
		goto out;
	}
	why = keys_take(p, manifest, config);
	if (why)
		goto out;
	reference_format_name(&ref, &src);
	strbuf_addf(&src, "@%s", img.manifest.digest);
	p->source = strbuf_detach(&src, NULL);
	p->active = 1;
out:
	json_decref(manifest);
	json_decref(config);
	remote_image_release(&img);
	platform_release(&want);
	reference_release(&ref);
	strbuf_release(&src);
	return why;
}

/* One candidate: NULL when p is loaded from it, else why not (*missing: it does not exist). */
static const char *load_one(struct reuse_prev *p, const char *from, struct registry_client *client,
			    const char *platform, int *missing)
{
	const char *why;

	reuse_prev_release(p);
	*missing = 0;
	error_set_quiet(1);
	if (reuse_names_registry(from))
		why = load_registry(p, from, client, platform, missing);
	else
		why = load_layout(p, !strncmp(from, "oci:", 4) ? from + 4 : from);
	error_set_quiet(0);
	return why;
}

void reuse_load(struct reuse_prev *p, const char *const *from, size_t nr, struct registry_client *client,
		const char *platform, void (*notice)(const char *msg))
{
	struct strbuf msg = STRBUF_INIT, first_why = STRBUF_INIT;
	const char *why = NULL;
	size_t first = nr;	/* the first that exists but cannot be used */
	int missing = 0;

	for (size_t i = 0; i < nr; i++) {
		why = load_one(p, from[i], client, platform, &missing);
		if (!why) {
			note("reusing unchanged layers from '%s'", p->source ? p->source : from[i]);
			goto out;
		}
		if (!missing && first == nr) {
			first = i;
			strbuf_addstr(&first_why, why);
		}
	}
	reuse_prev_release(p);
	if (first < nr) {
		warning("not reusing layers from '%s': %s", from[first], first_why.buf);
		goto out;
	}
	if (!nr)
		goto out;
	/* none exists: a first publish */
	strbuf_addf(&msg, "no previous image '%s' to reuse layers from: every layer is built (%s)", from[0], why);
	if (nr > 1)
		strbuf_addf(&msg, "; nor any of the %zu others named", nr - 1);
	if (notice) {
		notice(msg.buf);
	} else {
		fflush(stdout);
		fprintf(stderr, "notice: %s\n", msg.buf);
	}
	p->missing = 1;
out:
	strbuf_release(&msg);
	strbuf_release(&first_why);
}

/*
 * 1 when every descriptor of layers that names digest gives it size: a
 * download stops at the size (reuse_fetch_blob()), so an image that
 * names a blob twice with two sizes is not believed for it.
 */
static int size_agrees(const json_t *layers, const char *digest, json_int_t size)
{
	size_t i;
	const json_t *desc;

	json_array_foreach(layers, i, desc) {
		const char *d = json_string_value(json_object_get(desc, "digest"));

		if (d && !strcmp(d, digest) && json_integer_value(json_object_get(desc, "size")) != size)
			return 0;
	}
	return 1;
}

int reuse_find(struct reuse_prev *p, const char *key, enum layer_compression c, const struct ocilayout *layout,
	       struct layer *out)
{
	for (size_t i = 0; p->active && i < p->keys_nr; i++) {
		json_t *desc = json_array_get(p->layers, i);
		const char *d = json_string_value(json_object_get(desc, "digest"));
		const char *mt = json_string_value(json_object_get(desc, "mediaType"));
		const char *id = json_string_value(json_array_get(p->diff_ids, i));
		json_int_t size = json_integer_value(json_object_get(desc, "size"));

		if (strcmp(p->keys[i], key) || !d || !id || !digest_is_valid(d) || !digest_is_valid(id) ||
		    size <= 0 || !mt || (strcmp(mt, layer_media_type(c, 0)) && strcmp(mt, layer_media_type(c, 1))) ||
		    !size_agrees(p->layers, d, size))
			continue;
		if (p->blob_dir) {
			struct strbuf path = STRBUF_INIT;
			struct stat st;
			int there;

			strbuf_addf(&path, "%s/%s", p->blob_dir, d + 7);
			there = stat(path.buf, &st) == 0 && S_ISREG(st.st_mode) && (json_int_t)st.st_size == size;
			strbuf_release(&path);
			if (!there)
				continue;
			error_set_quiet(1);
			there = ocilayout_import_blob(layout, p->blob_dir, d) == 0;
			error_set_quiet(0);
			if (!there)
				continue;
		} else if (!strlist_has(&p->remote, d)) {
			strlist_push(&p->remote, d);
		}
		snprintf(out->digest, sizeof(out->digest), "%s", d);
		snprintf(out->diff_id, sizeof(out->diff_id), "%s", id);
		out->size = (uint64_t)size;
		out->compression = c;
		return 1;
	}
	return 0;
}

const char *reuse_base_tree(const struct reuse_prev *p, const struct oci_descriptor *base_layers, size_t nr)
{
	size_t n = 0;

	if (!p->active || !p->base_tree || !nr)
		return NULL;
	while (n < p->keys_nr && !strcmp(p->keys[n], REUSE_KEY_BASE))
		n++;
	if (n != nr)
		return NULL;
	for (size_t i = 0; i < nr; i++) {
		const char *d = json_string_value(json_object_get(json_array_get(p->layers, i), "digest"));

		if (!d || strcmp(d, base_layers[i].digest))
			return NULL;
	}
	return p->base_tree;
}

void reuse_note_base(struct reuse_prev *p, const char *digest)
{
	size_t i;
	json_t *desc;

	if (!p->active || !p->source || strlist_has(&p->remote, digest))
		return;
	json_array_foreach(p->layers, i, desc) {
		const char *d = json_string_value(json_object_get(desc, "digest"));

		if (d && !strcmp(d, digest)) {
			if (size_agrees(p->layers, digest, json_integer_value(json_object_get(desc, "size"))))
				strlist_push(&p->remote, digest);
			return;
		}
	}
}

int reuse_record(const struct reuse_prev *p, const struct ocilayout *layout, const char *manifest_digest)
{
	struct strbuf blobs = STRBUF_INIT;
	int rc = 0;

	if (!p->source || !p->remote.nr)
		return 0;
	strlist_join(&p->remote, " ", &blobs);
	rc = ocilayout_annotate_manifest(layout, manifest_digest, OCILAYOUT_ANN_REUSED_FROM, p->source);
	if (!rc)
		rc = ocilayout_annotate_manifest(layout, manifest_digest, OCILAYOUT_ANN_REUSED_BLOBS, blobs.buf);
	strbuf_release(&blobs);
	return rc;
}

int reuse_fetch_blob(void *ctx, const char *base_name, const char *digest, int fd)
{
	struct reuse_fetch *f = ctx;
	struct reference ref = REFERENCE_INIT;
	long long size = -1;
	size_t i;
	json_t *desc;
	int rc;

	if (!f->prev->source || !strlist_has(&f->prev->remote, digest)) {
		if (!f->base_fetch)
			return error("blob %s is not in the layout and no registry holds it", digest);
		return f->base_fetch(f->base_ctx, base_name, digest, fd);
	}
	/* the download stops at the descriptor's size */
	json_array_foreach(f->prev->layers, i, desc) {
		const char *d = json_string_value(json_object_get(desc, "digest"));

		if (d && !strcmp(d, digest))
			size = (long long)json_integer_value(json_object_get(desc, "size"));
	}
	rc = reference_parse(f->prev->source, &ref);
	if (!rc)
		rc = registry_get_blob(f->client, &ref, digest, size, fd);
	reference_release(&ref);
	return rc;
}
