/*
 * registry_plan.c: what a push or a copy sends, and in which order (see
 * registry.h, registry.c for the layout of the module).
 *
 * A plan gathers, from a layout or a remote source, every manifest
 * (children first, the top last) and every distinct blob; executing it
 * sends the blobs (registry_run_jobs), then each manifest by digest with
 * its exact bytes, then the tags, all or none (tags_move).
 *
 * A merge (registry_merge) is a plan too: an index made here over images
 * already in one repository (each platform read from its config), pushed
 * as a copy from that repository would push it.
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "registry/registry_internal.h"
#include "oci/image.h"
#include "oci/ocilayout.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

/* ---- manifests: upload ----------------------------------------------------- */

/*
 * PUT bytes as what_ref (a digest or a tag) in dst.  Checks
 * Docker-Content-Digest.  On error, *refused (when not NULL) says whether
 * the registry answered with a refusal (nothing stored) rather than
 * leaving it unknown (no answer) or storing other bytes.
 */
int registry_put_manifest(struct registry_client *c, const struct reference *dst,
			  const char *what_ref, const struct strbuf *bytes, const char *media_type,
			  const char *digest, int *refused)
{
	struct strbuf url = STRBUF_INIT, ct = STRBUF_INIT, dcd = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf what = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	const char *headers[2];
	struct call k;
	int ret;

	if (refused)
		*refused = 0;
	registry_api_base(c, dst, &url);
	strbuf_addf(&url, "%s/manifests/%s", dst->repository, what_ref);
	strbuf_addf(&ct, "Content-Type: %s", media_type);
	headers[0] = ct.buf;
	headers[1] = NULL;
	registry_call_init(&k, dst, "PUT", url.buf, 1);
	k.req.headers = headers;
	k.req.body = bytes->buf;
	k.req.body_len = bytes->len;
	if ((ret = registry_call_do(c, &k, &res)))
		goto out;
	reference_format_name(dst, &name);
	if (strncmp(what_ref, "sha256:", 7))
		strbuf_addf(&name, ":%s", what_ref);	/* a tag: name it */
	if (res.status != 201 && res.status != 200 && res.status != 204) {
		struct strbuf code = STRBUF_INIT, msg = STRBUF_INIT;

		if (refused)
			*refused = 1;
		registry_error_body(&res, &code, &msg);
		if (strncmp(what_ref, "sha256:", 7))
			strbuf_addf(&what, "push of tag '%s' to", what_ref);
		else
			strbuf_addstr(&what, "push to");
		if (res.status == 400 && (!strcmp(code.buf, "MANIFEST_BLOB_UNKNOWN") ||
					  !strcmp(code.buf, "BLOB_UNKNOWN")))
			ret = error_as(EXIT_REGISTRY, "'%s' refused manifest %s: a blob it names is missing (%s)",
				       name.buf, digest, msg.buf);
		else
			ret = registry_explain(c, dst, what.buf, "PUT manifest", &res);
		strbuf_release(&code);
		strbuf_release(&msg);
		goto out;
	}
	if (!http_header_get(&res.headers, "Docker-Content-Digest", &dcd) &&
	    !strncmp(dcd.buf, "sha256:", 7) && strcmp(dcd.buf, digest)) {
		ret = error_as(EXIT_REGISTRY, "'%s' stored manifest %s as %s", name.buf, digest, dcd.buf);
		goto out;
	}
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&ct);
	strbuf_release(&dcd);
	strbuf_release(&name);
	strbuf_release(&what);
	return ret;
}

/* ---- tags: all or none ----------------------------------------------------- */

/*
 * The registry API has no transaction: each tag is a PUT of its own.  So
 * before the first, tag_record() notes what every tag names now (HEAD:
 * its digest; the old manifest's exact bytes and media type are fetched
 * by that digest when it is to be PUT back, not before: a push that
 * goes well never reads them); a tag already at the new digest is left
 * alone.
 * tags_move() then PUTs the others in order; when one fails, the ones
 * already moved are put back (tag_restore()), last first, best effort,
 * each said on stderr, and the first error stays the result.  A tag that
 * did not exist cannot be un-created on most registries: it is deleted by
 * its tag reference (DELETE /manifests/TAG, which the distribution spec
 * allows a registry to refuse with 400 or 405), never by digest (that
 * would drop every tag on the digest), and when refused it is reported.
 * Still open: the moments between the PUTs (a reader may see a moved, b
 * not yet), a process killed mid-way, and a tag someone else moves in
 * between (it is put back to what was seen).
 */
enum tag_was { TAG_ABSENT, TAG_SAME, TAG_OTHER };

