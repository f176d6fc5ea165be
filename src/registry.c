/*
 * registry.c: see registry.h.
 *
 * Layers of this file, bottom up:
 *   call_do()      one registry request: auth (token per registry+scope,
 *                  refresh and replay once on 401), retries with backoff
 *   explain()      turns a final non-2xx answer into one clear error line
 *   manifests      GET with the Accept list, PUT exact bytes
 *   blobs          GET to a file (verified), HEAD/POST/mount/PUT upload
 *   plans          what a push or copy must send: blob jobs run by a pool
 *                  of worker threads, then manifests, then tags
 *
 * Threads: each worker has its own curl handle (http.c keeps one per
 * thread); the client's shared state (hosts, token cache, progress) is
 * behind mutexes.  Errors are printed by whoever meets them; a job keeps
 * only its return code.
 */
#include "lib/common.h"
#include "registry.h"
#include "auth.h"
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#define MANIFEST_CAP (4u << 20)
#define ACCEPT_MANIFESTS "Accept: " MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST ", " \
	MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_MANIFEST

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
	pthread_mutex_t lock;		/* hosts */
	struct host_state *hosts;
	size_t nr_hosts, alloc_hosts;
	pthread_mutex_t progress_lock;
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

/* ---- platforms ------------------------------------------------------------ */

void platform_release(struct platform *p)
{
	if (!p)
		return;
	free(p->os);
	free(p->architecture);
	free(p->variant);
	p->os = p->architecture = p->variant = NULL;
}

int platform_parse(const char *s, struct platform *out)
{
	const char *a = strchr(s, '/'), *v;

	if (!a || a == s || !a[1] || a[1] == '/')
		return error_as(EXIT_INPUT, "platform '%s' is not os/arch[/variant] (e.g. linux/amd64)", s);
	v = strchr(a + 1, '/');
	if (v && (!v[1] || strchr(v + 1, '/')))
		return error_as(EXIT_INPUT, "platform '%s' is not os/arch[/variant] (e.g. linux/arm64/v8)", s);
	out->os = xstrndup(s, (size_t)(a - s));
	out->architecture = v ? xstrndup(a + 1, (size_t)(v - a - 1)) : xstrdup(a + 1);
	out->variant = v ? xstrdup(v + 1) : NULL;
	return 0;
}

void platform_format(const struct platform *p, struct strbuf *out)
{
	strbuf_addf(out, "%s/%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?");
	if (p->variant)
		strbuf_addf(out, "/%s", p->variant);
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
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->progress_lock, NULL);
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
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->progress_lock);
	http_thread_release();
	free(c);
}

/* The host state for registry (created on first use); call with c->lock held. */
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

	pthread_mutex_lock(&c->lock);
	h = host_get(c, registry);
	if (!h->cred_loaded) {
		ret = credentials_lookup(registry, explicit_cred_applies(c, registry) ? &c->explicit_cred : NULL,
					 &h->cred);
		if (!ret)
			h->cred_loaded = 1;
	}
	if (!ret)
		credential_copy(&h->cred, out);
	pthread_mutex_unlock(&c->lock);
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
	pthread_mutex_lock(&c->lock);
	h = host_get(c, k->ref->registry);
	if (h->challenge.scheme != AUTH_NONE) {
		ch.scheme = h->challenge.scheme;
		ch.realm = h->challenge.realm ? xstrdup(h->challenge.realm) : NULL;
		ch.service = h->challenge.service ? xstrdup(h->challenge.service) : NULL;
	}
	pthread_mutex_unlock(&c->lock);
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
	pthread_mutex_lock(&c->lock);
	h = host_get(c, registry);
	auth_challenge_release(&h->challenge);
	h->challenge = ch;
	memset(&ch, 0, sizeof(ch));
	pthread_mutex_unlock(&c->lock);
out:
	auth_challenge_release(&ch);
	strbuf_release(&v);
}

static int retryable_status(long status)
{
	return status == 408 || status == 429 || status >= 500;
}

/*
 * Perform k.  0 when a final answer came (any status, in res), negative
 * when none did after the retries.  401 refreshes auth and replays once.
 */
