/*
 * registry_upload.c: blob uploads, several at once (see registry.h, and
 * registry.c for the layout of the module).  The conversation of each
 * blob, its states and their order are described below.
 */
#include "lib/common.h"
#include "lib/tempfile.h"
#include "registry/registry_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

/* ---- blobs: upload, several at once ----------------------------------------- */

/*
 * Each blob job is one conversation with its destination registry, a
 * small state machine with at most one request in flight; registry_run_jobs()
 * keeps up to opts.jobs of them going in one curl multi, on one thread:
 *
 *   CHECK   HEAD the blob: there -> DONE ("exists")
 *   START   POST an upload, with mount=&from= when the source is another
 *           repository of the same registry: 201 -> DONE ("mounted"); a
 *           refused mount -> START again without it
 *   STREAM  (a blob the layout lacks, from the source registry) the GET
 *           from the source and the PUT ?digest= to the destination at
 *           once, joined by a bounded ring buffer (struct blob_pipe):
 *           both answered and the bytes verified -> DONE ("pushed");
 *           anything else -> both dropped, FETCH and START again
 *   FETCH   GET it from the source registry into a spool file, verified:
 *           the fallback after a failed STREAM
 *   UPLOAD  PUT the whole body ?digest= -> DONE ("pushed");
 *           BLOB_UPLOAD_UNKNOWN -> START again (3 times at most)
 *
 * A blob still being written (job.grow: registry_prepush_stream()) has
 * no digest yet, so no CHECK: START, then
 *   PATCH   the file as it grows, one chunked request (grow_read() pauses
 *           it when it has caught up with the writer, the writer's
 *           registry_prepush_grow() wakes the thread); 202 once the blob
 *           is complete -> UPLOAD with an empty body and the digest
 *   WAIT    a PATCH that failed (or a lost session): wait for the blob to
 *           be complete, then the whole file from CHECK, as any other
 *           (an abandoned blob ends the job, nothing committed)
 *
 * Each request goes through call_start/call_next like a blocking one:
 * between its tries the conversation waits for its retry timer (wake)
 * while the others go on.  A token it needs (a scope's first use, or a
 * 401) is fetched on the spot with a blocking request, which pauses the
 * other transfers for that one exchange.
 *
 * STREAM is the one state with two requests in flight, and it has no
 * retries of its own: a stream cannot be replayed without its source, so
 * any failure of either side (no answer, a status other than 200 / 201,
 * wrong size or digest) cancels both, says so in a warning, and leaves
 * the blob to the spool path (FETCH, START, UPLOAD), which has the retry,
 * restart and 401 policy and the error messages.  The GET's sink fills
 * the ring and pauses the GET when it is full; the PUT's reader drains it
 * and pauses the PUT when it is empty; after each multi round
 * conv_stream_kick() resumes the side that can move again.  The bytes
 * are hashed as they enter the ring.
 */


struct progress {
	struct registry_client *c;
	struct blob_job *job;
	double start;
};

static void on_progress(void *data, long long now)
{
	struct progress *p = data;
	struct registry_client *c = p->c;
	double t = registry_now();

	if (!c->tty)
		return;
	if (t - c->last_progress >= 0.2) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		double el = t - p->start;

		c->last_progress = t;
		strbuf_humanise_bytes(&a, now);
		strbuf_humanise_bytes(&b, p->job->desc.size);
		fprintf(stderr, "\r\033[K%.19s %s / %s  %.1f MiB/s", p->job->desc.digest, a.buf, b.buf,
			el > 0 ? now / el / (1024.0 * 1024) : 0.0);
		fflush(stderr);
		strbuf_release(&a);
		strbuf_release(&b);
	}
}

static void report_blob(struct registry_client *c, const struct blob_job *j)
{
	static const char *const words[] = { "pushed", "mounted", "exists" };
	struct strbuf sz = STRBUF_INIT;

	if (c->opts.quiet)
		return;
	strbuf_humanise_bytes(&sz, j->stat.size);
	if (c->tty)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "%-7s %s %s/%s %s %.1fs\n", words[j->stat.outcome], j->desc.digest,
		j->dst->registry, j->dst->repository, sz.buf, j->stat.seconds);
	fflush(stderr);
	strbuf_release(&sz);
}

#define START_MOUNTED 1
#define START_REFUSED 2

/*
 * The answer to POST post_url (a mount from mount_from when not NULL):
 * START_MOUNTED, START_REFUSED (a refused or failed mount: upload
 * instead), 0 with the upload URL in location, negative on error.
 */
static int upload_start_result(struct registry_client *c, const struct blob_job *j,
			       const struct reference *mount_from, const char *post_url,
			       const struct http_response *res, struct strbuf *location)
{
	struct strbuf loc = STRBUF_INIT;
	int ret = 0;

	if (res->status == 201 && mount_from)
		return START_MOUNTED;
	if (mount_from && res->status != 202) {
		/*
		 * 401/403 quietly: the plain POST says whether the refusal
		 * was about the destination.
		 */
		if (res->status != 401 && res->status != 403)
			warning("'%s' did not mount %s from '%s' (HTTP %ld); uploading it instead",
				j->dst->registry, j->desc.digest, mount_from->repository, res->status);
		return START_REFUSED;
	}
	if (res->status != 202 && res->status != 201)
		return registry_explain(c, j->dst, "push to", "POST blob upload", res);
	if (http_header_get(&res->headers, "Location", &loc) < 0 || !loc.len) {
		ret = error_as(EXIT_REGISTRY, "'%s' started an upload without a Location", j->dst->registry);
		goto out;
	}
	strbuf_reset(location);
	if (http_resolve_url(post_url, loc.buf, location) < 0)
		ret = error_as(EXIT_REGISTRY, "'%s' gave an upload Location that is not a URL", j->dst->registry);
out:
	strbuf_release(&loc);
	return ret;
}

#define UPLOAD_UNKNOWN 1

/* The answer to the PUT ?digest=: 0 stored, UPLOAD_UNKNOWN to restart, negative on error. */
static int upload_put_result(struct registry_client *c, const struct blob_job *j,
			     const struct http_response *res)
{
	struct strbuf code = STRBUF_INIT, msg = STRBUF_INIT, dcd = STRBUF_INIT;
	int ret = 0;

	if (res->status == 201 || res->status == 204) {
		if (!http_header_get(&res->headers, "Docker-Content-Digest", &dcd) &&
		    !strncmp(dcd.buf, "sha256:", 7) && strcmp(dcd.buf, j->desc.digest))
			ret = error_as(EXIT_REGISTRY, "'%s' stored blob %s as %s", j->dst->registry,
				       j->desc.digest, dcd.buf);
		goto out;
	}
	registry_error_body(res, &code, &msg);
	if (res->status == 404 && (!strcmp(code.buf, "BLOB_UPLOAD_UNKNOWN") || !code.len)) {
		ret = UPLOAD_UNKNOWN;
		goto out;
	}
	if (res->status == 400 && !strcmp(code.buf, "DIGEST_INVALID")) {
		ret = error_as(EXIT_REGISTRY, "'%s' refused blob %s: its content does not match the digest",
			       j->dst->registry, j->desc.digest);
		goto out;
	}
	ret = registry_explain(c, j->dst, "push to", "PUT blob", res);
out:
	strbuf_release(&code);
	strbuf_release(&msg);
	strbuf_release(&dcd);
	return ret;
}

