/*
 * artifact.c: see artifact.h.  JSON written with image_json_dump()
 * (sorted keys, compact), so the same document about the same image is
 * the same artifact digest on every run.
 */
#include "lib/common.h"
#include "attest/artifact.h"
#include "oci/image.h"
#include "oci/mediatype.h"

#include <jansson.h>

int artifact_manifest(const char *artifact_type, const char *doc_digest, long long doc_size,
		      const struct artifact_subject *subject, const char *created,
		      struct strbuf *out, char *digest)
{
	char empty[DIGEST_HEX_LEN + 1];
	json_t *m;
	size_t start = out->len;
	int ret;

	if (!digest_is_valid(doc_digest) || !digest_is_valid(subject->digest))
		return error_as(EXIT_INTERNAL, "artifact: malformed digest");
	digest_buffer(ARTIFACT_EMPTY_CONFIG, strlen(ARTIFACT_EMPTY_CONFIG), empty);
	m = json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:I}, s:[{s:s, s:s, s:I}], s:{s:s, s:s, s:I}}",
		      "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "artifactType", artifact_type,
		      "config", "mediaType", ARTIFACT_EMPTY_MEDIA_TYPE, "digest", empty,
		      "size", (json_int_t)strlen(ARTIFACT_EMPTY_CONFIG),
		      "layers", "mediaType", artifact_type, "digest", doc_digest, "size", (json_int_t)doc_size,
		      "subject", "mediaType", subject->media_type, "digest", subject->digest,
		      "size", (json_int_t)subject->size);
	if (!m)
		return error_as(EXIT_INTERNAL, "artifact: cannot make the manifest");
	if (created)
		json_object_set_new(m, "annotations",
				    json_pack("{s:s}", "org.opencontainers.image.created", created));	/* steals */
	if (!(ret = image_json_dump(m, out)))
		ret = digest_buffer(out->buf + start, out->len - start, digest);
	json_decref(m);
	return ret;
}

void artifact_fallback_tag(const char *digest, struct strbuf *out)
{
	const char *colon = strchr(digest, ':');

	if (colon) {
		strbuf_add(out, digest, (size_t)(colon - digest));
		strbuf_addf(out, "-%s", colon + 1);
	} else {
		strbuf_addstr(out, digest);
	}
}

int artifact_referrers_index(const char *old, size_t len, const char *where,
			     const struct strbuf *manifest, const char *manifest_digest,
			     struct strbuf *out, int *changed)
{
	json_t *idx = NULL, *list, *m = NULL, *d, *e, *seen = NULL;
	size_t i, start;
	int ret = 0, dropped = 0;

	*changed = 0;
	if (len) {
		idx = json_loadb(old, len, 0, NULL);
		list = json_object_get(idx, "manifests");
		if (!json_is_object(idx) || !json_is_array(list)) {
			ret = error_as(EXIT_REGISTRY, "the referrers index %s is not an image index", where);
			goto out;
		}
	} else {
		idx = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests");
		list = json_object_get(idx, "manifests");
	}
	if (json_array_size(list) > ARTIFACT_REFERRERS_MAX) {
		ret = error_as(EXIT_REGISTRY, "the referrers index %s lists more than %d manifests", where,
			       ARTIFACT_REFERRERS_MAX);
		goto out;
	}
	/* the registry's entries: descriptors only, each digest once (seen: a set of digests) */
	seen = json_object();
	for (i = 0; i < json_array_size(list); ) {
		const char *dg;
		json_t *size;

		e = json_array_get(list, i);
		dg = json_string_value(json_object_get(e, "digest"));
		size = json_object_get(e, "size");
		if (!json_is_object(e) || !dg || !digest_is_valid(dg) || json_object_get(seen, dg) ||
		    !json_is_string(json_object_get(e, "mediaType")) || !json_is_integer(size) ||
		    json_integer_value(size) < 0) {
			json_array_remove(list, i);
			dropped = 1;
			continue;
		}
		json_object_set_new(seen, dg, json_true());	/* steals */
		i++;
	}
	if (json_object_get(seen, manifest_digest)) {
		if (dropped && !(ret = image_json_dump(idx, out)))
			*changed = 1;
		goto out;	/* listed already */
	}
	if (!(m = json_loadb(manifest->buf, manifest->len, 0, NULL))) {
		ret = error_as(EXIT_INTERNAL, "artifact: its manifest is not JSON");
		goto out;
	}
	d = json_pack("{s:s, s:s, s:I}", "mediaType", MT_OCI_MANIFEST, "digest", manifest_digest,
		      "size", (json_int_t)manifest->len);
	if (json_object_get(m, "artifactType"))
		json_object_set(d, "artifactType", json_object_get(m, "artifactType"));
	if (json_object_get(m, "annotations"))
		json_object_set(d, "annotations", json_object_get(m, "annotations"));
	json_array_append_new(list, d);	/* steals */
	start = out->len;
	if ((ret = image_json_dump(idx, out)) < 0)
		goto out;
	if (out->len - start > ARTIFACT_INDEX_MAX_BYTES) {
		strbuf_setlen(out, start);
		ret = error_as(EXIT_REGISTRY, "the referrers index %s would be more than %u MiB, more than a "
			       "registry takes", where, ARTIFACT_INDEX_MAX_BYTES >> 20);
		goto out;
	}
	*changed = 1;
out:
	json_decref(seen);
	json_decref(m);
	json_decref(idx);
	return ret;
}
