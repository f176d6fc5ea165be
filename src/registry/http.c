/*
 * http.c: see http.h.  A struct http_transfer is one request on one curl
 * easy handle: hop_setup() configures the handle for the current URL,
 * hop_finish() reads curl's result and decides whether a redirect is to
 * be walked (here, not by curl, so the Authorization header never leaves
 * the host that asked for it).  The blocking path runs hops with
 * curl_easy_perform() on one cached transfer per thread; the multi path
 * adds the same handles to a CURLM and runs the same two functions around
 * them.  A thread's transfers are its own (the upload thread of
 * registry_prepush_* has a client of its own): nothing here is shared
 * between threads but curl's global state, set up before any thread.
 */
#include "lib/common.h"
#include "registry/http.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <curl/curl.h>

#define HEADER_CAP (256u << 10)	/* a response's header block */
#define LOW_SPEED_LIMIT 1024L	/* bytes a second, at least... */
#define LOW_SPEED_TIME 30L	/* ...over this many seconds (else the transfer fails) */
#define MAX_REDIRECTS 5

static int curl_ready;

static int http_global_init(void)
{
	if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		curl_ready = 1;
	if (!curl_ready)
		return error("cannot initialise libcurl");
	return 0;
}

void http_response_release(struct http_response *r)
{
	strbuf_release(&r->body);
	strbuf_release(&r->headers);
	strbuf_release(&r->url);
	strbuf_release(&r->error);
	r->status = 0;
}

struct http_transfer {
	CURL *easy;		/* owned; kept across requests (reset between hops) */
	void *data;		/* the caller's */
	const struct http_request *req;	/* borrowed while a request runs */
	struct http_response *out;	/* borrowed while a request runs */
	/* the request: redirects walked so far */
	struct strbuf url, host0;	/* host0: "host[:port]" of the first URL */
	struct strbuf origin0;		/* "scheme://host[:port]" of the first URL: where credentials go */
	int hops;
	int fell_back;		/* this hop is the plain http retry of a loopback https URL */
	struct strbuf tls_error;	/* why its https attempt failed */
	struct http_multi *multi;	/* the multi it is in, or NULL */
	/* this hop */
	struct curl_slist *headers;	/* owned, holds the Authorization line */
	char errbuf[CURL_ERROR_SIZE];
	size_t cap;
	long status;		/* of the response being received */
	int overflow;		/* 1: the body passed its cap, 2: the headers theirs */
	int sink_failed;	/* the sink's negative return, 0: none */
	size_t mem_off;		/* request body sent from memory so far */
};

struct http_multi {
	CURLM *multi;	/* owned */
	int nr;		/* transfers added and not yet removed */
	int paused;	/* a transfer paused in this round */
};

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct http_transfer *t = data;
	size_t n = size * nmemb;

	/* A new status line starts a new response (after 100 Continue). */
	if (n >= 12 && !memcmp(ptr, "HTTP/", 5)) {
		const char *sp = memchr(ptr, ' ', n);

		strbuf_reset(&t->out->headers);
		t->status = sp ? strtol(sp + 1, NULL, 10) : 0;
	}
	if (strbuf_add_capped(&t->out->headers, ptr, n, HEADER_CAP) < 0) {
		t->overflow = 2;
		return 0;
	}
	return n;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct http_transfer *t = data;
	size_t n = size * nmemb;

	if (t->req->sink && t->status >= 200 && t->status < 300) {
		int rc = t->req->sink(t->req->sink_data, ptr, n);

		if (rc == HTTP_SINK_PAUSE && t->multi) {
			t->multi->paused = 1;
			return CURL_WRITEFUNC_PAUSE;
		}
		if (rc) {
			t->sink_failed = rc < 0 ? rc : -1;
			return 0;
		}
		return n;
	}
	if (strbuf_add_capped(&t->out->body, ptr, n, t->cap) < 0) {
		t->overflow = 1;
		return 0;
	}
	return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *data)
{
	struct http_transfer *t = data;
	const struct http_request *req = t->req;
	size_t want = size * nitems;

	if (req->body_read) {
		long got = req->body_read(req->body_read_data, buf, want);

		if (got == HTTP_READ_PAUSE && t->multi) {
			t->multi->paused = 1;
			return CURL_READFUNC_PAUSE;
		}
		if (got < 0 || (size_t)got > want)
			return CURL_READFUNC_ABORT;
		return (size_t)got;
	}
	if (req->body_file) {
		size_t got = fread(buf, 1, want, req->body_file);

		if (!got && ferror(req->body_file))
			return CURL_READFUNC_ABORT;
		return got;
	}
	if (want > req->body_len - t->mem_off)
		want = req->body_len - t->mem_off;
	if (want) {
		memcpy(buf, (const char *)req->body + t->mem_off, want);
		t->mem_off += want;
	}
	return want;
}