/* The layout's file of j, its size checked, into *out. */
static int blob_open_local(const struct blob_job *j, FILE **out)
{
	struct stat st;
	FILE *fp = fopen(j->local_path, "rb");

	if (!fp)
		return error_as(EXIT_CONTEXT, "cannot open blob '%s': %s", j->local_path, strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && (long long)st.st_size != j->desc.size) {
		fclose(fp);
		return error_as(EXIT_CONTEXT, "blob '%s' is %lld bytes, the manifest says %lld",
				j->local_path, (long long)st.st_size, j->desc.size);
	}
	*out = fp;
	return 0;
}

/* An anonymous temporary file (already unlinked) in $TMPDIR, into *out. */
static int spool_open(FILE **out)
{
	int fd = tempfile_open("blob", 1, NULL);
	FILE *fp;

	if (fd < 0)
		return -1;
	fp = fdopen(fd, "w+b");
	if (!fp) {
		close(fd);
		return error("cannot open a temporary file: %s", strerror(errno));
	}
	*out = fp;
	return 0;
}

#define PIPE_CAP (4u << 20)	/* bytes of a blob in memory while it streams */

/*
 * The ring between a blob's source GET and its destination PUT: bytes
 * at buf[(head + i) % PIPE_CAP] for i < len.
 */
struct blob_pipe {
	char *buf;		/* owned, PIPE_CAP bytes, made at a slot's first stream */
	size_t head, len;
	long long size;		/* the descriptor's: the PUT's Content-Length */
	struct digest d;	/* of every byte that entered */
	int get_paused, put_paused;
	int get_done;		/* the GET's answer came (the reader may end) */
	int get_ok;		/* and its bytes are the blob (size, digest) */
	int too_long;		/* the source sent more than size bytes */
};

static int pipe_write(void *data, const void *buf, size_t len)
{
	struct blob_pipe *p = data;
	size_t at, first;

	if ((long long)(p->d.size + len) > p->size) {
		p->too_long = 1;
		return -1;
	}
	if (len > PIPE_CAP)
		return -1;
	if (len > PIPE_CAP - p->len) {
		p->get_paused = 1;
		return HTTP_SINK_PAUSE;
	}
	at = (p->head + p->len) % PIPE_CAP;
	first = len < PIPE_CAP - at ? len : PIPE_CAP - at;
	memcpy(p->buf + at, buf, first);
	memcpy(p->buf, (const char *)buf + first, len - first);
	p->len += len;
	digest_update(&p->d, buf, len);
	return 0;
}

static long pipe_read(void *data, char *buf, size_t len)
{
	struct blob_pipe *p = data;
	size_t first;

	if (!p->len) {
		if (p->get_done)
			return 0;
		p->put_paused = 1;
		return HTTP_READ_PAUSE;
	}
	if (len > p->len)
		len = p->len;
	first = len < PIPE_CAP - p->head ? len : PIPE_CAP - p->head;
	memcpy(buf, p->buf + p->head, first);
	memcpy(buf + first, p->buf, len - first);
	p->head = (p->head + len) % PIPE_CAP;
	p->len -= len;
	return (long)len;
}

enum conv_state { CONV_CHECK, CONV_FETCH, CONV_START, CONV_STREAM, CONV_PATCH, CONV_WAIT, CONV_UPLOAD,
	CONV_DONE };

enum grow_state { GROW_OPEN, GROW_DONE, GROW_ABANDONED };

/*
 * A blob being written (registry.h): how much of the file is there, and
 * its end.  p->lock guards every field but p and fd.
 */
struct registry_growing {
	struct registry_prepush *p;
	int fd;			/* the item's (prepush_item.fd), read with pread() */
	unsigned long long committed;
	enum grow_state state;
	char digest[DIGEST_HEX_LEN + 1];	/* GROW_DONE: the blob's */
	long long size;
	int waiting;		/* a reader caught up: wake the thread at the next grow */
};

struct conv {
	struct blob_job *job;		/* borrowed; NULL: the slot is free */
	enum conv_state state;
	struct call k;			/* the request of the state */
	struct strbuf url;		/* k's URL */
	struct strbuf from_scope;	/* k's second scope, for a mount */
	struct strbuf location;		/* the upload session, once START gave one */
	struct http_response res;
	struct http_transfer *t;	/* owned, kept from one blob to the next */
	int running;			/* k's request is in the multi */
	double wake;			/* > 0: try k again at this time */
	FILE *fp;			/* owned: the blob's bytes, once open */
	struct file_sink sink;		/* FETCH: into fp, hashed */
	/* STREAM: k is the PUT, k2 the GET from the source, on t2, through pipe */
	struct call k2;
	struct strbuf url2;
	struct http_response res2;
	struct http_transfer *t2;	/* owned, like t */
	int running2;			/* k2's request is in the multi */
	struct blob_pipe pipe;
	int no_stream;			/* fetch to a spool file instead (a stream failed) */
	/* PATCH: the bytes of job->grow sent in this session; paused for more */
	unsigned long long grow_sent;
	int grow_paused;
	int no_grow;			/* upload the complete file instead (a PATCH failed) */
	int grow_put;			/* UPLOAD closes the PATCH's session: an empty body */
	int mount;			/* a mount is still to be tried */
	int restarts;			/* of the upload, after BLOB_UPLOAD_UNKNOWN */
	struct progress prog;
};

/*
 * Where jobs_loop() takes its jobs: next() gives the next one to start,
 * or NULL, and sets *more when others may still come (the loop then
 * waits for them in the multi, which http_multi_wakeup() interrupts);
 * done() (may be NULL) hears of each job settled, its rc and stat set,
 * after which the loop no longer touches it.
 */
struct job_feed {
	struct blob_job *(*next)(void *data, int *more);
	void (*done)(void *data, struct blob_job *j);
	void *data;
};

struct jobs_run {
	struct registry_client *c;
	struct http_multi *multi;	/* the client's */
	struct conv *slots;		/* owned, nr_slots (opts.jobs) */
	size_t nr_slots;
	const struct job_feed *feed;
	struct strlist no_patch;	/* registries that refused a PATCH: no more streams to them */
	int settled;			/* a job is over: the others may start */
	int failed;			/* the first failed job's rc: start no more */
};

