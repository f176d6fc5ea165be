/*
 * http.h: the one small HTTP layer of publish, over libcurl.
 *
 * It owns curl's global state and its error reporting (CURLOPT_ERRORBUFFER
 * is read only here).  TLS verification is always on; SSL_CERT_FILE and
 * the system store are honoured.  Plain http is allowed only for loopback
 * hosts (tried over https first: see http_plain_fallback) or hosts the
 * caller marks insecure.  Every response body read into
 * memory is capped.  A status >= 400 is not a transport error: the caller
 * gets the status and the body (for the error message).  A transfer that
 * moves less than 1 KiB/s for 30 s fails (-EXIT_NETWORK); the environment
 * variables PUBLISH_LOW_SPEED_LIMIT (bytes/s) and PUBLISH_LOW_SPEED_TIME
 * (seconds) change the two, for tests.
 *
 * Redirects are followed here, not by curl: the Authorization header is
 * sent only to the scheme, host and port of the original URL, and dropped
 * as soon as a redirect leads to another host or from https to http
 * (ghcr.io sends blob downloads to a CDN).  Credentials travel only in
 * req->authorization and req->userpwd: an Authorization line in the
 * generic header list (sent on every hop) is refused as a bug
 * (-EXIT_INTERNAL).  Request headers are never logged.
 *
 * Two ways to run a request, one code path underneath: http_request()
 * blocks until the answer (manifests, token fetches, small GETs);
 * http_multi_add() starts it inside a struct http_multi (one curl multi
 * handle) next to others, http_multi_wait() moves data for all of them,
 * and http_multi_next_done() hands back each one whose answer came, with
 * the same return code http_request() would have given.  Both set up the
 * easy handle, walk redirects and read curl's result with the same
 * functions, so TLS, caps, timeouts and the Authorization rule are the
 * same on both.  Callers use this layer from one thread.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdio.h>
#include "lib/strbuf.h"

#define HTTP_BODY_CAP_DEFAULT (4u << 20)	/* 4 MiB */

struct http_response {
	long status;		/* 0 when no response came */
	struct strbuf body;	/* capped at the request's cap */
	struct strbuf headers;	/* raw header block of the final response */
	struct strbuf url;	/* the final URL after redirects */
	struct strbuf error;	/* transport failure message, when the request had quiet set */
	int permanent;		/* the failure will not go away by retrying (see http_request) */
};

#define HTTP_RESPONSE_INIT { 0, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0 }

void http_response_release(struct http_response *r);

/*
 * GET url with the given extra headers (NULL-terminated array of
 * "Name: value" strings, may be NULL).  The body is capped at cap bytes
 * (0 means HTTP_BODY_CAP_DEFAULT).  Returns 0 when a response came (any
 * status), or -EXIT_NETWORK with an error naming the url when none did.
 * timeout_s bounds the whole request (0 means 30 s).  Redirects are followed.
 */
int http_get(const char *url, const char *const *headers, size_t cap,
	     long timeout_s, struct http_response *out);

/*
 * Streaming sink for a 2xx body: return 0 to go on (all of buf taken), a
 * negative value (-1 or -EXIT_x, the sink printed why) to abort, or
 * HTTP_SINK_PAUSE to take none of it and pause the transfer (multi only):
 * the same bytes come again after http_transfer_resume().
 */
typedef int (*http_sink_fn)(void *data, const void *buf, size_t len);
#define HTTP_SINK_PAUSE 1

/*
 * Streaming source of a request body: bytes put into buf (at most len),
 * 0 at the end, HTTP_READ_PAUSE when none are there yet (multi only: the
 * transfer pauses until http_transfer_resume()), -1 to abort.
 */
typedef long (*http_reader_fn)(void *data, char *buf, size_t len);
#define HTTP_READ_PAUSE (-2L)

struct http_request {
	const char *method;	/* "GET" when NULL; HEAD sets no body */
	const char *url;
	const char *const *headers;	/* NULL-terminated "Name: value", may be NULL; never Authorization */
	const char *authorization;	/* value of Authorization (secret); sent only to url's scheme+host */
	const char *userpwd;		/* "user:password" for Basic at a token realm (secret) */
	/* request body: memory, or a file read from offset 0 (file_size bytes) */
	const void *body;
	size_t body_len;
	FILE *body_file;
	long long body_file_size;
	/* or a reader of body_read_size bytes (a request that cannot be replayed) */
	http_reader_fn body_read;
	void *body_read_data;
	long long body_read_size;
	/* response: 2xx bodies to sink when set, otherwise (and for errors) to out->body */
	http_sink_fn sink;
	void *sink_data;
	size_t cap;		/* 0: HTTP_BODY_CAP_DEFAULT */
	long timeout_s;		/* whole request; 0: 30 s (streamed: 0 means none, only the low-speed limit) */
	int follow;		/* follow up to 5 redirects */
	int insecure;		/* allow plain http to a non-loopback host */
	int quiet;		/* transport failures: message into out->error, not printed (the caller retries) */
	/* progress: called with bytes moved so far (up or down) */
	void (*progress)(void *data, long long now);
	void *progress_data;
};