static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_transfer *t = data;

	(void)dltotal;
	(void)ultotal;
	if (t->req->progress)
		t->req->progress(t->req->progress_data, (long long)(ulnow > dlnow ? ulnow : dlnow));
	return 0;
}

/* 1 if s is empty or ":digits" (the port after a host). */
static int is_port_suffix(const char *s)
{
	if (!*s)
		return 1;
	if (*s++ != ':' || !*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * Loopback is a name that cannot be made to point elsewhere: "localhost"
 * (curl resolves it to loopback itself), a literal IPv4 address in
 * 127.0.0.0/8 with all four parts, or the IPv6 address ::1.  A DNS name
 * that merely starts with "127." (127.0.0.1.nip.io) is not.
 */
int http_host_is_loopback(const char *host)
{
	char name[INET6_ADDRSTRLEN + 1];
	const char *end;
	struct in_addr a4;
	struct in6_addr a6;
	size_t len;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end || !is_port_suffix(end + 1))
			return 0;
		host++;
	} else if (strchr(host, ':') != strrchr(host, ':')) {
		end = host + strlen(host);	/* bare IPv6, no port */
	} else {
		end = strchr(host, ':');
		if (!end)
			end = host + strlen(host);
		if (!is_port_suffix(end))
			return 0;
	}
	len = (size_t)(end - host);
	if (!len || len >= sizeof(name))
		return 0;
	memcpy(name, host, len);
	name[len] = '\0';
	if (!strcasecmp(name, "localhost"))
		return 1;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, name, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* A positive number from the environment variable name, else def. */
static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n <= 0)
		return def;
	return n;
}

/* scheme and host[:port] of url */
static int url_parts(const char *url, struct strbuf *scheme, struct strbuf *host)
{
	CURLU *u = curl_url();
	char *s = NULL, *h = NULL, *p = NULL;
	int ret = -1;

	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		goto out;
	curl_url_get(u, CURLUPART_PORT, &p, 0);
	if (scheme) {
		strbuf_reset(scheme);
		strbuf_addstr(scheme, s);
	}
	if (host) {
		strbuf_reset(host);
		strbuf_addstr(host, h);
		if (p)
			strbuf_addf(host, ":%s", p);
	}
	ret = 0;
out:
	curl_free(s);
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return ret;
}

int http_url_host(const char *url, struct strbuf *out)
{
	return url_parts(url, NULL, out);
}

/*
 * What each loopback host speaks, learnt from the first answer (https or
 * plain http after the fallback) and kept for the rest of the run.
 */
struct host_scheme {
	char *host;
	int plain;
};
static struct host_scheme *schemes;
static size_t nr_schemes, alloc_schemes;

static struct host_scheme *scheme_find(const char *host)
{
	for (size_t i = 0; i < nr_schemes; i++)
		if (!strcasecmp(schemes[i].host, host))
			return &schemes[i];
	return NULL;
}

void http_host_remember(const char *host, int plain)
{
	struct host_scheme *s = scheme_find(host);

	if (!s) {
		ALLOC_GROW(schemes, nr_schemes + 1, alloc_schemes);
		s = &schemes[nr_schemes++];
		s->host = xstrdup(host);
	}
	s->plain = plain;
}

int http_host_scheme(const char *host)
{
	const struct host_scheme *s = scheme_find(host);

	return s ? s->plain : -1;
}

void http_forget_hosts(void)
{
	for (size_t i = 0; i < nr_schemes; i++)
		free(schemes[i].host);
	free(schemes);
	schemes = NULL;
	nr_schemes = alloc_schemes = 0;
}

