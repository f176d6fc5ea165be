/*
 * casefile.h: table-driven unit test cases kept as data (header only).
 *
 * A case file holds blocks separated by blank lines; each line of a block
 * is "key: value".  A value starting with '"' is a JSON string (so it can
 * hold leading spaces, tabs or any character); otherwise it runs to the
 * end of the line.  Lines starting with '#' are comments.
 *
 *   int n = casefile_run("semver.cases", run_case);
 *
 * calls run_case(&b) on every block (it uses case_get(b, "in"), b->line ...);
 * or, block by block: casefile_open(), casefile_next(), case_block_release().
 *
 * Files live in tests/data/, found as datafile_dir() finds them.
 */
#ifndef CASEFILE_H
#define CASEFILE_H

#include <jansson.h>
#include "datafile.h"

struct case_block {
	size_t nr;
	char **keys, **vals;
	int line;		/* first line of the block */
	int lineno;		/* reading position */
};
#define CASE_BLOCK_INIT { 0, NULL, NULL, 0, 0 }

static inline void case_block_release(struct case_block *b)
{
	for (size_t i = 0; i < b->nr; i++) {
		free(b->keys[i]);
		free(b->vals[i]);
	}
	free(b->keys);
	free(b->vals);
	b->keys = b->vals = NULL;
	b->nr = 0;
}

static inline FILE *casefile_open(const char *name)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f = NULL;

	if (!datafile_dir(name, &path))
		f = fopen(path.buf, "r");
	strbuf_release(&path);
	return f;
}

/* 1 and the next block in b, 0 at the end of the file. */
static inline int casefile_next(FILE *f, struct case_block *b)
{
	char line[8192];

	case_block_release(b);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		char *colon, *val;

		b->lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		if (!len) {
			if (b->nr)
				return 1;
			continue;
		}
		if (!b->nr)
			b->line = b->lineno;
		colon = strchr(line, ':');
		if (!colon) {
			fprintf(stderr, "case file line %d: no ':'\n", b->lineno);
			exit(2);
		}
		*colon = '\0';
		val = colon + 1;
		if (*val == ' ')
			val++;
		b->keys = xrealloc(b->keys, (b->nr + 1) * sizeof(char *));
		b->vals = xrealloc(b->vals, (b->nr + 1) * sizeof(char *));
		b->keys[b->nr] = xstrdup(line);
		if (*val == '"') {
			json_error_t err;
			json_t *j = json_loads(val, JSON_DECODE_ANY, &err);

			if (!j || !json_is_string(j)) {
				fprintf(stderr, "case file line %d: bad JSON string\n", b->lineno);
				exit(2);
			}
			b->vals[b->nr] = xstrdup(json_string_value(j));
			json_decref(j);
		} else {
			b->vals[b->nr] = xstrdup(val);
		}
		b->nr++;
	}
	return b->nr > 0;
}

/* The value of key in the block, or NULL (borrowed). */
static inline const char *case_get(const struct case_block *b, const char *key)
{
	for (size_t i = 0; i < b->nr; i++)
		if (!strcmp(b->keys[i], key))
			return b->vals[i];
	return NULL;
}

/*
 * Run fn on every block of the case file name: the number of blocks, or -1
 * when the file is not found.  Either way one TAP line says "NAME found".
 * Needs tap.h.
 */
static inline int casefile_run(const char *name, void (*fn)(const struct case_block *))
{
	FILE *f = casefile_open(name);
	struct case_block b = CASE_BLOCK_INIT;
	int n = 0;

	if (!ok(f != NULL, "%s found", name))
		return -1;
	while (casefile_next(f, &b) > 0) {
		fn(&b);
		n++;
	}
	case_block_release(&b);
	fclose(f);
	return n;
}

#endif
