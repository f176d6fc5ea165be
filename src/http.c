/*
 * http.c: see http.h.  Each thread keeps one curl easy handle (reset
 * between requests, so its connection cache survives); redirects are
 * walked here so the Authorization header never leaves the host that
 * asked for it.
 */
#include "lib/common.h"
#include "http.h"

#include <ctype.h>
#include <pthread.h>
#include <strings.h>
#include <curl/curl.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;
static __thread CURL *thread_handle;

static void curl_init_once(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static int http_global_init(void)
{
	pthread_once(&curl_once, curl_init_once);
	if (!curl_ready)
		return error("cannot initialise libcurl");
	return 0;
}

void http_thread_release(void)
{
	if (thread_handle)
		curl_easy_cleanup(thread_handle);
	thread_handle = NULL;
}

void http_response_release(struct http_response *r)
{
	strbuf_release(&r->body);
	strbuf_release(&r->headers);
	strbuf_release(&r->url);
	strbuf_release(&r->error);
	r->status = 0;
}

struct transfer {
	const struct http_request *req;
	struct http_response *out;
	size_t cap;
	long status;		/* of the response being received */
	int overflow;
	int sink_failed;
	/* request body */
	const char *mem;
	size_t mem_len, mem_off;
};

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct transfer *t = data;
	size_t n = size * nmemb;

	/* A new status line starts a new response (after 100 Continue). */
	if (n >= 12 && !memcmp(ptr, "HTTP/", 5)) {
		const char *sp = memchr(ptr, ' ', n);

		strbuf_reset(&t->out->headers);
		t->status = sp ? strtol(sp + 1, NULL, 10) : 0;
	}
	if (strbuf_add_capped(&t->out->headers, ptr, n, 256u << 10) < 0)
		return 0;
	return n;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct transfer *t = data;
	size_t n = size * nmemb;

	if (t->req->sink && t->status >= 200 && t->status < 300) {
		if (t->req->sink(t->req->sink_data, ptr, n) < 0) {
			t->sink_failed = 1;
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
	struct transfer *t = data;
	size_t want = size * nitems;

	if (t->req->body_file) {
		size_t got = fread(buf, 1, want, t->req->body_file);

		if (!got && ferror(t->req->body_file))
			return CURL_READFUNC_ABORT;
		return got;
	}
	if (want > t->mem_len - t->mem_off)
		want = t->mem_len - t->mem_off;
	memcpy(buf, t->mem + t->mem_off, want);
	t->mem_off += want;
	return want;
}

static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = data;

	(void)dltotal;
	(void)ultotal;
	if (t->req->progress)
		t->req->progress(t->req->progress_data, (long long)(ulnow > dlnow ? ulnow : dlnow));
	return 0;
}

int http_host_is_loopback(const char *host)
{
	if (!strncasecmp(host, "localhost", 9) && (!host[9] || host[9] == ':'))
		return 1;
	if (!strncmp(host, "127.", 4))
		return 1;
	if (!strncmp(host, "[::1]", 5) || !strcmp(host, "::1"))
		return 1;
	return 0;
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

static int check_scheme(const char *url, int insecure, struct strbuf *host)
{
	struct strbuf scheme = STRBUF_INIT, msg = STRBUF_INIT;
	int ret = 0;

	url_for_message(url, &msg);
	if (url_parts(url, &scheme, host) < 0) {
		ret = error_as(EXIT_INPUT, "cannot parse URL '%s'", msg.buf);
	} else if (!strcasecmp(scheme.buf, "http")) {
		if (!insecure && !http_host_is_loopback(host->buf))
			ret = error_as(EXIT_INPUT, "refusing plain http to '%s': only loopback or --insecure-registry hosts may use it",
				       host->buf);
	} else if (strcasecmp(scheme.buf, "https")) {
		ret = error_as(EXIT_INPUT, "refusing URL scheme '%s' in '%s'", scheme.buf, msg.buf);
	}
	strbuf_release(&scheme);
	strbuf_release(&msg);
	return ret;
}

static CURL *get_handle(void)
{
	if (!thread_handle)
		thread_handle = curl_easy_init();
	else
		curl_easy_reset(thread_handle);
	return thread_handle;
}

/* One hop: no redirects followed. */
static int perform(const struct http_request *req, const char *url, int send_auth,
		   struct http_response *out)
{
	struct transfer t;
	struct curl_slist *hl = NULL;
	struct strbuf auth = STRBUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *method = req->method ? req->method : "GET";
	int has_body = req->body || req->body_file;
	CURL *c;
	CURLcode cc;
	int ret = 0;

	c = get_handle();
	if (!c)
		return error("cannot create a curl handle");
	memset(&t, 0, sizeof(t));
	t.req = req;
	t.out = out;
	t.cap = req->cap ? req->cap : HTTP_BODY_CAP_DEFAULT;
	t.mem = req->body;
	t.mem_len = req->body_len;
	strbuf_reset(&out->body);
	strbuf_reset(&out->headers);
	out->status = 0;
	out->permanent = 0;

	for (const char *const *h = req->headers; h && *h; h++)
		hl = curl_slist_append(hl, *h);
	if (send_auth && req->authorization) {
		strbuf_addf(&auth, "Authorization: %s", req->authorization);
		hl = curl_slist_append(hl, auth.buf);
	}
	hl = curl_slist_append(hl, "Expect:");

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "publish-action");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	if (req->sink || req->body_file) {
		if (req->timeout_s > 0)
			curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	} else {
		curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s > 0 ? req->timeout_s : 30L);
	}
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
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
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
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
		curl_easy_setopt(c, CURLOPT_READDATA, &t);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(req->body_file ? req->body_file_size :
					      (long long)req->body_len));
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}

	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		struct strbuf msg = STRBUF_INIT;

		url_for_message(url, &msg);
		strbuf_reset(&out->error);
		out->permanent = cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
			cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_ISSUER_ERROR ||
			cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT;
		if (t.sink_failed) {
			ret = -1;
		} else {
			if (t.overflow)
				strbuf_addf(&out->error, "response from '%s' is larger than %zu bytes",
					    msg.buf, t.cap);
			else
				strbuf_addf(&out->error, "cannot reach '%s': %s", msg.buf,
					    errbuf[0] ? errbuf : curl_easy_strerror(cc));
			if (cc == CURLE_SSL_CONNECT_ERROR && strstr(errbuf, "wrong version number")) {
				/* TLS spoken to a plain http server: retrying cannot help */
				out->permanent = 1;
				strbuf_addstr(&out->error, " (plain http? allow it with --insecure-registry)");
			}
			ret = req->quiet ? -EXIT_NETWORK : error_as(EXIT_NETWORK, "%s", out->error.buf);
		}
		strbuf_release(&msg);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