struct tag_move {
	const struct reference *dst;	/* borrowed: dst->tag is the tag */
	enum tag_was was;
	struct registry_manifest old;	/* TAG_OTHER: what it named (digest; bytes once tag_restore() reads them) */
	int touched;			/* a PUT went out that may have moved it */
};

static void tag_name(const struct tag_move *t, struct strbuf *out)
{
	reference_format_name(t->dst, out);
	strbuf_addf(out, ":%s", t->dst->tag);
}

/*
 * What t's tag names now, compared with digest (the one it is to name):
 * the HEAD's Docker-Content-Digest, else the manifest by tag.
 */
static int tag_record(struct registry_client *c, struct tag_move *t, const char *digest)
{
	struct strbuf url = STRBUF_INIT, dcd = STRBUF_INIT, what = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	const char *headers[] = { ACCEPT_MANIFESTS, NULL };
	struct call k;
	int ret;

	registry_api_base(c, t->dst, &url);
	strbuf_addf(&url, "%s/manifests/%s", t->dst->repository, t->dst->tag);
	registry_call_init(&k, t->dst, "HEAD", url.buf, 1);
	k.req.headers = headers;
	if ((ret = registry_call_do(c, &k, &res)))
		goto out;
	if (res.status == 404) {
		t->was = TAG_ABSENT;
		goto out;
	}
	if (res.status != 200) {
		strbuf_addf(&what, "lookup of tag '%s' in", t->dst->tag);
		ret = registry_explain(c, t->dst, what.buf, "HEAD manifest", &res);
		goto out;
	}
	if (!http_header_get(&res.headers, "Docker-Content-Digest", &dcd) && digest_is_valid(dcd.buf)) {
		if (!strcmp(dcd.buf, digest)) {
			t->was = TAG_SAME;
			goto out;
		}
		/* the bytes by that digest (verified, and what HEAD saw) if the tag is put back */
		snprintf(t->old.digest, sizeof(t->old.digest), "%s", dcd.buf);
		t->was = TAG_OTHER;
		goto out;
	}
	if ((ret = registry_get_manifest_by(c, t->dst, t->dst->tag, &t->old)))
		goto out;
	t->was = strcmp(t->old.digest, digest) ? TAG_OTHER : TAG_SAME;
	if (t->was == TAG_SAME)
		registry_manifest_release(&t->old);
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&dcd);
	strbuf_release(&what);
	return ret;
}

/*
 * DELETE the tag reference (never the digest).  1 when the registry has
 * no such tag (nothing to delete), errors as for a push.
 */
static int tag_delete(struct registry_client *c, const struct tag_move *t)
{
	struct strbuf url = STRBUF_INIT, code = STRBUF_INIT, msg = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct call k;
	int ret;

	registry_api_base(c, t->dst, &url);
	strbuf_addf(&url, "%s/manifests/%s", t->dst->repository, t->dst->tag);
	registry_call_init(&k, t->dst, "DELETE", url.buf, 1);
	snprintf(k.scope_buf, sizeof(k.scope_buf), "repository:%s:delete", t->dst->repository);
	if ((ret = registry_call_do(c, &k, &res)))
		goto out;
	if (res.status == 404) {
		ret = 1;
	} else if (res.status != 202 && res.status != 200 && res.status != 204) {
		registry_error_body(&res, &code, &msg);
		ret = error_as(EXIT_REGISTRY, "'%s' answered HTTP %ld to DELETE%s%s%s%s%s",
			       t->dst->registry, res.status, code.len ? " (" : "", code.buf,
			       msg.len ? ": " : "", msg.buf, code.len ? ")" : "");
	}
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&code);
	strbuf_release(&msg);
	return ret;
}

/* Put t's tag back where tag_record() found it; says how that went. */
static void tag_restore(struct registry_client *c, struct tag_move *t, const char *digest)
{
	struct strbuf name = STRBUF_INIT;
	int rc;

	tag_name(t, &name);
	error_set_quiet(1);	/* the push's error is the one to tell; these are warnings */
	if (t->was == TAG_OTHER) {
		rc = 0;
		if (!t->old.bytes.len) {
			struct registry_manifest old = REGISTRY_MANIFEST_INIT;

			rc = registry_get_manifest_by(c, t->dst, t->old.digest, &old);
			if (!rc && strcmp(old.digest, t->old.digest))
				rc = error("'%s' served %s for %s", t->dst->registry, old.digest, t->old.digest);
			if (!rc) {
				registry_manifest_release(&t->old);
				t->old = old;
			} else {
				registry_manifest_release(&old);
			}
		}
		if (!rc)
			rc = registry_put_manifest(c, t->dst, t->dst->tag, &t->old.bytes, t->old.media_type,
					  t->old.digest, NULL);
	} else
		rc = tag_delete(c, t);
	error_set_quiet(0);
	if (t->was == TAG_OTHER && !rc)
		warning("put tag '%s' back on %s", name.buf, t->old.digest);
	else if (t->was == TAG_OTHER)
		warning("cannot put tag '%s' back on %s (%s): it may stay on %s",
			name.buf, t->old.digest, error_last(), digest);
	else if (rc > 0)
		warning("tag '%s' does not exist, as before", name.buf);
	else if (!rc)
		warning("deleted tag '%s' again: it did not exist before", name.buf);
	else
		warning("tag '%s' did not exist before and cannot be deleted (%s): it may stay on %s",
			name.buf, error_last(), digest);
	strbuf_release(&name);
}