static int conv_answer(struct jobs_run *r, struct conv *v, int rc);

/* Put v's request into the multi (or, when it cannot start, treat that as the try's result). */
static int conv_launch(struct jobs_run *r, struct conv *v)
{
	int rc;

	v->wake = 0;
	rc = http_multi_add(r->multi, v->t, &v->k.req, &v->res);
	if (!rc) {
		v->running = 1;
		return 0;
	}
	return conv_answer(r, v, rc);
}

static int conv_need_body(struct jobs_run *r, struct conv *v);
static int conv_enter(struct jobs_run *r, struct conv *v, enum conv_state state);

static void grow_lock(struct registry_growing *g);
static void grow_unlock(struct registry_growing *g);

/*
 * The PATCH's body (http_reader_fn, data: the conv): the file as far as
 * it is written; a pause when the reader has caught up (the writer's
 * next grow wakes the thread), the end once the blob is complete.
 */
static long grow_read(void *data, char *buf, size_t len)
{
	struct conv *v = data;
	struct registry_growing *g = v->job->grow;
	unsigned long long avail;
	enum grow_state st;
	ssize_t n;

	grow_lock(g);
	avail = g->committed - v->grow_sent;
	st = g->state;
	if (!avail && st == GROW_OPEN)
		g->waiting = 1;
	grow_unlock(g);
	if (st == GROW_ABANDONED)
		return -1;
	if (!avail) {
		if (st == GROW_DONE)
			return 0;
		v->grow_paused = 1;
		return HTTP_READ_PAUSE;
	}
	if (len > avail)
		len = (size_t)avail;
	do
		n = pread(g->fd, buf, len, (off_t)v->grow_sent);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	v->grow_sent += (unsigned long long)n;
	return (long)n;
}

/* j's growing blob's state; once complete, its digest and size are j's. */
static enum grow_state grow_take(struct blob_job *j)
{
	struct registry_growing *g = j->grow;
	enum grow_state st;

	grow_lock(g);
	st = g->state;
	if (st == GROW_DONE) {
		snprintf(j->desc.digest, sizeof(j->desc.digest), "%s", g->digest);
		j->desc.size = g->size;
	}
	grow_unlock(g);
	if (st == GROW_DONE) {
		snprintf(j->stat.digest, sizeof(j->stat.digest), "%s", j->desc.digest);
		j->stat.size = j->desc.size;
	}
	return st;
}

/* Cancel what v has under way (the request and a stream's GET) and drop both calls. */
static void conv_stop_requests(struct conv *v)
{
	if (v->running)
		http_transfer_cancel(v->t);
	if (v->running2)
		http_transfer_cancel(v->t2);
	v->running = v->running2 = 0;
	registry_call_release(&v->k);
	registry_call_release(&v->k2);
}

/* STREAM gave up (why): drop both requests, warn, and take the spool path. */
static int conv_stream_fail(struct jobs_run *r, struct conv *v, const char *why)
{
	struct blob_job *j = v->job;
	struct strbuf name = STRBUF_INIT;

	conv_stop_requests(v);
	digest_release(&v->pipe.d);
	reference_format_name(j->src, &name);
	warning("streaming blob %s from '%s' failed: %s; downloading it first", j->desc.digest,
		name.buf, why);
	strbuf_release(&name);
	v->no_stream = 1;
	strbuf_reset(&v->location);	/* the session got part of the bytes: a new one */
	return conv_need_body(r, v);
}

/* STREAM: the PUT (v->k, set up and started by conv_enter) and the GET from the source, at once. */
static int conv_stream_launch(struct jobs_run *r, struct conv *v)
{
	struct registry_client *c = r->c;
	struct blob_job *j = v->job;
	struct blob_pipe *p = &v->pipe;
	int ret;

	if (!p->buf)
		p->buf = xmalloc(PIPE_CAP);
	p->head = p->len = 0;
	p->size = j->desc.size;
	p->get_paused = p->put_paused = p->get_done = p->get_ok = p->too_long = 0;
	digest_release(&p->d);
	if (digest_init(&p->d) < 0)
		return -1;
	strbuf_reset(&v->url2);
	registry_api_base(c, j->src, &v->url2);
	strbuf_addf(&v->url2, "%s/blobs/%s", j->src->repository, j->desc.digest);
	registry_call_init(&v->k2, j->src, "GET", v->url2.buf, 0);
	v->k2.req.sink = pipe_write;
	v->k2.req.sink_data = p;
	if ((ret = registry_call_start(c, &v->k2)))
		return ret;
	v->wake = 0;
	if (http_multi_add(r->multi, v->t2, &v->k2.req, &v->res2))
		return conv_stream_fail(r, v, "the download did not start");
	v->running2 = 1;
	if (http_multi_add(r->multi, v->t, &v->k.req, &v->res))
		return conv_stream_fail(r, v, "the upload did not start");
	v->running = 1;
	return 0;
}

/*
 * One side of STREAM (t, the GET on t2 or the PUT on t) ended with rc:
 * wait for the other, or judge both, or give up and take the spool path.
 */
static int conv_stream_answer(struct jobs_run *r, struct conv *v, struct http_transfer *t, int rc)
{
	struct blob_job *j = v->job;
	struct blob_pipe *p = &v->pipe;
	struct strbuf why = STRBUF_INIT;
	char got[DIGEST_HEX_LEN + 1] = "";
	int ret = 0;

	if (t == v->t2) {
		v->running2 = 0;
		if (!rc && v->res2.status == 401 && !p->d.size) {
			/* the source's first request (its challenge unknown) or a stale token: one replay */
			double wait;

			if (registry_call_next(r->c, &v->k2, rc, &v->res2, &wait, &ret) == CALL_REAUTH) {
				if ((ret = registry_call_reauth(r->c, &v->k2)) < 0)
					goto out;
				if (!ret) {
					if (http_multi_add(r->multi, v->t2, &v->k2.req, &v->res2))
						strbuf_addstr(&why, "the download did not start");
					else
						v->running2 = 1;
				}
				ret = 0;
			}
		}
		if (v->running2 || why.len)
			;	/* replayed, or could not be */
		else if (rc)
			strbuf_addstr(&why, p->too_long ? "the source sent more bytes than the blob has" :
				      v->res2.error.len ? v->res2.error.buf : "the download failed");
		else if (v->res2.status != 200)
			strbuf_addf(&why, "'%s' answered HTTP %ld to GET blob", j->src->registry,
				    v->res2.status);
		else if ((long long)p->d.size != p->size)
			strbuf_addf(&why, "the source sent %llu bytes, not %lld", p->d.size, p->size);
		else if (digest_final(&p->d, got) < 0 || strcmp(got, j->desc.digest))
			strbuf_addf(&why, "the bytes do not match the digest (got %s)", got);
		else
			p->get_ok = 1;
		p->get_done = !v->running2;
	} else {
		v->running = 0;
		if (rc)
			strbuf_addstr(&why, v->res.error.len ? v->res.error.buf : "the upload failed");
		else if (v->res.status != 201 && v->res.status != 204)
			strbuf_addf(&why, "'%s' answered HTTP %ld to PUT blob", j->dst->registry,
				    v->res.status);
	}
	if (why.len) {
		ret = conv_stream_fail(r, v, why.buf);
		goto out;
	}
	if (v->running2)
		goto out;	/* the PUT was answered first: the GET's verdict is still to come */
	if (v->running) {
		p->put_paused = 0;	/* the rest of the ring, then the end */
		http_transfer_resume(v->t);
		goto out;
	}
	registry_call_release(&v->k2);
	registry_call_release(&v->k);
	if ((ret = upload_put_result(r->c, j, &v->res)))
		goto out;
	j->stat.outcome = BLOB_PUSHED;
	ret = conv_enter(r, v, CONV_DONE);
out:
	strbuf_release(&why);
	return ret;
}

