/*
 * test-dockerignore.c: .dockerignore against tests/data/dockerignore/ *.test.
 *
 * A case is a block "### name", the .dockerignore content, then:
 *   --- match   "PATH 1|0": dockerignore_match() (a trailing '/' marks a
 *               directory), and dockerignore_can_skip_dir() as "PATH/ skip|walk"
 *   --- walk    a context tree, one path a line (directories end with
 *               '/'; parents are added), and
 *   --- sent    what BuildKit's context walk sends, in walk order: the
 *               walk done here with dockerignore_walk() the way fsutil
 *               does it (an excluded directory is sent only when
 *               something below it is)
 *   --- error   "LINE MESSAGE": loading fails with .dockerignore:LINE: MESSAGE
 */
#include "lib/common.h"
#include "build/dockerignore.h"
#include "tap.h"
#include "datafile.h"


struct entry {
	char *path;
	int is_dir;
};

/* filepath.Walk order: component by component, bytewise */
static int walk_cmp(const void *a, const void *b)
{
	const char *x = ((const struct entry *)a)->path, *y = ((const struct entry *)b)->path;

	for (;;) {
		size_t nx = strcspn(x, "/"), ny = strcspn(y, "/");
		int c = memcmp(x, y, nx < ny ? nx : ny);

		if (c)
			return c;
		if (nx != ny)
			return nx < ny ? -1 : 1;
		x += nx;
		y += ny;
		if (!*x || !*y)
			return *x ? 1 : *y ? -1 : 0;
		x++;
		y++;
	}
}

static void add_entry(struct entry **v, size_t *nr, size_t *alloc, const char *path, int is_dir)
{
	for (size_t i = 0; i < *nr; i++) {
		if (!strcmp((*v)[i].path, path)) {
			(*v)[i].is_dir |= is_dir;
			return;
		}
	}
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[*nr].path = xstrdup(path);
	(*v)[*nr].is_dir = is_dir;
	(*nr)++;
}

struct visited {
	char *path;
	struct dockerignore_state st;
	int called;
};

static void simulate_walk(const struct dockerignore *di, const char *tree, struct strbuf *sent)
{
	struct entry *e = NULL;
	size_t nr = 0, alloc = 0, depth = 0;
	struct visited stack[64];
	char *skip = NULL;

	for (const char *p = tree; *p;) {
		const char *nl = strchrnul(p, '\n');
		char *line = xstrndup(p, nl - p);
		size_t n = strlen(line);
		int is_dir = n && line[n - 1] == '/';

		if (is_dir)
			line[--n] = '\0';
		if (n) {
			for (char *s = strchr(line, '/'); s; s = strchr(s + 1, '/')) {
				*s = '\0';
				add_entry(&e, &nr, &alloc, line, 1);
				*s = '/';
			}
			add_entry(&e, &nr, &alloc, line, is_dir);
		}
		free(line);
		p = *nl ? nl + 1 : nl;
	}
	qsort(e, nr, sizeof(*e), walk_cmp);

	for (size_t i = 0; i < nr; i++) {
		const char *path = e[i].path;
		struct dockerignore_state st = { 0 };
		enum dockerignore_verdict v;

		if (skip && !strncmp(path, skip, strlen(skip)))
			continue;
		while (depth) {
			struct visited *top = &stack[depth - 1];
			size_t tl = strlen(top->path);

			if (!strncmp(path, top->path, tl) && path[tl] == '/')
				break;
			free(top->path);
			dockerignore_state_release(&top->st);
			depth--;
		}
		v = dockerignore_walk(di, path, e[i].is_dir, depth ? &stack[depth - 1].st : NULL, &st);
		if (v == DOCKERIGNORE_SKIP) {
			struct strbuf sk = STRBUF_INIT;

			strbuf_addf(&sk, "%s/", path);
			free(skip);
			skip = strbuf_detach(&sk, NULL);
			continue;
		}
		if (v == DOCKERIGNORE_INCLUDE) {
			for (size_t k = 0; k < depth; k++) {
				if (!stack[k].called) {
					strbuf_addf(sent, "%s/\n", stack[k].path);
					stack[k].called = 1;
				}
			}
			strbuf_addf(sent, "%s%s\n", path, e[i].is_dir ? "/" : "");
		}
		if (e[i].is_dir && depth < ARRAY_SIZE(stack)) {
			stack[depth].path = xstrdup(path);
			stack[depth].st = st;
			stack[depth].called = v == DOCKERIGNORE_INCLUDE;
			depth++;
		} else {
			dockerignore_state_release(&st);
		}
	}
	while (depth) {
		depth--;
		free(stack[depth].path);
		dockerignore_state_release(&stack[depth].st);
	}
	free(skip);
	for (size_t i = 0; i < nr; i++)
		free(e[i].path);
	free(e);
}

