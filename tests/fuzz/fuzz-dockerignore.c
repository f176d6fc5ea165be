/*
 * fuzz-dockerignore.c: dockerignore_load() over a .dockerignore, then
 * every query a build makes: dockerignore_match(), dockerignore_walk()
 * with the per-directory state handed down as a context walk does, and
 * dockerignore_can_skip_dir().
 *
 * Input: the .dockerignore, a NUL, then paths to ask about, one a line
 * (a trailing '/' marks a directory).  Each path is walked component by
 * component from the context root.  Checks: a load error has a message;
 * only a directory is ever skipped whole, and only when
 * dockerignore_can_skip_dir() agrees.
 */
#include "fuzz.h"
#include "build/dockerignore.h"
#include "lib/strlist.h"

#define MAX_LEN 4096
#define MAX_DEPTH 32

static void walk_path(const struct dockerignore *di, char *path)
{
	struct dockerignore_state st[2] = { { NULL, 0 }, { NULL, 0 } };
	int cur = 0, have_parent = 0, depth = 0;
	size_t len = strlen(path);
	int last_dir = len && path[len - 1] == '/';

	if (last_dir)
		path[--len] = '\0';
	if (!len)
		return;
	(void)dockerignore_match(di, path, last_dir);
	for (char *s = path;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			int is_dir = c ? 1 : last_dir;
			enum dockerignore_verdict v;
			struct dockerignore_state *parent = have_parent ? &st[cur] : NULL;

			*s = '\0';
			v = dockerignore_walk(di, path, is_dir, parent, &st[!cur]);
			FUZZ_CHECK(v == DOCKERIGNORE_INCLUDE || v == DOCKERIGNORE_EXCLUDE ||
				   v == DOCKERIGNORE_SKIP);
			if (v == DOCKERIGNORE_SKIP) {
				FUZZ_CHECK(is_dir);
				FUZZ_CHECK(dockerignore_can_skip_dir(di, path));
			}
			*s = c;
			dockerignore_state_release(&st[cur]);
			if (v == DOCKERIGNORE_SKIP || !is_dir || !c || ++depth > MAX_DEPTH)
				break;
			cur = !cur;
			have_parent = 1;
		}
	}
	dockerignore_state_release(&st[0]);
	dockerignore_state_release(&st[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[2];
	struct strlist paths = STRLIST_INIT;
	struct dockerignore di;
	size_t len;
	char *file;
	int rc;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	fuzz_split(data, size, part, ARRAY_SIZE(part));
	/* an exact-size copy without a NUL: the loader must not read past len */
	len = strlen(part[0]);
	file = xmalloc(len ? len : 1);
	memcpy(file, part[0], len);
	dockerignore_init(&di);
	fuzz_error_reset();
	rc = dockerignore_load(&di, file, len, ".dockerignore");
	if (rc) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK_MESSAGE();
	} else {
		strlist_split(&paths, part[1], '\n');
		for (size_t i = 0; i < paths.nr; i++)
			walk_path(&di, paths.items[i]);
	}
	strlist_release(&paths);
	dockerignore_release(&di);
	free(file);
	fuzz_free_parts(part, ARRAY_SIZE(part));
	return 0;
}