out:
	curl_slist_free_all(hl);
	if (auth.len)
		memset(auth.buf, 0, auth.len);
	strbuf_release(&auth);
	return ret;
}

int http_request(const struct http_request *req, struct http_response *out)
{
	struct strbuf url = STRBUF_INIT, host0 = STRBUF_INIT, host = STRBUF_INIT,
		loc = STRBUF_INIT, next = STRBUF_INIT;
	int hops = 0;
	int ret;

	if (http_global_init() < 0)
		return -1;
	strbuf_addstr(&url, req->url);
	if ((ret = check_scheme(url.buf, req->insecure, &host0)))
		goto out;
	for (;;) {
		int send_auth;

		if ((ret = check_scheme(url.buf, req->insecure, &host)))
			goto out;
		send_auth = !strcasecmp(host.buf, host0.buf);
		if ((ret = perform(req, url.buf, send_auth, out)))
			goto out;
		if (!req->follow || out->status < 300 || out->status >= 400 ||
		    out->status == 304 || http_header_get(&out->headers, "Location", &loc))
			break;
		if (++hops > 5) {
			ret = error_as(EXIT_REGISTRY, "too many redirects from '%s'", host0.buf);
			goto out;
		}
		if (http_resolve_url(url.buf, loc.buf, &next) < 0) {
			ret = error_as(EXIT_REGISTRY, "cannot follow redirect from '%s'", host.buf);
			goto out;
		}
		strbuf_reset(&url);
		strbuf_addbuf(&url, &next);
	}
	strbuf_reset(&out->url);
	strbuf_addbuf(&out->url, &url);
out:
	strbuf_release(&url);
	strbuf_release(&host0);
	strbuf_release(&host);
	strbuf_release(&loc);
	strbuf_release(&next);
	return ret;
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