int http_plain_fallback(const char *host)
{
	return http_host_is_loopback(host) && http_host_scheme(host) != 0;
}

int http_may_send_credentials(const char *url)
{
	struct strbuf scheme = STRBUF_INIT, host = STRBUF_INIT;
	int ok = 0;

	if (!url_parts(url, &scheme, &host))
		ok = !strcmp(scheme.buf, "https") ||
			(!strcmp(scheme.buf, "http") && http_host_is_loopback(host.buf));
	strbuf_release(&scheme);
	strbuf_release(&host);
	return ok;
}

/* "https://rest" made "http://rest" in place. */
static void url_to_plain(struct strbuf *url)
{
	struct strbuf plain = STRBUF_INIT;

	if (strncasecmp(url->buf, "https://", 8))
		return;
	strbuf_addf(&plain, "http://%s", url->buf + 8);
	strbuf_reset(url);
	strbuf_addbuf(url, &plain);
	strbuf_release(&plain);
}

/* An https URL to a loopback host known to speak plain http: made http. */
static void prefer_known_scheme(struct strbuf *url)
{
	struct strbuf host = STRBUF_INIT;

	if (!strncasecmp(url->buf, "https://", 8) && !url_parts(url->buf, NULL, &host) &&
	    http_host_is_loopback(host.buf) && http_host_scheme(host.buf) == 1)
		url_to_plain(url);
	strbuf_release(&host);
}

int http_resolve_url(const char *base, const char *location, struct strbuf *out)
{
	CURLU *u = curl_url();
	char *s = NULL;
	int ret = -1;

	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
		strbuf_reset(out);
		strbuf_addstr(out, s);
		ret = 0;
	}
	curl_free(s);
	curl_url_cleanup(u);
	return ret;
}