/* After a multi round: let the side of v's STREAM that can move again go on. */
static void conv_stream_kick(struct conv *v)
{
	struct blob_pipe *p = &v->pipe;

	if (!v->job || v->state != CONV_STREAM)
		return;
	if (v->running2 && p->get_paused && PIPE_CAP - p->len >= PIPE_CAP / 2) {
		p->get_paused = 0;
		http_transfer_resume(v->t2);
	}
	if (v->running && p->put_paused && (p->len || p->get_done)) {
		p->put_paused = 0;
		http_transfer_resume(v->t);
	}
}

/*
 * WAIT: once v's blob is complete, upload the whole file (from CHECK: the
 * registry may have it after all); an abandoned one ends the job, with
 * nothing sent.
 */
static int conv_grow_wait(struct jobs_run *r, struct conv *v)
{
	switch (grow_take(v->job)) {
	case GROW_OPEN:
		return 0;
	case GROW_ABANDONED:
		v->state = CONV_DONE;
		return 0;
	case GROW_DONE:
		break;
	}
	return conv_enter(r, v, CONV_CHECK);
}

/* PATCH gave up (why): warn, and WAIT for the blob to upload it whole. */
static int conv_grow_fail(struct jobs_run *r, struct conv *v, const char *why)
{
	conv_stop_requests(v);
	if (grow_take(v->job) != GROW_ABANDONED) {
		warning("streaming a layer to '%s' failed: %s; uploading it once it is complete",
			v->job->dst->registry, why);
		if (!strlist_has(&r->no_patch, v->job->dst->registry))
			strlist_push(&r->no_patch, v->job->dst->registry);
	}
	v->no_grow = 1;
	v->grow_put = 0;
	strbuf_reset(&v->location);	/* the session got part of the bytes: a new one */
	v->state = CONV_WAIT;
	return conv_grow_wait(r, v);
}

/* The PATCH was answered (rc): 202 after the whole blob -> UPLOAD ?digest=, else WAIT. */
static int conv_patch_answer(struct jobs_run *r, struct conv *v, int rc)
{
	struct blob_job *j = v->job;
	struct strbuf loc = STRBUF_INIT, why = STRBUF_INIT;
	int ret;

	v->running = 0;
	if (rc)
		strbuf_addstr(&why, v->res.error.len ? v->res.error.buf : "the upload failed");
	else if (v->res.status != 202)
		strbuf_addf(&why, "'%s' answered HTTP %ld to PATCH blob", j->dst->registry, v->res.status);
	else if (grow_take(j) != GROW_DONE || v->grow_sent != (unsigned long long)j->desc.size)
		strbuf_addstr(&why, "the upload ended before the layer did");
	else if (http_header_get(&v->res.headers, "Location", &loc) < 0 || !loc.len ||
		 http_resolve_url(v->url.buf, loc.buf, &v->location) < 0)
		strbuf_addstr(&why, "no upload Location after the PATCH");
	if (why.len) {
		ret = conv_grow_fail(r, v, why.buf);
		goto out;
	}
	registry_call_release(&v->k);
	v->grow_put = 1;
	ret = conv_enter(r, v, CONV_UPLOAD);
out:
	strbuf_release(&loc);
	strbuf_release(&why);
	return ret;
}

/* After a multi round: a PATCH paused for more goes on when the writer wrote more, or ended. */
static void conv_grow_kick(struct conv *v)
{
	struct registry_growing *g;
	int go;

	if (!v->job || v->state != CONV_PATCH || !v->running || !v->grow_paused)
		return;
	g = v->job->grow;
	grow_lock(g);
	go = g->committed > v->grow_sent || g->state != GROW_OPEN;
	grow_unlock(g);
	if (go) {
		v->grow_paused = 0;
		http_transfer_resume(v->t);
	}
}

/* Go to state: set up its request and start it. */
static int conv_enter(struct jobs_run *r, struct conv *v, enum conv_state state)
{
	static const char *const octet_stream[] = { "Content-Type: application/octet-stream", NULL };
	struct registry_client *c = r->c;
	struct blob_job *j = v->job;
	int ret;

	v->state = state;
	strbuf_reset(&v->url);
	switch (state) {
	case CONV_CHECK:
		registry_api_base(c, j->dst, &v->url);
		strbuf_addf(&v->url, "%s/blobs/%s", j->dst->repository, j->desc.digest);
		registry_call_init(&v->k, j->dst, "HEAD", v->url.buf, 1);
		break;
	case CONV_FETCH:
		if ((ret = spool_open(&v->fp)))
			return ret;
		if ((ret = registry_get_blob_call(c, j->src, j->desc.digest, j->desc.size, &v->sink, v->fp, NULL,
						  &v->url, &v->k)))
			return ret;
		break;
	case CONV_START:
		strbuf_reset(&v->location);
		registry_api_base(c, j->dst, &v->url);
		strbuf_addf(&v->url, "%s/blobs/uploads/", j->dst->repository);
		if (v->mount) {
			strbuf_addf(&v->url, "?mount=%s&from=", j->desc.digest);
			http_escape(j->src->repository, &v->url);
		}
		registry_call_init(&v->k, j->dst, "POST", v->url.buf, 1);
		if (v->mount) {
			strbuf_reset(&v->from_scope);
			strbuf_addf(&v->from_scope, "repository:%s:pull", j->src->repository);
			v->k.scopes[1] = v->from_scope.buf;
			v->k.nr_scopes = 2;
		}
		break;
	case CONV_PATCH:
		strbuf_addbuf(&v->url, &v->location);
		registry_call_init(&v->k, j->dst, "PATCH", v->url.buf, 1);
		v->k.req.headers = octet_stream;
		v->k.req.body_read = grow_read;
		v->k.req.body_read_data = v;
		v->k.req.body_read_size = -1;	/* chunked: the size is not known yet */
		v->grow_sent = 0;
		v->grow_paused = 0;
		break;
	case CONV_WAIT:
		return 0;
	case CONV_STREAM:
	case CONV_UPLOAD:
		strbuf_addf(&v->url, "%s%cdigest=", v->location.buf,
			    strchr(v->location.buf, '?') ? '&' : '?');
		http_escape(j->desc.digest, &v->url);
		registry_call_init(&v->k, j->dst, "PUT", v->url.buf, 1);
		v->k.req.headers = octet_stream;
		if (state == CONV_STREAM) {
			v->k.req.body_read = pipe_read;
			v->k.req.body_read_data = &v->pipe;
			v->k.req.body_read_size = j->desc.size;
		} else if (v->grow_put) {
			break;	/* the bytes went with the PATCH */
		} else {
			v->k.req.body_file = v->fp;
			v->k.req.body_file_size = j->desc.size;
		}
		v->k.req.progress = on_progress;
		v->k.req.progress_data = &v->prog;
		break;
	case CONV_DONE:
		return 0;
	}
	if ((ret = registry_call_start(c, &v->k)))
		return ret;
	if (state == CONV_STREAM)
		return conv_stream_launch(r, v);
	return conv_launch(r, v);
}

