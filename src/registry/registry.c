/*
 * registry.c: see registry.h.
 *
 * Layers of this file, bottom up:
 *   call_*()       one registry request: auth (token per registry+scope,
 *                  refresh and replay once on 401), retries with backoff;
 *                  call_start/call_next/call_reauth are the policy, run
 *                  blocking by call_do() or by a blob conversation
 *   explain()      turns a final non-2xx answer into one clear error line
 *   manifests      GET with the Accept list, PUT exact bytes
 *   blobs          GET to a file (verified); uploads as conversations
 *                  (HEAD, POST/mount, PUT [fed by a GET from the source]),
 *                  each a small state machine, opts.jobs of them at once
 *                  in one curl multi (run_jobs)
 *   tags           all or none: what each names is recorded, then PUTs,
 *                  the moved ones put back when one fails (tags_move)
 *   plans          what a push or copy must send: blob jobs, then
 *                  manifests, then tags
 *
 * One thread: manifests and tokens go through blocking requests, blobs
 * through the multi loop; nothing is shared between threads, so nothing
 * is locked.  Errors are printed by whoever meets them; a job keeps only
 * its return code.
 */
#include "lib/common.h"
#include "registry/registry.h"
#include "registry/auth.h"
#include "registry/http.h"
#include "oci/ocilayout.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#define MANIFEST_CAP (4u << 20)
#define ACCEPT_MANIFESTS "Accept: " MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " \
	MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

struct host_state {
	char *registry;			/* as in references: "docker.io" */
	struct auth_challenge challenge;	/* the last one seen (scheme NONE: none yet) */
	struct credential cred;
	int cred_loaded;
};

struct registry_client {
	struct registry_options opts;
	struct credential explicit_cred;
	struct auth_cache *tokens;
	struct host_state *hosts;
	size_t nr_hosts, alloc_hosts;
	int tty;
	double last_progress;
};

/* ---- small helpers ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int is_insecure(struct registry_client *c, const char *registry)
{
	for (const char *const *p = c->opts.insecure_registries; p && *p; p++)
		if (!strcmp(*p, registry))
			return 1;
	return 0;
}

static void api_base(struct registry_client *c, const struct reference *r, struct strbuf *out)
{
	const char *host = reference_api_host(r);
	int http = is_insecure(c, r->registry);

	strbuf_addf(out, "%s://%s/v2/", http ? "http" : "https", host);
}

static int same_repo(const struct reference *a, const struct reference *b)
{
	return !strcmp(a->registry, b->registry) && !strcmp(a->repository, b->repository);
}

/* ---- client ----------------------------------------------------------------- */

struct registry_client *registry_client_new(const struct registry_options *opts)
{
	struct registry_client *c = xcalloc(1, sizeof(*c));

	if (opts)
		c->opts = *opts;
	memset(&c->opts.cred, 0, sizeof(c->opts.cred));
	if (opts && opts->cred.username)
		credential_copy(&opts->cred, &c->explicit_cred);
	if (c->opts.jobs <= 0)
		c->opts.jobs = 4;
	if (c->opts.max_tries <= 0)
		c->opts.max_tries = 6;
	if (c->opts.max_retry_seconds <= 0)
		c->opts.max_retry_seconds = 120;
	c->tokens = auth_cache_new();
	c->tty = isatty(2) && !c->opts.quiet;
	return c;
}

void registry_client_free(struct registry_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr_hosts; i++) {
		free(c->hosts[i].registry);
		auth_challenge_release(&c->hosts[i].challenge);
		credential_release(&c->hosts[i].cred);
	}
	free(c->hosts);
	credential_release(&c->explicit_cred);
	auth_cache_free(c->tokens);
	http_release();
	free(c);
}

/* The host state for registry (created on first use). */
static struct host_state *host_get(struct registry_client *c, const char *registry)
{
	for (size_t i = 0; i < c->nr_hosts; i++)
		if (!strcmp(c->hosts[i].registry, registry))
			return &c->hosts[i];
	ALLOC_GROW(c->hosts, c->nr_hosts + 1, c->alloc_hosts);
	memset(&c->hosts[c->nr_hosts], 0, sizeof(c->hosts[0]));
	c->hosts[c->nr_hosts].registry = xstrdup(registry);
	c->hosts[c->nr_hosts].cred.source = "anonymous";
	return &c->hosts[c->nr_hosts++];
}

/*
 * Explicit credentials (--username) go only to the registries they were
 * given for: a push's destinations, never the base image's registry.
 */
static int explicit_cred_applies(const struct registry_client *c, const char *registry)
{
	if (!c->opts.cred_registries)
		return 1;
	for (const char *const *p = c->opts.cred_registries; *p; p++)
		if (!strcmp(*p, registry))
			return 1;
	return 0;
}

/* Copy of the credentials for registry into out. */
static int host_credential(struct registry_client *c, const char *registry, struct credential *out)
{
	struct host_state *h;
	int ret = 0;

	h = host_get(c, registry);
	if (!h->cred_loaded) {
		ret = credentials_lookup(registry, explicit_cred_applies(c, registry) ? &c->explicit_cred : NULL,
					 &h->cred);
		if (!ret)
			h->cred_loaded = 1;
	}
	if (!ret)
		credential_copy(&h->cred, out);
	return ret;
}

/* ---- one request, with auth and retries ----------------------------------- */

struct call {
	const struct reference *ref;	/* registry (and repository, for messages) */
	const char *scopes[2];
	size_t nr_scopes;
	char scope_buf[512];		/* scopes[0] */
	struct http_request req;
	/* called before each retry of a request whose sink already got data */
	void (*rewind)(void *data);
	void *rewind_data;
	/* across the tries of the request (call_start to call_release) */
	struct strbuf authz;		/* the Authorization value (secret), empty: none */
	double start;
	int tries;
	int replayed;			/* after a 401, with a fresh token */
};

