/*
 * image.c: see image.h.  jansson's errors are read here (json_error_t).
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "oci/image.h"
#include "oci/platform.h"
#include "build/layer.h"

#include <time.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- base ---------------------------------------------------------- */

void image_base_init(struct image_base *b)
{
	memset(b, 0, sizeof(*b));
}

void image_base_release(struct image_base *b)
{
	if (!b)
		return;
	free(b->name);
	free(b->digest);
	json_decref(b->config);
	oci_descriptors_free(b->layers, b->layers_nr);
	free(b->blob_dir);
	image_base_init(b);
}

static json_t *parse_json(const char *what, const char *s, size_t len, int code)
{
	json_error_t jerr;
	json_t *j = json_loadb(s, len, 0, &jerr);

	if (!j) {
		error_as(code, "cannot parse %s: %s (line %d)", what, jerr.text, jerr.line);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		error_as(code, "cannot parse %s: not a JSON object", what);
		return NULL;
	}
	return j;
}

int image_base_set(struct image_base *b, const char *name, const char *digest,
		   const char *manifest, size_t manifest_len,
		   const char *config, size_t config_len)
{
	struct oci_manifest m = OCI_MANIFEST_INIT;
	struct strbuf where = STRBUF_INIT;
	json_t *c = NULL, *ids;
	int rc = 0;

	strbuf_addf(&where, "the manifest of '%s'", name ? name : "base");
	if ((rc = oci_manifest_parse(manifest, manifest_len, EXIT_REGISTRY, where.buf, &m)))
		goto out;
	c = parse_json("the base image config", config, config_len, EXIT_REGISTRY);
	if (!c) {
		rc = -EXIT_REGISTRY;
		goto out;
	}
	ids = json_object_get(json_object_get(c, "rootfs"), "diff_ids");
	if (!json_is_array(ids) || json_array_size(ids) != m.nr_layers) {
		rc = error_as(EXIT_REGISTRY, "the config of '%s' has %zu diff_ids for %zu layers",
			      name ? name : "base", json_array_size(ids), m.nr_layers);
		goto out;
	}
	image_base_release(b);
	b->name = name ? xstrdup(name) : NULL;
	b->digest = digest ? xstrdup(digest) : NULL;
	b->config = c;
	c = NULL;
	b->layers = m.layers;
	b->layers_nr = m.nr_layers;
	m.layers = NULL;
	m.nr_layers = 0;
out:
	oci_manifest_release(&m);
	json_decref(c);
	strbuf_release(&where);
	return rc;
}

int image_index_select(const char *index, size_t len, const char *platform, char *out)
{
	struct platform want = PLATFORM_INIT;
	struct oci_index idx = OCI_INDEX_INIT;
	struct strbuf name = STRBUF_INIT;
	long pick;
	int rc;

	if (platform) {
		rc = platform_parse(platform, &want);
		if (rc < 0)
			return rc;
	} else {
		platform_host(&want);
	}
	if ((rc = oci_index_parse(index, len, EXIT_REGISTRY, "the image index", &idx)) < 0)
		goto out;
	if ((pick = oci_index_find(&idx, &want)) < 0) {
		platform_format(&want, &name);
		rc = error_as(EXIT_NOT_FOUND, "the image index has no manifest for %s", name.buf);
		goto out;
	}
	snprintf(out, DIGEST_HEX_LEN + 1, "%s", idx.manifests[pick].digest);
out:
	oci_index_release(&idx);
	platform_release(&want);
	strbuf_release(&name);
	return rc;
}

/* ---- image --------------------------------------------------------- */

static void format_time(long long t, struct strbuf *out)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strbuf_addstr(out, buf);
}

static json_t *config_obj(const struct image *img)
{
	return json_object_get(img->config, "config");
}

static const char *docker_layer_type(const char *mt, int docker)
{
	static const struct {
		const char *oci, *docker;
	} map[] = {
		{ MT_OCI_LAYER_GZIP, MT_DOCKER_LAYER_GZIP },
		{ MT_OCI_LAYER_ZSTD, MT_DOCKER_LAYER_ZSTD },
		{ MT_OCI_LAYER, MT_DOCKER_LAYER },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (!strcmp(mt, map[i].oci) || !strcmp(mt, map[i].docker))
			return docker ? map[i].docker : map[i].oci;
	}
	return mt;
}

static json_t *descriptor(const char *mt, const char *digest, uint64_t size)
{
	struct oci_descriptor d = OCI_DESCRIPTOR_INIT;

	d.media_type = (char *)mt;
	snprintf(d.digest, sizeof(d.digest), "%s", digest);
	d.size = (long long)size;
	return oci_descriptor_json(&d);
}

