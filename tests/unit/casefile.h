/*
 * casefile.h: the case-file reader of the C unit tests (header only).
 *
 * Cases that are data live in tests/data, in one format (tests/README,
 * "Case files"), the manner of jq's tests/jq.test; tests/helper/casefile.py
 * reads the same for the shell and Python tests:
 *
 *   lines before the first block are free text (comments)
 *   ### NAME          starts a block
 *   --- SECTION       starts a section of the block; the text before the
 *                     first "--- " is the section "input", kept as it is;
 *                     the other sections lose their trailing empty lines
 *                     (one final newline stays)
 *
 * The input section may hold fields, one "key: value" a line; empty lines
 * and lines starting with '#' are skipped there; a value starting with '"'
 * is a JSON string (so it can hold any character).  case_get() reads them.
 *
 *   casefile_run("semver.cases", run_case);      every block of tests/data/semver.cases
 *   casefile_run_file(path, "x.test", run_case); every block of the file at path
 *
 * call run_case(b, file) on each block: case_section(b, "expect"),
 * case_get(b, "in"), b->name, b->line.  A malformed file (a section named
 * twice, too many sections, case_get() on a line that is not a field) ends
 * the test binary with exit code 2 and FILE:LINE on stderr.
 */
#ifndef CASEFILE_H
#define CASEFILE_H

#include "lib/common.h"
#include <jansson.h>
#include <dirent.h>
#include <unistd.h>
#include <limits.h>

#define CASEFILE_MAX_SECTIONS 16

struct case_block {
	char *name;
	const char *path;		/* the file's path (borrowed from the casefile) */
	int line;			/* line of the "###" */
	size_t nr;
	char *section_name[CASEFILE_MAX_SECTIONS];
	struct strbuf section[CASEFILE_MAX_SECTIONS];
	/* the fields of the input section */
	size_t fields_nr, fields_alloc;
	char **keys, **vals;
	int fields_bad;			/* line that is not a field, 0 if none */
	const char *fields_why;
};

struct casefile {
	struct strbuf buf;
	size_t pos;
	int line;
	char *path;
};

static inline void casefile_die(const char *path, int line, const char *why)
{
	fprintf(stderr, "%s:%d: %s\n", path, line, why);
	exit(2);
}

/* Find tests/data/SUB (a directory or a file) from the test binary's location, or in $TEST_DATA. */
static inline int casefile_find(const char *sub, struct strbuf *out)
{
	char exe[PATH_MAX];
	ssize_t n;
	const char *env = getenv("TEST_DATA");

	if (env) {
		strbuf_addf(out, "%s/%s", env, sub);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up < 6; up++) {
		char *slash = strrchr(exe, '/');
		struct strbuf try = STRBUF_INIT;

		if (!slash)
			break;
		*slash = '\0';
		strbuf_addf(&try, "%s/tests/data/%s", exe, sub);
		if (!access(try.buf, R_OK)) {
			strbuf_addbuf(out, &try);
			strbuf_release(&try);
			return 0;
		}
		strbuf_release(&try);
	}
	return -1;
}

static inline int casefile_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names of the files in dir ending in suffix, sorted, into *names (the
 * caller frees each name and the array).  -1 when dir cannot be read.
 */
static inline int casefile_list(const char *dir, const char *suffix, char ***names, size_t *nr)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t slen = strlen(suffix), alloc = 0;

	*names = NULL;
	*nr = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > slen && !strcmp(de->d_name + n - slen, suffix)) {
			ALLOC_GROW(*names, *nr + 1, alloc);
			(*names)[(*nr)++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(*names, *nr, sizeof(**names), casefile_name_cmp);
	return 0;
}

static inline int casefile_open(struct casefile *cf, const char *path)
{
	memset(cf, 0, sizeof(*cf));
	strbuf_init(&cf->buf, 0);
	cf->path = xstrdup(path);
	return strbuf_read_file(&cf->buf, path, 16 << 20);
}

static inline void casefile_close(struct casefile *cf)
{
	strbuf_release(&cf->buf);
	free(cf->path);
}

static inline void case_block_release(struct case_block *b)
{
	free(b->name);
	for (size_t i = 0; i < b->nr; i++) {
		free(b->section_name[i]);
		strbuf_release(&b->section[i]);
	}
	for (size_t i = 0; i < b->fields_nr; i++) {
		free(b->keys[i]);
		free(b->vals[i]);
	}
	free(b->keys);
	free(b->vals);
	memset(b, 0, sizeof(*b));
}

/* strip trailing empty lines of a section, keep one final newline */
static inline void casefile_trim_section(struct strbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == '\n')
		strbuf_setlen(sb, sb->len - 1);
	if (sb->len)
		strbuf_addch(sb, '\n');
}