static int call_do(struct registry_client *c, struct call *k, struct http_response *res)
{
	struct strbuf authz = STRBUF_INIT;
	double start = now_s();
	int tries = 0, replayed = 0, ret;

	k->req.quiet = 1;
	if ((ret = authorize(c, k, 0, &authz)))
		goto out;
	for (;;) {
		double wait;

		k->req.authorization = authz.len ? authz.buf : NULL;
		tries++;
		ret = http_request(&k->req, res);
		if (!ret && res->status == 401 && !replayed) {
			remember_challenge(c, k->ref->registry, &res->headers);
			replayed = 1;
			if ((ret = authorize(c, k, 1, &authz)))
				goto out;
			if (authz.len) {
				if (k->rewind)
					k->rewind(k->rewind_data);
				continue;
			}
			break;
		}
		if (ret == -1)
			goto out;	/* the sink failed and said why */
		if (!ret && !retryable_status(res->status))
			break;
		wait = 0.5;
		for (int i = 1; i < tries && wait < 15; i++)
			wait *= 2;
		if (wait > 15)
			wait = 15;
		wait *= 1 + (double)rand() / RAND_MAX * 0.5;	/* jitter */
		if (!ret && http_retry_after(res) >= 0)
			wait = http_retry_after(res) > 60 ? 60 : http_retry_after(res);
		if (ret && res->permanent) {
			ret = error_as(EXIT_NETWORK, "%s", res->error.buf);
			goto out;
		}
		if (tries >= c->opts.max_tries || now_s() - start + wait > c->opts.max_retry_seconds) {
			if (ret) {
				ret = error_as(EXIT_NETWORK, "%s (gave up after %d tries)", res->error.buf, tries);
				goto out;
			}
			break;	/* the caller explains the status */
		}
		if (ret)
			warning("%s; retrying in %.1f s (try %d of %d)", res->error.buf, wait, tries + 1,
				c->opts.max_tries);
		else
			warning("'%s' answered HTTP %ld to %s; retrying in %.1f s (try %d of %d)",
				k->ref->registry, res->status, k->req.method ? k->req.method : "GET",
				wait, tries + 1, c->opts.max_tries);
		sleep_s(wait);
		if (k->rewind)
			k->rewind(k->rewind_data);
	}
	ret = 0;
out:
	if (authz.len)
		memset(authz.buf, 0, authz.len);
	strbuf_release(&authz);
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

/* mediaType from the JSON, or NULL */
static char *json_media_type(const struct strbuf *bytes)
{
	json_t *root = json_loadb(bytes->buf, bytes->len, 0, NULL);
	json_t *mt = json_object_get(root, "mediaType");
	char *ret = NULL;

	if (json_is_string(mt))
		ret = xstrdup(json_string_value(mt));
	else if (json_is_array(json_object_get(root, "manifests")))
		ret = xstrdup(MEDIA_OCI_INDEX);
	else if (json_is_object(json_object_get(root, "config")))
		ret = xstrdup(MEDIA_OCI_MANIFEST);
	json_decref(root);
	return ret;
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
	m.media_type = json_media_type(&m.bytes);
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
	if (strstr(m.media_type, "manifest.v1+prettyjws") || !strcmp(m.media_type, "application/vnd.docker.distribution.manifest.v1+json")) {
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

static int is_index(const char *mt)
{
	return mt && (!strcmp(mt, MEDIA_OCI_INDEX) || !strcmp(mt, MEDIA_DOCKER_LIST));
}

static int parse_descriptor(json_t *j, struct descriptor *out, const char *where)
{
	json_t *mt = json_object_get(j, "mediaType"), *d = json_object_get(j, "digest"),
		*sz = json_object_get(j, "size");

	if (!json_is_string(d) || !digest_is_valid(json_string_value(d)) || !json_is_integer(sz) ||
	    json_integer_value(sz) < 0)
		return error_as(EXIT_REGISTRY, "%s has a descriptor without a valid sha256 digest and size", where);
	out->media_type = xstrdup(json_is_string(mt) ? json_string_value(mt) : "");
	snprintf(out->digest, sizeof(out->digest), "%s", json_string_value(d));
	out->size = (long long)json_integer_value(sz);
	return 0;
}

static void descriptors_free(struct descriptor *d, size_t nr)
{
	for (size_t i = 0; d && i < nr; i++)
		free(d[i].media_type);
	free(d);
}

/* Descriptors of an image manifest: config first, then layers (out array owned by caller). */
static int manifest_blobs(const struct strbuf *bytes, const char *where,
			  struct descriptor **out, size_t *nr_out)
{
	json_error_t jerr;
	json_t *root = json_loadb(bytes->buf, bytes->len, 0, &jerr);
	json_t *layers, *l;
	struct descriptor *d = NULL;
	size_t nr = 0, i;
	int ret = 0;

	if (!root)
		return error_as(EXIT_REGISTRY, "%s is not valid JSON: %s", where, jerr.text);
	layers = json_object_get(root, "layers");
	if (!json_is_object(json_object_get(root, "config")) || (layers && !json_is_array(layers))) {
		ret = error_as(EXIT_REGISTRY, "%s is not an image manifest (no config)", where);
		goto out;
	}
	d = xcalloc(1 + json_array_size(layers), sizeof(*d));
	if ((ret = parse_descriptor(json_object_get(root, "config"), &d[nr], where)))
		goto out;
	nr++;
	json_array_foreach(layers, i, l) {
		if ((ret = parse_descriptor(l, &d[nr], where)))
			goto out;
		nr++;
	}
	*out = d;
	*nr_out = nr;
	d = NULL;
out:
	descriptors_free(d, nr);
	json_decref(root);
	return ret;
}

/* Children of an index: descriptors plus platform (platforms may be NULL). */
static int index_children(const struct strbuf *bytes, const char *where,
			  struct descriptor **out, struct platform **plats, size_t *nr_out)
{
	json_error_t jerr;
	json_t *root = json_loadb(bytes->buf, bytes->len, 0, &jerr);
	json_t *list, *m;
	struct descriptor *d = NULL;
	struct platform *p = NULL;
	size_t nr = 0, i;
	int ret = 0;

	if (!root)
		return error_as(EXIT_REGISTRY, "%s is not valid JSON: %s", where, jerr.text);
	list = json_object_get(root, "manifests");
	if (!json_is_array(list)) {
		ret = error_as(EXIT_REGISTRY, "%s is not an image index (no manifests)", where);
		goto out;
	}
	d = xcalloc(json_array_size(list) + 1, sizeof(*d));
	p = xcalloc(json_array_size(list) + 1, sizeof(*p));
	json_array_foreach(list, i, m) {
		json_t *pl = json_object_get(m, "platform");

		if ((ret = parse_descriptor(m, &d[nr], where)))
			goto out;
		if (json_is_object(pl)) {
			json_t *os = json_object_get(pl, "os"), *ar = json_object_get(pl, "architecture"),
				*va = json_object_get(pl, "variant");

			p[nr].os = json_is_string(os) ? xstrdup(json_string_value(os)) : NULL;
			p[nr].architecture = json_is_string(ar) ? xstrdup(json_string_value(ar)) : NULL;
			p[nr].variant = json_is_string(va) ? xstrdup(json_string_value(va)) : NULL;
		}
		nr++;
	}
	*out = d;
	*nr_out = nr;
	if (plats) {
		*plats = p;
		p = NULL;
	}
	d = NULL;
out:
	descriptors_free(d, nr);
	for (i = 0; p && i < nr; i++)
		platform_release(&p[i]);
	free(p);
	json_decref(root);
	return ret;
}

static int platform_matches(const struct platform *have, const struct platform *want)
{
	const char *hv = have->variant, *wv = want->variant;

	if (!have->os || !have->architecture || strcmp(have->os, want->os) ||
	    strcmp(have->architecture, want->architecture))
		return 0;
	if (!wv)
		return 1;
	/* arm64 without a variant is v8 */
	if (!hv && !strcmp(have->architecture, "arm64"))
		hv = "v8";
	return hv && !strcmp(hv, wv);
}

/* ---- blobs: download ------------------------------------------------------ */

struct file_sink {
	FILE *fp;
	struct digest d;
	int digest_ok;
};

static int file_sink_write(void *data, const void *buf, size_t len)
{
	struct file_sink *s = data;

	if (fwrite(buf, 1, len, s->fp) != len) {
		error("cannot write a downloaded blob: %s", strerror(errno));
		return -1;
	}
	digest_update(&s->d, buf, len);
	return 0;
}

static void file_sink_rewind(void *data)
{
	struct file_sink *s = data;

	fflush(s->fp);
	if (fseeko(s->fp, 0, SEEK_SET) == 0 && ftruncate(fileno(s->fp), 0) == 0) {
		digest_release(&s->d);
		digest_init(&s->d);
	}
}

int registry_get_blob(struct registry_client *c, const struct reference *ref,
		      const char *digest, long long size, FILE *fp)
{
	struct strbuf url = STRBUF_INIT, name = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct file_sink sink;
	char got[DIGEST_HEX_LEN + 1];
	struct call k;
	int ret;

	reference_format_name(ref, &name);
	if (digest_init(&sink.d) < 0)
		return -1;
	sink.fp = fp;
	api_base(c, ref, &url);
	strbuf_addf(&url, "%s/blobs/%s", ref->repository, digest);
	call_init(&k, ref, "GET", url.buf, 0);
	k.req.sink = file_sink_write;
	k.req.sink_data = &sink;
	k.rewind = file_sink_rewind;
	k.rewind_data = &sink;
	if ((ret = call_do(c, &k, &res))) {
		digest_release(&sink.d);
		goto out;
	}
	if (res.status != 200) {
		digest_release(&sink.d);
		if (res.status == 404)
			ret = error_as(EXIT_NOT_FOUND, "blob %s not found in '%s'", digest, name.buf);
		else
			ret = explain(c, ref, "download from", "GET blob", &res);
		goto out;
	}
	if (fflush(fp) != 0) {
		digest_release(&sink.d);
		ret = error("cannot write blob %s: %s", digest, strerror(errno));
		goto out;
	}
	if (size >= 0 && (long long)sink.d.size != size) {
		digest_release(&sink.d);
		ret = error_as(EXIT_REGISTRY, "blob %s from '%s' is %llu bytes, not %lld", digest, name.buf,
			       sink.d.size, size);
		goto out;
	}
	if (digest_final(&sink.d, got) < 0 || strcmp(got, digest)) {
		ret = error_as(EXIT_REGISTRY, "blob from '%s' does not match its digest %s (got %s)",
			       name.buf, digest, got);
		goto out;
	}
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&name);
	return ret;
}

/* A blob into memory (configs), capped and verified. */
static int get_blob_mem(struct registry_client *c, const struct reference *ref,
			const struct descriptor *d, struct strbuf *out)
{
	FILE *fp = tmpfile();
	int ret;

	if (!fp)
		return error("cannot create a temporary file: %s", strerror(errno));
	if (d->size > (long long)MANIFEST_CAP * 4) {
		fclose(fp);
		return error_as(EXIT_REGISTRY, "config blob %s is too large (%lld bytes)", d->digest, d->size);
	}
	ret = registry_get_blob(c, ref, d->digest, d->size, fp);
	if (!ret) {
		char buf[65536];
		size_t n;

		rewind(fp);
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			strbuf_add(out, buf, n);
	}
	fclose(fp);
	return ret;
}

void remote_image_release(struct remote_image *img)
{
	if (!img)
		return;
	registry_manifest_release(&img->manifest);
	strbuf_release(&img->config);
	free(img->config_desc.media_type);
	img->config_desc.media_type = NULL;
	descriptors_free(img->layers, img->nr_layers);
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
	struct descriptor *d = NULL;
	struct strbuf name = STRBUF_INIT;
	size_t nr = 0;
	int ret;

	if (!want)
		want = &def;
	reference_format(ref, &name);
	if ((ret = registry_get_manifest(c, ref, &top)))
		goto out;
	if (is_index(top.media_type)) {
		struct platform *plats = NULL;
		size_t i, pick = (size_t)-1;

		if ((ret = index_children(&top.bytes, name.buf, &d, &plats, &nr)))
			goto out;
		for (i = 0; i < nr && pick == (size_t)-1; i++)
			if (platform_matches(&plats[i], want) && !is_index(d[i].media_type))
				pick = i;
		for (i = 0; i < nr; i++)
			platform_release(&plats[i]);
		free(plats);
		if (pick == (size_t)-1) {
			struct strbuf p = STRBUF_INIT;

			platform_format(want, &p);
			ret = error_as(EXIT_NOT_FOUND, "image '%s' has no %s variant", name.buf, p.buf);
			strbuf_release(&p);
			goto out;
		}
		snprintf(img.index_digest, sizeof(img.index_digest), "%s", top.digest);
		if ((ret = get_manifest_by(c, ref, d[pick].digest, &img.manifest)))
			goto out;
	} else {
		img.manifest = top;
		memset(&top, 0, sizeof(top));
	}
	{
		struct descriptor *blobs = NULL;
		size_t nb = 0;

		if ((ret = manifest_blobs(&img.manifest.bytes, name.buf, &blobs, &nb)))
			goto out;
		img.config_desc = blobs[0];
		img.layers = nb > 1 ? xcalloc(nb - 1, sizeof(*img.layers)) : NULL;
		for (size_t i = 1; i < nb; i++)
			img.layers[i - 1] = blobs[i];
		img.nr_layers = nb - 1;
		free(blobs);
	}
	if ((ret = get_blob_mem(c, ref, &img.config_desc, &img.config)))
		goto out;
	*out = img;
	memset(&img, 0, sizeof(img));
out:
	remote_image_release(&img);
	registry_manifest_release(&top);
	descriptors_free(d, nr);
	strbuf_release(&name);
	return ret;
}

/* ---- blobs: upload ---------------------------------------------------------- */

struct blob_job {
	struct descriptor desc;		/* media_type borrowed */
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
	pthread_mutex_lock(&c->progress_lock);
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
	pthread_mutex_unlock(&c->progress_lock);
}

static void report_blob(struct registry_client *c, const struct blob_job *j)
{
	static const char *const words[] = { "pushed", "mounted", "exists" };
	struct strbuf sz = STRBUF_INIT;

	if (c->opts.quiet)
		return;
	strbuf_humanise_bytes(&sz, j->stat.size);
	pthread_mutex_lock(&c->progress_lock);
	if (c->tty)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "%-7s %s %s/%s %s %.1fs\n", words[j->stat.outcome], j->desc.digest,
		j->dst->registry, j->dst->repository, sz.buf, j->stat.seconds);
	fflush(stderr);
	pthread_mutex_unlock(&c->progress_lock);
	strbuf_release(&sz);
}

/* HEAD: 1 if the blob is there, 0 if not, negative on error */
static int blob_exists(struct registry_client *c, const struct reference *dst, const char *digest)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct call k;
	int ret;

	api_base(c, dst, &url);
	strbuf_addf(&url, "%s/blobs/%s", dst->repository, digest);
	call_init(&k, dst, "HEAD", url.buf, 1);
	ret = call_do(c, &k, &res);
	if (!ret) {
		if (res.status == 200)
			ret = 1;
		else if (res.status == 404)
			ret = 0;
		else
			ret = explain(c, dst, "push to", "HEAD blob", &res);
	}
	http_response_release(&res);
	strbuf_release(&url);
	return ret;
}