static void run_case(const struct datafile_block *b, const char *file)
{
	const struct strbuf *input = datafile_section(b, "input");
	const struct strbuf *match = datafile_section(b, "match");
	const struct strbuf *walk = datafile_section(b, "walk");
	const struct strbuf *sent = datafile_section(b, "sent");
	const struct strbuf *errsec = datafile_section(b, "error");
	struct dockerignore di;
	int rc;

	dockerignore_init(&di);
	rc = dockerignore_load(&di, input->buf, input->len, ".dockerignore");
	if (errsec) {
		struct strbuf want = STRBUF_INIT;
		const char *msg = strchr(errsec->buf, ' ');

		strbuf_addf(&want, ".dockerignore:%ld: %s", strtol(errsec->buf, NULL, 10),
			    msg ? msg + 1 : "");
		strbuf_trim(&want);
		ok(rc == -EXIT_CONTEXT, "%s: %s (line %d): fails with exit code 5", file, b->name, b->line);
		if (!ok(!strncmp(error_last(), want.buf, want.len), "%s: %s: message", file, b->name))
			printf("#   got:  '%s'\n#   want: '%s...'\n", error_last(), want.buf);
		strbuf_release(&want);
		dockerignore_release(&di);
		return;
	}
	if (!ok(rc == 0, "%s: %s (line %d): loads", file, b->name, b->line))
		printf("#   error: %s\n", error_last());
	for (const char *p = match ? match->buf : ""; *p;) {
		const char *nl = strchrnul(p, '\n');
		char *line = xstrndup(p, nl - p), *sp = strrchr(line, ' ');

		p = *nl ? nl + 1 : nl;
		if (!*line) {
			free(line);
			continue;
		}
		if (!sp) {
			ok(0, "%s: %s: malformed '%s'", file, b->name, line);
		} else {
			size_t n;
			int is_dir;

			*sp++ = '\0';
			n = strlen(line);
			is_dir = n > 1 && line[n - 1] == '/';
			if (is_dir)
				line[n - 1] = '\0';
			if (!strcmp(sp, "skip") || !strcmp(sp, "walk"))
				is_int(dockerignore_can_skip_dir(&di, line), !strcmp(sp, "skip"),
				       "%s: %s: can_skip_dir('%s')", file, b->name, line);
			else
				is_int(dockerignore_match(&di, line, is_dir), strtol(sp, NULL, 10),
				       "%s: %s: match('%s')", file, b->name, line);
		}
		free(line);
	}
	if (walk) {
		struct strbuf got = STRBUF_INIT;

		simulate_walk(&di, walk->buf, &got);
		is_str(got.buf, sent ? sent->buf : "", "%s: %s: sent", file, b->name);
		strbuf_release(&got);
	}
	dockerignore_release(&di);
}

int main(void)
{
	struct strbuf dir = STRBUF_INIT;
	char **names;
	size_t nr;

	error_set_quiet(1);
	if (datafile_dir("dockerignore", &dir) < 0) {
		ok(0, "find tests/data/dockerignore");
		return tap_done();
	}
	datafile_list(dir.buf, ".test", &names, &nr);
	ok(nr > 0, "case files found in %s", dir.buf);
	for (size_t i = 0; i < nr; i++) {
		struct strbuf path = STRBUF_INIT;

		strbuf_addf(&path, "%s/%s", dir.buf, names[i]);
		datafile_run_file(path.buf, names[i], run_case);
		strbuf_release(&path);
		free(names[i]);
	}
	free(names);
	strbuf_release(&dir);
	return tap_done();
}