int image_init(struct image *img, const struct image_base *base, const char *platform,
	       long long created, int docker)
{
	struct platform want = PLATFORM_INIT, have = PLATFORM_INIT;
	struct strbuf t = STRBUF_INIT;
	json_t *cfg = json_object(), *inner, *rootfs, *history, *ids, *pj;
	int rc;

	memset(img, 0, sizeof(*img));
	if (platform) {
		rc = platform_parse(platform, &want);
		if (rc < 0) {
			json_decref(cfg);
			return rc;
		}
	} else {
		platform_host(&want);
	}
	if (base->config) {
		const json_t *bc = base->config;
		/* the base's platform; a config without one is linux/amd64 */
		pj = json_pack("{s:s, s:s}", "os", "linux", "architecture", "amd64");
		json_object_update_existing(pj, (json_t *)bc);
		if (json_is_string(json_object_get(bc, "variant")))
			json_object_set(pj, "variant", json_object_get(bc, "variant"));
		rc = platform_from_json(pj, &have);
		json_decref(pj);
		if (rc < 0)
			rc = error_as(EXIT_REGISTRY, "the config of base image '%s' has no valid os and architecture",
				      base->name ? base->name : "scratch");
		if (!rc && platform && !platform_match(&have, &want)) {
			struct strbuf p = STRBUF_INIT;

			platform_format(&have, &p);
			rc = error_as(EXIT_INPUT, "base image '%s' is %s, not %s",
				      base->name ? base->name : "scratch", p.buf, platform);
			strbuf_release(&p);
		}
		if (rc < 0) {
			platform_release(&want);
			platform_release(&have);
			json_decref(cfg);
			return rc;
		}
		inner = json_deep_copy(json_object_get(bc, "config"));
		history = json_deep_copy(json_object_get(bc, "history"));
		ids = json_deep_copy(json_object_get(json_object_get(bc, "rootfs"), "diff_ids"));
		if (json_object_get(bc, "os.version"))
			json_object_set(cfg, "os.version", json_object_get(bc, "os.version"));
		if (json_object_get(bc, "author"))
			json_object_set(cfg, "author", json_object_get(bc, "author"));
	} else {
		have = want;
		memset(&want, 0, sizeof(want));
		inner = NULL;
		history = NULL;
		ids = NULL;
	}
	if (!json_is_object(inner)) {
		json_decref(inner);
		inner = json_object();
	}
	if (!json_is_array(history)) {
		json_decref(history);
		history = json_array();
	}
	if (!json_is_array(ids)) {
		json_decref(ids);
		ids = json_array();
	}
	json_object_update(cfg, pj = platform_to_json(&have));
	json_decref(pj);
	format_time(created, &t);
	img->created = strbuf_detach(&t, NULL);
	json_object_set_new(cfg, "created", json_string(img->created));	/* steals */
	json_object_set_new(cfg, "config", inner);	/* steals */
	rootfs = json_object();
	json_object_set_new(rootfs, "type", json_string("layers"));	/* steals */
	json_object_set_new(rootfs, "diff_ids", ids);	/* steals */
	json_object_set_new(cfg, "rootfs", rootfs);	/* steals */
	json_object_set_new(cfg, "history", history);	/* steals */
	img->config = cfg;
	img->layers = json_array();
	for (size_t i = 0; i < base->layers_nr; i++)
		json_array_append_new(img->layers,	/* steals */
				      descriptor(docker_layer_type(base->layers[i].media_type, docker),
						 base->layers[i].digest, base->layers[i].size));
	img->base = base;
	img->docker = docker;
	if (!image_get_env(img, "PATH") && !strcmp(have.os, "linux")) {
		json_t *env = json_object_get(inner, "Env");

		if (!json_is_array(env)) {
			env = json_array();
			json_object_set_new(inner, "Env", env);	/* steals */
		}
		json_array_insert_new(env, 0, json_string(DEFAULT_PATH));	/* steals */
	}
	platform_release(&want);
	platform_release(&have);
	return 0;
}

void image_release(struct image *img)
{
	if (!img)
		return;
	json_decref(img->config);
	json_decref(img->layers);
	free(img->created);
	memset(img, 0, sizeof(*img));
}

const char *image_get_env(const struct image *img, const char *key)
{
	json_t *env = json_object_get(config_obj(img), "Env"), *v;
	size_t i, kl = strlen(key);

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, key, kl) && s[kl] == '=')
			return s + kl + 1;
	}
	return NULL;
}