struct tag_moves {
	struct tag_move *t;
	size_t nr;
};

static void tag_moves_release(struct tag_moves *m)
{
	for (size_t i = 0; i < m->nr; i++)
		registry_manifest_release(&m->t[i].old);
	free(m->t);
	memset(m, 0, sizeof(*m));
}

/*
 * Record what every tag of dsts names now (one HEAD each), before
 * anything is sent: a repository where a tag is already at digest has
 * the manifest and its blobs, and gets nothing (tag_at()).
 */
static int tags_record(struct registry_client *c, const struct reference *dsts, size_t nr_dsts,
		       const char *digest, struct tag_moves *out)
{
	struct tag_move *t = xcalloc(nr_dsts + 1, sizeof(*t));
	size_t nr = 0;
	int ret = 0;

	for (size_t d = 0; d < nr_dsts; d++) {
		int dup = 0;

		if (!dsts[d].tag)
			continue;
		for (size_t e = 0; e < nr; e++)
			dup |= registry_same_repo(t[e].dst, &dsts[d]) && !strcmp(t[e].dst->tag, dsts[d].tag);
		if (dup)
			continue;
		t[nr].dst = &dsts[d];
		strbuf_init(&t[nr].old.bytes, 0);
		ret = tag_record(c, &t[nr], digest);
		nr++;
		if (ret)
			break;
	}
	out->t = t;
	out->nr = nr;
	return ret;
}

/* 1 when a tag of dst's repository already names the digest (tags_record()). */
static int tag_at(const struct tag_moves *m, const struct reference *dst)
{
	for (size_t i = 0; i < m->nr; i++)
		if (m->t[i].was == TAG_SAME && registry_same_repo(m->t[i].dst, dst))
			return 1;
	return 0;
}

/*
 * Point every tag recorded (tags_record()) at top, all or none (as far
 * as the registry lets: see above).
 */
static int tags_move(struct registry_client *c, struct tag_moves *m, const struct registry_manifest *top)
{
	struct tag_move *t = m->t;
	struct strbuf name = STRBUF_INIT;
	char *first = NULL;
	size_t nr = m->nr;
	int ret = 0;

	for (size_t i = 0; i < nr; i++) {
		int refused;

		strbuf_reset(&name);
		tag_name(&t[i], &name);
		if (t[i].was == TAG_SAME) {
			if (!c->opts.quiet)
				fprintf(stderr, "tagged  %s %s (unchanged)\n", name.buf, top->digest);
			continue;
		}
		t[i].touched = 1;
		ret = registry_put_manifest(c, t[i].dst, t[i].dst->tag, &top->bytes, top->media_type,
				   top->digest, &refused);
		if (ret) {
			t[i].touched = !refused;
			first = xstrdup(error_last());
			for (size_t j = i + 1; j-- > 0;)
				if (t[j].touched)
					tag_restore(c, &t[j], top->digest);
			/* the restores' messages were recorded too: the push's error is the last */
			error_set_quiet(1);
			error_as(-ret, "%s", first);
			error_set_quiet(0);
			goto out;
		}
		if (!c->opts.quiet)
			fprintf(stderr, "tagged  %s %s\n", name.buf, top->digest);
	}
out:
	free(first);
	strbuf_release(&name);
	return ret;
}

/* ---- plans: what a push or copy sends ------------------------------------- */

struct plan_manifest {
	struct registry_manifest m;
};

struct plan {
	/* where content comes from */
	const char *layout;			/* layout dir, or NULL */
	const struct reference *src;		/* remote source (copy), or base (layout) */
	const struct reference *reused_src;	/* layout: the image build reused layers from, or NULL */
	const struct blob_stat *sent;		/* blobs sent to every destination already (prepush) */
	size_t nr_sent;
	struct strlist reused;			/* the blobs that come from reused_src, not the base */
	/* manifests in PUT order: children first, the top last */
	struct plan_manifest *manifests;
	size_t nr_manifests, alloc_manifests;
	/* unique blobs (media_type owned) */
	struct oci_descriptor *blobs;
	size_t nr_blobs, alloc_blobs;
};

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->nr_manifests; i++)
		registry_manifest_release(&p->manifests[i].m);
	free(p->manifests);
	oci_descriptors_free(p->blobs, p->nr_blobs);
	strlist_release(&p->reused);
}

