/*
 * fuzz-reference.c: reference_parse() over the input as an image
 * reference (up to the first NUL), and what the registry code then does
 * with one: format, copy, the API host, the manifest reference, and the
 * grammar checks on the input alone.
 *
 * Checks: an error has a message; a parsed reference has a registry and
 * repository that pass the grammar checks, a tag or a digest, and
 * formats to a string that parses back to the same four parts.
 */
#include "fuzz.h"
#include "oci/reference.h"

#define MAX_LEN 1024	/* names are capped at 255, tags at 128 */

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reference r = REFERENCE_INIT, again = REFERENCE_INIT, copy = REFERENCE_INIT;
	struct strbuf s = STRBUF_INIT, name = STRBUF_INIT;
	char *in;
	int rc;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	in = xstrndup((const char *)data, size);

	(void)reference_check_tag(in);
	(void)reference_check_repository(in);

	fuzz_error_reset();
	rc = reference_parse(in, &r);
	if (rc) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK_MESSAGE();
		goto out;
	}
	FUZZ_CHECK(r.registry && *r.registry && r.repository && *r.repository);
	FUZZ_CHECK(r.tag || r.digest);
	FUZZ_CHECK(!reference_check_repository(r.repository));
	FUZZ_CHECK(!r.tag || !reference_check_tag(r.tag));
	FUZZ_CHECK(reference_api_host(&r) != NULL);
	FUZZ_CHECK(reference_manifest_ref(&r) != NULL);

	reference_format(&r, &s);
	reference_format_name(&r, &name);
	FUZZ_CHECK(!strncmp(s.buf, name.buf, name.len));
	FUZZ_CHECK(!reference_parse(s.buf, &again));
	FUZZ_CHECK(same(r.registry, again.registry));
	FUZZ_CHECK(same(r.repository, again.repository));
	FUZZ_CHECK(same(r.tag, again.tag));
	FUZZ_CHECK(same(r.digest, again.digest));

	reference_copy(&r, &copy);
	FUZZ_CHECK(same(r.tag, copy.tag) && same(r.digest, copy.digest));
out:
	reference_release(&r);
	reference_release(&again);
	reference_release(&copy);
	strbuf_release(&s);
	strbuf_release(&name);
	free(in);
	return 0;
}
