/*
 * http.c: see http.h.
 */
#include "lib/common.h"
#include "http.h"

#include <ctype.h>
#include <strings.h>
#include <curl/curl.h>

static int curl_ready;

static int http_global_init(void)
{
	if (curl_ready)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error("cannot initialise libcurl");
	curl_ready = 1;
	return 0;
}

void http_response_release(struct http_response *r)
{
	strbuf_release(&r->body);
	strbuf_release(&r->headers);
	strbuf_release(&r->url);
	r->status = 0;
}

struct sink {
	struct strbuf *sb;
	size_t cap;
	int overflow;
};

static size_t write_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct sink *s = data;
	size_t n = size * nmemb;

	if (strbuf_add_capped(s->sb, ptr, n, s->cap) < 0) {
		s->overflow = 1;
		return 0;
	}
	return n;
}

static size_t write_header(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct strbuf *h = data;
	size_t n = size * nmemb;

	/* A new status line starts a new response (after redirects or 100). */
	if (n >= 5 && !memcmp(ptr, "HTTP/", 5))
		strbuf_reset(h);
	if (strbuf_add_capped(h, ptr, n, 256u << 10) < 0)
		return 0;
	return n;
}

int http_get(const char *url, const char *const *headers, size_t cap,
	     long timeout_s, struct http_response *out)
{
	CURL *c;
	struct curl_slist *hl = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink sink;
	CURLcode cc;
	int ret = 0;

	if (http_global_init() < 0)
		return -1;
	c = curl_easy_init();
	if (!c)
		return error("cannot create a curl handle");
	sink.sb = &out->body;
	sink.cap = cap ? cap : HTTP_BODY_CAP_DEFAULT;
	sink.overflow = 0;
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "publish-action");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, write_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->headers);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (getenv("SSL_CERT_FILE"))
		curl_easy_setopt(c, CURLOPT_CAINFO, getenv("SSL_CERT_FILE"));
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		if (sink.overflow)
			ret = error_as(EXIT_NETWORK, "response from '%s' is larger than %zu bytes",
				       url, sink.cap);
		else
			ret = error_as(EXIT_NETWORK, "cannot reach '%s': %s", url,
				       errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
out:
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return ret;
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