void http_escape(const char *s, struct strbuf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			strbuf_addch(out, c);
		else
			strbuf_addf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* The URL without its query (queries may hold upload state; keep messages short). */
static void url_for_message(const char *url, struct strbuf *out)
{
	const char *q = strchr(url, '?');

	strbuf_add(out, url, q ? (size_t)(q - url) : strlen(url));
}

/*
 * A request of t failed without an answer: the message into out->error
 * (never empty), printed unless the request is quiet (its caller then
 * decides), out->permanent set when trying again cannot help.  Returns
 * -code.
 */
PUBLISH_PRINTF(4, 5)
static int transfer_fail(struct http_transfer *t, int code, int permanent, const char *fmt, ...)
{
	struct http_response *out = t->out;
	va_list ap;

	strbuf_reset(&out->error);
	va_start(ap, fmt);
	strbuf_vaddf(&out->error, fmt, ap);
	va_end(ap);
	out->permanent = permanent;
	if (!t->req->quiet)
		return error_as(code, "%s", out->error.buf);
	return -code;
}

/*
 * Refuse url unless it is https, or plain http to loopback or an insecure
 * host (a refusal is permanent, -EXIT_INPUT).  Its "host[:port]" into host
 * and "scheme://host[:port]" into origin.
 */
static int check_scheme(struct http_transfer *t, const char *url, struct strbuf *host,
			struct strbuf *origin)
{
	struct strbuf scheme = STRBUF_INIT, msg = STRBUF_INIT;
	int ret = 0;

	url_for_message(url, &msg);
	if (url_parts(url, &scheme, host) < 0) {
		ret = transfer_fail(t, EXIT_INPUT, 1, "cannot parse URL '%s'", msg.buf);
	} else if (!strcasecmp(scheme.buf, "http")) {
		if (!t->req->insecure && !http_host_is_loopback(host->buf))
			ret = transfer_fail(t, EXIT_INPUT, 1, "refusing plain http to '%s'%s: only loopback or --insecure-registry hosts may use it",
					    host->buf, t->hops ? " (a redirect)" : "");
	} else if (strcasecmp(scheme.buf, "https")) {
		ret = transfer_fail(t, EXIT_INPUT, 1, "refusing URL scheme '%s' in '%s'", scheme.buf, msg.buf);
	}
	if (!ret) {
		strbuf_reset(origin);
		for (const char *p = scheme.buf; *p; p++)
			strbuf_addch(origin, tolower((unsigned char)*p));
		strbuf_addf(origin, "://%s", host->buf);
	}
	strbuf_release(&scheme);
	strbuf_release(&msg);
	return ret;
}

struct http_transfer *http_transfer_new(void *data)
{
	struct http_transfer *t = xcalloc(1, sizeof(*t));

	t->data = data;
	strbuf_init(&t->url, 0);
	strbuf_init(&t->host0, 0);
	strbuf_init(&t->origin0, 0);
	strbuf_init(&t->tls_error, 0);
	return t;
}

static void multi_remove(struct http_multi *m, struct http_transfer *t)
{
	curl_multi_remove_handle(m->multi, t->easy);
	t->multi = NULL;
	m->nr--;
}

void *http_transfer_data(const struct http_transfer *t)
{
	return t->data;
}

/* Drop what one hop holds: the header list (with the Authorization line). */
static void hop_release(struct http_transfer *t)
{
	struct curl_slist *l;

	for (l = t->headers; l; l = l->next)
		if (!strncasecmp(l->data, "Authorization:", 14))
			memset(l->data, 0, strlen(l->data));
	curl_slist_free_all(t->headers);
	t->headers = NULL;
}

void http_transfer_free(struct http_transfer *t)
{
	if (!t)
		return;
	if (t->multi)
		multi_remove(t->multi, t);
	hop_release(t);
	if (t->easy)
		curl_easy_cleanup(t->easy);
	strbuf_release(&t->url);
	strbuf_release(&t->host0);
	strbuf_release(&t->origin0);
	strbuf_release(&t->tls_error);
	free(t);
}

/*
 * Configure t's handle for one hop to t->url: no redirects followed by
 * curl, Authorization (and Basic userpwd) only when the hop stays on the
 * scheme and host of the original URL (no https -> http downgrade either).
 */
static int hop_setup(struct http_transfer *t)
{
	const struct http_request *req = t->req;
	struct http_response *out = t->out;
	struct strbuf host = STRBUF_INIT, origin = STRBUF_INIT, auth = STRBUF_INIT;
	const char *method = req->method ? req->method : "GET";
	int has_body = req->body || req->body_file || req->body_read;
	int send_auth, ret;
	CURL *c;

	strbuf_reset(&out->error);
	out->permanent = 0;
	if ((ret = check_scheme(t, t->url.buf, &host, &origin)))
		goto out;
	/* credentials: the first URL's origin only, and never plain http off loopback */
	send_auth = !strcasecmp(origin.buf, t->origin0.buf) && http_may_send_credentials(t->url.buf);
	if (!t->easy)
		t->easy = curl_easy_init();
	else
		curl_easy_reset(t->easy);
	c = t->easy;
	if (!c) {
		ret = error("cannot create a curl handle");
		goto out;
	}
	hop_release(t);
	t->cap = req->cap ? req->cap : HTTP_BODY_CAP_DEFAULT;
	t->status = 0;
	t->overflow = t->sink_failed = 0;
	t->mem_off = 0;
	t->errbuf[0] = '\0';
	strbuf_reset(&out->body);
	strbuf_reset(&out->headers);
	out->status = 0;

	for (const char *const *h = req->headers; h && *h; h++)
		t->headers = curl_slist_append(t->headers, *h);
	if (send_auth && req->authorization) {
		strbuf_addf(&auth, "Authorization: %s", req->authorization);
		t->headers = curl_slist_append(t->headers, auth.buf);
	}
	t->headers = curl_slist_append(t->headers, "Expect:");

	curl_easy_setopt(c, CURLOPT_PRIVATE, t);
	curl_easy_setopt(c, CURLOPT_URL, t->url.buf);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "publish-action");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	if (req->sink || req->body_file || req->body_read) {
		if (req->timeout_s > 0)
			curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s);
	} else {
		curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s > 0 ? req->timeout_s : 30L);
	}
	/* a trickle is a failure too (curl does not count a paused transfer) */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, env_long("PUBLISH_LOW_SPEED_LIMIT", LOW_SPEED_LIMIT));
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, env_long("PUBLISH_LOW_SPEED_TIME", LOW_SPEED_TIME));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/*
	 * HTTP/1.1, as docker's, containerd's and skopeo's clients speak to
	 * registries: each parallel blob gets a connection of its own, which
	 * the registry serves on a thread of its own, where HTTP/2 would
	 * multiplex them through one (a 120 MiB blob took 0.485 s over
	 * HTTP/2 and 0.44 s over HTTP/1.1 to the TLS test registry).
	 */
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (getenv("SSL_CERT_FILE") && *getenv("SSL_CERT_FILE"))
		curl_easy_setopt(c, CURLOPT_CAINFO, getenv("SSL_CERT_FILE"));
	if (getenv("SSL_CERT_DIR") && *getenv("SSL_CERT_DIR"))
		curl_easy_setopt(c, CURLOPT_CAPATH, getenv("SSL_CERT_DIR"));
	if (send_auth && req->userpwd) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, req->userpwd);
	}
	if (req->progress) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (has_body || !strcmp(method, "PUT") || !strcmp(method, "POST") ||
		   !strcmp(method, "PATCH")) {
		if (req->body_file && fseeko(req->body_file, 0, SEEK_SET) < 0) {
			ret = error("cannot rewind the upload body");
			goto out;
		}
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, t);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(req->body_file ? req->body_file_size :
					      req->body_read ? req->body_read_size :
					      (long long)req->body_len));
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
out:
	if (auth.len)
		memset(auth.buf, 0, auth.len);
	strbuf_release(&auth);
	strbuf_release(&host);
	strbuf_release(&origin);
	return ret;
}

