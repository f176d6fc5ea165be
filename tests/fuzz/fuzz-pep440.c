/*
 * fuzz-pep440.c: PEP 440 versions as `type=pep440` tags use them
 * (@renovate/pep440's valid/explain/clean), over the input as a version
 * string (up to the first NUL), and every template field.
 *
 * Checks: valid() agrees with parse() (explain() is non-null exactly
 * for valid versions); a parsed version keeps raw, has major/minor/micro
 * and a clean form; clean() succeeds on every valid version.
 */
#include "fuzz.h"
#include "meta/pep440.h"

#define MAX_LEN 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = { "raw", "version", "major", "minor", "patch", "nope" };
	struct pep440 v;
	struct strbuf out = STRBUF_INIT;
	char *in;
	int valid;

	if (size > MAX_LEN)
		return 0;
	in = xstrndup((const char *)data, size);
	valid = pep440_valid(in);
	if (!pep440_parse(&v, in)) {
		FUZZ_CHECK(valid);
		FUZZ_CHECK(!strcmp(v.raw, in));
		FUZZ_CHECK(v.major && v.minor && v.micro && v.clean && v.epoch);
		FUZZ_CHECK(v.release_nr > 0);
		FUZZ_CHECK(v.is_prerelease == (v.pre != NULL || v.dev != NULL));
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			strbuf_reset(&out);
			(void)pep440_field(&v, fields[i], &out);
		}
		pep440_release(&v);
	} else {
		FUZZ_CHECK(!valid);
	}

	strbuf_reset(&out);
	if (valid)
		FUZZ_CHECK(!pep440_clean(in, &out));

	strbuf_release(&out);
	free(in);
	return 0;
}
