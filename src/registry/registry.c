/*
 * registry.c: see registry.h.  The client and its request policy.
 *
 * The registry module is four files, bottom up:
 *   registry.c          the client (hosts, credentials, tokens); one
 *                       request with auth (token per registry+scope,
 *                       refresh and replay once on 401) and retries with
 *                       backoff: registry_call_start/next/reauth are the
 *                       policy, run blocking by registry_call_do() or by a
 *                       blob conversation; registry_explain() turns a final
 *                       non-2xx answer into one clear error line; manifests
 *                       GET with the Accept list
 *   registry_pull.c     blobs GET to a file or memory (verified); what a
 *                       build needs of a base image (registry_fetch_image)
 *   registry_upload.c   blob uploads as conversations (HEAD, POST/mount,
 *                       PUT [fed by a GET from the source]), each a small
 *                       state machine, opts.jobs of them at once in one
 *                       curl multi (registry_run_jobs)
 *   registry_plan.c     manifests PUT with their exact bytes; tags all or
 *                       none (tags_move); the plans of a push or a copy:
 *                       blob jobs, then manifests, then tags
 * What they share (the client, a request, a blob job) is in
 * registry_internal.h.
 *
 * One thread: manifests and tokens go through blocking requests, blobs
 * through the multi loop; nothing is shared between threads, so nothing
 * is locked.  Errors are printed by whoever meets them; a job keeps only
 * its return code.
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

/* ---- small helpers ------------------------------------------------------ */

double registry_now(void)
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

/*
 * 1 if registry is spoken to over plain http: named insecure
 * (--insecure-registry, the action's insecure-registries), or a loopback
 * host that turned out to speak plain http in this run (http.c tries
 * loopback over https first, then plain http, as docker does).
 */
static int speaks_plain(struct registry_client *c, const struct reference *r)
{
	const char *host = reference_api_host(r);

	return is_insecure(c, r->registry) ||
		(http_host_is_loopback(host) && http_host_scheme(host) == 1);
}

void registry_api_base(struct registry_client *c, const struct reference *r, struct strbuf *out)
{
	strbuf_addf(out, "%s://%s/v2/", speaks_plain(c, r) ? "http" : "https", reference_api_host(r));
}

int registry_same_repo(const struct reference *a, const struct reference *b)
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
	if (!c->shared_tokens)
		auth_cache_free(c->tokens);
	strlist_release(&c->push_repos);
	http_multi_free(c->multi);
	http_release();
	free(c);
}

void registry_client_share_tokens(struct registry_client *c, struct registry_client *from)
{
	if (!c->shared_tokens)
		auth_cache_free(c->tokens);
	c->tokens = from->tokens;
	c->shared_tokens = 1;
}

void registry_client_push_to(struct registry_client *c, const struct reference *refs, size_t nr)
{
	struct strbuf name = STRBUF_INIT;

	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "%s/%s", refs[i].registry, refs[i].repository);
		if (!strlist_has(&c->push_repos, name.buf))
			strlist_push(&c->push_repos, name.buf);
	}
	strbuf_release(&name);
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
		const struct credential *own = credential_set_find(c->opts.creds, registry);

		if (!own && explicit_cred_applies(c, registry))
			own = &c->explicit_cred;
		ret = credentials_lookup(registry, own, &h->cred);
		if (!ret)
			h->cred_loaded = 1;
	}
	if (!ret)
		credential_copy(&h->cred, out);
	return ret;
}

/* ---- one request, with auth and retries ----------------------------------- */

static void cache_key(const struct call *k, struct strbuf *out)
{
	strbuf_addf(out, "%s|", k->ref->registry);
	for (size_t i = 0; i < k->nr_scopes; i++)
		strbuf_addf(out, "%s%s", i ? " " : "", k->scopes[i]);
}

/*
 * The scopes that ride along with k's in its token request: pushing to
 * the run's other repositories on k's registry (registry_client_push_to)
 * that have no token yet, so that the base image's token also serves the
 * previous image and the push (one token request instead of two, each a
 * round trip to the token service).  A token service that grants less
 * than asked is healed where the token meets a 401: a token refused is
 * fetched again alone (authorize()'s force).
 */