#define HOP_AGAIN 1	/* hop_finish: a redirect to follow, t->url is the next hop */

/*
 * Read the result cc of one hop.  0 when the request is over with a
 * response (any status), HOP_AGAIN when a redirect is to be followed,
 * negative when no response came (see http_request()).
 */
static int hop_finish(struct http_transfer *t, CURLcode cc)
{
	const struct http_request *req = t->req;
	struct http_response *out = t->out;
	struct strbuf loc = STRBUF_INIT, next = STRBUF_INIT, host = STRBUF_INIT, scheme = STRBUF_INIT;
	int ret = 0;

	hop_release(t);
	if (url_parts(t->url.buf, &scheme, &host) < 0)
		strbuf_reset(&host);
	if (cc == CURLE_SSL_CONNECT_ERROR && !t->sink_failed && !t->overflow && !t->fell_back &&
	    !strcmp(scheme.buf, "https") && http_plain_fallback(host.buf)) {
		/*
		 * A loopback host that does not speak TLS (it answered in plain
		 * http, or dropped the handshake): plain http next, as docker
		 * does; credentials follow only if this was their origin.
		 */
		strbuf_reset(&t->tls_error);
		strbuf_addstr(&t->tls_error, t->errbuf[0] ? t->errbuf : curl_easy_strerror(cc));
		strbuf_addf(&loc, "https://%s", host.buf);
		if (!strcasecmp(loc.buf, t->origin0.buf)) {
			strbuf_reset(&t->origin0);
			strbuf_addf(&t->origin0, "http://%s", host.buf);
		}
		url_to_plain(&t->url);
		t->fell_back = 1;
		ret = HOP_AGAIN;
		goto out;
	}
	if (cc != CURLE_OK) {
		struct strbuf msg = STRBUF_INIT;
		int tls = cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
			cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_ISSUER_ERROR;

		url_for_message(t->url.buf, &msg);
		if (t->sink_failed) {
			/* the sink said why; it will say the same next time */
			strbuf_reset(&out->error);
			out->permanent = 1;
			ret = t->sink_failed;
		} else if (t->overflow) {
			ret = transfer_fail(t, EXIT_REGISTRY, 1, "%s from '%s' is larger than %zu bytes",
					    t->overflow > 1 ? "the response header block" : "the response",
					    msg.buf, t->overflow > 1 ? (size_t)HEADER_CAP : t->cap);
		} else if (cc == CURLE_SSL_CONNECT_ERROR && strstr(t->errbuf, "wrong version number")) {
			/* TLS spoken to a plain http server: retrying cannot help */
			ret = transfer_fail(t, EXIT_NETWORK, 1, "cannot reach '%s': %s (plain http? allow it with --insecure-registry)",
					    msg.buf, t->errbuf);
		} else {
			ret = transfer_fail(t, EXIT_NETWORK, tls || cc == CURLE_UNSUPPORTED_PROTOCOL ||
					    cc == CURLE_URL_MALFORMAT, "cannot reach '%s': %s%s%s%s", msg.buf,
					    t->errbuf[0] ? t->errbuf : curl_easy_strerror(cc),
					    t->fell_back ? " (tried after https failed: " : "",
					    t->fell_back ? t->tls_error.buf : "", t->fell_back ? ")" : "");
		}
		strbuf_release(&msg);
		goto out;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &out->status);
	if (host.len && http_host_is_loopback(host.buf) && http_host_scheme(host.buf) < 0)
		http_host_remember(host.buf, !strcmp(scheme.buf, "http"));
	if (!req->follow || out->status < 300 || out->status >= 400 ||
	    out->status == 304 || http_header_get(&out->headers, "Location", &loc)) {
		strbuf_reset(&out->url);
		strbuf_addbuf(&out->url, &t->url);
		goto out;
	}
	if (++t->hops > MAX_REDIRECTS) {
		ret = transfer_fail(t, EXIT_REGISTRY, 1, "too many redirects (more than %d) from '%s'",
				    MAX_REDIRECTS, t->host0.buf);
		goto out;
	}
	if (http_resolve_url(t->url.buf, loc.buf, &next) < 0) {
		if (url_parts(t->url.buf, NULL, &host) < 0)
			strbuf_addbuf(&host, &t->host0);
		ret = transfer_fail(t, EXIT_REGISTRY, 1, "cannot follow a redirect from '%s': bad Location",
				    host.buf);
		goto out;
	}
	strbuf_reset(&t->url);
	strbuf_addbuf(&t->url, &next);
	prefer_known_scheme(&t->url);
	t->fell_back = 0;
	ret = HOP_AGAIN;
out:
	strbuf_release(&scheme);
	strbuf_release(&loc);
	strbuf_release(&next);
	strbuf_release(&host);
	return ret;
}