/* Where a blob the layout lacks comes from: the image build reused it from, else the base. */
static const struct reference *plan_blob_src(const struct plan *p, const char *digest)
{
	return p->reused_src && strlist_has(&p->reused, digest) ? p->reused_src : p->src;
}

static void plan_add_blob(struct plan *p, const struct oci_descriptor *d)
{
	for (size_t i = 0; i < p->nr_blobs; i++)
		if (!strcmp(p->blobs[i].digest, d->digest))
			return;
	ALLOC_GROW(p->blobs, p->nr_blobs + 1, p->alloc_blobs);
	oci_descriptor_copy(d, &p->blobs[p->nr_blobs++]);
}

/* Read a manifest by digest from the plan's source (layout file or remote). */
static int plan_read_manifest(struct registry_client *c, struct plan *p, const struct oci_descriptor *d,
			      struct registry_manifest *out)
{
	struct registry_manifest m = REGISTRY_MANIFEST_INIT;
	int ret = 0;

	if (p->layout) {
		if ((ret = ocilayout_read_blob(p->layout, d->digest, MANIFEST_CAP, EXIT_CONTEXT, EXIT_CONTEXT,
					       &m.bytes)))
			goto out;
		snprintf(m.digest, sizeof(m.digest), "%s", d->digest);
		m.media_type = d->media_type && *d->media_type ? xstrdup(d->media_type)
							      : oci_media_type(m.bytes.buf, m.bytes.len);
		if (!m.media_type) {
			ret = error_as(EXIT_CONTEXT, "manifest %s in the layout '%s' has no media type", d->digest,
				       p->layout);
			goto out;
		}
	} else if ((ret = registry_get_manifest_by(c, p->src, d->digest, &m))) {
		goto out;
	}
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	registry_manifest_release(&m);
	return ret;
}

/* Add m (children first, then its blobs or itself) to the plan; takes m. */
static int plan_add_manifest(struct registry_client *c, struct plan *p,
			     struct registry_manifest *m, int depth)
{
	struct oci_index idx = OCI_INDEX_INIT;
	struct oci_manifest man = OCI_MANIFEST_INIT;
	char where[128];
	int ret = 0;

	if (depth > 3)
		return error_as(EXIT_REGISTRY, "image indexes nested too deep");
	if (oci_is_index(m->media_type)) {
		if ((ret = oci_index_parse(m->bytes.buf, m->bytes.len, EXIT_REGISTRY, m->digest, &idx)))
			goto out;
		for (size_t i = 0; i < idx.nr_manifests; i++) {
			struct registry_manifest child = REGISTRY_MANIFEST_INIT;
			int dup = 0;

			for (size_t k = 0; k < p->nr_manifests; k++)
				if (!strcmp(p->manifests[k].m.digest, idx.manifests[i].digest))
					dup = 1;
			if (dup)
				continue;
			if ((ret = plan_read_manifest(c, p, &idx.manifests[i], &child)))
				goto out;
			if ((ret = plan_add_manifest(c, p, &child, depth + 1))) {
				registry_manifest_release(&child);
				goto out;
			}
		}
	} else {
		snprintf(where, sizeof(where), "manifest %s", m->digest);
		if ((ret = oci_manifest_parse(m->bytes.buf, m->bytes.len, EXIT_REGISTRY, where, &man)))
			goto out;
		plan_add_blob(p, &man.config);
		for (size_t i = 0; i < man.nr_layers; i++) {
			const char *mt = man.layers[i].media_type;

			/* foreign (Windows) layers live elsewhere, as skopeo and docker leave them */
			if (strstr(mt, ".foreign.") || strstr(mt, "nondistributable"))
				continue;
			plan_add_blob(p, &man.layers[i]);
		}
	}
	ALLOC_GROW(p->manifests, p->nr_manifests + 1, p->alloc_manifests);
	p->manifests[p->nr_manifests++].m = *m;	/* steals m */
	memset(m, 0, sizeof(*m));
out:
	oci_index_release(&idx);
	oci_manifest_release(&man);
	return ret;
}

void push_report_release(struct push_report *r)
{
	if (!r)
		return;
	free(r->media_type);
	free(r->blobs);
	memset(r, 0, sizeof(*r));
}

/*
 * Send the plan to every destination: all blobs (in parallel), then the
 * manifests by digest, then the tags.  The top manifest is the plan's last.
 */