static void cache_key(const struct call *k, struct strbuf *out)
{
	strbuf_addf(out, "%s|", k->ref->registry);
	for (size_t i = 0; i < k->nr_scopes; i++)
		strbuf_addf(out, "%s%s", i ? " " : "", k->scopes[i]);
}

/*
 * Get an Authorization value for k into out (empty: send none).  With
 * force, the cached token is dropped and a fresh one fetched.
 */
static int authorize(struct registry_client *c, struct call *k, int force, struct strbuf *out)
{
	struct strbuf key = STRBUF_INIT, token = STRBUF_INIT;
	struct auth_challenge ch = AUTH_CHALLENGE_INIT;
	struct credential cred = CREDENTIAL_INIT;
	struct host_state *h;
	long ttl = 60;
	int ret = 0;

	strbuf_reset(out);
	cache_key(k, &key);
	if (force)
		auth_cache_drop(c->tokens, key.buf);
	else if (!auth_cache_get(c->tokens, key.buf, out))
		goto out;
	h = host_get(c, k->ref->registry);
	if (h->challenge.scheme != AUTH_NONE) {
		ch.scheme = h->challenge.scheme;
		ch.realm = h->challenge.realm ? xstrdup(h->challenge.realm) : NULL;
		ch.service = h->challenge.service ? xstrdup(h->challenge.service) : NULL;
	}
	if (ch.scheme == AUTH_NONE)
		goto out;	/* no challenge yet: try without */
	if ((ret = host_credential(c, k->ref->registry, &cred)))
		goto out;
	if (ch.scheme == AUTH_BASIC) {
		if (cred.username)
			auth_basic_header(cred.username, cred.password ? cred.password : "", out);
		goto out;
	}
	ret = auth_fetch_token(&ch, k->scopes, k->nr_scopes, &cred,
			       is_insecure(c, k->ref->registry), c->opts.max_tries, &token, &ttl);
	if (ret)
		goto out;
	strbuf_addf(out, "Bearer %s", token.buf);
	auth_cache_put(c->tokens, key.buf, out->buf, ttl);
out:
	if (token.len)
		memset(token.buf, 0, token.len);
	strbuf_release(&token);
	strbuf_release(&key);
	auth_challenge_release(&ch);
	credential_release(&cred);
	return ret;
}

static void remember_challenge(struct registry_client *c, const char *registry,
			       const struct strbuf *headers)
{
	struct strbuf v = STRBUF_INIT;
	struct auth_challenge ch = AUTH_CHALLENGE_INIT;
	struct host_state *h;

	if (http_header_get(headers, "WWW-Authenticate", &v) < 0)
		goto out;
	if (auth_challenge_parse(v.buf, &ch) < 0)
		goto out;
	h = host_get(c, registry);
	auth_challenge_release(&h->challenge);
	h->challenge = ch;
	memset(&ch, 0, sizeof(ch));
out:
	auth_challenge_release(&ch);
	strbuf_release(&v);
}

static int retryable_status(long status)
{
	return status == 408 || status == 429 || status >= 500;
}

/*
 * A request's life, shared by the blocking call_do() and the blob
 * conversations in the multi (run_jobs): call_start() gets the
 * Authorization; after each try call_next() says what comes next: the
 * final answer (or failure), a retry after a wait, or a fresh token
 * (call_reauth()) and one replay.  call_release() wipes the token.
 */
enum call_next { CALL_DONE, CALL_RETRY, CALL_REAUTH };

static int call_start(struct registry_client *c, struct call *k)
{
	int ret;

	k->req.quiet = 1;
	k->start = now_s();
	k->tries = 0;
	k->replayed = 0;
	if ((ret = authorize(c, k, 0, &k->authz)))
		return ret;
	k->req.authorization = k->authz.len ? k->authz.buf : NULL;
	return 0;
}

static void call_release(struct call *k)
{
	if (k->authz.len)
		memset(k->authz.buf, 0, k->authz.len);
	strbuf_release(&k->authz);
	k->req.authorization = NULL;
}

/*
 * A try of k ended with rc (what http_request() returned) and res.
 * CALL_DONE: *ret is 0 when res is the final answer (any status), negative
 * when none came (error printed).  CALL_RETRY: try again after *wait
 * seconds (warning printed) and call_rewind().  CALL_REAUTH: a 401; see
 * call_reauth().
 */
static enum call_next call_next(struct registry_client *c, struct call *k, int rc,
				const struct http_response *res, double *wait, int *ret)
{
	double w;

	k->tries++;
	*ret = 0;
	if (!rc && res->status == 401 && !k->replayed) {
		remember_challenge(c, k->ref->registry, &res->headers);
		k->replayed = 1;
		return CALL_REAUTH;
	}
	if (rc < 0 && (rc != -EXIT_NETWORK || res->permanent)) {
		/*
		 * Cannot heal (a refused URL, a cap, a redirect loop, TLS
		 * verification, a sink's verdict): no retry.  Said now, or
		 * already when the HTTP layer or the sink printed it.
		 */
		*ret = res->error.len ? error_as(-rc, "%s", res->error.buf) : rc;
		return CALL_DONE;
	}
	if (!rc && !retryable_status(res->status))
		return CALL_DONE;
	w = 0.5;
	for (int i = 1; i < k->tries && w < 15; i++)
		w *= 2;
	if (w > 15)
		w = 15;
	w *= 1 + (double)rand() / RAND_MAX * 0.5;	/* jitter */
	if (!rc && http_retry_after(res) >= 0)
		w = http_retry_after(res) > 60 ? 60 : http_retry_after(res);
	if (k->tries >= c->opts.max_tries || now_s() - k->start + w > c->opts.max_retry_seconds) {
		if (rc)
			*ret = error_as(EXIT_NETWORK, "%s (gave up after %d tries)",
					res->error.len ? res->error.buf : "no answer", k->tries);
		return CALL_DONE;	/* with an answer: the caller explains the status */
	}
	if (rc)
		warning("%s; retrying in %.1f s (try %d of %d)", res->error.len ? res->error.buf : "no answer",
			w, k->tries + 1, c->opts.max_tries);
	else
		warning("'%s' answered HTTP %ld to %s; retrying in %.1f s (try %d of %d)",
			k->ref->registry, res->status, k->req.method ? k->req.method : "GET",
			w, k->tries + 1, c->opts.max_tries);
	*wait = w;
	return CALL_RETRY;
}