/*
 * POST an upload (with mount from src when given).  1 when mounted, 0
 * with the upload URL in location, negative on error.
 */
static int upload_start(struct registry_client *c, const struct reference *dst,
			const char *digest, const struct reference *mount_from,
			struct strbuf *location)
{
	struct strbuf url = STRBUF_INIT, loc = STRBUF_INIT, from_scope = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct call k;
	int ret;

	api_base(c, dst, &url);
	strbuf_addf(&url, "%s/blobs/uploads/", dst->repository);
	if (mount_from) {
		strbuf_addf(&url, "?mount=%s&from=", digest);
		http_escape(mount_from->repository, &url);
	}
	call_init(&k, dst, "POST", url.buf, 1);
	if (mount_from) {
		strbuf_addf(&from_scope, "repository:%s:pull", mount_from->repository);
		k.scopes[1] = from_scope.buf;
		k.nr_scopes = 2;
	}
	if ((ret = call_do(c, &k, &res)))
		goto out;
	if (res.status == 201 && mount_from) {
		ret = 1;
		goto out;
	}
	if (mount_from && res.status != 202) {
		/*
		 * A refused or failed mount is not fatal: upload the blob
		 * instead.  401/403 quietly: the plain POST says whether the
		 * refusal was about the destination.
		 */
		if (res.status != 401 && res.status != 403)
			warning("'%s' did not mount %s from '%s' (HTTP %ld); uploading it instead",
				dst->registry, digest, mount_from->repository, res.status);
		ret = upload_start(c, dst, digest, NULL, location);
		goto out;
	}
	if (res.status != 202 && res.status != 201) {
		ret = explain(c, dst, "push to", "POST blob upload", &res);
		goto out;
	}
	if (http_header_get(&res.headers, "Location", &loc) < 0 || !loc.len) {
		ret = error_as(EXIT_REGISTRY, "'%s' started an upload without a Location", dst->registry);
		goto out;
	}
	if (http_resolve_url(url.buf, loc.buf, location) < 0) {
		ret = error_as(EXIT_REGISTRY, "'%s' gave an upload Location that is not a URL", dst->registry);
		goto out;
	}
	ret = 0;
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&loc);
	strbuf_release(&from_scope);
	return ret;
}