static int plan_execute(struct registry_client *c, struct plan *p, const struct reference *dsts,
			size_t nr_dsts, struct push_report *out)
{
	struct push_report rep = PUSH_REPORT_INIT;
	const struct registry_manifest *top = &p->manifests[p->nr_manifests - 1].m;
	struct blob_job *jobs;
	struct tag_moves tags = { NULL, 0 };
	struct blob_stat *known = xcalloc(p->nr_blobs * nr_dsts + 1, sizeof(*known));
	size_t nr_known = 0, nr_jobs = 0, *repo_of = xcalloc(nr_dsts, sizeof(size_t));
	int ret = 0;

	/* one set of jobs per distinct repository */
	jobs = xcalloc(p->nr_blobs * nr_dsts + 1, sizeof(*jobs));
	for (size_t d = 0; d < nr_dsts; d++) {
		size_t first = d;

		if (dsts[d].digest && strcmp(dsts[d].digest, top->digest)) {
			struct strbuf n = STRBUF_INIT;

			reference_format(&dsts[d], &n);
			ret = error_as(EXIT_INPUT, "destination '%s' names a digest, but the image is %s",
				       n.buf, top->digest);
			strbuf_release(&n);
			goto out;
		}
		for (size_t e = 0; e < d; e++)
			if (registry_same_repo(&dsts[e], &dsts[d])) {
				first = e;
				break;
			}
		repo_of[d] = first;
	}
	/* the tags first: a repository whose tag is at the digest already gets nothing but that HEAD */
	if ((ret = tags_record(c, dsts, nr_dsts, top->digest, &tags)))
		goto out;
	for (size_t d = 0; d < nr_dsts; d++) {
		if (repo_of[d] != d || tag_at(&tags, &dsts[d]))
			continue;
		for (size_t b = 0; b < p->nr_blobs; b++) {
			struct blob_job *j;
			struct strbuf path = STRBUF_INIT;
			int sent = 0;

			for (size_t s = 0; s < p->nr_sent && !sent; s++)
				sent = !strcmp(p->sent[s].digest, p->blobs[b].digest);
			if (sent)
				continue;
			/* reused from an image of this repository (a manifest there names it): there, no HEAD */
			if (p->reused_src && registry_same_repo(p->reused_src, &dsts[d]) &&
			    strlist_has(&p->reused, p->blobs[b].digest)) {
				struct ocilayout l = { (char *)p->layout };

				ocilayout_blob_path(&l, p->blobs[b].digest, &path);
				sent = access(path.buf, R_OK) != 0;
				strbuf_release(&path);
			}
			if (sent) {
				struct blob_stat *k = &known[nr_known++];

				snprintf(k->digest, sizeof(k->digest), "%s", p->blobs[b].digest);
				k->size = p->blobs[b].size;
				k->outcome = BLOB_EXISTED;
				if (!c->opts.quiet) {
					struct strbuf sz = STRBUF_INIT;

					strbuf_humanise_bytes(&sz, k->size);
					fprintf(stderr, "exists  %s %s/%s %s 0.0s\n", k->digest, dsts[d].registry,
						dsts[d].repository, sz.buf);
					strbuf_release(&sz);
				}
				continue;
			}
			j = &jobs[nr_jobs++];

			j->desc = p->blobs[b];
			j->dst = &dsts[d];
			if (p->layout) {
				struct ocilayout l = { (char *)p->layout };

				ocilayout_blob_path(&l, j->desc.digest, &path);
				if (access(path.buf, R_OK) == 0)
					j->local_path = strbuf_detach(&path, NULL);
			}
			strbuf_release(&path);
			j->src = plan_blob_src(p, j->desc.digest);
			if (!j->local_path && !j->src) {
				ret = error_as(EXIT_CONTEXT, "blob %s is not in the layout '%s', and no base image (annotation %s) says where it comes from",
					       j->desc.digest, p->layout, ANN_BASE_NAME);
				goto out;
			}
		}
	}
	if ((ret = registry_run_jobs(c, jobs, nr_jobs)))
		goto out;
	/* every manifest by digest, children first, the top last */
	for (size_t d = 0; d < nr_dsts; d++) {
		if (repo_of[d] != d || tag_at(&tags, &dsts[d]))
			continue;
		for (size_t i = 0; i < p->nr_manifests; i++) {
			const struct registry_manifest *m = &p->manifests[i].m;

			if ((ret = registry_put_manifest(c, &dsts[d], m->digest, &m->bytes, m->media_type, m->digest,
						NULL)))
				goto out;
		}
	}
	/* tags last, all or none */
	if ((ret = tags_move(c, &tags, top)))
		goto out;
	snprintf(rep.digest, sizeof(rep.digest), "%s", top->digest);
	rep.media_type = xstrdup(top->media_type);
	rep.nr_manifests = p->nr_manifests;
	rep.blobs = xcalloc(nr_jobs + p->nr_sent + nr_known + 1, sizeof(*rep.blobs));
	for (size_t i = 0; i < nr_known; i++)
		rep.blobs[rep.nr_blobs++] = known[i];
	for (size_t i = 0; i < p->nr_sent; i++) {
		rep.blobs[rep.nr_blobs++] = p->sent[i];
		if (p->sent[i].outcome == BLOB_PUSHED)
			rep.bytes_pushed += p->sent[i].size;
	}
	for (size_t i = 0; i < nr_jobs; i++) {
		rep.blobs[rep.nr_blobs++] = jobs[i].stat;
		if (jobs[i].stat.outcome == BLOB_PUSHED)
			rep.bytes_pushed += jobs[i].stat.size;
	}
	if (out)
		*out = rep;
	else
		push_report_release(&rep);
	memset(&rep, 0, sizeof(rep));
out:
	for (size_t i = 0; i < nr_jobs; i++)
		free(jobs[i].local_path);
	free(jobs);
	free(known);
	free(repo_of);
	tag_moves_release(&tags);
	push_report_release(&rep);
	return ret;
}

