/*
 * multibuild.c: see multibuild.h.  Several platforms: each is built by
 * build_run() into its own layout in a scratch directory beside the
 * output (a second ocilayout stage that is never committed, so it is
 * removed on every path out); their blobs are then linked (or copied)
 * into the staged output, the index is written over their manifests,
 * and the stage is committed.
 *
 * Attestations (build_attest()): documents made from the layout after the
 * push, each put in a scratch layout of its own and attached from there.
 */
#include "lib/common.h"
#include "build/multibuild.h"
#include "oci/ocilayout.h"
#include "oci/reference.h"
#include "attest/artifact.h"
#include "attest/sbom.h"
#include "build/layer.h"
#include "build/reuse.h"
#include "lib/tempfile.h"
#include "registry/registry.h"

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
 * The layers each platform reused from its manifest in a registry index
 * (build/reuse.h, reuse_record()) are in no layout: the index's
 * descriptor names them for push, as one platform's does (ocilayout.h,
 * OCILAYOUT_ANN_REUSED_*): the repository they come from (every
 * platform's manifest is in the same index) and the union of the blobs.
 */
static int note_reused(const struct ocilayout *l, const char *digest, const char *scratch, size_t nr)
{
	struct strbuf dir = STRBUF_INIT, blobs = STRBUF_INIT;
	struct strlist all = STRLIST_INIT;
	char *from = NULL;
	int ret = 0;

	for (size_t i = 0; i < nr && !ret; i++) {
		struct oci_index idx = OCI_INDEX_INIT;
		const char *f, *b;

		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/oci-%zu", scratch, i);
		if ((ret = ocilayout_read_index(dir.buf, EXIT_CONTEXT, EXIT_CONTEXT, &idx)) < 0)
			break;
		f = idx.nr_manifests ? oci_descriptor_annotation(&idx.manifests[0], OCILAYOUT_ANN_REUSED_FROM) : NULL;
		b = idx.nr_manifests ? oci_descriptor_annotation(&idx.manifests[0], OCILAYOUT_ANN_REUSED_BLOBS) : NULL;
		if (f && b) {
			struct strlist one = STRLIST_INIT;

			if (!from)
				from = xstrdup(f);
			strlist_split(&one, b, ' ');
			for (size_t k = 0; k < one.nr; k++)
				if (*one.items[k] && !strlist_has(&all, one.items[k]))
					strlist_push(&all, one.items[k]);
			strlist_release(&one);
		}
		oci_index_release(&idx);
	}
	if (!ret && from && all.nr) {
		strlist_join(&all, " ", &blobs);
		ret = ocilayout_annotate_manifest(l, digest, OCILAYOUT_ANN_REUSED_FROM, from);
		if (!ret)
			ret = ocilayout_annotate_manifest(l, digest, OCILAYOUT_ANN_REUSED_BLOBS, blobs.buf);
	}
	free(from);
	strlist_release(&all);
	strbuf_release(&blobs);
	strbuf_release(&dir);
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
	struct strbuf dir = STRBUF_INIT, index = STRBUF_INIT, first = STRBUF_INIT;
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
		/*
		 * A layer whose content is the same for two platforms (COPY of
		 * the same tracked files onto the same tree) is built once: the
		 * first platform's layout is the others' second reuse source,
		 * after the caller's previous image (which lacks what changed,
		 * and the first platform has just built it).  Not their
		 * reuse_from: that is the previous image the caller named, or
		 * none (build.c's streaming policy reads it).
		 */
		if (done) {
			strbuf_reset(&first);
			strbuf_addf(&first, "%s/oci-0", scratch.tmp);
			one.reuse_sibling = first.buf;
		}
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
	    (ret = note_reused(&l, digest, scratch.tmp, nr)) < 0 ||
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
	strbuf_release(&first);
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

/* ---- attestations ---------------------------------------------------- */

#define ATTEST_MANIFEST_CAP (4u << 20)

/* layer_read_files() into the SBOM */
static int sbom_file(void *data, const char *path, const char *link, const char *sha256, const char *sha1)
{
	return sbom_add_file(data, path, link, sha256, sha1);
}

/* The config's "created" (RFC 3339), into out; "" when it has none. */
static int config_created(const char *dir, const char *digest, struct strbuf *out)
{
	struct strbuf buf = STRBUF_INIT;
	json_t *cfg = NULL;
	int ret;

	if ((ret = ocilayout_read_blob(dir, digest, IMAGE_CONFIG_MAX, EXIT_CONTEXT, EXIT_CONTEXT, &buf)) < 0)
		goto out;
	if ((cfg = json_loadb(buf.buf, buf.len, 0, NULL)) && json_is_string(json_object_get(cfg, "created")))
		strbuf_addstr(out, json_string_value(json_object_get(cfg, "created")));
out:
	json_decref(cfg);
	strbuf_release(&buf);
	return ret;
}

int build_sbom(const char *dir, const char *digest, const char *tool_version, struct strbuf *out)
{
	struct ocilayout l = { (char *)dir };
	struct oci_manifest m = OCI_MANIFEST_INIT;
	struct sbom s = SBOM_INIT;
	struct strbuf buf = STRBUF_INIT, created = STRBUF_INIT, path = STRBUF_INIT;
	struct strlist keys = STRLIST_INIT;
	int ret;

	if ((ret = ocilayout_read_blob(dir, digest, ATTEST_MANIFEST_CAP, EXIT_CONTEXT, EXIT_CONTEXT, &buf)) < 0 ||
	    (ret = oci_manifest_parse(buf.buf, buf.len, EXIT_CONTEXT, digest, &m)) < 0 ||
	    (ret = config_created(dir, m.config.digest, &created)) < 0)
		goto out;
	/*
	 * The layers publish wrote: those the layer keys do not mark as the
	 * base's; without the keys (a layout of an older publish), the ones
	 * the layout holds.  One of ours that is missing (a thin layout of
	 * layers reused from a registry image) is an error, not a hole.
	 */
	if (oci_manifest_annotation(&m, REUSE_ANN_LAYER_KEYS))
		strlist_split(&keys, oci_manifest_annotation(&m, REUSE_ANN_LAYER_KEYS), ' ');
	if (keys.nr && keys.nr != m.nr_layers) {
		ret = error_as(EXIT_CONTEXT, "image %s: %s names %zu layers, the manifest has %zu", digest,
			       REUSE_ANN_LAYER_KEYS, keys.nr, m.nr_layers);
		goto out;
	}
	for (size_t i = 0; i < m.nr_layers; i++) {
		if (keys.nr ? !strcmp(keys.items[i], REUSE_KEY_BASE) : !ocilayout_has_blob(&l, m.layers[i].digest))
			continue;
		if (!ocilayout_has_blob(&l, m.layers[i].digest)) {
			ret = error_as(EXIT_CONTEXT, "the SBOM needs layer %s of image %s, which layout '%s' lacks "
				       "(a thin layout: build it without --thin-layout)", m.layers[i].digest, digest, dir);
			goto out;
		}
		strbuf_reset(&path);
		ocilayout_blob_path(&l, m.layers[i].digest, &path);
		if ((ret = layer_read_files(path.buf, sbom_file, &s)) < 0)
			goto out;
	}
	s.image_digest = digest;
	s.created = created.len ? created.buf : NULL;
	s.base_name = oci_manifest_annotation(&m, "org.opencontainers.image.base.name");
	s.base_digest = oci_manifest_annotation(&m, "org.opencontainers.image.base.digest");
	s.tool_version = tool_version;
	ret = sbom_spdx_json(&s, out);
out:
	sbom_release(&s);
	strlist_release(&keys);
	oci_manifest_release(&m);
	strbuf_release(&buf);
	strbuf_release(&created);
	strbuf_release(&path);
	return ret;
}

struct attest_subject {
	char digest[DIGEST_HEX_LEN + 1];
	char *media_type;	/* owned */
	long long size;
};

/* The image manifests of the layout: its one manifest, or each its index lists. */
static int layout_subjects(const char *dir, struct attest_subject **out, size_t *nr)
{
	struct oci_index top = OCI_INDEX_INIT, idx = OCI_INDEX_INIT;
	struct strbuf buf = STRBUF_INIT;
	const struct oci_index *from = &top;
	struct attest_subject *s = NULL;
	size_t n = 0;
	int ret;

	if ((ret = ocilayout_read_index(dir, EXIT_CONTEXT, EXIT_CONTEXT, &top)) < 0)
		goto out;
	if (top.nr_manifests != 1) {
		ret = error_as(EXIT_CONTEXT, "'%s/index.json' lists %zu manifests; attestations need exactly one",
			       dir, top.nr_manifests);
		goto out;
	}
	if (oci_is_index(top.manifests[0].media_type)) {
		if ((ret = ocilayout_read_blob(dir, top.manifests[0].digest, ATTEST_MANIFEST_CAP, EXIT_CONTEXT,
					       EXIT_CONTEXT, &buf)) < 0 ||
		    (ret = oci_index_parse(buf.buf, buf.len, EXIT_CONTEXT, top.manifests[0].digest, &idx)) < 0)
			goto out;
		from = &idx;
	}
	s = xcalloc(from->nr_manifests + 1, sizeof(*s));
	for (size_t i = 0; i < from->nr_manifests; i++) {
		const struct oci_descriptor *d = &from->manifests[i];

		if (oci_is_index(d->media_type))
			continue;
		snprintf(s[n].digest, sizeof(s[n].digest), "%s", d->digest);
		s[n].media_type = xstrdup(d->media_type);
		s[n].size = d->size;
		n++;
	}
	*out = s;
	*nr = n;
	s = NULL;
out:
	free(s);
	oci_index_release(&top);
	oci_index_release(&idx);
	strbuf_release(&buf);
	return ret;
}

/* 1 when repos[i]'s repository is one of repos[0..i-1]'s (several tags of one image). */
static int repo_seen(const struct reference *repos, size_t i)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int seen = 0;

	reference_format_name(&repos[i], &a);
	for (size_t j = 0; j < i && !seen; j++) {
		strbuf_reset(&b);
		reference_format_name(&repos[j], &b);
		seen = !strcmp(a.buf, b.buf);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	return seen;
}

/* The document doc of type about subject, as an artifact in each repo (once a repository). */
static int attach_one(struct registry_client *c, const struct reference *repos, size_t nr,
		      const char *type, const char *what, const struct strbuf *doc,
		      const struct attest_subject *subject, const char *created)
{
	struct strbuf tmp = STRBUF_INIT, manifest = STRBUF_INIT, name = STRBUF_INIT;
	struct artifact_subject subj = { subject->media_type, subject->digest, subject->size };
	struct ocilayout l = { NULL };
	char doc_digest[DIGEST_HEX_LEN + 1], empty[DIGEST_HEX_LEN + 1], digest[DIGEST_HEX_LEN + 1];
	int ret, fallback = 0;

	digest_buffer(doc->buf, doc->len, doc_digest);
	digest_buffer(ARTIFACT_EMPTY_CONFIG, strlen(ARTIFACT_EMPTY_CONFIG), empty);
	if ((ret = tempfile_mkdir("attest", &tmp)) < 0)
		goto out;
	if ((ret = ocilayout_open(&l, tmp.buf)) < 0 ||
	    (ret = artifact_manifest(type, doc_digest, (long long)doc->len, &subj, created, &manifest, digest)) < 0 ||
	    (ret = ocilayout_put_blob(&l, doc_digest, doc->buf, doc->len)) < 0 ||
	    (ret = ocilayout_put_blob(&l, empty, ARTIFACT_EMPTY_CONFIG, strlen(ARTIFACT_EMPTY_CONFIG))) < 0 ||
	    (ret = ocilayout_put_blob(&l, digest, manifest.buf, manifest.len)) < 0 ||
	    (ret = ocilayout_add_manifest(&l, MT_OCI_MANIFEST, digest, manifest.len, NULL, NULL, 0, NULL, NULL)) < 0)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		if (i && repo_seen(repos, i))
			continue;
		if ((ret = registry_attach(c, &repos[i], tmp.buf, subject->digest, &fallback)) < 0)
			goto out;
		strbuf_reset(&name);
		reference_format_name(&repos[i], &name);
		note("attached %s %s to %s@%s (%s)", what, digest, name.buf, subject->digest,
		     fallback ? "referrers tag" : "referrers API");
	}
out:
	if (l.dir)
		ocilayout_release(&l);
	if (tmp.len)
		ocilayout_remove(tmp.buf);
	strbuf_release(&tmp);
	strbuf_release(&manifest);
	strbuf_release(&name);
	return ret;
}

int build_attest(struct registry_client *c, const char *dir, const struct reference *repos, size_t nr,
		 const struct build_attest_opts *opts)
{
	struct attest_subject *subjects = NULL;
	struct strbuf doc = STRBUF_INIT, prov = STRBUF_INIT, name = STRBUF_INIT, created = STRBUF_INIT;
	struct strbuf buf = STRBUF_INIT;
	const char **digests = NULL;
	size_t nr_subjects = 0;
	int ret;

	if (!opts->sbom && !opts->provenance)
		return 0;
	if ((ret = layout_subjects(dir, &subjects, &nr_subjects)) < 0)
		goto out;
	if (opts->provenance) {
		struct provenance p = opts->prov;

		digests = xcalloc(nr_subjects + 1, sizeof(*digests));
		for (size_t i = 0; i < nr_subjects; i++)
			digests[i] = subjects[i].digest;
		if (nr)
			reference_format_name(&repos[0], &name);
		p.image = name.len ? name.buf : NULL;
		p.subjects = digests;
		p.nr_subjects = nr_subjects;
		if ((ret = provenance_statement_json(&p, &prov)) < 0)
			goto out;
	}
	for (size_t i = 0; i < nr_subjects; i++) {
		struct oci_manifest m = OCI_MANIFEST_INIT;

		/* the artifacts' time: the image's (its config's created) */
		strbuf_reset(&created);
		strbuf_reset(&buf);
		if ((ret = ocilayout_read_blob(dir, subjects[i].digest, ATTEST_MANIFEST_CAP, EXIT_CONTEXT,
					       EXIT_CONTEXT, &buf)) < 0 ||
		    (ret = oci_manifest_parse(buf.buf, buf.len, EXIT_CONTEXT, subjects[i].digest, &m)) < 0 ||
		    (ret = config_created(dir, m.config.digest, &created)) < 0) {
			oci_manifest_release(&m);
			goto out;
		}
		oci_manifest_release(&m);
		if (opts->sbom) {
			strbuf_reset(&doc);
			if ((ret = build_sbom(dir, subjects[i].digest, opts->tool_version, &doc)) < 0 ||
			    (ret = attach_one(c, repos, nr, SBOM_MEDIA_TYPE, "sbom", &doc, &subjects[i],
					      created.len ? created.buf : NULL)) < 0)
				goto out;
		}
		if (opts->provenance &&
		    (ret = attach_one(c, repos, nr, PROVENANCE_MEDIA_TYPE, "provenance", &prov, &subjects[i],
				      created.len ? created.buf : NULL)) < 0)
			goto out;
	}
out:
	for (size_t i = 0; i < nr_subjects; i++)
		free(subjects[i].media_type);
	free(subjects);
	free(digests);
	strbuf_release(&doc);
	strbuf_release(&prov);
	strbuf_release(&name);
	strbuf_release(&created);
	strbuf_release(&buf);
	return ret;
}
