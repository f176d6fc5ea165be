/*
 * fuzz-dockerword.c: the Dockerfile's word-level helpers, which the
 * parser applies to every argument: shlex_expand_env() (BuildKit's
 * shell lexer), gopath_match() / gopath_has_meta()
 * (Go's filepath.Match), gopath_clean() (Go's path.Clean) and
 * dockerfile_workdir_join().
 *
 * Input: one byte choosing the escape character (odd: '`', even: '\\'),
 * then three NUL-separated parts: a word (also the glob pattern and the
 * path to clean), a second string (the path to match, the current
 * WORKDIR), and the environment as "KEY=VALUE" lines.
 *
 * Checks (Go's documented results): Clean is idempotent, gives "." for
 * "", never a "//", a "/./" or a trailing '/' except for "/"; a relative
 * WORKDIR joins to an absolute path.
 */
#include "fuzz.h"
#include "build/dockerfile.h"
#include "build/gopath.h"
#include "build/shlex.h"
#include "lib/strlist.h"

#define MAX_LEN 2048

static void check_clean(const char *in)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	gopath_clean(in, &a);
	FUZZ_CHECK(a.len > 0);
	FUZZ_CHECK(!*in ? !strcmp(a.buf, ".") : 1);
	FUZZ_CHECK(!strstr(a.buf, "//"));
	FUZZ_CHECK(!strstr(a.buf, "/./"));
	FUZZ_CHECK(a.len == 1 || a.buf[a.len - 1] != '/');
	FUZZ_CHECK((in[0] == '/') == (a.buf[0] == '/'));
	gopath_clean(a.buf, &b);
	FUZZ_CHECK(!strcmp(a.buf, b.buf));
	strbuf_release(&a);
	strbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[3];
	struct strlist env = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	char escape;
	int rc;

	if (size < 1 || size > MAX_LEN)
		return 0;
	fuzz_quiet();
	escape = (data[0] & 1) ? '`' : '\\';
	fuzz_split(data + 1, size - 1, part, ARRAY_SIZE(part));
	if (*part[2])
		strlist_split(&env, part[2], '\n');

	fuzz_error_reset();
	rc = shlex_expand_env(part[0], escape, (const char *const *)env.items, env.nr, &out);
	if (rc)
		FUZZ_CHECK_MESSAGE();
	strbuf_release(&out);

	rc = gopath_match(part[0], part[1]);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	(void)gopath_has_meta(part[0]);

	check_clean(part[0]);
	check_clean(part[1]);

	dockerfile_workdir_join(part[1], part[0], &out);
	FUZZ_CHECK(part[0][0] == '/' || out.buf[0] == '/');
	strbuf_release(&out);

	strlist_release(&env);
	fuzz_free_parts(part, ARRAY_SIZE(part));
	return 0;
}