#define UPLOAD_UNKNOWN 1

/* PUT the whole body at location?digest=.  0 ok, UPLOAD_UNKNOWN to restart, negative on error. */
static int upload_put(struct registry_client *c, struct blob_job *j, const char *location,
		      FILE *fp, long long size, struct progress *prog)
{
	struct strbuf url = STRBUF_INIT, code = STRBUF_INIT, msg = STRBUF_INIT, dcd = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	const char *headers[] = { "Content-Type: application/octet-stream", NULL };
	struct call k;
	int ret;

	strbuf_addf(&url, "%s%cdigest=", location, strchr(location, '?') ? '&' : '?');
	http_escape(j->desc.digest, &url);
	call_init(&k, j->dst, "PUT", url.buf, 1);
	k.req.headers = headers;
	k.req.body_file = fp;
	k.req.body_file_size = size;
	k.req.progress = on_progress;
	k.req.progress_data = prog;
	if ((ret = call_do(c, &k, &res)))
		goto out;
	if (res.status == 201 || res.status == 204) {
		if (!http_header_get(&res.headers, "Docker-Content-Digest", &dcd) &&
		    !strncmp(dcd.buf, "sha256:", 7) && strcmp(dcd.buf, j->desc.digest))
			ret = error_as(EXIT_REGISTRY, "'%s' stored blob %s as %s", j->dst->registry,
				       j->desc.digest, dcd.buf);
		goto out;
	}
	error_body(&res, &code, &msg);
	if (res.status == 404 && (!strcmp(code.buf, "BLOB_UPLOAD_UNKNOWN") || !code.len)) {
		ret = UPLOAD_UNKNOWN;
		goto out;
	}
	if (res.status == 400 && !strcmp(code.buf, "DIGEST_INVALID")) {
		ret = error_as(EXIT_REGISTRY, "'%s' refused blob %s: its content does not match the digest",
			       j->dst->registry, j->desc.digest);
		goto out;
	}
	ret = explain(c, j->dst, "push to", "PUT blob", &res);
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&code);
	strbuf_release(&msg);
	strbuf_release(&dcd);
	return ret;
}

