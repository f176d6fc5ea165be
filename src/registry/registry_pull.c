/*
 * registry_pull.c: downloads (see registry.h, registry.c for the layout
 * of the module).
 *
 * A blob is fetched into a file or, for a config, into memory through a
 * struct file_sink: hashed on the way, cut off at the size its descriptor
 * gives, and verified against its digest at the end.  The GET's setup and
 * its verdict are separate (registry_get_blob_call, registry_get_blob_result)
 * so that a blob conversation of registry_upload.c can run the same GET
 * in its curl multi.  registry_fetch_image() is what a build needs of its
 * base image: the manifest (picked from an index by platform) and the
 * config, never the layers.
 */
#include "lib/common.h"
#include "registry/registry_internal.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

/* ---- blobs: download ------------------------------------------------------ */

static int file_sink_write(void *data, const void *buf, size_t len)
{
	struct file_sink *s = data;

	if (s->limit >= 0 && s->d.size + len > (unsigned long long)s->limit) {
		struct strbuf name = STRBUF_INIT;

		reference_format_name(s->ref, &name);
		error_as(EXIT_REGISTRY, "blob %s from '%s' is larger than the %lld bytes its descriptor gives: download stopped",
			 s->digest, name.buf, s->limit);
		strbuf_release(&name);
		return -EXIT_REGISTRY;
	}
	if (s->mem) {
		strbuf_add(s->mem, buf, len);
	} else if (fwrite(buf, 1, len, s->fp) != len) {
		error("cannot write a downloaded blob: %s", strerror(errno));
		return -1;
	}
	digest_update(&s->d, buf, len);
	return 0;
}

static void file_sink_rewind(void *data)
{
	struct file_sink *s = data;

	if (s->mem) {
		strbuf_reset(s->mem);
		digest_release(&s->d);
		digest_init(&s->d);
		return;
	}
	fflush(s->fp);
	if (fseeko(s->fp, 0, SEEK_SET) == 0 && ftruncate(fileno(s->fp), 0) == 0) {
		digest_release(&s->d);
		digest_init(&s->d);
	}
}

/*
 * Set up k (on url) to GET blob digest (size bytes, -1: unknown) of ref
 * into sink, which writes to fp or, when fp is NULL, appends to mem
 * (digest started here).
 */
int registry_get_blob_call(struct registry_client *c, const struct reference *ref, const char *digest,
			   long long size, struct file_sink *sink, FILE *fp, struct strbuf *mem,
			   struct strbuf *url, struct call *k)
{
	if (digest_init(&sink->d) < 0)
		return -1;
	sink->fp = fp;
	sink->mem = fp ? NULL : mem;
	sink->limit = size;
	sink->ref = ref;
	sink->digest = digest;
	strbuf_reset(url);
	registry_api_base(c, ref, url);
	strbuf_addf(url, "%s/blobs/%s", ref->repository, digest);
	registry_call_init(k, ref, "GET", url->buf, 0);
	k->req.sink = file_sink_write;
	k->req.sink_data = sink;
	k->rewind = file_sink_rewind;
	k->rewind_data = sink;
	return 0;
}

/* Judge the final answer to that GET: status, size, digest.  Ends sink's digest. */
int registry_get_blob_result(struct registry_client *c, const struct reference *ref, const char *digest,
			     long long size, struct file_sink *sink, const struct http_response *res)
{
	struct strbuf name = STRBUF_INIT;
	char got[DIGEST_HEX_LEN + 1] = "";
	int ret = 0;

	reference_format_name(ref, &name);
	if (res->status != 200) {
		if (res->status == 404)
			ret = error_as(EXIT_NOT_FOUND, "blob %s not found in '%s'", digest, name.buf);
		else
			ret = registry_explain(c, ref, "download from", "GET blob", res);
		goto out;
	}
	if (sink->fp && fflush(sink->fp) != 0) {
		ret = error("cannot write blob %s: %s", digest, strerror(errno));
		goto out;
	}
	if (size >= 0 && (long long)sink->d.size != size) {
		ret = error_as(EXIT_REGISTRY, "blob %s from '%s' is %llu bytes, not %lld", digest, name.buf,
			       sink->d.size, size);
		goto out;
	}
	if (digest_final(&sink->d, got) < 0 || strcmp(got, digest)) {
		ret = error_as(EXIT_REGISTRY, "blob from '%s' does not match its digest %s (got %s)",
			       name.buf, digest, got);
		goto out;
	}
out:
	digest_release(&sink->d);
	strbuf_release(&name);
	return ret;
}

