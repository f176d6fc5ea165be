/*
 * base.c: see base.h.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "build/base.h"
#include "build/build.h"
#include "oci/ocilayout.h"
#include "oci/platform.h"
#include "oci/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define JSON_CAP (16u << 20)

/* A manifest, index or config of the layout dir: verified; absent is exit 7. */
int base_read_blob(const char *dir, const char *digest, struct strbuf *out)
{
	return ocilayout_read_blob(dir, digest, JSON_CAP, EXIT_REGISTRY, EXIT_NOT_FOUND, out);
}

/* The manifest digest index.json gives image (by full name, tag, or as its only entry). */
int base_layout_pick(const char *dir, const char *image, char *out)
{
	const char *colon = strrchr(image, ':'), *slash = strrchr(image, '/');
	const char *tag = colon && (!slash || colon > slash) ? colon + 1 : "latest";
	struct oci_index idx = OCI_INDEX_INIT;
	int rc;

	if ((rc = ocilayout_read_index(dir, EXIT_INPUT, EXIT_NOT_FOUND, &idx)) < 0)
		return rc;
	rc = -EXIT_NOT_FOUND;
	for (size_t i = 0; i < idx.nr_manifests; i++) {
		const char *name = oci_descriptor_annotation(&idx.manifests[i], ANN_REF_NAME);

		if ((name && (!strcmp(name, image) || !strcmp(name, tag))) || idx.nr_manifests == 1) {
			snprintf(out, DIGEST_HEX_LEN + 1, "%s", idx.manifests[i].digest);
			rc = 0;
			break;
		}
	}
	oci_index_release(&idx);
	if (rc < 0)
		rc = error_as(EXIT_NOT_FOUND, "the layout '%s' has no image named '%s'", dir, image);
	return rc;
}

static int base_from_layout(const char *dir, const char *image, const char *name,
			    const char *platform, struct image_base *out)
{
	struct strbuf blobs = STRBUF_INIT, man = STRBUF_INIT, cfg = STRBUF_INIT;
	char digest[DIGEST_HEX_LEN + 1];
	struct oci_manifest m = OCI_MANIFEST_INIT;
	char *mt = NULL;
	int rc;

	strbuf_addf(&blobs, "%s/blobs/sha256", dir);
	rc = base_layout_pick(dir, image, digest);
	if (rc < 0)
		goto out;
	rc = base_read_blob(dir, digest, &man);
	if (rc < 0)
		goto out;
	mt = oci_media_type(man.buf, man.len);
	if (oci_is_index(mt)) {
		rc = image_index_select(man.buf, man.len, platform, digest);
		if (rc < 0)
			goto out;
		strbuf_reset(&man);
		rc = base_read_blob(dir, digest, &man);
		if (rc < 0)
			goto out;
	}
	rc = oci_manifest_parse(man.buf, man.len, EXIT_REGISTRY, name, &m);
	if (rc < 0)
		goto out;
	rc = base_read_blob(dir, m.config.digest, &cfg);
	if (rc < 0)
		goto out;
	rc = image_base_set(out, name, digest, man.buf, man.len, cfg.buf, cfg.len);
	if (rc < 0)
		goto out;
	free(out->blob_dir);
	out->blob_dir = strbuf_detach(&blobs, NULL);
out:
	free(mt);
	oci_manifest_release(&m);
	strbuf_release(&blobs);
	strbuf_release(&man);
	strbuf_release(&cfg);
	return rc;
}

static int base_from_registry(struct registry_client *c, const struct reference *ref, const char *name,
			      const char *platform, struct image_base *out)
{
	struct platform want = PLATFORM_INIT;
	struct remote_image ri = REMOTE_IMAGE_INIT;
	int rc = 0;

	if (platform)
		rc = platform_parse(platform, &want);
	if (!rc)
		rc = registry_fetch_image(c, ref, platform ? &want : NULL, &ri);
	if (!rc)
		rc = image_base_set(out, name, ri.manifest.digest, ri.manifest.bytes.buf, ri.manifest.bytes.len,
				    ri.config.buf, ri.config.len);
	remote_image_release(&ri);
	platform_release(&want);
	return rc;
}

int build_fetch_base(struct registry_client *client, const char *image, const char *platform,
		     const char *base_layout, struct image_base *out)
{
	struct reference ref = REFERENCE_INIT;
	struct strbuf name = STRBUF_INIT;
	int rc;

	if (!image || !strcmp(image, "scratch")) {
		image_base_release(out);
		return 0;
	}
	rc = reference_parse(image, &ref);
	if (rc < 0)
		return rc;
	reference_format(&ref, &name);
	if (base_layout) {
		rc = base_from_layout(base_layout, image, name.buf, platform, out);
	} else if (client) {
		rc = base_from_registry(client, &ref, name.buf, platform, out);
	} else {
		struct registry_options ro = { 0 };
		struct registry_client *c = registry_client_new(&ro);

		rc = base_from_registry(c, &ref, name.buf, platform, out);
		registry_client_free(c);
	}
	reference_release(&ref);
	strbuf_release(&name);
	return rc;
}


/* ocilayout_fetch_fn: a base layer from its registry, streamed to fd */
int base_fetch_blob(void *ctx, const char *base_name, const char *digest, int fd)
{
	struct base_fetch *bf = ctx;
	struct reference ref = REFERENCE_INIT;
	long long size = -1;
	int rc;

	rc = reference_parse(base_name, &ref);
	if (rc < 0)
		return rc;
	/* a layer of the base stops at its descriptor's size (a hostile registry cannot fill the disk) */
	for (size_t i = 0; bf->base && i < bf->base->layers_nr; i++)
		if (!strcmp(bf->base->layers[i].digest, digest))
			size = (long long)bf->base->layers[i].size;
	rc = registry_get_blob(bf->client, &ref, digest, size, fd);
	reference_release(&ref);
	return rc;
}

/* basetree_fetch_fn: a base layer from its registry (ctx: struct base_fetch) */
static int tree_fetch(void *ctx, const char *digest, int fd)
{
	struct base_fetch *bf = ctx;

	return base_fetch_blob(bf, bf->base->name, digest, fd);
}

/*
 * The base's file tree, from its layers' tar headers (cached by layer
 * digest): destinations resolve through its symlinks and its directories
 * keep their owners and modes, as in Docker.
 */
int base_tree_load(struct basetree *t, struct registry_client *client, const struct image_base *base)
{
	struct base_fetch bf = { client, base };
	struct strbuf cache = STRBUF_INIT, what = STRBUF_INIT, path = STRBUF_INIT;
	int rc = 0;

	if (base->layers_nr && !base->blob_dir && !client)
		return error("no registry to read the layers of base image '%s' from", base->name);
	basetree_cache_dir(&cache);
	for (size_t i = 0; i < base->layers_nr && !rc; i++) {
		strbuf_reset(&what);
		strbuf_addf(&what, "layer %s of base image '%s'", base->layers[i].digest, base->name);
		strbuf_reset(&path);
		if (base->blob_dir)
			strbuf_addf(&path, "%s/%s", base->blob_dir, base->layers[i].digest + 7);
		rc = basetree_add_layer(t, base->layers[i].digest, base->layers[i].size, what.buf,
					cache.buf, base->blob_dir ? path.buf : NULL, tree_fetch, &bf);
	}
	strbuf_release(&cache);
	strbuf_release(&what);
	strbuf_release(&path);
	return rc;
}