void image_set_env(struct image *img, const char *key, const char *value)
{
	json_t *inner = config_obj(img), *env = json_object_get(inner, "Env"), *v;
	struct strbuf kv = STRBUF_INIT;
	size_t i, kl = strlen(key);

	strbuf_addf(&kv, "%s=%s", key, value);
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(inner, "Env", env);	/* steals */
	}
	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, key, kl) && s[kl] == '=') {
			json_array_set_new(env, i, json_string(kv.buf));	/* steals */
			strbuf_release(&kv);
			return;
		}
	}
	json_array_append_new(env, json_string(kv.buf));	/* steals */
	strbuf_release(&kv);
}

void image_set_cmd(struct image *img, json_t *argv)
{
	json_object_set_new(config_obj(img), "Cmd", argv);	/* steals */
	img->cmd_set = 1;
}

void image_set_entrypoint(struct image *img, json_t *argv)
{
	json_object_set_new(config_obj(img), "Entrypoint", argv);	/* steals */
	/* Docker: ENTRYPOINT resets a CMD not set in this Dockerfile */
	if (!img->cmd_set)
		json_object_del(config_obj(img), "Cmd");
}

void image_set_shell(struct image *img, json_t *argv)
{
	json_object_set_new(config_obj(img), "Shell", argv);	/* steals */
}

void image_set_workdir(struct image *img, const char *dir)
{
	json_object_set_new(config_obj(img), "WorkingDir", json_string(dir));	/* steals */
}

const char *image_get_workdir(const struct image *img)
{
	return json_string_value(json_object_get(config_obj(img), "WorkingDir"));
}

void image_set_user(struct image *img, const char *user)
{
	json_object_set_new(config_obj(img), "User", json_string(user));	/* steals */
}

static json_t *config_map(struct image *img, const char *name)
{
	json_t *inner = config_obj(img), *m = json_object_get(inner, name);

	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(inner, name, m);	/* steals */
	}
	return m;
}

void image_add_port(struct image *img, const char *port)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addstr(&p, port);
	strbuf_tolower(&p);
	if (!strchr(p.buf, '/'))
		strbuf_addstr(&p, "/tcp");
	json_object_set_new(config_map(img, "ExposedPorts"), p.buf, json_object());	/* steals */
	strbuf_release(&p);
}

void image_add_volume(struct image *img, const char *path)
{
	json_object_set_new(config_map(img, "Volumes"), path, json_object());	/* steals */
}

void image_set_label(struct image *img, const char *key, const char *value)
{
	json_object_set_new(config_map(img, "Labels"), key, json_string(value));	/* steals */
}

void image_set_author(struct image *img, const char *author)
{
	json_object_set_new(img->config, "author", json_string(author));	/* steals */
}

void image_set_stopsignal(struct image *img, const char *sig)
{
	json_object_set_new(config_obj(img), "StopSignal", json_string(sig));	/* steals */
}

void image_set_healthcheck(struct image *img, json_t *healthcheck)
{
	json_object_set_new(config_obj(img), "Healthcheck", healthcheck);	/* steals */
}

void image_add_layer(struct image *img, const struct layer *l)
{
	json_t *ids = json_object_get(json_object_get(img->config, "rootfs"), "diff_ids");

	json_array_append_new(ids, json_string(l->diff_id));	/* steals */
	json_array_append_new(img->layers,	/* steals */
			      descriptor(layer_media_type(l->compression, img->docker), l->digest, l->size));
}

void image_add_history(struct image *img, const char *created_by, int empty_layer)
{
	json_t *h = json_object();

	json_object_set_new(h, "created", json_string(img->created));	/* steals */
	json_object_set_new(h, "created_by", json_string(created_by));	/* steals */
	json_object_set_new(h, "comment", json_string("publish"));	/* steals */
	if (empty_layer)
		json_object_set_new(h, "empty_layer", json_true());	/* steals */
	json_array_append_new(json_object_get(img->config, "history"), h);	/* steals */
}

void image_platform(const struct image *img, struct strbuf *out)
{
	const char *variant = json_string_value(json_object_get(img->config, "variant"));

	strbuf_addf(out, "%s/%s", json_string_value(json_object_get(img->config, "os")),
		    json_string_value(json_object_get(img->config, "architecture")));
	if (variant)
		strbuf_addf(out, "/%s", variant);
}

int image_json_dump(const json_t *j, struct strbuf *out)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	if (!s)
		return error("cannot serialise JSON");
	strbuf_addstr(out, s);
	free(s);
	return 0;
}

static int dump_digest(const json_t *j, struct strbuf *out, char *digest)
{
	size_t start = out->len;

	if (image_json_dump(j, out) < 0)
		return -1;
	return digest_buffer(out->buf + start, out->len - start, digest);
}