int registry_copy(struct registry_client *c, const struct reference *src,
		  const struct reference *dsts, size_t nr_dsts, struct push_report *out)
{
	struct plan p;
	struct registry_manifest top = REGISTRY_MANIFEST_INIT;
	int ret;

	memset(&p, 0, sizeof(p));
	p.src = src;
	if ((ret = registry_get_manifest(c, src, &top)))
		goto out;
	if ((ret = plan_add_manifest(c, &p, &top, 0)))
		goto out;
	ret = plan_execute(c, &p, dsts, nr_dsts, out);
out:
	registry_manifest_release(&top);
	plan_release(&p);
	return ret;
}

int registry_push_layout(struct registry_client *c, const char *dir,
			 const struct reference *dsts, size_t nr_dsts, struct push_report *out)
{
	return registry_push_layout_sent(c, dir, dsts, nr_dsts, NULL, 0, out);
}

int registry_push_layout_sent(struct registry_client *c, const char *dir,
			      const struct reference *dsts, size_t nr_dsts,
			      const struct blob_stat *sent, size_t nr_sent, struct push_report *out)
{
	struct plan p;
	struct registry_manifest top = REGISTRY_MANIFEST_INIT;
	struct oci_index idx = OCI_INDEX_INIT;
	struct oci_manifest man = OCI_MANIFEST_INIT;
	struct reference base = REFERENCE_INIT, reused = REFERENCE_INIT;
	const char *base_name, *reused_from, *reused_blobs;
	int ret;

	memset(&p, 0, sizeof(p));
	p.layout = dir;
	p.sent = sent;
	p.nr_sent = nr_sent;
	if ((ret = ocilayout_read_index(dir, EXIT_CONTEXT, EXIT_CONTEXT, &idx)))
		goto out;
	if (idx.nr_manifests != 1) {
		ret = error_as(EXIT_CONTEXT, "'%s/index.json' lists %zu manifests; push needs exactly one",
			       dir, idx.nr_manifests);
		goto out;
	}
	if ((ret = plan_read_manifest(c, &p, &idx.manifests[0], &top)))
		goto out;
	if ((ret = plan_add_manifest(c, &p, &top, 0)))
		goto out;
	/* the base: named on the index.json entry, else on the manifest (the plan's last, parsed there) */
	base_name = oci_descriptor_annotation(&idx.manifests[0], ANN_BASE_NAME);
	if (!base_name && !oci_is_index(p.manifests[p.nr_manifests - 1].m.media_type) &&
	    !oci_manifest_parse(p.manifests[p.nr_manifests - 1].m.bytes.buf,
				p.manifests[p.nr_manifests - 1].m.bytes.len, EXIT_CONTEXT, dir, &man))
		base_name = oci_manifest_annotation(&man, ANN_BASE_NAME);
	if (base_name) {
		if ((ret = reference_parse(base_name, &base))) {
			ret = error_as(EXIT_CONTEXT, "the layout's base image annotation is not a reference");
			goto out;
		}
		p.src = &base;
	}
	/* layers build reused from a registry image without copying them (ocilayout.h) */
	reused_from = oci_descriptor_annotation(&idx.manifests[0], OCILAYOUT_ANN_REUSED_FROM);
	reused_blobs = oci_descriptor_annotation(&idx.manifests[0], OCILAYOUT_ANN_REUSED_BLOBS);
	if (reused_from && reused_blobs) {
		if ((ret = reference_parse(reused_from, &reused))) {
			ret = error_as(EXIT_CONTEXT, "the layout's annotation %s is not a reference",
				       OCILAYOUT_ANN_REUSED_FROM);
			goto out;
		}
		p.reused_src = &reused;
		strlist_split(&p.reused, reused_blobs, ' ');
	}
	ret = plan_execute(c, &p, dsts, nr_dsts, out);
out:
	oci_index_release(&idx);
	oci_manifest_release(&man);
	registry_manifest_release(&top);
	reference_release(&base);
	reference_release(&reused);
	plan_release(&p);
	return ret;
}


