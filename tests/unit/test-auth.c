/*
 * test-auth.c: WWW-Authenticate parsing, token URLs, token answers, the cache.
 */
#include "lib/common.h"
#include "registry/auth.h"
#include "registry/credentials.h"
#include "tap.h"

int main(void)
{
	struct auth_challenge c = AUTH_CHALLENGE_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct auth_cache *cache;
	long ttl = 0;
	const char *scopes[] = { "repository:o/app:pull,push", "repository:base/img:pull" };

	ok(auth_challenge_parse("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:o/app:pull\"", &c) == 0,
	   "ghcr.io bearer challenge parses");
	is_int(c.scheme, AUTH_BEARER, "scheme bearer");
	is_str(c.realm, "https://ghcr.io/token", "realm");
	is_str(c.service, "ghcr.io", "service");
	is_int(c.nr_scopes, 1, "one scope");
	is_str(c.scopes[0], "repository:o/app:pull", "the scope");
	ok(c.error == NULL, "no error");
	auth_challenge_release(&c);

	ok(auth_challenge_parse("bearer realm=\"https://a/t\", scope=\"repository:a:pull repository:b:pull,push\", error=\"insufficient_scope\"", &c) == 0,
	   "two scopes and an error parse (case-insensitive scheme)");
	is_int(c.nr_scopes, 2, "two scopes");
	is_str(c.scopes[1], "repository:b:pull,push", "second scope");
	is_str(c.error, "insufficient_scope", "error value");
	ok(c.service == NULL, "no service");
	auth_challenge_release(&c);

	ok(auth_challenge_parse("Basic realm=\"Registry Realm\"", &c) == 0, "basic parses");
	is_int(c.scheme, AUTH_BASIC, "scheme basic");
	is_str(c.realm, "Registry Realm", "basic realm");
	auth_challenge_release(&c);

	ok(auth_challenge_parse("Bearer realm=https://x/token,service=reg", &c) == 0, "unquoted values parse");
	is_str(c.realm, "https://x/token", "unquoted realm");
	is_str(c.service, "reg", "unquoted service");
	auth_token_url(&c, scopes, 2, &sb);
	is_str(sb.buf, "https://x/token?service=reg&scope=repository%3Ao%2Fapp%3Apull%2Cpush&scope=repository%3Abase%2Fimg%3Apull",
	       "token URL has one scope= per scope, escaped");
	auth_challenge_release(&c);
	strbuf_reset(&sb);

	error_set_quiet(1);
	is_int(auth_challenge_parse("Negotiate abc", &c), -EXIT_REGISTRY, "unknown scheme refused");
	is_int(auth_challenge_parse("Bearer service=\"x\"", &c), -EXIT_REGISTRY, "bearer without realm refused");
	is_int(auth_challenge_parse("Bearer realm=\"x", &c), -EXIT_REGISTRY, "unterminated quote refused");

	ok(auth_parse_token_response("{\"token\":\"T1\",\"expires_in\":300}", 31, &sb, &ttl) == 0, "token answer");
	is_str(sb.buf, "T1", "token read");
	is_int(ttl, 300, "expires_in read");
	ok(auth_parse_token_response("{\"access_token\":\"T2\"}", 21, &sb, &ttl) == 0, "access_token answer");
	is_str(sb.buf, "T2", "access_token read");
	is_int(ttl, 60, "default lifetime 60 s");
	is_int(auth_parse_token_response("{}", 2, &sb, &ttl), -EXIT_REGISTRY, "no token refused");
	is_int(auth_parse_token_response("nope", 4, &sb, &ttl), -EXIT_REGISTRY, "not JSON refused");

	strbuf_reset(&sb);
	auth_basic_header("user", "pa:ss", &sb);
	is_str(sb.buf, "Basic dXNlcjpwYTpzcw==", "basic header");

	cache = auth_cache_new();
	strbuf_reset(&sb);
	ok(auth_cache_get(cache, "h|s", &sb) < 0, "empty cache misses");
	auth_cache_put(cache, "h|s", "Bearer X", 300);
	ok(auth_cache_get(cache, "h|s", &sb) == 0, "cache hit");
	is_str(sb.buf, "Bearer X", "cached value");
	ok(auth_cache_get(cache, "h|t", &sb) < 0, "other scope misses");
	auth_cache_put(cache, "h|s", "Bearer Y", 300);
	ok(auth_cache_get(cache, "h|s", &sb) == 0 && !strcmp(sb.buf, "Bearer Y"), "put replaces");
	auth_cache_drop(cache, "h|s");
	ok(auth_cache_get(cache, "h|s", &sb) < 0, "drop forgets");
	auth_cache_put(cache, "h|e", "Bearer Z", 0);
	ok(auth_cache_get(cache, "h|e", &sb) < 0, "an expired token is not returned");
	auth_cache_free(cache);
	auth_cache_free(NULL);

	{
		struct auth_challenge ch = AUTH_CHALLENGE_INIT;
		struct credential cred = { (char *)"user", (char *)"secret", "--username" };
		const char *scope = "repository:a:pull";

		ok(auth_challenge_parse("Bearer realm=\"http://127.0.0.1:1/token\",service=\"s\"", &ch) == 0,
		   "an http realm parses");
		error_set_quiet(1);
		is_int(auth_fetch_token(&ch, &scope, 1, &cred, 0, 1, &sb, NULL), -EXIT_INPUT,
		       "credentials of an https registry are not sent to an http realm (refused before connecting)");
		ok(strstr(error_last(), "'user'") && strstr(error_last(), "http://127.0.0.1:1/token") &&
		   !strstr(error_last(), "secret"), "the refusal names the user and the realm, not the secret");
		error_set_quiet(0);
		auth_challenge_release(&ch);
	}
	strbuf_release(&sb);
	return tap_done();
}
