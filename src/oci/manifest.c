/*
 * manifest.c: see manifest.h.  jansson's errors for manifests and
 * indexes are read here.
 */
#include "lib/common.h"
#include "oci/manifest.h"

/* ---- descriptors --------------------------------------------------- */

int oci_descriptor_parse(const json_t *j, struct oci_descriptor *out, int code, const char *where)
{
	json_t *mt = json_object_get(j, "mediaType"), *d = json_object_get(j, "digest"),
		*sz = json_object_get(j, "size"), *ann = json_object_get(j, "annotations");
	struct oci_descriptor r = OCI_DESCRIPTOR_INIT;

	if (!json_is_string(d) || !digest_is_valid(json_string_value(d)) || !json_is_integer(sz) ||
	    json_integer_value(sz) < 0)
		return error_as(code, "%s has a descriptor without a valid sha256 digest and size", where);
	r.media_type = xstrdup(json_is_string(mt) ? json_string_value(mt) : "");
	snprintf(r.digest, sizeof(r.digest), "%s", json_string_value(d));
	r.size = (long long)json_integer_value(sz);
	platform_from_json(json_object_get(j, "platform"), &r.platform);	/* none: stays empty */
	if (json_is_object(ann))
		r.annotations = json_incref(ann);
	*out = r;
	return 0;
}

json_t *oci_descriptor_json(const struct oci_descriptor *d)
{
	json_t *j = json_object();

	json_object_set_new(j, "mediaType", json_string(d->media_type ? d->media_type : ""));	/* steals */
	json_object_set_new(j, "digest", json_string(d->digest));	/* steals */
	json_object_set_new(j, "size", json_integer((json_int_t)d->size));	/* steals */
	if (d->platform.os)
		json_object_set_new(j, "platform", platform_to_json(&d->platform));	/* steals */
	if (d->annotations && json_object_size(d->annotations))
		json_object_set_new(j, "annotations", json_deep_copy(d->annotations));	/* steals the copy */
	return j;
}

void oci_descriptor_copy(const struct oci_descriptor *src, struct oci_descriptor *out)
{
	out->media_type = xstrdup(src->media_type ? src->media_type : "");
	memcpy(out->digest, src->digest, sizeof(out->digest));
	out->size = src->size;
	platform_copy(&src->platform, &out->platform);
	out->annotations = src->annotations ? json_deep_copy(src->annotations) : NULL;
}

const char *oci_descriptor_annotation(const struct oci_descriptor *d, const char *key)
{
	return json_string_value(json_object_get(d->annotations, key));
}

void oci_descriptor_release(struct oci_descriptor *d)
{
	if (!d)
		return;
	free(d->media_type);
	d->media_type = NULL;
	platform_release(&d->platform);
	json_decref(d->annotations);
	d->annotations = NULL;
}

void oci_descriptors_free(struct oci_descriptor *d, size_t nr)
{
	for (size_t i = 0; d && i < nr; i++)
		oci_descriptor_release(&d[i]);
	free(d);
}

/* ---- manifests and indexes ----------------------------------------- */

static json_t *load(const char *buf, size_t len, int code, const char *where)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);

	if (!root) {
		error_as(code, "%s is not valid JSON: %s", where, jerr.text);
		return NULL;
	}
	return root;
}

int oci_manifest_parse(const char *buf, size_t len, int code, const char *where,
		       struct oci_manifest *out)
{
	struct oci_manifest m = OCI_MANIFEST_INIT;
	json_t *root = load(buf, len, code, where), *layers, *l, *ann;
	size_t i;
	int ret = 0;

	if (!root)
		return -code;
	layers = json_object_get(root, "layers");
	if (!json_is_object(json_object_get(root, "config")) || (layers && !json_is_array(layers))) {
		ret = error_as(code, "%s is not an image manifest (no config)", where);
		goto out;
	}
	if ((ret = oci_descriptor_parse(json_object_get(root, "config"), &m.config, code, where)))
		goto out;
	m.layers = xcalloc(json_array_size(layers) + 1, sizeof(*m.layers));
	json_array_foreach(layers, i, l) {
		if ((ret = oci_descriptor_parse(l, &m.layers[m.nr_layers], code, where)))
			goto out;
		m.nr_layers++;
	}
	ann = json_object_get(root, "annotations");
	if (json_is_object(ann))
		m.annotations = json_incref(ann);
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	oci_manifest_release(&m);
	json_decref(root);
	return ret;
}

const char *oci_manifest_annotation(const struct oci_manifest *m, const char *key)
{
	return json_string_value(json_object_get(m->annotations, key));
}

void oci_manifest_release(struct oci_manifest *m)
{
	if (!m)
		return;
	oci_descriptor_release(&m->config);
	oci_descriptors_free(m->layers, m->nr_layers);
	json_decref(m->annotations);
	memset(m, 0, sizeof(*m));
}

int oci_index_parse(const char *buf, size_t len, int code, const char *where, struct oci_index *out)
{
	json_t *root = load(buf, len, code, where);
	int ret;

	if (!root)
		return -code;
	ret = oci_index_from_json(root, code, where, out);
	json_decref(root);
	return ret;
}

int oci_index_from_json(json_t *root, int code, const char *where, struct oci_index *out)
{
	struct oci_index idx = OCI_INDEX_INIT;
	json_t *list, *m;
	size_t i;
	int ret = 0;

	idx.json = json_incref(root);
	list = json_object_get(idx.json, "manifests");
	if (!json_is_array(list)) {
		ret = error_as(code, "%s is not an image index (no manifests)", where);
		goto out;
	}
	idx.manifests = xcalloc(json_array_size(list) + 1, sizeof(*idx.manifests));
	json_array_foreach(list, i, m) {
		if ((ret = oci_descriptor_parse(m, &idx.manifests[idx.nr_manifests], code, where)))
			goto out;
		idx.nr_manifests++;
	}
	*out = idx;
	memset(&idx, 0, sizeof(idx));
out:
	oci_index_release(&idx);
	return ret;
}

long oci_index_find(const struct oci_index *idx, const struct platform *want)
{
	for (size_t i = 0; i < idx->nr_manifests; i++)
		if (platform_match(&idx->manifests[i].platform, want) &&
		    !oci_is_index(idx->manifests[i].media_type))
			return (long)i;
	return -1;
}

void oci_index_release(struct oci_index *idx)
{
	if (!idx)
		return;
	oci_descriptors_free(idx->manifests, idx->nr_manifests);
	json_decref(idx->json);
	memset(idx, 0, sizeof(*idx));
}

int oci_is_index(const char *media_type)
{
	return media_type && (!strcmp(media_type, MT_OCI_INDEX) || !strcmp(media_type, MT_DOCKER_LIST));
}

char *oci_media_type(const char *buf, size_t len)
{
	json_t *root = json_loadb(buf, len, 0, NULL);
	json_t *mt = json_object_get(root, "mediaType");
	char *ret = NULL;

	if (json_is_string(mt))
		ret = xstrdup(json_string_value(mt));
	else if (json_is_array(json_object_get(root, "manifests")))
		ret = xstrdup(MT_OCI_INDEX);
	else if (json_is_object(json_object_get(root, "config")))
		ret = xstrdup(MT_OCI_MANIFEST);
	json_decref(root);
	return ret;
}