/* The bytes are needed: the layout's file, or FETCH from the source; then START or UPLOAD. */
static int conv_need_body(struct jobs_run *r, struct conv *v)
{
	struct blob_job *j = v->job;
	int ret;

	if (!v->fp) {
		if (!j->local_path && !j->src)
			return error_as(EXIT_INTERNAL, "blob %s has no source", j->desc.digest);
		if (!j->local_path && !v->no_stream)
			return conv_enter(r, v, v->location.len ? CONV_STREAM : CONV_START);
		if (!j->local_path)
			return conv_enter(r, v, CONV_FETCH);
		if ((ret = blob_open_local(j, &v->fp)))
			return ret;
	}
	return conv_enter(r, v, v->location.len ? CONV_UPLOAD : CONV_START);
}

/* The final answer to the request of v's state is in v->res: on to the next state. */
static int conv_step(struct jobs_run *r, struct conv *v)
{
	struct registry_client *c = r->c;
	struct blob_job *j = v->job;
	int ret;

	switch (v->state) {
	case CONV_CHECK:
		if (v->res.status == 200) {
			j->stat.outcome = BLOB_EXISTED;
			return conv_enter(r, v, CONV_DONE);
		}
		if (v->res.status != 404)
			return registry_explain(c, j->dst, "push to", "HEAD blob", &v->res);
		return v->mount ? conv_enter(r, v, CONV_START) : conv_need_body(r, v);
	case CONV_FETCH:
		if ((ret = registry_get_blob_result(c, j->src, j->desc.digest, j->desc.size, &v->sink, &v->res)))
			return ret;
		return conv_enter(r, v, v->location.len ? CONV_UPLOAD : CONV_START);
	case CONV_START:
		ret = upload_start_result(c, j, v->mount ? j->src : NULL, v->url.buf, &v->res, &v->location);
		if (ret < 0)
			return ret;
		if (ret == START_MOUNTED) {
			j->stat.outcome = BLOB_MOUNTED;
			return conv_enter(r, v, CONV_DONE);
		}
		v->mount = 0;	/* refused: upload, and do not ask again on a restart */
		if (j->grow && !v->no_grow) {
			/*
			 * a blob still being written (never mounted) holds its
			 * slot as long as the build takes: its session shows
			 * the registry takes pushes from us, the others need
			 * not wait for its end
			 */
			r->settled = 1;
			return conv_enter(r, v, CONV_PATCH);
		}
		return conv_need_body(r, v);
	case CONV_UPLOAD:
		ret = upload_put_result(c, j, &v->res);
		if (ret < 0)
			return ret;
		if (!ret) {
			j->stat.outcome = BLOB_PUSHED;
			return conv_enter(r, v, CONV_DONE);
		}
		if (++v->restarts > 3)
			return error_as(EXIT_REGISTRY, "'%s' lost the upload of blob %s %d times",
					j->dst->registry, j->desc.digest, v->restarts);
		warning("'%s' lost the upload session of %s; starting it again", j->dst->registry,
			j->desc.digest);
		v->no_grow = 1;	/* the whole file this time */
		v->grow_put = 0;
		return conv_enter(r, v, CONV_START);
	case CONV_STREAM:	/* conv_stream_answer() */
	case CONV_PATCH:	/* conv_patch_answer() */
	case CONV_WAIT:
	case CONV_DONE:
		break;
	}
	return 0;
}

/* A try of v's request ended with rc (see http_request): retry later, replay, or go on. */
static int conv_answer(struct jobs_run *r, struct conv *v, int rc)
{
	double wait = 0;
	int ret;

	v->running = 0;
	switch (registry_call_next(r->c, &v->k, rc, &v->res, &wait, &ret)) {
	case CALL_RETRY:
		v->wake = registry_now() + wait;
		return 0;
	case CALL_REAUTH:
		if ((ret = registry_call_reauth(r->c, &v->k)) < 0)
			return ret;
		if (!ret)
			return conv_launch(r, v);
		ret = 0;	/* no token to be had: the 401 is the answer */
		break;
	case CALL_DONE:
		break;
	}
	registry_call_release(&v->k);
	if (ret)
		return ret;
	return conv_step(r, v);
}

/* Take job j into the free slot v and start it. */
static int conv_begin(struct jobs_run *r, struct conv *v, struct blob_job *j)
{
	enum grow_state grow = j->grow ? grow_take(j) : GROW_DONE;
	/* a registry that refused a stream in this run: the whole file, once written */
	int refused = grow == GROW_OPEN && strlist_has(&r->no_patch, j->dst->registry);

	v->job = j;
	v->restarts = 0;
	v->wake = 0;
	v->no_stream = j->desc.size < 0;
	v->no_grow = grow != GROW_OPEN || refused;	/* complete already: as any other */
	v->grow_put = 0;
	strbuf_reset(&v->location);
	v->mount = j->src && !j->local_path && !strcmp(j->src->registry, j->dst->registry) &&
		!registry_same_repo(j->src, j->dst);
	v->prog.c = r->c;
	v->prog.job = j;
	v->prog.start = registry_now();
	snprintf(j->stat.digest, sizeof(j->stat.digest), "%s", j->desc.digest);
	j->stat.size = j->desc.size;
	if (grow == GROW_ABANDONED) {
		v->state = CONV_DONE;
		return 0;
	}
	if (refused) {
		v->state = CONV_WAIT;
		return conv_grow_wait(r, v);
	}
	return conv_enter(r, v, grow == GROW_OPEN ? CONV_START : CONV_CHECK);
}