/* A FILE for the blob's bytes: the layout file, or the source downloaded to a temporary file. */
static int blob_open(struct registry_client *c, struct blob_job *j, FILE **out)
{
	FILE *fp;
	int ret;

	if (j->local_path) {
		struct stat st;

		fp = fopen(j->local_path, "rb");
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
	if (!j->src)
		return error_as(EXIT_INTERNAL, "blob %s has no source", j->desc.digest);
	{
		const char *dir = getenv("TMPDIR");
		struct strbuf path = STRBUF_INIT;
		int fd;

		strbuf_addf(&path, "%s/publish-blob.XXXXXX", dir && *dir ? dir : "/tmp");
		fd = mkstemp(path.buf);
		if (fd < 0) {
			ret = error("cannot create a temporary file in '%s': %s", dir && *dir ? dir : "/tmp",
				    strerror(errno));
			strbuf_release(&path);
			return ret;
		}
		unlink(path.buf);
		strbuf_release(&path);
		fp = fdopen(fd, "w+b");
		if (!fp) {
			close(fd);
			return error("cannot open a temporary file: %s", strerror(errno));
		}
	}
	if ((ret = registry_get_blob(c, j->src, j->desc.digest, j->desc.size, fp))) {
		fclose(fp);
		return ret;
	}
	*out = fp;
	return 0;
}

static int blob_push(struct registry_client *c, struct blob_job *j)
{
	struct strbuf location = STRBUF_INIT;
	struct progress prog = { c, j, now_s() };
	FILE *fp = NULL;
	int mount = j->src && !j->local_path && !strcmp(j->src->registry, j->dst->registry) &&
		!same_repo(j->src, j->dst);
	int ret, restarts = 0;

	snprintf(j->stat.digest, sizeof(j->stat.digest), "%s", j->desc.digest);
	j->stat.size = j->desc.size;
	ret = blob_exists(c, j->dst, j->desc.digest);
	if (ret < 0)
		goto out;
	if (ret == 1) {
		j->stat.outcome = BLOB_EXISTED;
		ret = 0;
		goto out;
	}
	for (;;) {
		ret = upload_start(c, j->dst, j->desc.digest, mount ? j->src : NULL, &location);
		if (ret < 0)
			goto out;
		if (ret == 1) {
			j->stat.outcome = BLOB_MOUNTED;
			ret = 0;
			goto out;
		}
		mount = 0;	/* refused: upload, and do not ask again on a restart */
		if (!fp && (ret = blob_open(c, j, &fp)))
			goto out;
		ret = upload_put(c, j, location.buf, fp, j->desc.size, &prog);
		if (ret != UPLOAD_UNKNOWN)
			break;
		if (++restarts > 3) {
			ret = error_as(EXIT_REGISTRY, "'%s' lost the upload of blob %s %d times",
				       j->dst->registry, j->desc.digest, restarts);
			goto out;
		}
		warning("'%s' lost the upload session of %s; starting it again", j->dst->registry,
			j->desc.digest);
	}
	if (!ret)
		j->stat.outcome = BLOB_PUSHED;
out:
	if (fp)
		fclose(fp);
	strbuf_release(&location);
	j->stat.seconds = now_s() - prog.start;
	return ret;
}

struct pool {
	struct registry_client *c;
	struct blob_job *jobs;
	size_t nr;
	size_t next;
	int failed;
	pthread_mutex_t lock;
};

static void *pool_worker(void *data)
{
	struct pool *p = data;

	for (;;) {
		struct blob_job *j;

		pthread_mutex_lock(&p->lock);
		if (p->failed || p->next >= p->nr) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		j = &p->jobs[p->next++];
		pthread_mutex_unlock(&p->lock);
		j->rc = blob_push(p->c, j);
		j->done = 1;
		if (j->rc) {
			pthread_mutex_lock(&p->lock);
			p->failed = 1;
			pthread_mutex_unlock(&p->lock);
		} else {
			report_blob(p->c, j);
		}
	}
	http_thread_release();
	return NULL;
}

static int run_jobs(struct registry_client *c, struct blob_job *jobs, size_t nr)
{
	struct pool p;
	pthread_t *threads;
	size_t n = (size_t)c->opts.jobs < nr ? (size_t)c->opts.jobs : nr;
	size_t started = 0;
	int ret = 0;

	if (!nr)
		return 0;
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.jobs = jobs;
	p.nr = nr;
	/*
	 * The first blob alone: it meets a refusal (credentials, permission)
	 * before the others could all report the same one.
	 */
	p.next = 1;
	jobs[0].rc = blob_push(c, &jobs[0]);
	jobs[0].done = 1;
	if (jobs[0].rc)
		return jobs[0].rc;
	report_blob(c, &jobs[0]);
	pthread_mutex_init(&p.lock, NULL);
	threads = xcalloc(n, sizeof(*threads));
	for (size_t i = 0; i < n; i++)
		if (!pthread_create(&threads[i], NULL, pool_worker, &p))
			started++;
	if (!started)
		pool_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&p.lock);
	for (size_t i = 0; i < nr; i++)
		if (jobs[i].done && jobs[i].rc) {
			ret = jobs[i].rc;
			break;
		}
	return ret;
}