static void ride_along(struct registry_client *c, const struct call *k, struct strlist *out)
{
	struct strbuf name = STRBUF_INIT, key = STRBUF_INIT, val = STRBUF_INIT;
	size_t n = strlen(k->ref->registry);

	for (size_t i = 0; i < c->push_repos.nr && out->nr < 6; i++) {
		const char *r = c->push_repos.items[i];

		if (strncmp(r, k->ref->registry, n) || r[n] != '/')
			continue;
		strbuf_reset(&name);
		strbuf_addf(&name, "repository:%s:pull,push", r + n + 1);
		strbuf_reset(&key);
		strbuf_addf(&key, "%s|%s", k->ref->registry, name.buf);
		if (!strcmp(name.buf, k->scopes[0]) || !auth_cache_get(c->tokens, key.buf, &val))
			continue;
		strlist_push(out, name.buf);
	}
	if (val.len)
		memset(val.buf, 0, val.len);
	strbuf_release(&val);
	strbuf_release(&key);
	strbuf_release(&name);
}

/*
 * Get an Authorization value for k into out (empty: send none).  With
 * force, the cached token is dropped and a fresh one fetched (for k's
 * scopes alone).
 */
static int authorize(struct registry_client *c, struct call *k, int force, struct strbuf *out)
{
	struct strbuf key = STRBUF_INIT, token = STRBUF_INIT;
	struct auth_challenge ch = AUTH_CHALLENGE_INIT;
	struct credential cred = CREDENTIAL_INIT;
	struct strlist more = STRLIST_INIT;
	const char *scopes[8];
	size_t nr_scopes = 0;
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
	if (cred.username && speaks_plain(c, k->ref) && !http_host_is_loopback(reference_api_host(k->ref))) {
		ret = error_as(EXIT_INPUT, "refusing to send the credentials of '%s' (from %s) to '%s' over plain http: only loopback registries may get them",
			       cred.username, cred.source, k->ref->registry);
		goto out;
	}
	if (ch.scheme == AUTH_BASIC) {
		if (cred.username)
			auth_basic_header(cred.username, cred.password ? cred.password : "", out);
		goto out;
	}
	if (!force && k->nr_scopes == 1)
		ride_along(c, k, &more);
	for (size_t i = 0; i < k->nr_scopes; i++)
		scopes[nr_scopes++] = k->scopes[i];
	for (size_t i = 0; i < more.nr && nr_scopes < ARRAY_SIZE(scopes); i++)
		scopes[nr_scopes++] = more.items[i];
	ret = auth_fetch_token(&ch, scopes, nr_scopes, &cred,
			       speaks_plain(c, k->ref), c->opts.max_tries, &token, &ttl);
	if (ret)
		goto out;
	strbuf_addf(out, "Bearer %s", token.buf);
	auth_cache_put(c->tokens, key.buf, out->buf, ttl);
	for (size_t i = k->nr_scopes; i < nr_scopes; i++) {
		strbuf_reset(&key);
		strbuf_addf(&key, "%s|%s", k->ref->registry, scopes[i]);
		auth_cache_put(c->tokens, key.buf, out->buf, ttl);
	}
out:
	strlist_release(&more);
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

/* k's pull scope becomes pull,push when the run pushes to its repository (registry_client_push_to) */
static void push_scope(struct registry_client *c, struct call *k)
{
	struct strbuf name = STRBUF_INIT, pull = STRBUF_INIT;

	strbuf_addf(&name, "%s/%s", k->ref->registry, k->ref->repository);
	strbuf_addf(&pull, "repository:%s:pull", k->ref->repository);
	if (!strcmp(k->scope_buf, pull.buf) && strlist_has(&c->push_repos, name.buf))
		snprintf(k->scope_buf, sizeof(k->scope_buf), "%s,push", pull.buf);
	strbuf_release(&name);
	strbuf_release(&pull);
}

int registry_call_start(struct registry_client *c, struct call *k)
{
	int ret;

	k->req.quiet = 1;
	k->req.insecure = is_insecure(c, k->ref->registry);
	k->start = registry_now();
	k->tries = 0;
	k->replayed = 0;
	if (c->push_repos.nr && k->scopes[0] == k->scope_buf)
		push_scope(c, k);
	if ((ret = authorize(c, k, 0, &k->authz)))
		return ret;
	k->req.authorization = k->authz.len ? k->authz.buf : NULL;
	return 0;
}

void registry_call_release(struct call *k)
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
 * seconds (warning printed) and registry_call_rewind().  CALL_REAUTH: a 401; see
 * registry_call_reauth().
 */
enum call_next registry_call_next(struct registry_client *c, struct call *k, int rc,
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
	if (k->tries >= c->opts.max_tries || registry_now() - k->start + w > c->opts.max_retry_seconds) {
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

void registry_call_rewind(struct call *k)
{
	if (k->rewind)
		k->rewind(k->rewind_data);
}

/*
 * After CALL_REAUTH: a fresh token.  0: replay k with it; 1: there is none
 * to be had, the 401 in hand is the final answer; negative on error.
 */
int registry_call_reauth(struct registry_client *c, struct call *k)
{
	int ret;

	/*
	 * A 401 to a request sent without a token (the host's challenge not
	 * known yet) says nothing of a token cached meanwhile, perhaps by the
	 * client sharing the cache: that one is taken, not fetched again.
	 */
	if ((ret = authorize(c, k, k->authz.len != 0, &k->authz)))
		return ret;
	k->req.authorization = k->authz.len ? k->authz.buf : NULL;
	if (!k->authz.len)
		return 1;
	registry_call_rewind(k);
	return 0;
}

/*
 * Perform k, blocking.  0 when a final answer came (any status, in res),
 * negative when none did after the retries.
 */
int registry_call_do(struct registry_client *c, struct call *k, struct http_response *res)
{
	double wait = 0;
	int ret;

	if ((ret = registry_call_start(c, k)))
		goto out;
	for (;;) {
		int rc = http_request(&k->req, res);

		switch (registry_call_next(c, k, rc, res, &wait, &ret)) {
		case CALL_DONE:
			goto out;
		case CALL_REAUTH:
			if ((ret = registry_call_reauth(c, k))) {
				if (ret > 0)
					ret = 0;
				goto out;
			}
			break;
		case CALL_RETRY:
			sleep_s(wait);
			registry_call_rewind(k);
			break;
		}
	}
out:
	registry_call_release(k);
	return ret;
}

/* The first error code and message of a distribution error body ("" if none). */
void registry_error_body(const struct http_response *res, struct strbuf *code, struct strbuf *msg)
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
int registry_explain(struct registry_client *c, const struct reference *ref, const char *what,
		     const char *method, const struct http_response *res)
{
	struct strbuf name = STRBUF_INIT, code = STRBUF_INIT, msg = STRBUF_INIT, detail = STRBUF_INIT;
	struct credential cred = CREDENTIAL_INIT;
	int ret;

	reference_format_name(ref, &name);
	registry_error_body(res, &code, &msg);
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

void registry_call_init(struct call *k, const struct reference *ref, const char *method,
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

int registry_get_manifest_by(struct registry_client *c, const struct reference *ref,
			     const char *what_ref, struct registry_manifest *out)
{
	struct strbuf url = STRBUF_INIT, name = STRBUF_INIT, ct = STRBUF_INIT, dcd = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct registry_manifest m = REGISTRY_MANIFEST_INIT;
	const char *headers[] = { ACCEPT_MANIFESTS, NULL };
	struct call k;
	int ret;

	registry_api_base(c, ref, &url);
	strbuf_addf(&url, "%s/manifests/%s", ref->repository, what_ref);
	registry_call_init(&k, ref, "GET", url.buf, 0);
	k.req.headers = headers;
	k.req.cap = MANIFEST_CAP;
	reference_format_name(ref, &name);
	strbuf_addf(&name, "%s%s", strncmp(what_ref, "sha256:", 7) ? ":" : "@", what_ref);
	if ((ret = registry_call_do(c, &k, &res)))
		goto out;
	if (res.status != 200) {
		if (res.status == 404) {
			ret = error_as(EXIT_NOT_FOUND, "image '%s' not found", name.buf);
			goto out;
		}
		ret = registry_explain(c, ref, "pull of", "GET manifest", &res);
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
	return registry_get_manifest_by(c, ref, reference_manifest_ref(ref), out);
}