/* When v's blob is over (rc, or DONE): record and report it, free the slot. */
static void conv_settle(struct jobs_run *r, struct conv *v, int rc)
{
	struct blob_job *j = v->job;

	if (!rc && v->state != CONV_DONE)
		return;
	j->rc = rc;
	j->done = 1;
	j->stat.seconds = registry_now() - v->prog.start;
	r->settled = 1;
	if (rc && !r->failed)
		r->failed = rc;
	else if (!rc && j->stat.digest[0])	/* not an abandoned growing blob */
		report_blob(r->c, j);
	conv_stop_requests(v);
	digest_release(&v->sink.d);
	digest_release(&v->pipe.d);
	if (v->fp)
		fclose(v->fp);
	v->fp = NULL;
	v->job = NULL;
	if (r->feed->done)
		r->feed->done(r->feed->data, j);
}

static void jobs_run_release(struct jobs_run *r)
{
	for (size_t i = 0; r->slots && i < r->nr_slots; i++) {
		struct conv *v = &r->slots[i];

		http_transfer_free(v->t);
		http_transfer_free(v->t2);
		registry_call_release(&v->k);
		registry_call_release(&v->k2);
		digest_release(&v->sink.d);
		digest_release(&v->pipe.d);
		free(v->pipe.buf);
		strbuf_release(&v->url2);
		http_response_release(&v->res2);
		if (v->fp)
			fclose(v->fp);
		strbuf_release(&v->url);
		strbuf_release(&v->from_scope);
		strbuf_release(&v->location);
		http_response_release(&v->res);
	}
	free(r->slots);
	strlist_release(&r->no_patch);
	/* r->multi is the client's: its connections serve the next call */
}

/* Milliseconds to wait for transfers: until the next retry is due, at most 1 s. */
static long jobs_run_timeout(const struct jobs_run *r)
{
	double now = registry_now(), wait = 1.0;

	for (size_t i = 0; i < r->nr_slots; i++) {
		const struct conv *v = &r->slots[i];

		if (v->job && !v->running && v->wake > 0 && v->wake - now < wait)
			wait = v->wake - now;
	}
	return wait > 0 ? (long)(wait * 1000) + 1 : 0;
}

static size_t jobs_active(const struct jobs_run *r)
{
	size_t active = 0;

	for (size_t i = 0; i < r->nr_slots; i++)
		active += r->slots[i].job != NULL;
	return active;
}

/*
 * Run the feed's jobs, opts.jobs at a time, each as soon as a slot is
 * free; after a failure no new job starts and those under way finish.
 * 0, or the first failed job's rc (or the multi's failure).
 */
static int jobs_loop(struct registry_client *c, const struct job_feed *feed)
{
	struct jobs_run r;
	int more = 1, ret = 0;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.feed = feed;
	if (!c->multi)
		c->multi = http_multi_new();
	r.multi = c->multi;
	if (!r.multi)
		return -1;
	r.nr_slots = (size_t)c->opts.jobs;
	r.slots = xcalloc(r.nr_slots, sizeof(*r.slots));
	for (size_t i = 0; i < r.nr_slots; i++) {
		struct conv *v = &r.slots[i];
		struct http_response init = HTTP_RESPONSE_INIT;

		strbuf_init(&v->url, 0);
		strbuf_init(&v->url2, 0);
		strbuf_init(&v->from_scope, 0);
		strbuf_init(&v->location, 0);
		strbuf_init(&v->k.authz, 0);
		strbuf_init(&v->k2.authz, 0);
		v->res = init;
		v->res2 = init;
		v->t = http_transfer_new(v);
		v->t2 = http_transfer_new(v);
	}
	for (;;) {
		/*
		 * The first blob alone: it meets a refusal (credentials,
		 * permission) before the others could all report the same one.
		 */
		size_t limit = r.settled ? r.nr_slots : 1, active = jobs_active(&r);
		struct http_transfer *t;
		double now;
		int rc;

		for (size_t i = 0; i < r.nr_slots && active < limit && more && !r.failed; i++) {
			struct conv *v = &r.slots[i];
			struct blob_job *j;

			if (v->job)
				continue;
			if (!(j = feed->next(feed->data, &more)))
				break;
			active++;
			conv_settle(&r, v, conv_begin(&r, v, j));
		}
		if (!jobs_active(&r) && (!more || r.failed))
			break;
		if ((ret = http_multi_wait(r.multi, jobs_run_timeout(&r))))
			goto out;
		while ((t = http_multi_next_done(r.multi, &rc))) {
			struct conv *v = http_transfer_data(t);

			conv_settle(&r, v, v->state == CONV_STREAM ? conv_stream_answer(&r, v, t, rc) :
				    v->state == CONV_PATCH ? conv_patch_answer(&r, v, rc) :
				    conv_answer(&r, v, rc));
		}
		for (size_t i = 0; i < r.nr_slots; i++) {
			struct conv *v = &r.slots[i];

			conv_stream_kick(v);
			conv_grow_kick(v);
			if (v->job && v->state == CONV_WAIT)
				conv_settle(&r, v, conv_grow_wait(&r, v));
		}
		now = registry_now();
		for (size_t i = 0; i < r.nr_slots; i++) {
			struct conv *v = &r.slots[i];

			if (!v->job || v->running || !v->wake || v->wake > now)
				continue;
			registry_call_rewind(&v->k);
			conv_settle(&r, v, conv_launch(&r, v));
		}
	}
	ret = r.failed;
out:
	jobs_run_release(&r);
	return ret;
}

struct job_array {
	struct blob_job *jobs;
	size_t nr, next;
};

static struct blob_job *job_array_next(void *data, int *more)
{
	struct job_array *a = data;
	struct blob_job *j = a->next < a->nr ? &a->jobs[a->next++] : NULL;

	*more = a->next < a->nr;
	return j;
}

/*
 * Run every job, opts.jobs at a time; after a failure no new job starts
 * and those under way finish.  The return code of the first failed job
 * (in the array's order).
 */
int registry_run_jobs(struct registry_client *c, struct blob_job *jobs, size_t nr)
{
	struct job_array a = { jobs, nr, 0 };
	struct job_feed feed = { job_array_next, NULL, &a };
	int ret;

	if (!nr)
		return 0;
	ret = jobs_loop(c, &feed);
	for (size_t i = 0; i < nr; i++)
		if (jobs[i].done && jobs[i].rc)
			return jobs[i].rc;
	return ret;
}