/* GET blob digest (size, -1: unknown) of ref into fp, or into mem when fp is NULL; verified. */
static int get_blob_to(struct registry_client *c, const struct reference *ref, const char *digest,
		       long long size, FILE *fp, struct strbuf *mem)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct file_sink sink;
	struct call k;
	int ret;

	if ((ret = registry_get_blob_call(c, ref, digest, size, &sink, fp, mem, &url, &k)))
		goto out;
	if ((ret = registry_call_do(c, &k, &res))) {
		digest_release(&sink.d);
		goto out;
	}
	ret = registry_get_blob_result(c, ref, digest, size, &sink, &res);
out:
	http_response_release(&res);
	strbuf_release(&url);
	return ret;
}

int registry_get_blob(struct registry_client *c, const struct reference *ref,
		      const char *digest, long long size, int fd)
{
	int dfd = dup(fd), ret;
	FILE *fp = dfd >= 0 ? fdopen(dfd, "wb") : NULL;

	if (!fp) {
		if (dfd >= 0)
			close(dfd);
		return error("cannot write blob %s: %s", digest, strerror(errno));
	}
	ret = get_blob_to(c, ref, digest, size, fp, NULL);
	if (fclose(fp) != 0 && !ret)
		ret = error("cannot write blob %s: %s", digest, strerror(errno));
	return ret;
}

/* A blob into memory (configs): capped at its descriptor's size (and 16 MiB), verified. */
static int get_blob_mem(struct registry_client *c, const struct reference *ref,
			const struct oci_descriptor *d, struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT;
	int ret;

	if (d->size < 0 || d->size > (long long)MANIFEST_CAP * 4) {
		reference_format_name(ref, &name);
		ret = error_as(EXIT_REGISTRY, "config blob %s of '%s' has a size of %lld bytes (at most %u allowed)",
			       d->digest, name.buf, d->size, MANIFEST_CAP * 4);
		strbuf_release(&name);
		return ret;
	}
	strbuf_reset(out);
	ret = get_blob_to(c, ref, d->digest, d->size, NULL, out);
	if (ret)
		strbuf_reset(out);
	return ret;
}

void remote_image_release(struct remote_image *img)
{
	if (!img)
		return;
	registry_manifest_release(&img->manifest);
	strbuf_release(&img->config);
	oci_descriptor_release(&img->config_desc);
	oci_descriptors_free(img->layers, img->nr_layers);
	img->layers = NULL;
	img->nr_layers = 0;
	img->index_digest[0] = '\0';
}

int registry_fetch_image(struct registry_client *c, const struct reference *ref,
			 const struct platform *want, struct remote_image *out)
{
	struct remote_image img = REMOTE_IMAGE_INIT;
	struct registry_manifest top = REGISTRY_MANIFEST_INIT;
	struct platform def = { (char *)"linux", (char *)"amd64", NULL };
	struct oci_index idx = OCI_INDEX_INIT;
	struct oci_manifest man = OCI_MANIFEST_INIT;
	struct strbuf name = STRBUF_INIT;
	int ret;

	if (!want)
		want = &def;
	reference_format(ref, &name);
	if ((ret = registry_get_manifest(c, ref, &top)))
		goto out;
	if (oci_is_index(top.media_type)) {
		long pick;

		if ((ret = oci_index_parse(top.bytes.buf, top.bytes.len, EXIT_REGISTRY, name.buf, &idx)))
			goto out;
		if ((pick = oci_index_find(&idx, want)) < 0) {
			struct strbuf p = STRBUF_INIT;

			platform_format(want, &p);
			ret = error_as(EXIT_NOT_FOUND, "image '%s' has no %s variant", name.buf, p.buf);
			strbuf_release(&p);
			goto out;
		}
		snprintf(img.index_digest, sizeof(img.index_digest), "%s", top.digest);
		if ((ret = registry_get_manifest_by(c, ref, idx.manifests[pick].digest, &img.manifest)))
			goto out;
	} else {
		img.manifest = top;
		memset(&top, 0, sizeof(top));
	}
	if ((ret = oci_manifest_parse(img.manifest.bytes.buf, img.manifest.bytes.len, EXIT_REGISTRY,
				      name.buf, &man)))
		goto out;
	img.config_desc = man.config;
	img.layers = man.layers;
	img.nr_layers = man.nr_layers;
	json_decref(man.annotations);	/* not kept: it leaked with annotated manifests */
	memset(&man, 0, sizeof(man));
	if ((ret = get_blob_mem(c, ref, &img.config_desc, &img.config)))
		goto out;
	*out = img;
	memset(&img, 0, sizeof(img));
out:
	remote_image_release(&img);
	registry_manifest_release(&top);
	oci_index_release(&idx);
	oci_manifest_release(&man);
	strbuf_release(&name);
	return ret;
}