static void call_rewind(struct call *k)
{
	if (k->rewind)
		k->rewind(k->rewind_data);
}

/*
 * After CALL_REAUTH: a fresh token.  0: replay k with it; 1: there is none
 * to be had, the 401 in hand is the final answer; negative on error.
 */
static int call_reauth(struct registry_client *c, struct call *k)
{
	int ret;

	if ((ret = authorize(c, k, 1, &k->authz)))
		return ret;
	k->req.authorization = k->authz.len ? k->authz.buf : NULL;
	if (!k->authz.len)
		return 1;
	call_rewind(k);
	return 0;
}

/*
 * Perform k, blocking.  0 when a final answer came (any status, in res),
 * negative when none did after the retries.
 */
static int call_do(struct registry_client *c, struct call *k, struct http_response *res)
{
	double wait = 0;
	int ret;

	if ((ret = call_start(c, k)))
		goto out;
	for (;;) {
		int rc = http_request(&k->req, res);

		switch (call_next(c, k, rc, res, &wait, &ret)) {
		case CALL_DONE:
			goto out;
		case CALL_REAUTH:
			if ((ret = call_reauth(c, k))) {
				if (ret > 0)
					ret = 0;
				goto out;
			}
			break;
		case CALL_RETRY:
			sleep_s(wait);
			call_rewind(k);
			break;
		}
	}
out:
	call_release(k);
	return ret;
}

/* The first error code and message of a distribution error body ("" if none). */
static void error_body(const struct http_response *res, struct strbuf *code, struct strbuf *msg)
{
	json_t *root = json_loadb(res->body.buf, res->body.len, 0, NULL);
	json_t *e = json_array_get(json_object_get(root, "errors"), 0);	/* borrowed */

	if (json_is_string(json_object_get(e, "code")))
		strbuf_addstr(code, json_string_value(json_object_get(e, "code")));
	if (json_is_string(json_object_get(e, "message")))
		strbuf_add(msg, json_string_value(json_object_get(e, "message")),
			   strnlen(json_string_value(json_object_get(e, "message")), 200));
	json_decref(root);
}

/*
 * Turn a final non-2xx answer to "what" (e.g. "push to", "pull of") on ref
 * into one error line with the right exit code.
 */
static int explain(struct registry_client *c, const struct reference *ref, const char *what,
		   const char *method, const struct http_response *res)
{
	struct strbuf name = STRBUF_INIT, code = STRBUF_INIT, msg = STRBUF_INIT, detail = STRBUF_INIT;
	struct credential cred = CREDENTIAL_INIT;
	int ret;

	reference_format_name(ref, &name);
	error_body(res, &code, &msg);
	if (code.len)
		strbuf_addf(&detail, " (%s%s%s)", code.buf, msg.len ? ": " : "", msg.buf);
	host_credential(c, ref->registry, &cred);
	if (res->status == 401) {
		if (!cred.username)
			ret = error_as(EXIT_AUTH, "%s '%s' needs credentials: pass --username and --password-stdin%s, or docker login%s",
				       what, name.buf,
				       !strcmp(ref->registry, "ghcr.io") ? ", set GITHUB_TOKEN" : "",
				       detail.buf);
		else
			ret = error_as(EXIT_AUTH, "'%s' refused the credentials of '%s' (from %s) for %s '%s'%s",
				       ref->registry, cred.username, cred.source, what, name.buf, detail.buf);
	} else if (res->status == 403) {
		if (!strcmp(ref->registry, "ghcr.io"))
			ret = error_as(EXIT_AUTH, "permission denied for %s '%s'%s: the workflow needs 'permissions: packages: write', and an existing package must let this repository write (package settings, Manage Actions access)",
				       what, name.buf, detail.buf);
		else
			ret = error_as(EXIT_AUTH, "permission denied for %s '%s'%s: the credentials of '%s' (from %s) do not allow it",
				       what, name.buf, detail.buf, cred.username ? cred.username : "anonymous",
				       cred.source);
	} else if (res->status == 404) {
		ret = error_as(EXIT_NOT_FOUND, "%s '%s' failed: not found%s%s", what, name.buf, detail.buf,
			       !strcmp(ref->registry, "ghcr.io") ?
			       " (on ghcr.io a private package looks missing without read access)" : "");
	} else if (retryable_status(res->status)) {
		ret = error_as(EXIT_NETWORK, "%s '%s' failed: '%s' answered HTTP %ld to %s%s, retries exhausted",
			       what, name.buf, ref->registry, res->status, method, detail.buf);
	} else {
		ret = error_as(EXIT_REGISTRY, "%s '%s' failed: '%s' answered HTTP %ld to %s%s",
			       what, name.buf, ref->registry, res->status, method, detail.buf);
	}
	credential_release(&cred);
	strbuf_release(&name);
	strbuf_release(&code);
	strbuf_release(&msg);
	strbuf_release(&detail);
	return ret;
}