/* ---- prepush: blobs sent while the build goes on ---------------------------- */

/*
 * A thread with a client of its own (nothing of the build's client, nor
 * its curl handles, is shared) takes finished layer files from a queue
 * and runs the blob jobs for them (every distinct repository of dsts)
 * as a push would, each as soon as it is queued and one of the client's
 * opts.jobs slots is free: a small layer queued behind a large one goes
 * up beside it, not after it.  The thread waits in its curl multi, both
 * for the transfers and for the queue: prepush_queue() wakes it
 * (http_multi_wakeup()).  Each file is held open by an fd from the
 * moment it is queued and read through /proc/self/fd, so a layout
 * renamed into place meanwhile (ocilayout_stage_commit) does not
 * matter.  The queue holds names and fds, never bytes: memory is the
 * uploads'.  The first failure stops the thread (those under way end);
 * registry_prepush_add() then refuses (so the build stops), and
 * registry_prepush_finish() returns that error; stopping
 * (registry_prepush_free()) drops what is queued.  Nothing here writes
 * a manifest or a tag.
 */
struct prepush_item {
	struct oci_descriptor desc;	/* media_type owned */
	int fd;			/* the blob file, or -1: src names where it is */
	struct reference *src;	/* registry_prepush_add_remote()'s, owned, or NULL */
	struct registry_growing *grow;	/* registry_prepush_stream()'s (p's), or NULL */
	size_t pending;		/* its jobs not yet settled (the thread's) */
};

/* One blob to one repository: an item's job (the thread's, freed when it settles). */
struct prepush_job {
	struct blob_job job;	/* first: the loop's pointer is this one's */
	struct prepush_item *item;
};

struct registry_prepush {
	struct registry_options opts;
	struct registry_client *share;	/* whose tokens the thread's client takes, or NULL (borrowed) */
	const struct reference *dsts;	/* borrowed */
	size_t nr_dsts;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	struct http_multi *multi;	/* the thread's, to wake it; NULL before and after */
	struct prepush_item *q;	/* queue: q[head..nr) */
	size_t head, nr, alloc;
	int closed, stop;
	int failed;		/* the first error's code (negative), 0 */
	char *msg;		/* its message */
	struct blob_stat *sent;	/* what was sent, in order */
	size_t nr_sent, alloc_sent;
	struct registry_growing **growths;	/* registry_prepush_stream()'s, owned */
	size_t nr_growths, alloc_growths;
	/* the thread's: the jobs of the item taken last, not yet started */
	struct prepush_job **ready;
	size_t nr_ready, next_ready;
};

static void prepush_item_release(struct prepush_item *it)
{
	if (it->fd >= 0)
		close(it->fd);
	free(it->desc.media_type);
	if (it->src) {
		reference_release(it->src);
		free(it->src);
	}
}

static void grow_lock(struct registry_growing *g)
{
	pthread_mutex_lock(&g->p->lock);
}

static void grow_unlock(struct registry_growing *g)
{
	pthread_mutex_unlock(&g->p->lock);
}

/* Wake the thread (p->lock held): the queue or its end changed. */
static void prepush_wake(struct registry_prepush *p)
{
	if (p->multi)
		http_multi_wakeup(p->multi);
}

/* The jobs of item it, one a distinct repository of dsts, into p->ready. */
static void prepush_expand(struct registry_prepush *p, struct prepush_item *it)
{
	p->nr_ready = p->next_ready = 0;
	for (size_t d = 0; d < p->nr_dsts; d++) {
		struct prepush_job *pj;
		int dup = 0;

		for (size_t e = 0; e < d; e++)
			dup |= registry_same_repo(&p->dsts[e], &p->dsts[d]);
		if (dup)
			continue;
		pj = xcalloc(1, sizeof(*pj));
		pj->item = it;
		pj->job.desc = it->desc;
		pj->job.dst = &p->dsts[d];
		/* a remote blob: mounted when on the same registry, else streamed from there */
		if (it->fd >= 0) {
			struct strbuf path = STRBUF_INIT;

			strbuf_addf(&path, "/proc/self/fd/%d", it->fd);
			pj->job.local_path = strbuf_detach(&path, NULL);
		}
		pj->job.src = it->src;
		pj->job.grow = it->grow;
		it->pending++;
		p->ready[p->nr_ready++] = pj;
	}
}

static void prepush_job_free(struct prepush_job *pj)
{
	struct prepush_item *it = pj->item;

	free(pj->job.local_path);
	free(pj);
	if (!--it->pending) {
		prepush_item_release(it);
		free(it);
	}
}

/* job_feed.next: a job of the item taken last, else of the queue's next item */
static struct blob_job *prepush_next(void *data, int *more)
{
	struct registry_prepush *p = data;
	struct prepush_item *it;

	if (p->next_ready < p->nr_ready) {
		*more = 1;
		return &p->ready[p->next_ready++]->job;
	}
	pthread_mutex_lock(&p->lock);
	if (p->stop || p->head == p->nr) {
		*more = !p->stop && !p->closed;
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	it = xmalloc(sizeof(*it));
	*it = p->q[p->head++];
	pthread_mutex_unlock(&p->lock);
	it->pending = 0;
	prepush_expand(p, it);
	*more = 1;
	return &p->ready[p->next_ready++]->job;
}

/* Keep rc (negative) and this thread's last message as the thread's failure, unless one is kept (p->lock held). */
static void prepush_fail(struct registry_prepush *p, int rc)
{
	if (p->failed)
		return;
	p->failed = rc;
	p->msg = xstrdup(*error_last() ? error_last() : "a layer upload failed");
}

/* job_feed.done: record what was sent, or the first failure */
static void prepush_done(void *data, struct blob_job *j)
{
	struct registry_prepush *p = data;

	pthread_mutex_lock(&p->lock);
	if (!j->rc && j->stat.digest[0]) {	/* not an abandoned growing blob */
		ALLOC_GROW(p->sent, p->nr_sent + 1, p->alloc_sent);
		p->sent[p->nr_sent++] = j->stat;
	} else if (j->rc) {
		prepush_fail(p, j->rc);
	}
	pthread_mutex_unlock(&p->lock);
	prepush_job_free((struct prepush_job *)j);
}

static void *prepush_main(void *arg)
{
	struct registry_prepush *p = arg;
	struct registry_client *c = registry_client_new(&p->opts);
	struct job_feed feed = { prepush_next, prepush_done, p };
	int ret;

	if (p->share)
		registry_client_share_tokens(c, p->share);
	p->ready = xcalloc(p->nr_dsts + 1, sizeof(*p->ready));
	c->multi = http_multi_new();
	if (c->multi) {
		pthread_mutex_lock(&p->lock);
		p->multi = c->multi;
		pthread_mutex_unlock(&p->lock);
		ret = jobs_loop(c, &feed);
	} else {
		ret = -1;
	}
	pthread_mutex_lock(&p->lock);
	p->multi = NULL;
	if (ret)
		prepush_fail(p, ret);
	pthread_mutex_unlock(&p->lock);
	/* the jobs of an item taken but not started (after a failure) */
	while (p->next_ready < p->nr_ready)
		prepush_job_free(p->ready[p->next_ready++]);
	free(p->ready);
	registry_client_free(c);
	return NULL;
}

int registry_prepush_start(const struct registry_options *opts, struct registry_client *share,
			   const struct reference *dsts, size_t nr_dsts, struct registry_prepush **out)
{
	struct registry_prepush *p;

	if (http_init() < 0)	/* libcurl's global state, before a second thread */
		return -1;
	p = xcalloc(1, sizeof(*p));
	p->opts = *opts;
	p->share = share;
	p->dsts = dsts;
	p->nr_dsts = nr_dsts;
	pthread_mutex_init(&p->lock, NULL);
	if (pthread_create(&p->thread, NULL, prepush_main, p)) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return error("cannot start the upload thread: %s", strerror(errno));
	}
	p->started = 1;
	*out = p;
	return 0;
}

