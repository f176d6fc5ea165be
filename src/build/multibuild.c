/*
 * multibuild.c: see multibuild.h.  Several platforms: each is built by
 * build_run() into its own layout in a scratch directory beside the
 * output (a second ocilayout stage that is never committed, so it is
 * removed on every path out); their blobs are then linked (or copied)
 * into the staged output, the index is written over their manifests,
 * and the stage is committed.
 */
#include "lib/common.h"
#include "build/multibuild.h"
#include "oci/ocilayout.h"

#include <dirent.h>
#include <errno.h>

#include <jansson.h>

void build_platforms_result_init(struct build_platforms_result *r)
{
	memset(r, 0, sizeof(*r));	/* configs: STRLIST_INIT */
}

void build_platforms_result_release(struct build_platforms_result *r)
{
	if (!r)
		return;
	free(r->media_type);
	strlist_release(&r->configs);
	build_platforms_result_init(r);
}

/* manifest + config + every layer, from the manifest in the layout. */
static long long image_size(const char *layout, const char *digest, long long manifest_size)
{
	struct ocilayout l = { (char *)layout };
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	json_t *m = NULL, *layers;
	long long size = manifest_size;
	size_t i;
	json_t *d;

	ocilayout_blob_path(&l, digest, &path);
	if (strbuf_read_file(&buf, path.buf, 16u << 20) < 0 ||
	    !(m = json_loadb(buf.buf, buf.len, 0, NULL)))
		goto out;
	size += json_integer_value(json_object_get(json_object_get(m, "config"), "size"));
	layers = json_object_get(m, "layers");
	json_array_foreach(layers, i, d)
		size += json_integer_value(json_object_get(d, "size"));
out:
	json_decref(m);
	strbuf_release(&buf);
	strbuf_release(&path);
	return size;
}

/* Every blob of the layout src (a directory) linked or copied into l. */
static int import_blobs(const struct ocilayout *l, const char *src)
{
	struct strbuf dir = STRBUF_INIT, digest = STRBUF_INIT;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	strbuf_addf(&dir, "%s/blobs/sha256", src);
	if (!(d = opendir(dir.buf))) {
		ret = error("cannot read '%s': %s", dir.buf, strerror(errno));
		goto out;
	}
	while (!ret && (e = readdir(d))) {
		if (strlen(e->d_name) != 64)
			continue;
		strbuf_reset(&digest);
		strbuf_addf(&digest, "sha256:%s", e->d_name);
		if (!ocilayout_has_blob(l, digest.buf))
			ret = ocilayout_import_blob(l, dir.buf, digest.buf);
	}
	closedir(d);
out:
	strbuf_release(&dir);
	strbuf_release(&digest);
	return ret;
}

/* One platform (or the base's): build_run() into the output itself. */
static int build_one(const struct build_opts *opts, const char *platform,
		     struct build_platforms_result *out)
{
	struct build_opts one = *opts;
	struct build_result res;
	int ret;

	build_result_init(&res);
	one.platform = platform;
	if ((ret = build_run(&one, &res)) < 0)
		goto out;
	snprintf(out->digest, sizeof(out->digest), "%s", res.manifest_digest);
	strlist_push(&out->configs, res.config_digest);
	out->media_type = xstrdup(res.media_type ? res.media_type : "");
	out->size = res.layout ? image_size(res.layout, res.manifest_digest, (long long)res.manifest_size) :
		    (long long)res.manifest_size;
out:
	build_result_release(&res);
	return ret;
}

/*
 * Several platforms: one build each, each into its own layout, then one
 * layout holding all their blobs and an OCI index over their manifests,
 * named (index.json, one descriptor, as push wants) by the first tag.
 */
static int build_index(const struct build_opts *opts, const char *const *platforms, size_t nr,
		       const struct kvlist_item *index_kv, size_t index_kv_nr,
		       struct build_platforms_result *out)
{
	/*
	 * The base's layers are in none of the layouts: the index.json
	 * descriptor names the base (FROM, the same for every platform) so
	 * push can mount or copy them from its repository.
	 */
	struct image_index_entry *entries = xcalloc(nr, sizeof(*entries));
	struct build_result *res = xcalloc(nr, sizeof(*res));
	struct ocilayout_stage stage = { NULL, NULL }, scratch = { NULL, NULL };
	struct build_opts one = *opts;
	struct strbuf dir = STRBUF_INIT, index = STRBUF_INIT;
	struct ocilayout l = { NULL };
	size_t done = 0;
	char digest[DIGEST_HEX_LEN + 1];
	const char *default_tag = "latest";	/* as build_run() names a manifest */
	long long size = 0;
	int ret = 0;

	if ((ret = ocilayout_stage_begin(&stage, opts->output)) < 0 ||
	    (ret = ocilayout_stage_begin(&scratch, opts->output)) < 0)
		goto out;
	for (; done < nr; done++) {
		build_result_init(&res[done]);
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/oci-%zu", scratch.tmp, done);
		one.platform = platforms[done];
		one.output = dir.buf;
		note("platform %s", one.platform);
		if ((ret = build_run(&one, &res[done])) < 0)
			goto out;
		entries[done].digest = res[done].manifest_digest;
		entries[done].size = res[done].manifest_size;
		entries[done].media_type = res[done].media_type;
		entries[done].platform = res[done].platform ? res[done].platform : one.platform;
		strlist_push(&out->configs, res[done].config_digest);
		size += image_size(dir.buf, res[done].manifest_digest, (long long)res[done].manifest_size);
	}
	if ((ret = ocilayout_open(&l, stage.tmp)) < 0)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/oci-%zu", scratch.tmp, i);
		if ((ret = import_blobs(&l, dir.buf)) < 0)
			goto out;
	}
	if ((ret = image_index_build(entries, nr, 0, index_kv, index_kv_nr, &index, digest)) < 0 ||
	    (ret = ocilayout_put_blob(&l, digest, index.buf, index.len)) < 0 ||
	    (ret = ocilayout_add_manifest(&l, MT_OCI_INDEX, digest, index.len, NULL,
					  opts->tags_nr ? opts->tags : &default_tag, 1,
					  res[0].base_name, NULL)) < 0 ||
	    (ret = ocilayout_stage_commit(&stage)) < 0)
		goto out;
	snprintf(out->digest, sizeof(out->digest), "%s", digest);
	out->media_type = xstrdup(MT_OCI_INDEX);
	out->size = size + (long long)index.len;
out:
	for (size_t i = 0; i < done + (done < nr); i++)
		build_result_release(&res[i]);
	free(res);
	free(entries);
	if (l.dir)
		ocilayout_release(&l);
	ocilayout_stage_release(&scratch);	/* never committed: removed */
	ocilayout_stage_release(&stage);
	strbuf_release(&dir);
	strbuf_release(&index);
	return ret;
}

int build_run_platforms(const struct build_opts *opts, const char *const *platforms, size_t nr,
			const struct kvlist_item *index_annotations, size_t index_annotations_nr,
			struct build_platforms_result *out)
{
	struct build_platforms_result r;
	int ret;

	if (nr > 1 && (opts->output_kind != BUILD_OUTPUT_OCI || !opts->output))
		return error_as(EXIT_USAGE, "an image for %zu platforms needs an oci: output (a docker archive holds one)",
				nr);
	build_platforms_result_init(&r);
	if (nr <= 1)
		ret = build_one(opts, nr ? platforms[0] : opts->platform, &r);
	else
		ret = build_index(opts, platforms, nr, index_annotations, index_annotations_nr, &r);
	if (ret < 0) {
		build_platforms_result_release(&r);
		return ret;
	}
	*out = r;
	return 0;
}