/* ---- manifests: upload ----------------------------------------------------- */

/* PUT bytes as ref_or_digest in dst.  Checks Docker-Content-Digest. */
static int manifest_put(struct registry_client *c, const struct reference *dst,
			const char *what_ref, const struct strbuf *bytes, const char *media_type,
			const char *digest)
{
	struct strbuf url = STRBUF_INIT, ct = STRBUF_INIT, dcd = STRBUF_INIT, name = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	const char *headers[2];
	struct call k;
	int ret;

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
	if (res.status != 201 && res.status != 200 && res.status != 204) {
		struct strbuf code = STRBUF_INIT, msg = STRBUF_INIT;

		error_body(&res, &code, &msg);
		if (res.status == 400 && (!strcmp(code.buf, "MANIFEST_BLOB_UNKNOWN") ||
					  !strcmp(code.buf, "BLOB_UNKNOWN")))
			ret = error_as(EXIT_REGISTRY, "'%s' refused manifest %s: a blob it names is missing (%s)",
				       name.buf, digest, msg.buf);
		else
			ret = explain(c, dst, "push to", "PUT manifest", &res);
		strbuf_release(&code);
		strbuf_release(&msg);
		goto out;
	}
	if (!http_header_get(&res.headers, "Docker-Content-Digest", &dcd) &&
	    !strncmp(dcd.buf, "sha256:", 7) && strcmp(dcd.buf, digest)) {
		ret = error_as(EXIT_REGISTRY, "'%s' stored manifest %s as %s", name.buf, digest, dcd.buf);
		goto out;
	}
	if (!c->opts.quiet && strncmp(what_ref, "sha256:", 7))
		fprintf(stderr, "tagged  %s:%s %s\n", name.buf, what_ref, digest);
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&ct);
	strbuf_release(&dcd);
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
	struct descriptor *blobs;
	size_t nr_blobs, alloc_blobs;
};

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->nr_manifests; i++)
		registry_manifest_release(&p->manifests[i].m);
	free(p->manifests);
	descriptors_free(p->blobs, p->nr_blobs);
}

