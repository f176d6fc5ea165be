/*
 * test-http.c: the pure helpers of the HTTP layer and of the registry
 * module: Retry-After and ghcr.io's retry hint, Location resolution,
 * loopback hosts, URL hosts, escaping.  Platforms: test-platform.c.
 */
#include "lib/common.h"
#include "registry/http.h"
#include "registry/registry.h"
#include "tap.h"

static double hint(const char *headers, const char *body)
{
	struct http_response r = HTTP_RESPONSE_INIT;
	double s;

	strbuf_addstr(&r.headers, headers);
	strbuf_addstr(&r.body, body);
	s = http_retry_after(&r);
	http_response_release(&r);
	return s;
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;

	ok(hint("HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\n\r\n", "") == 7, "Retry-After seconds");
	ok(hint("HTTP/1.1 429 x\r\nretry-after: 2\r\n\r\n", "{}") == 2, "header name in any case");
	ok(hint("HTTP/1.1 429 x\r\n\r\n",
		"{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"retry-after: 1.5s, allowed: 44000/minute\"}]}") == 1.5,
	   "ghcr.io's hint in the error body");
	ok(hint("HTTP/1.1 503 x\r\n\r\n", "please Retry After 3 seconds") == 3, "a spelled-out hint");
	ok(hint("HTTP/1.1 503 x\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n", "") < 0,
	   "an HTTP date is not a hint we use");
	ok(hint("HTTP/1.1 503 x\r\n\r\n", "{\"errors\":[]}") < 0, "no hint");

	ok(http_resolve_url("https://r.io/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/u1?_state=x", &sb) == 0,
	   "relative Location");
	is_str(sb.buf, "https://r.io/v2/a/blobs/uploads/u1?_state=x", "resolved against the host");
	ok(http_resolve_url("https://r.io/v2/a/blobs/uploads/", "https://up.r.io/u2?x=1", &sb) == 0,
	   "absolute Location");
	is_str(sb.buf, "https://up.r.io/u2?x=1", "kept as is");
	ok(http_resolve_url("https://r.io:5000/v2/x/y", "z", &sb) == 0, "path-relative Location");
	is_str(sb.buf, "https://r.io:5000/v2/x/z", "resolved against the path");

	ok(http_url_host("https://R.io:5000/v2/", &sb) == 0, "host of a URL");
	ok(!strcasecmp(sb.buf, "r.io:5000"), "with its port");
	ok(http_url_host("https://cdn.example/blob?sig=1", &sb) == 0 && !strcmp(sb.buf, "cdn.example"),
	   "host without a port");

	ok(http_host_is_loopback("127.0.0.1:5000"), "127.0.0.1 is loopback");
	ok(http_host_is_loopback("localhost"), "localhost is loopback");
	ok(http_host_is_loopback("[::1]:5000"), "::1 is loopback");
	ok(!http_host_is_loopback("localhost.example"), "localhost.example is not");
	ok(!http_host_is_loopback("ghcr.io"), "ghcr.io is not");
	ok(http_host_is_loopback("127.1.2.3"), "all of 127.0.0.0/8");
	ok(http_host_is_loopback("LocalHost:80"), "localhost in any case");
	ok(http_host_is_loopback("::1"), "bare ::1");
	ok(http_host_is_loopback("[::1]"), "[::1] without a port");
	ok(http_host_is_loopback("[0:0:0:0:0:0:0:1]:5000"), "::1 written out");
	ok(!http_host_is_loopback("127.attacker.example"), "a DNS name starting 127. is not");
	ok(!http_host_is_loopback("127.0.0.1.nip.io:5000"), "127.0.0.1.nip.io is not");
	ok(!http_host_is_loopback("127.1"), "a short IPv4 form is not");
	ok(!http_host_is_loopback("127.0.0.1x"), "trailing junk is not");
	ok(!http_host_is_loopback("127.0.0.1:50x0"), "a port that is not a number is not");
	ok(!http_host_is_loopback("127.0.0.01"), "a part with a leading zero is not");
	ok(!http_host_is_loopback("128.0.0.1"), "128.0.0.1 is not");
	ok(!http_host_is_loopback("localhost."), "localhost. (a DNS name) is not");
	ok(!http_host_is_loopback("localhost.attacker.example:443"), "localhost.attacker.example is not");
	ok(!http_host_is_loopback("[::2]:5000"), "::2 is not");
	ok(!http_host_is_loopback("[::1"), "an unclosed bracket is not");
	ok(!http_host_is_loopback("::ffff:127.0.0.1"), "an IPv4-mapped address is not");
	ok(!http_host_is_loopback(""), "the empty host is not");

	/* the plain http fallback and the credentials rule */
	ok(http_plain_fallback("127.0.0.1:5000"), "loopback falls back to plain http");
	ok(http_plain_fallback("localhost:5000"), "localhost falls back");
	ok(http_plain_fallback("[::1]:5000"), "::1 falls back");
	ok(!http_plain_fallback("0.0.0.0:5000"), "0.0.0.0 does not");
	ok(!http_plain_fallback("registry.example:5000"), "a DNS name does not");
	ok(!http_plain_fallback("127.0.0.1.nip.io:5000"), "127.0.0.1.nip.io does not");
	is_int(http_host_scheme("127.0.0.1:5001"), -1, "a host not seen yet");
	http_host_remember("127.0.0.1:5001", 0);
	is_int(http_host_scheme("127.0.0.1:5001"), 0, "a host that answered https");
	ok(!http_plain_fallback("127.0.0.1:5001"), "a host that answered https never falls back");
	http_host_remember("localhost:5002", 1);
	is_int(http_host_scheme("LOCALHOST:5002"), 1, "a plain http host, any case");
	ok(http_plain_fallback("localhost:5002"), "a plain host still may");
	is_int(http_host_scheme("localhost:5003"), -1, "another port is another host");
	http_forget_hosts();
	is_int(http_host_scheme("localhost:5002"), -1, "forgotten");
	ok(http_may_send_credentials("https://ghcr.io/v2/"), "credentials over https");
	ok(http_may_send_credentials("http://127.0.0.1:5000/v2/"), "credentials over http to loopback");
	ok(http_may_send_credentials("http://localhost/token"), "credentials over http to localhost");
	ok(!http_may_send_credentials("http://registry.example:5000/v2/"), "never over http elsewhere");
	ok(!http_may_send_credentials("http://0.0.0.0:5000/v2/"), "nor to 0.0.0.0");
	ok(!http_may_send_credentials("ftp://127.0.0.1/x"), "nor another scheme");

	{
		static const char *const bad[] = { "Accept: */*", "authorization: Bearer x", NULL };
		static const char *const bad2[] = { " Authorization:Basic eA==", NULL };
		struct http_request req;
		struct http_response res = HTTP_RESPONSE_INIT;

		memset(&req, 0, sizeof(req));
		req.url = "http://127.0.0.1:1/never";
		req.headers = bad;
		error_set_quiet(1);
		is_int(http_request(&req, &res), -EXIT_INTERNAL,
		       "an Authorization header in the generic list is refused before any connection");
		req.headers = bad2;
		is_int(http_request(&req, &res), -EXIT_INTERNAL, "in any spelling");
		error_set_quiet(0);
		http_response_release(&res);
		http_release();
	}

	strbuf_reset(&sb);
	http_escape("repository:o/a:pull,push", &sb);
	is_str(sb.buf, "repository%3Ao%2Fa%3Apull%2Cpush", "escaping");

	strbuf_release(&sb);
	return tap_done();
}