/* ---- merge: one index over images pushed by digest ----------------------- */

struct merge_entry {
	char digest[DIGEST_HEX_LEN + 1];
	long long size;
	char *media_type;		/* owned */
	struct platform platform;
	const char *from;		/* borrowed: the digest asked for */
};

struct merge {
	struct merge_entry *e;
	size_t nr, alloc;
	struct registry_manifest *read;	/* owned: image manifests already GET, for the plan */
	size_t nr_read, alloc_read;
};

static void merge_release(struct merge *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		free(m->e[i].media_type);
		platform_release(&m->e[i].platform);
	}
	free(m->e);
	for (size_t i = 0; i < m->nr_read; i++)
		registry_manifest_release(&m->read[i]);
	free(m->read);
}

/*
 * Add one image to the merge, platform p (copied), unless it is there
 * already (the same digest twice); two digests of one platform are
 * refused, naming both.
 */
static int merge_add(struct merge *m, const char *digest, long long size, const char *media_type,
		     const struct platform *p, const char *from)
{
	struct merge_entry *e;

	for (size_t i = 0; i < m->nr; i++) {
		struct strbuf pf = STRBUF_INIT;
		int ret;

		if (!strcmp(m->e[i].digest, digest))
			return 0;
		if (!platform_equal(&m->e[i].platform, p))
			continue;
		platform_format(p, &pf);
		ret = error_as(EXIT_INPUT, "merge: %s and %s are both %s: one image a platform", m->e[i].from,
			       from, pf.buf);
		strbuf_release(&pf);
		return ret;
	}
	ALLOC_GROW(m->e, m->nr + 1, m->alloc);
	e = &m->e[m->nr++];
	memset(e, 0, sizeof(*e));
	snprintf(e->digest, sizeof(e->digest), "%s", digest);
	e->size = size;
	e->media_type = xstrdup(media_type);
	platform_copy(p, &e->platform);
	e->from = from;
	return 0;
}

/* The platform of image digest of ref's repository, read from its config. */
static int merge_read_image(struct registry_client *c, const struct reference *name, const char *digest,
			    struct merge *m, const char *from)
{
	struct reference ref = REFERENCE_INIT;
	struct remote_image img = REMOTE_IMAGE_INIT;
	struct platform p = PLATFORM_INIT;
	json_t *config = NULL;
	int ret;

	reference_copy(name, &ref);
	free(ref.tag);
	ref.tag = NULL;
	free(ref.digest);
	ref.digest = xstrdup(digest);
	if ((ret = registry_fetch_image(c, &ref, NULL, &img)))
		goto out;
	config = json_loadb(img.config.buf, img.config.len, 0, NULL);
	if (!config || platform_from_json(config, &p)) {
		ret = error_as(EXIT_INPUT, "merge: the config of image %s names no platform (os, architecture)",
			       digest);
		goto out;
	}
	if ((ret = merge_add(m, img.manifest.digest, (long long)img.manifest.bytes.len,
			     img.manifest.media_type, &p, from)))
		goto out;
	ALLOC_GROW(m->read, m->nr_read + 1, m->alloc_read);
	m->read[m->nr_read++] = img.manifest;	/* steals */
	memset(&img.manifest, 0, sizeof(img.manifest));
out:
	json_decref(config);
	platform_release(&p);
	remote_image_release(&img);
	reference_release(&ref);
	return ret;
}

/* An attestation (buildx's unknown/unknown entries) is no platform. */
static int is_attestation(const struct oci_descriptor *d)
{
	const char *t = oci_descriptor_annotation(d, "vnd.docker.reference.type");

	return (t && !strcmp(t, "attestation-manifest")) ||
	       (d->platform.os && !strcmp(d->platform.os, "unknown"));
}

/* One --digest: an image, or an index whose images are taken. */
static int merge_read(struct registry_client *c, const struct reference *name, const char *digest,
		      struct merge *m)
{
	struct registry_manifest top = REGISTRY_MANIFEST_INIT;
	struct oci_index idx = OCI_INDEX_INIT;
	int ret;

