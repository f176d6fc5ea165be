/*
 * fuzz-semver.c: node-semver's parse/valid/clean as `type=semver` tags
 * use them, over the input as a version string (up to the first NUL),
 * and every template field of a parsed version.
 *
 * Checks (semver.h): valid() agrees with parse(); a parsed version's
 * "version" is itself valid and parses to the same numbers; clean()
 * gives a valid version; input longer than SEMVER_MAX_LENGTH UTF-16
 * code units (JS's length) is never valid.
 */
#include "fuzz.h"
#include "meta/semver.h"
#include "meta/jsstr.h"

#define MAX_LEN 1024	/* past SEMVER_MAX_LENGTH (256), to cover the cap */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = {
		"version", "major", "minor", "patch", "raw", "prerelease", "build", "loose",
		"includePrerelease", "options", "prerelease.0", "prerelease.1", "prerelease.length",
		"build.0", "build.length", "nope"
	};
	struct semver v, again;
	struct strbuf out = STRBUF_INIT;
	char *in;
	int valid;

	if (size > MAX_LEN)
		return 0;
	in = xstrndup((const char *)data, size);
	valid = semver_valid(in);
	if (!semver_parse(&v, in)) {
		FUZZ_CHECK(valid);
		FUZZ_CHECK(jsstr_utf16_len(in, strlen(in)) <= SEMVER_MAX_LENGTH);
		FUZZ_CHECK(!strcmp(v.raw, in));
		FUZZ_CHECK(semver_valid(v.version));
		FUZZ_CHECK(!semver_parse(&again, v.version));
		FUZZ_CHECK(again.major == v.major && again.minor == v.minor && again.patch == v.patch);
		FUZZ_CHECK(!strcmp(again.version, v.version));
		FUZZ_CHECK(semver_is_prerelease(&v) == (v.prerelease_nr > 0));
		semver_release(&again);
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			strbuf_reset(&out);
			(void)semver_field(&v, fields[i], &out);
		}
		semver_release(&v);
	} else {
		FUZZ_CHECK(!valid);
	}

	strbuf_reset(&out);
	if (!semver_clean(in, &out))
		FUZZ_CHECK(semver_valid(out.buf));

	strbuf_release(&out);
	free(in);
	return 0;
}