static void call_init(struct call *k, const struct reference *ref, const char *method,
		      const char *url, int push)
{
	memset(k, 0, sizeof(*k));
	strbuf_init(&k->authz, 0);
	k->ref = ref;
	snprintf(k->scope_buf, sizeof(k->scope_buf), "repository:%s:%s", ref->repository,
		 push ? "pull,push" : "pull");
	k->scopes[0] = k->scope_buf;
	k->nr_scopes = 1;
	k->req.method = method;
	k->req.url = url;
	k->req.follow = !strcmp(method, "GET") || !strcmp(method, "HEAD");
}

/* ---- manifests -------------------------------------------------------------- */

void registry_manifest_release(struct registry_manifest *m)
{
	if (!m)
		return;
	strbuf_release(&m->bytes);
	free(m->media_type);
	m->media_type = NULL;
	m->digest[0] = '\0';
}

static int get_manifest_by(struct registry_client *c, const struct reference *ref,
			   const char *what_ref, struct registry_manifest *out)
{
	struct strbuf url = STRBUF_INIT, name = STRBUF_INIT, ct = STRBUF_INIT, dcd = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct registry_manifest m = REGISTRY_MANIFEST_INIT;
	const char *headers[] = { ACCEPT_MANIFESTS, NULL };
	struct call k;
	int ret;

	api_base(c, ref, &url);
	strbuf_addf(&url, "%s/manifests/%s", ref->repository, what_ref);
	call_init(&k, ref, "GET", url.buf, 0);
	k.req.headers = headers;
	k.req.cap = MANIFEST_CAP;
	reference_format_name(ref, &name);
	strbuf_addf(&name, "%s%s", strncmp(what_ref, "sha256:", 7) ? ":" : "@", what_ref);
	if ((ret = call_do(c, &k, &res)))
		goto out;
	if (res.status != 200) {
		if (res.status == 404) {
			ret = error_as(EXIT_NOT_FOUND, "image '%s' not found", name.buf);
			goto out;
		}
		ret = explain(c, ref, "pull of", "GET manifest", &res);
		goto out;
	}
	strbuf_addbuf(&m.bytes, &res.body);
	digest_buffer(m.bytes.buf, m.bytes.len, m.digest);
	if (!strncmp(what_ref, "sha256:", 7) && strcmp(what_ref, m.digest)) {
		ret = error_as(EXIT_REGISTRY, "manifest of '%s' has digest %s, not the one asked for",
			       name.buf, m.digest);
		goto out;
	}
	if (!http_header_get(&res.headers, "Docker-Content-Digest", &dcd) &&
	    !strncmp(dcd.buf, "sha256:", 7) && strcmp(dcd.buf, m.digest)) {
		ret = error_as(EXIT_REGISTRY, "manifest of '%s': the registry says %s but the bytes hash to %s",
			       name.buf, dcd.buf, m.digest);
		goto out;
	}
	m.media_type = oci_media_type(m.bytes.buf, m.bytes.len);
	if (!m.media_type && !http_header_get(&res.headers, "Content-Type", &ct)) {
		char *semi = strchr(ct.buf, ';');

		if (semi)
			strbuf_setlen(&ct, (size_t)(semi - ct.buf));
		m.media_type = xstrdup(ct.buf);
	}
	if (!m.media_type) {
		ret = error_as(EXIT_REGISTRY, "manifest of '%s' has no media type", name.buf);
		goto out;
	}
	if (!strcmp(m.media_type, MT_DOCKER_SCHEMA1_SIGNED) || !strcmp(m.media_type, MT_DOCKER_SCHEMA1)) {
		ret = error_as(EXIT_REGISTRY, "'%s' is a Docker schema 1 image, which is not supported", name.buf);
		goto out;
	}
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	registry_manifest_release(&m);
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&name);
	strbuf_release(&ct);
	strbuf_release(&dcd);
	return ret;
}

int registry_get_manifest(struct registry_client *c, const struct reference *ref,
			  struct registry_manifest *out)
{
	return get_manifest_by(c, ref, reference_manifest_ref(ref), out);
}

/* ---- blobs: download ------------------------------------------------------ */

/*
 * Where a downloaded blob goes: a file (fp) or memory (mem), hashed on the
 * way, and never past the size its descriptor gives (limit, -1: unknown):
 * byte limit+1 is refused, not stored, and ends the download.
 */
struct file_sink {
	FILE *fp;
	struct strbuf *mem;		/* instead of fp: a config, in memory */
	struct digest d;
	long long limit;
	const struct reference *ref;	/* for the message */
	const char *digest;
};

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
static int get_blob_call(struct registry_client *c, const struct reference *ref, const char *digest,
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
	api_base(c, ref, url);
	strbuf_addf(url, "%s/blobs/%s", ref->repository, digest);
	call_init(k, ref, "GET", url->buf, 0);
	k->req.sink = file_sink_write;
	k->req.sink_data = sink;
	k->rewind = file_sink_rewind;
	k->rewind_data = sink;
	return 0;
}

/* Judge the final answer to that GET: status, size, digest.  Ends sink's digest. */
static int get_blob_result(struct registry_client *c, const struct reference *ref, const char *digest,
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
			ret = explain(c, ref, "download from", "GET blob", res);
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

	if ((ret = get_blob_call(c, ref, digest, size, &sink, fp, mem, &url, &k)))
		goto out;
	if ((ret = call_do(c, &k, &res))) {
		digest_release(&sink.d);
		goto out;
	}
	ret = get_blob_result(c, ref, digest, size, &sink, &res);
out:
	http_response_release(&res);
	strbuf_release(&url);
	return ret;
}