/* Make t the carrier of req (answer into out) and set up its first hop. */
static int transfer_begin(struct http_transfer *t, const struct http_request *req,
			  struct http_response *out)
{
	int ret;

	if (http_global_init() < 0)
		return -1;
	t->req = req;
	t->out = out;
	t->hops = 0;
	strbuf_reset(&out->error);
	out->permanent = 0;
	/*
	 * Credentials go in req->authorization or req->userpwd, the two that
	 * are held to the first host; the generic list goes on every hop.
	 */
	for (const char *const *h = req->headers; h && *h; h++) {
		const char *p = *h;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncasecmp(p, "Authorization", 13) && (p[13] == ':' || p[13] == ' ' || p[13] == '\t')) {
			struct strbuf msg = STRBUF_INIT;

			url_for_message(req->url, &msg);
			ret = transfer_fail(t, EXIT_INTERNAL, 1, "a request to '%s' carries an Authorization header that would follow redirects",
					    msg.buf);
			strbuf_release(&msg);
			return ret;
		}
	}
	strbuf_reset(&t->url);
	strbuf_addstr(&t->url, req->url);
	t->fell_back = 0;
	strbuf_reset(&t->tls_error);
	prefer_known_scheme(&t->url);
	if ((ret = check_scheme(t, t->url.buf, &t->host0, &t->origin0)))
		return ret;
	return hop_setup(t);
}

/*
 * The transfer of the blocking path, one a thread: the upload thread's
 * token requests must not run on the build's handle, nor its client's
 * release free that handle under the build.
 */
static __thread struct http_transfer *blocking;

int http_init(void)
{
	return http_global_init();
}

void http_release(void)
{
	http_transfer_free(blocking);
	blocking = NULL;
}

int http_request(const struct http_request *req, struct http_response *out)
{
	int ret;

	if (!blocking)
		blocking = http_transfer_new(NULL);
	if ((ret = transfer_begin(blocking, req, out)))
		return ret;
	while ((ret = hop_finish(blocking, curl_easy_perform(blocking->easy))) == HOP_AGAIN)
		if ((ret = hop_setup(blocking)))
			break;
	return ret;
}
struct http_multi *http_multi_new(void)
{
	struct http_multi *m;

	if (http_global_init() < 0)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->multi = curl_multi_init();
	if (!m->multi) {
		free(m);
		error("cannot create a curl multi handle");
		return NULL;
	}
	return m;
}