/*
 * The thread's first error, or 0: the thread printed it (and is done), so
 * it is recorded again in the caller's thread, not printed twice.
 */
static int prepush_error(struct registry_prepush *p)
{
	int failed, ret;

	pthread_mutex_lock(&p->lock);
	failed = p->failed;
	pthread_mutex_unlock(&p->lock);
	if (!failed)
		return 0;
	error_set_quiet(1);
	ret = error_as(-failed, "%s", p->msg);
	error_set_quiet(0);
	return ret;
}

/* End the thread: *flag (p->closed: when the queue is done; p->stop: after the blob in flight) set. */
static void prepush_join(struct registry_prepush *p, int *flag)
{
	if (!p->started)
		return;
	pthread_mutex_lock(&p->lock);
	*flag = 1;
	prepush_wake(p);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->started = 0;
}

/*
 * Queue a blob: the file at path, or (path NULL) the blob in the
 * repository named by source; with grow, the file still being written
 * (digest "", size -1).
 */
static int prepush_queue(struct registry_prepush *p, const char *media_type, const char *digest,
			 long long size, const char *path, const char *source, struct registry_growing *grow)
{
	struct prepush_item it;
	int ret, queued = 0;

	if ((ret = prepush_error(p)) < 0)
		return ret;
	/* a blob queued already (a layer two platforms share, one streamed): once */
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nr && !queued && *digest; i++)
		queued = !strcmp(p->q[i].desc.digest, digest);
	for (size_t i = 0; i < p->nr_growths && !queued && *digest; i++)
		queued = p->growths[i]->state == GROW_DONE && !strcmp(p->growths[i]->digest, digest);
	pthread_mutex_unlock(&p->lock);
	if (queued)
		return 0;
	memset(&it, 0, sizeof(it));
	it.fd = -1;
	it.grow = grow;
	if (path) {
		it.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (it.fd < 0)
			return error_as(EXIT_CONTEXT, "cannot open blob '%s': %s", path, strerror(errno));
		if (grow)
			grow->fd = it.fd;	/* the item's: its jobs keep it open */
	} else {
		it.src = xcalloc(1, sizeof(*it.src));
		if ((ret = reference_parse(source, it.src)) < 0) {
			free(it.src);
			return ret;
		}
	}
	it.desc.media_type = xstrdup(media_type);
	snprintf(it.desc.digest, sizeof(it.desc.digest), "%s", digest);
	it.desc.size = size;
	pthread_mutex_lock(&p->lock);
	ALLOC_GROW(p->q, p->nr + 1, p->alloc);
	p->q[p->nr++] = it;
	prepush_wake(p);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int registry_prepush_add(struct registry_prepush *p, const char *media_type, const char *digest,
			 long long size, const char *path)
{
	return prepush_queue(p, media_type, digest, size, path, NULL, NULL);
}

int registry_prepush_add_remote(struct registry_prepush *p, const char *media_type, const char *digest,
				long long size, const char *source)
{
	return prepush_queue(p, media_type, digest, size, NULL, source, NULL);
}

int registry_prepush_stream(struct registry_prepush *p, const char *media_type, const char *path,
			    struct registry_growing **out)
{
	struct registry_growing *g = xcalloc(1, sizeof(*g));
	int ret;

	g->p = p;
	g->fd = -1;
	g->size = -1;
	pthread_mutex_lock(&p->lock);
	ALLOC_GROW(p->growths, p->nr_growths + 1, p->alloc_growths);
	p->growths[p->nr_growths++] = g;
	pthread_mutex_unlock(&p->lock);
	if ((ret = prepush_queue(p, media_type, "", -1, path, NULL, g)) < 0)
		return ret;
	*out = g;
	return 0;
}

void registry_prepush_grow(struct registry_growing *g, unsigned long long bytes)
{
	pthread_mutex_lock(&g->p->lock);
	g->committed = bytes;
	if (g->waiting) {
		g->waiting = 0;
		prepush_wake(g->p);
	}
	pthread_mutex_unlock(&g->p->lock);
}

void registry_prepush_end(struct registry_growing *g, const char *digest, long long size)
{
	pthread_mutex_lock(&g->p->lock);
	if (digest) {
		snprintf(g->digest, sizeof(g->digest), "%s", digest);
		g->size = size;
		g->state = GROW_DONE;
	} else {
		g->state = GROW_ABANDONED;
	}
	prepush_wake(g->p);
	pthread_mutex_unlock(&g->p->lock);
}

int registry_prepush_finish(struct registry_prepush *p)
{
	prepush_join(p, &p->closed);
	return prepush_error(p);
}

void registry_prepush_free(struct registry_prepush *p)
{
	if (!p)
		return;
	/* a blob still open (its writer gone) is abandoned: its PATCH must not wait for it */
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nr_growths; i++)
		if (p->growths[i]->state == GROW_OPEN)
			p->growths[i]->state = GROW_ABANDONED;
	pthread_mutex_unlock(&p->lock);
	prepush_join(p, &p->stop);
	for (size_t i = p->head; i < p->nr; i++)
		prepush_item_release(&p->q[i]);
	free(p->q);
	free(p->msg);
	free(p->sent);
	for (size_t i = 0; i < p->nr_growths; i++)
		free(p->growths[i]);
	free(p->growths);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const struct blob_stat *registry_prepush_sent(const struct registry_prepush *p, size_t *nr)
{
	*nr = p ? p->nr_sent : 0;
	return p ? p->sent : NULL;
}
