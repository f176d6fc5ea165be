/*
 * http.h: the one small HTTP layer of publish, over libcurl.
 *
 * It owns curl's global state and its error reporting (CURLOPT_ERRORBUFFER
 * is read only here).  TLS verification is always on; SSL_CERT_FILE and
 * the system store are honoured.  Plain http is allowed only for loopback
 * hosts or hosts the caller marks insecure.  Every response body read into
 * memory is capped.  A status >= 400 is not a transport error: the caller
 * gets the status and the body (for the error message).
 */
#ifndef HTTP_H
#define HTTP_H

#include "lib/strbuf.h"

#define HTTP_BODY_CAP_DEFAULT (4u << 20)	/* 4 MiB */

struct http_response {
	long status;		/* 0 when no response came */
	struct strbuf body;	/* capped at the request's cap */
	struct strbuf headers;	/* raw header block of the final response */
};

#define HTTP_RESPONSE_INIT { 0, STRBUF_INIT, STRBUF_INIT }

void http_response_release(struct http_response *r);

/*
 * GET url with the given extra headers (NULL-terminated array of
 * "Name: value" strings, may be NULL).  The body is capped at cap bytes
 * (0 means HTTP_BODY_CAP_DEFAULT).  Returns 0 when a response came (any
 * status), or -EXIT_NETWORK with an error naming the url when none did.
 * timeout_s bounds the whole request (0 means 30 s).
 */
int http_get(const char *url, const char *const *headers, size_t cap,
	     long timeout_s, struct http_response *out);

/* Value of header name (case-insensitive) in a raw header block, into out; 0 if found. */
int http_header_get(const struct strbuf *headers, const char *name, struct strbuf *out);

#endif
