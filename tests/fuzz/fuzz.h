/*
 * fuzz.h: what every harness in tests/fuzz/ shares (header only).
 *
 * Each tests/fuzz/fuzz-<target>.c defines LLVMFuzzerTestOneInput() for
 * one pure module.  The same file is linked two ways: with libFuzzer
 * (clang, `make fuzz`) to search for crashes, and with replay.c (gcc or
 * clang, ASan + UBSan, `make test`) to run the committed corpus once.
 *
 * Inputs that carry several strings separate them with NUL bytes
 * (fuzz_split()); each harness's comment says which.  A harness frees
 * everything it allocates, so LeakSanitizer reports only the library's
 * leaks, and checks a few invariants the headers promise (FUZZ_CHECK
 * aborts, which both drivers report as a crash).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "lib/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/*
 * Split data at NUL bytes into n NUL-terminated copies; missing parts
 * are "", and anything after the n-th part is ignored.  Free with
 * fuzz_free_parts().
 */
static inline void fuzz_split(const uint8_t *data, size_t size, char **parts, size_t n)
{
	size_t pos = 0;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *nul;
		size_t len;

		if (pos >= size) {
			parts[i] = xstrdup("");
			continue;
		}
		nul = memchr(data + pos, '\0', size - pos);
		len = nul ? (size_t)(nul - (data + pos)) : size - pos;
		parts[i] = xstrndup((const char *)data + pos, len);
		pos += len + 1;
	}
}

static inline void fuzz_free_parts(char **parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
}

/* Silence error()/warning() output; the messages are still recorded. */
static inline void fuzz_quiet(void)
{
	error_set_quiet(1);
}

/* Forget the last error, so a failing call can be checked for its message. */
static inline void fuzz_error_reset(void)
{
	error("%s", "");
}

/* A failure must leave a message (README: "never an empty message"). */
#define FUZZ_CHECK_MESSAGE() FUZZ_CHECK(error_last()[0] != '\0')

#endif