	if (!digest_is_valid(digest))
		return error_as(EXIT_INPUT, "merge: '%s' is not a digest (sha256:<64 hex digits>)", digest);
	if ((ret = registry_get_manifest_by(c, name, digest, &top)))
		goto out;
	if (!oci_is_index(top.media_type)) {
		ret = merge_read_image(c, name, digest, m, digest);
		goto out;
	}
	if ((ret = oci_index_parse(top.bytes.buf, top.bytes.len, EXIT_REGISTRY, digest, &idx)))
		goto out;
	for (size_t i = 0; i < idx.nr_manifests; i++) {
		const struct oci_descriptor *d = &idx.manifests[i];

		if (is_attestation(d))
			continue;
		if (oci_is_index(d->media_type)) {
			ret = error_as(EXIT_INPUT, "merge: index %s lists another index (%s): indexes nest one deep at most",
				       digest, d->digest);
			goto out;
		}
		if (d->platform.os)
			ret = merge_add(m, d->digest, d->size, d->media_type, &d->platform, digest);
		else
			ret = merge_read_image(c, name, d->digest, m, digest);
		if (ret)
			goto out;
	}
out:
	oci_index_release(&idx);
	registry_manifest_release(&top);
	return ret;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int merge_entry_cmp(const void *va, const void *vb)
{
	const struct merge_entry *a = va, *b = vb;
	int r;

	if ((r = cmp_str(a->platform.os, b->platform.os)) ||
	    (r = cmp_str(a->platform.architecture, b->platform.architecture)) ||
	    (r = cmp_str(a->platform.variant, b->platform.variant)))
		return r;
	return strcmp(a->digest, b->digest);
}

int registry_merge(struct registry_client *c, const struct reference *name,
		   const char *const *digests, size_t nr,
		   const struct kvlist_item *annotations, size_t nr_annotations,
		   const struct reference *dsts, size_t nr_dsts, struct push_report *out)
{
	struct merge m;
	struct plan p;
	struct registry_manifest top = REGISTRY_MANIFEST_INIT;
	struct image_index_entry *entries = NULL;
	struct strbuf *pf = NULL;
	struct reference *all;
	int ret = 0;

	if (!nr)
		return error_as(EXIT_INPUT, "merge: no digest to merge");
	memset(&m, 0, sizeof(m));
	memset(&p, 0, sizeof(p));
	all = xcalloc(nr_dsts + 1, sizeof(*all));
	for (size_t i = 0; i < nr && !ret; i++)
		ret = merge_read(c, name, digests[i], &m);
	if (ret)
		goto out;
	if (!m.nr) {
		ret = error_as(EXIT_INPUT, "merge: the digests name no image with a platform");
		goto out;
	}
	/* sorted by platform: the same images in any order, the same index */
	qsort(m.e, m.nr, sizeof(*m.e), merge_entry_cmp);
	entries = xcalloc(m.nr, sizeof(*entries));
	pf = xcalloc(m.nr, sizeof(*pf));
	for (size_t i = 0; i < m.nr; i++) {
		strbuf_init(&pf[i], 0);
		platform_format(&m.e[i].platform, &pf[i]);
		entries[i].digest = m.e[i].digest;
		entries[i].size = (uint64_t)m.e[i].size;
		entries[i].media_type = m.e[i].media_type;
		entries[i].platform = pf[i].buf;
	}
	if ((ret = image_index_build(entries, m.nr, 0, annotations, nr_annotations, &top.bytes, top.digest)) < 0)
		goto out;
	top.media_type = xstrdup(MT_OCI_INDEX);
	/* the images read already go in first: the index's walk skips them */
	p.src = name;
	for (size_t i = 0; i < m.nr_read; i++) {
		if ((ret = plan_add_manifest(c, &p, &m.read[i], 0)))
			goto out;
	}
	if ((ret = plan_add_manifest(c, &p, &top, 0)))
		goto out;
	/* the index by digest in the images' repository, then each dst */
	reference_copy(name, &all[0]);
	free(all[0].tag);
	free(all[0].digest);
	all[0].tag = all[0].digest = NULL;
	for (size_t i = 0; i < nr_dsts; i++)
		reference_copy(&dsts[i], &all[i + 1]);
	ret = plan_execute(c, &p, all, nr_dsts + 1, out);
out:
	for (size_t i = 0; i < nr_dsts + 1; i++)
		reference_release(&all[i]);
	free(all);
	for (size_t i = 0; pf && i < m.nr; i++)
		strbuf_release(&pf[i]);
	free(pf);
	free(entries);
	registry_manifest_release(&top);
	plan_release(&p);
	merge_release(&m);
	return ret;
}