int registry_get_blob(struct registry_client *c, const struct reference *ref,
		      const char *digest, long long size, FILE *fp)
{
	return get_blob_to(c, ref, digest, size, fp, NULL);
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
		if ((ret = get_manifest_by(c, ref, idx.manifests[pick].digest, &img.manifest)))
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

/* ---- blobs: upload, several at once ----------------------------------------- */

/*
 * Each blob job is one conversation with its destination registry, a
 * small state machine with at most one request in flight; run_jobs()
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

struct blob_job {
	struct oci_descriptor desc;		/* media_type borrowed */
	const struct reference *dst;
	char *local_path;		/* owned: in the layout, or NULL */
	const struct reference *src;	/* remote source repository, or NULL */
	struct blob_stat stat;
	int rc;
	int done;
};

struct progress {
	struct registry_client *c;
	struct blob_job *job;
	double start;
};

static void on_progress(void *data, long long now)
{
	struct progress *p = data;
	struct registry_client *c = p->c;
	double t = now_s();

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
		return explain(c, j->dst, "push to", "POST blob upload", res);
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
	error_body(res, &code, &msg);
	if (res->status == 404 && (!strcmp(code.buf, "BLOB_UPLOAD_UNKNOWN") || !code.len)) {
		ret = UPLOAD_UNKNOWN;
		goto out;
	}
	if (res->status == 400 && !strcmp(code.buf, "DIGEST_INVALID")) {
		ret = error_as(EXIT_REGISTRY, "'%s' refused blob %s: its content does not match the digest",
			       j->dst->registry, j->desc.digest);
		goto out;
	}
	ret = explain(c, j->dst, "push to", "PUT blob", res);
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
	const char *dir = getenv("TMPDIR");
	struct strbuf path = STRBUF_INIT;
	FILE *fp;
	int fd, ret = 0;

	if (!dir || !*dir)
		dir = "/tmp";
	strbuf_addf(&path, "%s/publish-blob.XXXXXX", dir);
	fd = mkstemp(path.buf);
	if (fd < 0) {
		ret = error("cannot create a temporary file in '%s': %s", dir, strerror(errno));
		goto out;
	}
	unlink(path.buf);
	fp = fdopen(fd, "w+b");
	if (!fp) {
		close(fd);
		ret = error("cannot open a temporary file: %s", strerror(errno));
		goto out;
	}
	*out = fp;
out:
	strbuf_release(&path);
	return ret;
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

enum conv_state { CONV_CHECK, CONV_FETCH, CONV_START, CONV_STREAM, CONV_UPLOAD, CONV_DONE };

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
	int mount;			/* a mount is still to be tried */
	int restarts;			/* of the upload, after BLOB_UPLOAD_UNKNOWN */
	struct progress prog;
};

