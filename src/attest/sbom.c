/*
 * sbom.c: see sbom.h.  The document's elements:
 *
 *   SPDXRef-DOCUMENT  DESCRIBES       SPDXRef-Image (the image, by digest)
 *   SPDXRef-Image     CONTAINS        SPDXRef-File-N (each file publish wrote)
 *   SPDXRef-Image     DESCENDANT_OF   SPDXRef-Base (the base image, when there is one)
 *
 * The image package has filesAnalyzed false: its files are listed as
 * CONTAINS relationships, without the SHA1 verification code SPDX asks
 * of an analysed package, which would also need the base's files.
 */
#include "lib/common.h"
#include "attest/sbom.h"
#include "oci/image.h"

#include <jansson.h>

static int file_cmp(const void *va, const void *vb)
{
	const struct sbom_file *a = va, *b = vb;
	int r = strcmp(a->path, b->path);

	return r ? r : (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sorted by path, each path once: the one added last (a later layer's). */
static void sort_files(struct sbom *s)
{
	size_t n = 0;

	if (s->nr_files < 2)
		return;
	qsort(s->files, s->nr_files, sizeof(*s->files), file_cmp);
	for (size_t i = 0; i < s->nr_files; i++) {
		if (i + 1 < s->nr_files && !strcmp(s->files[i].path, s->files[i + 1].path)) {
			free(s->files[i].path);
			continue;
		}
		s->files[n++] = s->files[i];
	}
	s->nr_files = n;
	/* the indexes moved */
	json_object_clear(s->by_path);
	for (size_t i = 0; s->by_path && i < n; i++)
		json_object_set_new_nocheck(s->by_path, s->files[i].path, json_integer((json_int_t)i));	/* steals */
}

/* The file last recorded at path, or NULL: a hash lookup (a layer may hold many hard links). */
static struct sbom_file *find_file(struct sbom *s, const char *path)
{
	json_t *i = s->by_path ? json_object_get(s->by_path, path) : NULL;

	return i ? &s->files[json_integer_value(i)] : NULL;
}

int sbom_add_file(struct sbom *s, const char *path, const char *link, const char *sha256, const char *sha1)
{
	struct sbom_file *f;
	char d256[DIGEST_HEX_LEN + 1], d1[41];

	if (link) {
		if (!(f = find_file(s, link)))
			return error_as(EXIT_CONTEXT, "hard link '%s' names '%s', which no layer holds", path, link);
		sha256 = f->sha256;
		sha1 = f->sha1;
	}
	if (!sha256 || !sha1)
		return error_as(EXIT_INTERNAL, "file '%s' has no digest", path);
	/* copied out first: growing the array may move a link's target */
	snprintf(d256, sizeof(d256), "%s", sha256);
	snprintf(d1, sizeof(d1), "%s", sha1);
	ALLOC_GROW(s->files, s->nr_files + 1, s->alloc_files);
	f = &s->files[s->nr_files];
	f->path = xstrdup(path);
	f->seq = s->nr_files++;
	if (!s->by_path)
		s->by_path = json_object();
	/* nocheck: a layer's name is bytes, not always UTF-8 */
	json_object_set_new_nocheck(s->by_path, path, json_integer((json_int_t)(f - s->files)));	/* steals */
	memcpy(f->sha256, d256, sizeof(d256));
	memcpy(f->sha1, d1, sizeof(d1));
	return 0;
}

void sbom_release(struct sbom *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_files; i++)
		free(s->files[i].path);
	free(s->files);
	s->files = NULL;
	s->nr_files = s->alloc_files = 0;
	json_decref(s->by_path);
	s->by_path = NULL;
}

/* The length of the UTF-8 sequence at s[0..n) (no overlong form, surrogate or value past U+10FFFF), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		     s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/*
 * "./" + path into out, each byte that is not part of UTF-8 as U+FFFD:
 * a layer's names are bytes, JSON strings are UTF-8 (jansson refuses
 * the rest, which would drop the file from the document).
 */
static void file_name(const char *path, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)path;
	size_t n = strlen(path);

	strbuf_addstr(out, "./");
	while (n) {
		size_t len = utf8_len(p, n);

		if (len) {
			strbuf_add(out, p, len);
		} else {
			strbuf_addstr(out, "\xef\xbf\xbd");
			len = 1;
		}
		p += len;
		n -= len;
	}
}

static json_t *relationship(const char *from, const char *type, const char *to)
{
	return json_pack("{s:s, s:s, s:s}", "spdxElementId", from, "relationshipType", type,
			 "relatedSpdxElement", to);
}

static json_t *checksum(const char *algorithm, const char *value)
{
	return json_pack("{s:s, s:s}", "algorithm", algorithm, "checksumValue", value);
}

int sbom_spdx_json(struct sbom *s, struct strbuf *out)
{
	json_t *doc = NULL, *pkgs, *files, *rels, *image;
	const char *hex;
	struct strbuf buf = STRBUF_INIT, name = STRBUF_INIT;
	int ret = 0;

	if (!s->image_digest || !digest_is_valid(s->image_digest))
		return error_as(EXIT_INTERNAL, "sbom: no image digest");
	hex = s->image_digest + 7;
	sort_files(s);

	strbuf_addf(&buf, "https://spdx.org/spdxdocs/publish-action-image-sha256-%s", hex);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:[s]}, s:[s]}",
			"spdxVersion", "SPDX-2.3", "dataLicense", "CC0-1.0", "SPDXID", "SPDXRef-DOCUMENT",
			"name", s->image_digest, "documentNamespace", buf.buf,
			"creationInfo", "created", s->created ? s->created : "1970-01-01T00:00:00Z",
			"creators", "Tool: publish-action",
			"documentDescribes", "SPDXRef-Image");
	if (!doc) {
		ret = error_as(EXIT_INTERNAL, "sbom: cannot make the document");
		goto out;
	}
	if (s->tool_version) {
		strbuf_reset(&buf);
		strbuf_addf(&buf, "Tool: publish-action-%s", s->tool_version);
		json_array_set_new(json_object_get(json_object_get(doc, "creationInfo"), "creators"), 0,
				   json_string(buf.buf));	/* steals */
	}

	pkgs = json_array();
	image = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:[o]}", "SPDXID", "SPDXRef-Image",
			  "name", s->image_digest, "versionInfo", s->image_digest,
			  "downloadLocation", "NOASSERTION", "filesAnalyzed", 0,
			  "primaryPackagePurpose", "CONTAINER",
			  "checksums", checksum("SHA256", hex));
	json_array_append_new(pkgs, image);	/* steals */
	if (s->base_name) {
		json_t *base = json_pack("{s:s, s:s, s:s, s:b, s:s}", "SPDXID", "SPDXRef-Base",
					 "name", s->base_name, "downloadLocation", "NOASSERTION",
					 "filesAnalyzed", 0, "primaryPackagePurpose", "CONTAINER");

		if (s->base_digest && digest_is_valid(s->base_digest)) {
			json_object_set_new(base, "versionInfo", json_string(s->base_digest));	/* steals */
			json_object_set_new(base, "checksums",
					    json_pack("[o]", checksum("SHA256", s->base_digest + 7)));	/* steals */
		}
		json_array_append_new(pkgs, base);	/* steals */
	}
	json_object_set_new(doc, "packages", pkgs);	/* steals */

	files = json_array();
	rels = json_array();
	json_array_append_new(rels, relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"));	/* steals */
	if (s->base_name)
		json_array_append_new(rels, relationship("SPDXRef-Image", "DESCENDANT_OF", "SPDXRef-Base"));	/* steals */
	for (size_t i = 0; i < s->nr_files; i++) {
		const struct sbom_file *f = &s->files[i];

		strbuf_reset(&buf);
		strbuf_addf(&buf, "SPDXRef-File-%zu", i + 1);
		strbuf_reset(&name);
		file_name(f->path, &name);
		json_array_append_new(files, json_pack("{s:s, s:s, s:[o, o]}", "SPDXID", buf.buf,
						       "fileName", name.buf,
						       "checksums", checksum("SHA1", f->sha1),
						       checksum("SHA256", f->sha256 + 7)));	/* steals */
		json_array_append_new(rels, relationship("SPDXRef-Image", "CONTAINS", buf.buf));	/* steals */
	}
	json_object_set_new(doc, "files", files);	/* steals */
	json_object_set_new(doc, "relationships", rels);	/* steals */
	if (json_array_size(files) != s->nr_files) {
		ret = error_as(EXIT_INTERNAL, "sbom: cannot list the files of image %s", s->image_digest);
		goto out;
	}
	ret = image_json_dump(doc, out);
out:
	json_decref(doc);
	strbuf_release(&buf);
	strbuf_release(&name);
	return ret;
}