/*
 * Perform req.  0 when a response came (any status; out->status set),
 * else negative, the exit code class of what went wrong:
 *   -EXIT_NETWORK   no answer (connection, DNS, TLS, timeout, too slow)
 *   -EXIT_INPUT     a URL (first or a redirect's) refused: scheme, plain http
 *   -EXIT_REGISTRY  response over its cap, too many or broken redirects
 *   -EXIT_INTERNAL  an Authorization line in req->headers
 * with the message (naming the url without its query) printed, or with
 * req->quiet put in out->error for the caller to print; out->permanent
 * says that trying again cannot help (everything but a transient network
 * failure).  A sink returning a negative value aborts with that value,
 * out->permanent set and out->error empty: the sink reported its own
 * error.  Other failures (no memory for curl, an unreadable body file)
 * are printed whatever quiet says and leave out->error empty too.
 */
int http_request(const struct http_request *req, struct http_response *out);

/* Value of header name (case-insensitive) in a raw header block, into out; 0 if found. */
int http_header_get(const struct strbuf *headers, const char *name, struct strbuf *out);

/* Resolve a Location (relative or absolute) against base into out. */
int http_resolve_url(const char *base, const char *location, struct strbuf *out);

/*
 * 1 if host ("name[:port]", "[v6]:port") is loopback: "localhost", a
 * literal IPv4 address (four parts) in 127.0.0.0/8, or ::1.  DNS names
 * such as 127.0.0.1.nip.io are not, whatever they resolve to.
 */
int http_host_is_loopback(const char *host);

/*
 * Loopback registries as docker treats them: an https request to a
 * loopback host whose TLS handshake fails (the peer answered in plain
 * http, or dropped the handshake) is made again over plain http, once,
 * inside the same request (not a redirect: credentials stay with it, on
 * loopback only).  The first answer from a loopback host says what it
 * speaks, kept for the rest of the run: later https URLs to a plain host
 * go out as http at once, and a host known to speak TLS never falls back.
 *
 * http_plain_fallback(host): 1 when a failed TLS handshake to host may be
 * retried over plain http (loopback, not known to speak TLS).
 * http_host_scheme(host): 1 plain http, 0 https, -1 not known yet.
 * http_host_remember(host, plain) records it; http_forget_hosts() forgets
 * all (for tests).
 */
int http_plain_fallback(const char *host);

/*
 * 1 if credentials may go to url: https, or plain http to a loopback
 * host; never plain http elsewhere, --insecure-registry or not.
 */
int http_may_send_credentials(const char *url);
int http_host_scheme(const char *host);
void http_host_remember(const char *host, int plain);
void http_forget_hosts(void);

/* "host[:port]" of a URL into out; 0 on success. */
int http_url_host(const char *url, struct strbuf *out);

/*
 * Seconds a server asked us to wait: Retry-After (seconds), else a
 * "retry-after: 1.5s" / "retry after 2" hint in the body (ghcr.io puts it
 * in the error message).  -1 when there is none.
 */
double http_retry_after(const struct http_response *res);

/* Free the calling thread's cached curl handle of the blocking path (http_request). */
void http_release(void);

/*
 * Set up libcurl's global state (curl_global_init, not thread-safe):
 * called before a second thread starts to use this layer.  0 or an error.
 */
int http_init(void);

/*
 * One request at a time in a curl multi: a struct http_transfer carries
 * requests one after another on its own curl handle (connections are
 * shared through the multi); data is the caller's, for finding its own
 * state again.  The caller frees it with http_transfer_free (which takes
 * it out of its multi if a request is still running).
 */
struct http_transfer;
struct http_transfer *http_transfer_new(void *data);
void http_transfer_free(struct http_transfer *t);
void *http_transfer_data(const struct http_transfer *t);

/* A curl multi handle; NULL (error printed) when curl cannot make one.  Free the transfers first. */
struct http_multi;
struct http_multi *http_multi_new(void);
void http_multi_free(struct http_multi *m);

/*
 * Start req on t inside m (t must not be running one).  req, everything
 * it points to, and out stay the caller's and must live until t comes
 * back from http_multi_next_done.  Negative (error printed) when the
 * request cannot start (refused scheme, as http_request).
 */
int http_multi_add(struct http_multi *m, struct http_transfer *t, const struct http_request *req,
		   struct http_response *out);

/* Move data of every running transfer, waiting up to timeout_ms for some; negative on a curl failure. */
int http_multi_wait(struct http_multi *m, long timeout_ms);

/*
 * Make m's http_multi_wait() (under way in another thread, or the next
 * one) return at once.  Safe from any thread while m exists.
 */
void http_multi_wakeup(struct http_multi *m);

/*
 * A transfer whose request is over (redirects followed), with in *rc what
 * http_request() would have returned for it; NULL when there is none (yet).
 */
struct http_transfer *http_multi_next_done(struct http_multi *m, int *rc);

/*
 * Pausing, for two transfers joined by a buffer: http_transfer_resume()
 * lets a transfer whose sink or reader paused it move again (its callback
 * is called again, possibly from inside this call); http_transfer_cancel()
 * takes a running transfer out of its multi, its request abandoned (it
 * never comes back from http_multi_next_done).  A multi round in which a
 * transfer paused does not wait for the network: http_multi_wait()
 * returns at once so that the caller can resume its partner.
 */
void http_transfer_resume(struct http_transfer *t);
void http_transfer_cancel(struct http_transfer *t);

/* URL-escape s onto out. */
void http_escape(const char *s, struct strbuf *out);

#endif