struct jobs_run {
	struct registry_client *c;
	struct http_multi *multi;	/* owned */
	struct conv *slots;		/* owned, nr_slots (opts.jobs) */
	size_t nr_slots;
	int failed;			/* a blob failed: start no more */
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

/* Cancel what v has under way (the request and a stream's GET) and drop both calls. */
static void conv_stop_requests(struct conv *v)
{
	if (v->running)
		http_transfer_cancel(v->t);
	if (v->running2)
		http_transfer_cancel(v->t2);
	v->running = v->running2 = 0;
	call_release(&v->k);
	call_release(&v->k2);
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
	api_base(c, j->src, &v->url2);
	strbuf_addf(&v->url2, "%s/blobs/%s", j->src->repository, j->desc.digest);
	call_init(&v->k2, j->src, "GET", v->url2.buf, 0);
	v->k2.req.sink = pipe_write;
	v->k2.req.sink_data = p;
	if ((ret = call_start(c, &v->k2)))
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

			if (call_next(r->c, &v->k2, rc, &v->res2, &wait, &ret) == CALL_REAUTH) {
				if ((ret = call_reauth(r->c, &v->k2)) < 0)
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
	call_release(&v->k2);
	call_release(&v->k);
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
		api_base(c, j->dst, &v->url);
		strbuf_addf(&v->url, "%s/blobs/%s", j->dst->repository, j->desc.digest);
		call_init(&v->k, j->dst, "HEAD", v->url.buf, 1);
		break;
	case CONV_FETCH:
		if ((ret = spool_open(&v->fp)))
			return ret;
		if ((ret = get_blob_call(c, j->src, j->desc.digest, j->desc.size, &v->sink, v->fp, NULL,
					 &v->url, &v->k)))
			return ret;
		break;
	case CONV_START:
		strbuf_reset(&v->location);
		api_base(c, j->dst, &v->url);
		strbuf_addf(&v->url, "%s/blobs/uploads/", j->dst->repository);
		if (v->mount) {
			strbuf_addf(&v->url, "?mount=%s&from=", j->desc.digest);
			http_escape(j->src->repository, &v->url);
		}
		call_init(&v->k, j->dst, "POST", v->url.buf, 1);
		if (v->mount) {
			strbuf_reset(&v->from_scope);
			strbuf_addf(&v->from_scope, "repository:%s:pull", j->src->repository);
			v->k.scopes[1] = v->from_scope.buf;
			v->k.nr_scopes = 2;
		}
		break;
	case CONV_STREAM:
	case CONV_UPLOAD:
		strbuf_addf(&v->url, "%s%cdigest=", v->location.buf,
			    strchr(v->location.buf, '?') ? '&' : '?');
		http_escape(j->desc.digest, &v->url);
		call_init(&v->k, j->dst, "PUT", v->url.buf, 1);
		v->k.req.headers = octet_stream;
		if (state == CONV_STREAM) {
			v->k.req.body_read = pipe_read;
			v->k.req.body_read_data = &v->pipe;
			v->k.req.body_read_size = j->desc.size;
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
	if ((ret = call_start(c, &v->k)))
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
			return explain(c, j->dst, "push to", "HEAD blob", &v->res);
		return v->mount ? conv_enter(r, v, CONV_START) : conv_need_body(r, v);
	case CONV_FETCH:
		if ((ret = get_blob_result(c, j->src, j->desc.digest, j->desc.size, &v->sink, &v->res)))
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
		return conv_enter(r, v, CONV_START);
	case CONV_STREAM:	/* conv_stream_answer() */
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
	switch (call_next(r->c, &v->k, rc, &v->res, &wait, &ret)) {
	case CALL_RETRY:
		v->wake = now_s() + wait;
		return 0;
	case CALL_REAUTH:
		if ((ret = call_reauth(r->c, &v->k)) < 0)
			return ret;
		if (!ret)
			return conv_launch(r, v);
		ret = 0;	/* no token to be had: the 401 is the answer */
		break;
	case CALL_DONE:
		break;
	}
	call_release(&v->k);
	if (ret)
		return ret;
	return conv_step(r, v);
}

/* Take job j into the free slot v and start it. */
static int conv_begin(struct jobs_run *r, struct conv *v, struct blob_job *j)
{
	v->job = j;
	v->restarts = 0;
	v->wake = 0;
	v->no_stream = j->desc.size < 0;
	strbuf_reset(&v->location);
	v->mount = j->src && !j->local_path && !strcmp(j->src->registry, j->dst->registry) &&
		!same_repo(j->src, j->dst);
	v->prog.c = r->c;
	v->prog.job = j;
	v->prog.start = now_s();
	snprintf(j->stat.digest, sizeof(j->stat.digest), "%s", j->desc.digest);
	j->stat.size = j->desc.size;
	return conv_enter(r, v, CONV_CHECK);
}

/* When v's blob is over (rc, or DONE): record and report it, free the slot. */
static void conv_settle(struct jobs_run *r, struct conv *v, int rc)
{
	struct blob_job *j = v->job;

	if (!rc && v->state != CONV_DONE)
		return;
	j->rc = rc;
	j->done = 1;
	j->stat.seconds = now_s() - v->prog.start;
	if (rc)
		r->failed = 1;
	else
		report_blob(r->c, j);
	conv_stop_requests(v);
	digest_release(&v->sink.d);
	digest_release(&v->pipe.d);
	if (v->fp)
		fclose(v->fp);
	v->fp = NULL;
	v->job = NULL;
}

static void jobs_run_release(struct jobs_run *r)
{
	for (size_t i = 0; r->slots && i < r->nr_slots; i++) {
		struct conv *v = &r->slots[i];

		http_transfer_free(v->t);
		http_transfer_free(v->t2);
		call_release(&v->k);
		call_release(&v->k2);
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
	http_multi_free(r->multi);
}

/* Milliseconds to wait for transfers: until the next retry is due, at most 1 s. */
static long jobs_run_timeout(const struct jobs_run *r)
{
	double now = now_s(), wait = 1.0;

	for (size_t i = 0; i < r->nr_slots; i++) {
		const struct conv *v = &r->slots[i];

		if (v->job && !v->running && v->wake > 0 && v->wake - now < wait)
			wait = v->wake - now;
	}
	return wait > 0 ? (long)(wait * 1000) + 1 : 0;
}

/*
 * Run every job, opts.jobs at a time; after a failure no new job starts
 * and those under way finish.  The return code of the first failed job.
 */
static int run_jobs(struct registry_client *c, struct blob_job *jobs, size_t nr)
{
	struct jobs_run r;
	size_t next = 0;
	int ret = 0;

	if (!nr)
		return 0;
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.multi = http_multi_new();
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
		size_t limit = jobs[0].done ? r.nr_slots : 1, active = 0;
		struct http_transfer *t;
		double now;
		int rc;

		for (size_t i = 0; i < r.nr_slots; i++)
			active += r.slots[i].job != NULL;
		for (size_t i = 0; i < r.nr_slots && active < limit && next < nr && !r.failed; i++) {
			struct conv *v = &r.slots[i];

			if (v->job)
				continue;
			active++;
			conv_settle(&r, v, conv_begin(&r, v, &jobs[next++]));
		}
		active = 0;
		for (size_t i = 0; i < r.nr_slots; i++)
			active += r.slots[i].job != NULL;
		if (!active && (next >= nr || r.failed))
			break;
		if ((ret = http_multi_wait(r.multi, jobs_run_timeout(&r))))
			goto out;
		while ((t = http_multi_next_done(r.multi, &rc))) {
			struct conv *v = http_transfer_data(t);

			conv_settle(&r, v, v->state == CONV_STREAM ? conv_stream_answer(&r, v, t, rc) :
				    conv_answer(&r, v, rc));
		}
		for (size_t i = 0; i < r.nr_slots; i++)
			conv_stream_kick(&r.slots[i]);
		now = now_s();
		for (size_t i = 0; i < r.nr_slots; i++) {
			struct conv *v = &r.slots[i];

			if (!v->job || v->running || !v->wake || v->wake > now)
				continue;
			call_rewind(&v->k);
			conv_settle(&r, v, conv_launch(&r, v));
		}
	}
	for (size_t i = 0; i < nr; i++)
		if (jobs[i].done && jobs[i].rc) {
			ret = jobs[i].rc;
			break;
		}
out:
	jobs_run_release(&r);
	return ret;
}

/* ---- manifests: upload ----------------------------------------------------- */

/*
 * PUT bytes as what_ref (a digest or a tag) in dst.  Checks
 * Docker-Content-Digest.  On error, *refused (when not NULL) says whether
 * the registry answered with a refusal (nothing stored) rather than
 * leaving it unknown (no answer) or storing other bytes.
 */
static int manifest_put(struct registry_client *c, const struct reference *dst,
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
	api_base(c, dst, &url);
	strbuf_addf(&url, "%s/manifests/%s", dst->repository, what_ref);
	strbuf_addf(&ct, "Content-Type: %s", media_type);
	headers[0] = ct.buf;
	headers[1] = NULL;
	call_init(&k, dst, "PUT", url.buf, 1);
	k.req.headers = headers;
	k.req.body = bytes->buf;
	k.req.body_len = bytes->len;
	if ((ret = call_do(c, &k, &res)))
		goto out;
	reference_format_name(dst, &name);
	if (strncmp(what_ref, "sha256:", 7))
		strbuf_addf(&name, ":%s", what_ref);	/* a tag: name it */
	if (res.status != 201 && res.status != 200 && res.status != 204) {
		struct strbuf code = STRBUF_INIT, msg = STRBUF_INIT;

		if (refused)
			*refused = 1;
		error_body(&res, &code, &msg);
		if (strncmp(what_ref, "sha256:", 7))
			strbuf_addf(&what, "push of tag '%s' to", what_ref);
		else
			strbuf_addstr(&what, "push to");
		if (res.status == 400 && (!strcmp(code.buf, "MANIFEST_BLOB_UNKNOWN") ||
					  !strcmp(code.buf, "BLOB_UNKNOWN")))
			ret = error_as(EXIT_REGISTRY, "'%s' refused manifest %s: a blob it names is missing (%s)",
				       name.buf, digest, msg.buf);
		else
			ret = explain(c, dst, what.buf, "PUT manifest", &res);
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
 * before the first, tag_record() notes what every tag names now (HEAD,
 * then the old manifest's exact bytes and media type by digest, so that
 * it can be PUT back); a tag already at the new digest is left alone.
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
	struct registry_manifest old;	/* TAG_OTHER: what it named */
	int touched;			/* a PUT went out that may have moved it */
};

static void tag_name(const struct tag_move *t, struct strbuf *out)
{
	reference_format_name(t->dst, out);
	strbuf_addf(out, ":%s", t->dst->tag);
}

/*
 * What t's tag names now, compared with digest (the one it is to name).
 * The old manifest is fetched once per repository and digest: prev (nr
 * of them) are the tags recorded before.
 */
static int tag_record(struct registry_client *c, struct tag_move *t, const char *digest,
		      const struct tag_move *prev, size_t nr)
{
	struct strbuf url = STRBUF_INIT, dcd = STRBUF_INIT, what = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	const char *headers[] = { ACCEPT_MANIFESTS, NULL };
	const char *by = t->dst->tag;
	struct call k;
	int ret;

	api_base(c, t->dst, &url);
	strbuf_addf(&url, "%s/manifests/%s", t->dst->repository, t->dst->tag);
	call_init(&k, t->dst, "HEAD", url.buf, 1);
	k.req.headers = headers;
	if ((ret = call_do(c, &k, &res)))
		goto out;
	if (res.status == 404) {
		t->was = TAG_ABSENT;
		goto out;
	}
	if (res.status != 200) {
		strbuf_addf(&what, "lookup of tag '%s' in", t->dst->tag);
		ret = explain(c, t->dst, what.buf, "HEAD manifest", &res);
		goto out;
	}
	if (!http_header_get(&res.headers, "Docker-Content-Digest", &dcd) && digest_is_valid(dcd.buf)) {
		if (!strcmp(dcd.buf, digest)) {
			t->was = TAG_SAME;
			goto out;
		}
		by = dcd.buf;	/* the bytes by digest: verified, and what HEAD saw */
		for (size_t i = 0; i < nr; i++) {
			const struct tag_move *p = &prev[i];

			if (p->was == TAG_OTHER && same_repo(p->dst, t->dst) &&
			    !strcmp(p->old.digest, by)) {
				strbuf_addbuf(&t->old.bytes, &p->old.bytes);
				memcpy(t->old.digest, p->old.digest, sizeof(t->old.digest));
				t->old.media_type = xstrdup(p->old.media_type);
				t->was = TAG_OTHER;
				goto out;
			}
		}
	}
	if ((ret = get_manifest_by(c, t->dst, by, &t->old)))
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

	api_base(c, t->dst, &url);
	strbuf_addf(&url, "%s/manifests/%s", t->dst->repository, t->dst->tag);
	call_init(&k, t->dst, "DELETE", url.buf, 1);
	snprintf(k.scope_buf, sizeof(k.scope_buf), "repository:%s:delete", t->dst->repository);
	if ((ret = call_do(c, &k, &res)))
		goto out;
	if (res.status == 404) {
		ret = 1;
	} else if (res.status != 202 && res.status != 200 && res.status != 204) {
		error_body(&res, &code, &msg);
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
	if (t->was == TAG_OTHER)
		rc = manifest_put(c, t->dst, t->dst->tag, &t->old.bytes, t->old.media_type,
				  t->old.digest, NULL);
	else
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

/*
 * Point every tag of dsts at top, all or none (as far as the registry
 * lets: see above).
 */
static int tags_move(struct registry_client *c, const struct reference *dsts, size_t nr_dsts,
		     const struct registry_manifest *top)
{
	struct tag_move *t = xcalloc(nr_dsts + 1, sizeof(*t));
	struct strbuf name = STRBUF_INIT;
	char *first = NULL;
	size_t nr = 0;
	int ret = 0;

	for (size_t d = 0; d < nr_dsts; d++) {
		int dup = 0;

		if (!dsts[d].tag)
			continue;
		for (size_t e = 0; e < nr; e++)
			dup |= same_repo(t[e].dst, &dsts[d]) && !strcmp(t[e].dst->tag, dsts[d].tag);
		if (dup)
			continue;
		t[nr].dst = &dsts[d];
		strbuf_init(&t[nr].old.bytes, 0);
		ret = tag_record(c, &t[nr], top->digest, t, nr);
		nr++;
		if (ret)
			goto out;
	}
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
		ret = manifest_put(c, t[i].dst, t[i].dst->tag, &top->bytes, top->media_type,
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
	for (size_t i = 0; i < nr; i++)
		registry_manifest_release(&t[i].old);
	free(t);
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
}

static void plan_add_blob(struct plan *p, const struct oci_descriptor *d)
{
	for (size_t i = 0; i < p->nr_blobs; i++)
		if (!strcmp(p->blobs[i].digest, d->digest))
			return;
	ALLOC_GROW(p->blobs, p->nr_blobs + 1, p->alloc_blobs);
	oci_descriptor_copy(d, &p->blobs[p->nr_blobs++]);
}

static void layout_blob_path(const char *dir, const char *digest, struct strbuf *out)
{
	strbuf_addf(out, "%s/blobs/sha256/%s", dir, digest + 7);
}

/* Read a manifest by digest from the plan's source (layout file or remote). */
static int plan_read_manifest(struct registry_client *c, struct plan *p, const struct oci_descriptor *d,
			      struct registry_manifest *out)
{
	struct registry_manifest m = REGISTRY_MANIFEST_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	if (p->layout) {
		layout_blob_path(p->layout, d->digest, &path);
		if (strbuf_read_file(&m.bytes, path.buf, MANIFEST_CAP) < 0) {
			ret = error_as(EXIT_CONTEXT, "cannot read manifest '%s': %s", path.buf, strerror(errno));
			goto out;
		}
		digest_buffer(m.bytes.buf, m.bytes.len, m.digest);
		if (strcmp(m.digest, d->digest)) {
			ret = error_as(EXIT_CONTEXT, "manifest '%s' does not match its digest", path.buf);
			goto out;
		}
		m.media_type = xstrdup(d->media_type && *d->media_type ? d->media_type : "");
		if (!*m.media_type) {
			free(m.media_type);
			m.media_type = oci_media_type(m.bytes.buf, m.bytes.len);
		}
		if (!m.media_type) {
			ret = error_as(EXIT_CONTEXT, "manifest '%s' has no media type", path.buf);
			goto out;
		}
	} else if ((ret = get_manifest_by(c, p->src, d->digest, &m))) {
		goto out;
	}
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	registry_manifest_release(&m);
	strbuf_release(&path);
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
	size_t nr_jobs = 0, *repo_of = xcalloc(nr_dsts, sizeof(size_t));
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
			if (same_repo(&dsts[e], &dsts[d])) {
				first = e;
				break;
			}
		repo_of[d] = first;
		if (first != d)
			continue;
		for (size_t b = 0; b < p->nr_blobs; b++) {
			struct blob_job *j = &jobs[nr_jobs++];
			struct strbuf path = STRBUF_INIT;

			j->desc = p->blobs[b];
			j->dst = &dsts[d];
			if (p->layout) {
				layout_blob_path(p->layout, j->desc.digest, &path);
				if (access(path.buf, R_OK) == 0)
					j->local_path = strbuf_detach(&path, NULL);
			}
			strbuf_release(&path);
			j->src = p->src;
			if (!j->local_path && !j->src) {
				ret = error_as(EXIT_CONTEXT, "blob %s is not in the layout '%s', and no base image (annotation %s) says where it comes from",
					       j->desc.digest, p->layout, ANN_BASE_NAME);
				goto out;
			}
		}
	}
	if ((ret = run_jobs(c, jobs, nr_jobs)))
		goto out;
	/* every manifest by digest, children first, the top last */
	for (size_t d = 0; d < nr_dsts; d++) {
		if (repo_of[d] != d)
			continue;
		for (size_t i = 0; i < p->nr_manifests; i++) {
			const struct registry_manifest *m = &p->manifests[i].m;

			if ((ret = manifest_put(c, &dsts[d], m->digest, &m->bytes, m->media_type, m->digest,
						NULL)))
				goto out;
		}
	}
	/* tags last, all or none */
	if ((ret = tags_move(c, dsts, nr_dsts, top)))
		goto out;
	snprintf(rep.digest, sizeof(rep.digest), "%s", top->digest);
	rep.media_type = xstrdup(top->media_type);
	rep.nr_manifests = p->nr_manifests;
	rep.blobs = xcalloc(nr_jobs + 1, sizeof(*rep.blobs));
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
	free(repo_of);
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
	struct plan p;
	struct registry_manifest top = REGISTRY_MANIFEST_INIT;
	struct oci_index idx = OCI_INDEX_INIT;
	struct oci_manifest man = OCI_MANIFEST_INIT;
	struct reference base = REFERENCE_INIT;
	const char *base_name;
	int ret;

	memset(&p, 0, sizeof(p));
	p.layout = dir;
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
	ret = plan_execute(c, &p, dsts, nr_dsts, out);
out:
	oci_index_release(&idx);
	oci_manifest_release(&man);
	registry_manifest_release(&top);
	reference_release(&base);
	plan_release(&p);
	return ret;
}
