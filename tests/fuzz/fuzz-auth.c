/*
 * fuzz-auth.c: the two things auth.c reads from a registry: the
 * WWW-Authenticate header of a 401 (auth_challenge_parse(), then
 * auth_token_url() with the challenge's own scopes and one more), and
 * the token service's JSON answer (auth_parse_token_response()).
 *
 * Input: the header value up to the first NUL; the whole input is also
 * the token answer (bytes with an exact length, as received).  Checks:
 * errors have a message; a Bearer challenge's URL starts with its realm;
 * a token answer gives a non-empty token and a positive lifetime.
 */
#include "fuzz.h"
#include "registry/auth.h"

#define MAX_LEN 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_challenge c = AUTH_CHALLENGE_INIT;
	struct strbuf url = STRBUF_INIT, token = STRBUF_INIT;
	const char **scopes = NULL;
	long ttl = 0;
	char *header;
	int rc;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	header = xstrndup((const char *)data, size);

	fuzz_error_reset();
	rc = auth_challenge_parse(header, &c);
	if (rc) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK_MESSAGE();
	} else {
		FUZZ_CHECK(c.scheme == AUTH_BASIC || c.scheme == AUTH_BEARER);
	}
	if (!rc && c.scheme == AUTH_BEARER) {
		/* what the registry code does with a Bearer challenge (it has a realm) */
		FUZZ_CHECK(c.realm && *c.realm);
		scopes = xcalloc(c.nr_scopes + 1, sizeof(*scopes));
		for (size_t i = 0; i < c.nr_scopes; i++) {
			FUZZ_CHECK(c.scopes[i] != NULL);
			scopes[i] = c.scopes[i];
		}
		scopes[c.nr_scopes] = "repository:owner/app:pull";
		auth_token_url(&c, scopes, c.nr_scopes + 1, &url);
		FUZZ_CHECK(!strncmp(url.buf, c.realm, strlen(c.realm)));
	}

	fuzz_error_reset();
	rc = auth_parse_token_response((const char *)data, size, &token, &ttl);
	if (rc) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK_MESSAGE();
	} else {
		FUZZ_CHECK(token.len > 0 && ttl > 0);
	}

	free(scopes);
	auth_challenge_release(&c);
	strbuf_release(&url);
	strbuf_release(&token);
	free(header);
	return 0;
}