/* The input section's "key: value" lines into b->keys, b->vals; the first bad line into b->fields_bad. */
static inline void casefile_read_fields(struct case_block *b)
{
	const struct strbuf *in = &b->section[0];
	size_t pos = 0;
	int line = b->line;

	while (pos < in->len) {
		const char *s = in->buf + pos, *nl = memchr(s, '\n', in->len - pos);
		size_t n = nl ? (size_t)(nl - s) : in->len - pos;
		const char *colon = memchr(s, ':', n), *val;
		size_t vlen;

		pos += n + (nl ? 1 : 0);
		line++;
		if (!n || s[0] == '#')
			continue;
		if (!colon || colon == s) {
			if (!b->fields_bad) {
				b->fields_bad = line;
				b->fields_why = "not a \"key: value\" line";
			}
			continue;
		}
		val = colon + 1;
		if (val < s + n && *val == ' ')
			val++;
		vlen = s + n - val;
		ALLOC_GROW(b->keys, b->fields_nr + 1, b->fields_alloc);
		b->vals = xrealloc(b->vals, b->fields_alloc * sizeof(char *));
		if (vlen && *val == '"') {
			json_error_t err;
			json_t *j = json_loadb(val, vlen, JSON_DECODE_ANY, &err);

			if (!j || !json_is_string(j)) {
				json_decref(j);
				if (!b->fields_bad) {
					b->fields_bad = line;
					b->fields_why = "bad JSON string";
				}
				continue;
			}
			b->vals[b->fields_nr] = xstrndup(json_string_value(j), json_string_length(j));
			json_decref(j);
		} else {
			b->vals[b->fields_nr] = xstrndup(val, vlen);
		}
		b->keys[b->fields_nr++] = xstrndup(s, colon - s);
	}
}

/* 1 and the next block in b, 0 at the end of the file (b is released first). */
static inline int casefile_next(struct casefile *cf, struct case_block *b)
{
	case_block_release(b);
	while (cf->pos < cf->buf.len) {
		const char *s = cf->buf.buf + cf->pos, *nl = memchr(s, '\n', cf->buf.len - cf->pos);
		size_t n = nl ? (size_t)(nl - s) : cf->buf.len - cf->pos;

		if (n >= 4 && !memcmp(s, "### ", 4)) {
			if (b->name)
				break;
			b->name = xstrndup(s + 4, n - 4);
			b->path = cf->path;
			b->line = cf->line + 1;
			b->section_name[0] = xstrdup("input");
			strbuf_init(&b->section[0], 0);
			b->nr = 1;
		} else if (b->name && n >= 4 && !memcmp(s, "--- ", 4)) {
			char *name = xstrndup(s + 4, n - 4);

			for (size_t i = 0; i < b->nr; i++)
				if (!strcmp(b->section_name[i], name))
					casefile_die(cf->path, cf->line + 1, "a section named twice in one block");
			if (b->nr == CASEFILE_MAX_SECTIONS)
				casefile_die(cf->path, cf->line + 1, "too many sections in one block");
			b->section_name[b->nr] = name;
			strbuf_init(&b->section[b->nr], 0);
			b->nr++;
		} else if (b->name) {
			strbuf_add(&b->section[b->nr - 1], s, n);
			strbuf_addch(&b->section[b->nr - 1], '\n');
		}
		cf->pos += n + (nl ? 1 : 0);
		cf->line++;
	}
	if (!b->name)
		return 0;
	for (size_t i = 1; i < b->nr; i++)
		casefile_trim_section(&b->section[i]);
	casefile_read_fields(b);
	return 1;
}

/* The section called name, or NULL (borrowed). */
static inline const struct strbuf *case_section(const struct case_block *b, const char *name)
{
	for (size_t i = 0; i < b->nr; i++)
		if (!strcmp(b->section_name[i], name))
			return &b->section[i];
	return NULL;
}

/* The first value of the field key, or NULL (borrowed); the input section must be fields. */
static inline const char *case_get(const struct case_block *b, const char *key)
{
	if (b->fields_bad)
		casefile_die(b->path, b->fields_bad, b->fields_why);
	for (size_t i = 0; i < b->fields_nr; i++)
		if (!strcmp(b->keys[i], key))
			return b->vals[i];
	return NULL;
}

/*
 * Run fn(block, name) on every block of the case file at path (name: its
 * file name, for messages): the number of blocks, or -1 and one failed
 * TAP line when the file cannot be read.  Needs tap.h.
 */
static inline int casefile_run_file(const char *path, const char *name,
				    void (*fn)(const struct case_block *, const char *))
{
	struct casefile cf;
	struct case_block b;
	int n = 0;

	memset(&b, 0, sizeof(b));
	if (casefile_open(&cf, path) < 0) {
		ok(0, "read %s", path);
		n = -1;
	} else {
		while (casefile_next(&cf, &b)) {
			fn(&b, name);
			n++;
		}
	}
	case_block_release(&b);
	casefile_close(&cf);
	return n;
}

/*
 * Run fn on every block of tests/data/NAME: the number of blocks, or -1
 * when the file is not found.  Either way one TAP line says "NAME found".
 */
static inline int casefile_run(const char *name, void (*fn)(const struct case_block *, const char *))
{
	struct strbuf path = STRBUF_INIT;
	int n = -1;

	if (ok(!casefile_find(name, &path) && !access(path.buf, R_OK), "%s found", name))
		n = casefile_run_file(path.buf, name, fn);
	strbuf_release(&path);
	return n;
}

#endif