int image_finish(struct image *img, const struct image_finish_opts *opts,
		 struct strbuf *config_out, char *config_digest,
		 struct strbuf *manifest_out, char *manifest_digest)
{
	json_t *m = NULL, *ann;
	char cdig[DIGEST_HEX_LEN + 1];
	size_t cstart = config_out->len;
	int rc = -1;

	for (size_t i = 0; i < opts->labels_nr; i++)
		image_set_label(img, opts->labels[i].key, opts->labels[i].value);
	if (dump_digest(img->config, config_out, cdig) < 0)
		goto out;
	if (config_out->len - cstart > IMAGE_CONFIG_MAX) {
		rc = error_as(EXIT_DOCKERFILE,
			      "the image config is %zu bytes, over the 16 MiB limit: shorten the ENV and LABEL values of the Dockerfile",
			      config_out->len - cstart);
		goto out;
	}
	m = json_object();
	json_object_set_new(m, "schemaVersion", json_integer(2));	/* steals */
	json_object_set_new(m, "mediaType",	/* steals */
			    json_string(img->docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST));
	json_object_set_new(m, "config",	/* steals */
			    descriptor(img->docker ? MT_DOCKER_CONFIG : MT_OCI_CONFIG, cdig,
				       config_out->len - cstart));
	json_object_set(m, "layers", img->layers);
	if (!img->docker) {
		ann = json_object();
		for (size_t i = 0; i < opts->annotations_nr; i++)
			json_object_set_new(ann, opts->annotations[i].key,	/* steals */
					    json_string(opts->annotations[i].value));
		if (img->base && img->base->name) {
			json_object_set_new(ann, ANN_BASE_NAME,	/* steals */
					    json_string(img->base->name));
			if (img->base->digest)
				json_object_set_new(ann, ANN_BASE_DIGEST,	/* steals */
						    json_string(img->base->digest));
		}
		if (json_object_size(ann))
			json_object_set_new(m, "annotations", ann);	/* steals */
		else
			json_decref(ann);
	}
	if (dump_digest(m, manifest_out, manifest_digest) < 0)
		goto out;
	memcpy(config_digest, cdig, sizeof(cdig));
	rc = 0;
out:
	json_decref(m);
	return rc;
}

static int cmp_opt(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Descriptors in platform order (os, architecture, variant, as normalised), then digest. */
static int index_desc_cmp(const void *va, const void *vb)
{
	const struct oci_descriptor *a = va, *b = vb;
	int r;

	if ((r = cmp_opt(a->platform.os, b->platform.os)) ||
	    (r = cmp_opt(a->platform.architecture, b->platform.architecture)) ||
	    (r = cmp_opt(a->platform.variant, b->platform.variant)))
		return r;
	return strcmp(a->digest, b->digest);
}

int image_index_build(const struct image_index_entry *entries, size_t nr, int docker,
		      const struct kvlist_item *annotations, size_t annotations_nr,
		      struct strbuf *out, char *digest)
{
	json_t *idx = json_object(), *arr = json_array();
	struct oci_descriptor *d = xcalloc(nr ? nr : 1, sizeof(*d));
	int rc = 0;

	for (size_t i = 0; i < nr && !rc; i++) {
		struct oci_descriptor init = OCI_DESCRIPTOR_INIT;

		d[i] = init;
		if (entries[i].platform)
			rc = platform_parse(entries[i].platform, &d[i].platform);
		d[i].media_type = (char *)entries[i].media_type;
		snprintf(d[i].digest, sizeof(d[i].digest), "%s", entries[i].digest);
		d[i].size = (long long)entries[i].size;
	}
	if (rc < 0)
		goto out;
	/* sorted: the same images give the same index in any order (a multi-platform build, a merge) */
	if (nr > 1)
		qsort(d, nr, sizeof(*d), index_desc_cmp);
	json_object_set_new(idx, "schemaVersion", json_integer(2));	/* steals */
	json_object_set_new(idx, "mediaType", json_string(docker ? MT_DOCKER_LIST : MT_OCI_INDEX));	/* steals */
	for (size_t i = 0; i < nr; i++)
		json_array_append_new(arr, oci_descriptor_json(&d[i]));	/* steals */
	json_object_set_new(idx, "manifests", arr);	/* steals */
	arr = NULL;
	if (!docker && annotations_nr) {
		json_t *ann = json_object();

		for (size_t i = 0; i < annotations_nr; i++)
			json_object_set_new(ann, annotations[i].key, json_string(annotations[i].value));	/* steals */
		json_object_set_new(idx, "annotations", ann);	/* steals */
	}
	rc = dump_digest(idx, out, digest);
out:
	for (size_t i = 0; i < nr; i++)
		platform_release(&d[i].platform);
	free(d);
	json_decref(arr);
	json_decref(idx);
	return rc;
}
