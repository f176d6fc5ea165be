/*
 * datafile.h: read the case files of tests/data (header only).
 *
 * A case file holds blocks, jq.test style: a block starts with a line
 * "### name"; lines before the first block and lines starting with "#"
 * followed by a space directly after "###" are not special.  A block is
 * divided into sections by lines "--- name" (the first section, before
 * any "--- ", is called "input").  datafile_next() hands out one block
 * at a time.
 */
#ifndef DATAFILE_H
#define DATAFILE_H

#include "lib/common.h"
#include <dirent.h>
#include <unistd.h>
#include <limits.h>

#define DATAFILE_MAX_SECTIONS 8

struct datafile_block {
	char *name;
	int line;			/* line of the "###" */
	size_t nr;
	char *section_name[DATAFILE_MAX_SECTIONS];
	struct strbuf section[DATAFILE_MAX_SECTIONS];
};

struct datafile {
	struct strbuf buf;
	size_t pos;
	int line;
	char *path;
};

/* Find tests/data/SUB (a directory or a file) from the test binary's location, or in $TEST_DATA. */
static inline int datafile_dir(const char *sub, struct strbuf *out)
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

static inline int datafile_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names of the files in dir ending in suffix, sorted, into *names (the
 * caller frees each name and the array).  -1 when dir cannot be read.
 */
static inline int datafile_list(const char *dir, const char *suffix, char ***names, size_t *nr)
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
	qsort(*names, *nr, sizeof(**names), datafile_name_cmp);
	return 0;
}

static inline int datafile_open(struct datafile *df, const char *path)
{
	memset(df, 0, sizeof(*df));
	strbuf_init(&df->buf, 0);
	df->path = xstrdup(path);
	return strbuf_read_file(&df->buf, path, 16 << 20);
}

static inline void datafile_block_release(struct datafile_block *b)
{
	free(b->name);
	for (size_t i = 0; i < b->nr; i++) {
		free(b->section_name[i]);
		strbuf_release(&b->section[i]);
	}
	memset(b, 0, sizeof(*b));
}

static inline void datafile_close(struct datafile *df)
{
	strbuf_release(&df->buf);
	free(df->path);
}

/* strip trailing empty lines of a section, keep one final newline */
static inline void datafile_trim_section(struct strbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == '\n')
		strbuf_setlen(sb, sb->len - 1);
	if (sb->len)
		strbuf_addch(sb, '\n');
}

/* 1 block read, 0 at the end */
static inline int datafile_next(struct datafile *df, struct datafile_block *b)
{
	memset(b, 0, sizeof(*b));
	while (df->pos < df->buf.len) {
		const char *s = df->buf.buf + df->pos, *nl = memchr(s, '\n', df->buf.len - df->pos);
		size_t n = nl ? (size_t)(nl - s) : df->buf.len - df->pos;

		if (n >= 4 && !memcmp(s, "### ", 4)) {
			if (b->name)
				break;
			b->name = xstrndup(s + 4, n - 4);
			b->line = df->line + 1;
			b->section_name[0] = xstrdup("input");
			strbuf_init(&b->section[0], 0);
			b->nr = 1;
		} else if (b->name && n >= 4 && !memcmp(s, "--- ", 4) && b->nr < DATAFILE_MAX_SECTIONS) {
			b->section_name[b->nr] = xstrndup(s + 4, n - 4);
			strbuf_init(&b->section[b->nr], 0);
			b->nr++;
		} else if (b->name) {
			strbuf_add(&b->section[b->nr - 1], s, n);
			strbuf_addch(&b->section[b->nr - 1], '\n');
		}
		df->pos += n + (nl ? 1 : 0);
		df->line++;
	}
	for (size_t i = 1; i < b->nr; i++)
		datafile_trim_section(&b->section[i]);
	return b->name != NULL;
}

static inline const struct strbuf *datafile_section(const struct datafile_block *b, const char *name)
{
	for (size_t i = 0; i < b->nr; i++)
		if (!strcmp(b->section_name[i], name))
			return &b->section[i];
	return NULL;
}

/*
 * Run fn(block, name) on every block of the case file at path (name: its
 * file name, for messages); a file that cannot be read is one failed TAP
 * line.  Needs tap.h.
 */
static inline void datafile_run_file(const char *path, const char *name,
				     void (*fn)(const struct datafile_block *, const char *))
{
	struct datafile f;
	struct datafile_block b;

	if (datafile_open(&f, path) < 0) {
		ok(0, "read %s", path);
	} else {
		while (datafile_next(&f, &b)) {
			fn(&b, name);
			datafile_block_release(&b);
		}
	}
	datafile_close(&f);
}

#endif