void http_multi_free(struct http_multi *m)
{
	if (!m)
		return;
	curl_multi_cleanup(m->multi);
	free(m);
}

static int multi_add(struct http_multi *m, struct http_transfer *t)
{
	CURLMcode mc = curl_multi_add_handle(m->multi, t->easy);

	if (mc != CURLM_OK)
		return error("cannot start a transfer to '%s': %s", t->host0.buf, curl_multi_strerror(mc));
	t->multi = m;
	m->nr++;
	return 0;
}

int http_multi_add(struct http_multi *m, struct http_transfer *t, const struct http_request *req,
		   struct http_response *out)
{
	int ret;

	if (t->multi)
		return error_as(EXIT_INTERNAL, "a transfer was started twice");
	if ((ret = transfer_begin(t, req, out)))
		return ret;
	return multi_add(m, t);
}

int http_multi_wait(struct http_multi *m, long timeout_ms)
{
	CURLMcode mc;
	int running;

	m->paused = 0;
	mc = curl_multi_perform(m->multi, &running);
	/*
	 * a transfer that just ended waits in curl's queue, or one paused and
	 * its partner may move: hand them out, don't sleep
	 */
	if (mc == CURLM_OK && running == m->nr && !m->paused) {
		mc = curl_multi_poll(m->multi, NULL, 0, timeout_ms > 0 ? (int)timeout_ms : 0, NULL);
		if (mc == CURLM_OK)
			mc = curl_multi_perform(m->multi, &running);
	}
	if (mc != CURLM_OK)
		return error("transfers failed: %s", curl_multi_strerror(mc));
	return 0;
}

void http_multi_wakeup(struct http_multi *m)
{
	curl_multi_wakeup(m->multi);
}

void http_transfer_resume(struct http_transfer *t)
{
	if (t->multi)
		curl_easy_pause(t->easy, CURLPAUSE_CONT);
}

void http_transfer_cancel(struct http_transfer *t)
{
	if (!t->multi)
		return;
	multi_remove(t->multi, t);
	hop_release(t);
	/* a fresh handle for the next request: nothing of the paused one carries over */
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
}

struct http_transfer *http_multi_next_done(struct http_multi *m, int *rc)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left))) {
		struct http_transfer *t = NULL;
		CURLcode cc = msg->data.result;
		int ret;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		multi_remove(m, t);	/* msg is gone from here on */
		ret = hop_finish(t, cc);
		if (ret == HOP_AGAIN && !(ret = hop_setup(t)) && !(ret = multi_add(m, t)))
			continue;	/* the next hop is under way */
		*rc = ret;
		return t;
	}
	return NULL;
}

int http_get(const char *url, const char *const *headers, size_t cap,
	     long timeout_s, struct http_response *out)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.headers = headers;
	req.cap = cap;
	req.timeout_s = timeout_s;
	req.follow = 1;
	return http_request(&req, out);
}

int http_header_get(const struct strbuf *headers, const char *name, struct strbuf *out)
{
	size_t nlen = strlen(name);
	const char *p = headers->buf;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t llen = eol ? (size_t)(eol - p) : strlen(p);

		if (llen > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
			const char *v = p + nlen + 1;
			const char *e = p + llen;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && isspace((unsigned char)e[-1]))
				e--;
			strbuf_reset(out);
			strbuf_add(out, v, (size_t)(e - v));
			return 0;
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

double http_retry_after(const struct http_response *res)
{
	struct strbuf v = STRBUF_INIT;
	const char *p, *end = res->body.buf + res->body.len;
	double s = -1;

	if (!http_header_get(&res->headers, "Retry-After", &v) && isdigit((unsigned char)v.buf[0]))
		s = strtod(v.buf, NULL);
	strbuf_release(&v);
	if (s >= 0)
		return s;
	p = strcasestr(res->body.buf, "retry-after");
	if (!p)
		p = strcasestr(res->body.buf, "retry after");
	if (!p)
		return -1;
	p += 11;
	while (p < end && (*p == ':' || *p == ' ' || *p == '='))
		p++;
	if (p < end && isdigit((unsigned char)*p))
		s = strtod(p, NULL);
	return s;
}