static void plan_add_blob(struct plan *p, const struct descriptor *d)
{
	for (size_t i = 0; i < p->nr_blobs; i++)
		if (!strcmp(p->blobs[i].digest, d->digest))
			return;
	ALLOC_GROW(p->blobs, p->nr_blobs + 1, p->alloc_blobs);
	p->blobs[p->nr_blobs] = *d;
	p->blobs[p->nr_blobs].media_type = xstrdup(d->media_type);
	p->nr_blobs++;
}

static void layout_blob_path(const char *dir, const char *digest, struct strbuf *out)
{
	strbuf_addf(out, "%s/blobs/sha256/%s", dir, digest + 7);
}

/* Read a manifest by digest from the plan's source (layout file or remote). */
static int plan_read_manifest(struct registry_client *c, struct plan *p, const struct descriptor *d,
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
			m.media_type = json_media_type(&m.bytes);
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
	struct descriptor *d = NULL;
	size_t nr = 0;
	int ret = 0;

	if (depth > 3)
		return error_as(EXIT_REGISTRY, "image indexes nested too deep");
	if (is_index(m->media_type)) {
		if ((ret = index_children(&m->bytes, m->digest, &d, NULL, &nr)))
			goto out;
		for (size_t i = 0; i < nr; i++) {
			struct registry_manifest child = REGISTRY_MANIFEST_INIT;
			int dup = 0;

			for (size_t k = 0; k < p->nr_manifests; k++)
				if (!strcmp(p->manifests[k].m.digest, d[i].digest))
					dup = 1;
			if (dup)
				continue;
			if ((ret = plan_read_manifest(c, p, &d[i], &child)))
				goto out;
			if ((ret = plan_add_manifest(c, p, &child, depth + 1))) {
				registry_manifest_release(&child);
				goto out;
			}
		}
	} else {
		char where[128];

		snprintf(where, sizeof(where), "manifest %s", m->digest);
		if ((ret = manifest_blobs(&m->bytes, where, &d, &nr)))
			goto out;
		for (size_t i = 0; i < nr; i++) {
			/* foreign (Windows) layers live elsewhere, as skopeo and docker leave them */
			if (strstr(d[i].media_type, ".foreign.") || strstr(d[i].media_type, "nondistributable"))
				continue;
			plan_add_blob(p, &d[i]);
		}
	}
	ALLOC_GROW(p->manifests, p->nr_manifests + 1, p->alloc_manifests);
	p->manifests[p->nr_manifests++].m = *m;	/* steals m */
	memset(m, 0, sizeof(*m));
out:
	descriptors_free(d, nr);
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
					       j->desc.digest, p->layout, ANNOTATION_BASE_NAME);
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

			if ((ret = manifest_put(c, &dsts[d], m->digest, &m->bytes, m->media_type, m->digest)))
				goto out;
		}
	}
	/* tags last */
	for (size_t d = 0; d < nr_dsts; d++) {
		if (!dsts[d].tag)
			continue;
		if ((ret = manifest_put(c, &dsts[d], dsts[d].tag, &top->bytes, top->media_type, top->digest)))
			goto out;
	}
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
	struct strbuf path = STRBUF_INIT, raw = STRBUF_INIT;
	struct plan p;
	struct registry_manifest top = REGISTRY_MANIFEST_INIT;
	struct descriptor d = { NULL, "", 0 };
	struct reference base = REFERENCE_INIT;
	const char *base_name = NULL;
	json_t *root = NULL, *list, *ann;
	json_error_t jerr;
	int have_base = 0, ret;

	memset(&p, 0, sizeof(p));
	p.layout = dir;
	strbuf_addf(&path, "%s/index.json", dir);
	if (strbuf_read_file(&raw, path.buf, MANIFEST_CAP) < 0) {
		ret = error_as(EXIT_CONTEXT, "cannot read '%s': %s (is '%s' an OCI layout?)", path.buf,
			       strerror(errno), dir);
		goto out;
	}
	root = json_loadb(raw.buf, raw.len, 0, &jerr);
	list = json_object_get(root, "manifests");
	if (!root || !json_is_array(list)) {
		ret = error_as(EXIT_CONTEXT, "'%s' is not an OCI image index%s%s", path.buf,
			       root ? "" : ": ", root ? "" : jerr.text);
		goto out;
	}
	if (json_array_size(list) != 1) {
		ret = error_as(EXIT_CONTEXT, "'%s' lists %zu manifests; push needs exactly one",
			       path.buf, json_array_size(list));
		goto out;
	}
	if ((ret = parse_descriptor(json_array_get(list, 0), &d, path.buf)))
		goto out;
	ann = json_object_get(json_array_get(list, 0), "annotations");
	if (json_is_string(json_object_get(ann, ANNOTATION_BASE_NAME)))
		base_name = json_string_value(json_object_get(ann, ANNOTATION_BASE_NAME));
	if ((ret = plan_read_manifest(c, &p, &d, &top)))
		goto out;
	if (!base_name) {
		json_t *mroot = json_loadb(top.bytes.buf, top.bytes.len, 0, NULL);
		json_t *v = json_object_get(json_object_get(mroot, "annotations"), ANNOTATION_BASE_NAME);

		if (json_is_string(v)) {
			if ((ret = reference_parse(json_string_value(v), &base)))
				ret = error_as(EXIT_CONTEXT, "the layout's base image annotation is not a reference");
			else
				have_base = 1;
		}
		json_decref(mroot);
		if (ret)
			goto out;
	} else {
		if ((ret = reference_parse(base_name, &base))) {
			ret = error_as(EXIT_CONTEXT, "the layout's base image annotation is not a reference");
			goto out;
		}
		have_base = 1;
	}
	if (have_base)
		p.src = &base;
	if ((ret = plan_add_manifest(c, &p, &top, 0)))
		goto out;
	ret = plan_execute(c, &p, dsts, nr_dsts, out);
out:
	json_decref(root);
	free(d.media_type);
	registry_manifest_release(&top);
	reference_release(&base);
	plan_release(&p);
	strbuf_release(&path);
	strbuf_release(&raw);
	return ret;
}
