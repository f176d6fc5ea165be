/*
 * strbuf.h: the one growable string buffer of publish (after git's strbuf).
 *
 * Invariants: buf is always NUL-terminated, len excludes the NUL, and an
 * initialised strbuf (STRBUF_INIT or strbuf_init) has buf != NULL.  The
 * buffer owns its memory: strbuf_release() frees it and re-initialises,
 * strbuf_detach() hands it to the caller (who frees it with free()).
 *
 * A strbuf filled from the network has a cap: strbuf_add_capped() refuses
 * to grow past it, so a hostile peer cannot make us allocate without
 * bound.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stddef.h>
#include <stdarg.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Returns the string (caller frees); sb is re-initialised. */
char *strbuf_detach(struct strbuf *sb, size_t *len_out);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/* Add data unless that would make len exceed cap; returns -1 (and adds nothing) then. */
int strbuf_add_capped(struct strbuf *sb, const void *data, size_t len, size_t cap);

void strbuf_trim(struct strbuf *sb);
void strbuf_rtrim(struct strbuf *sb);
void strbuf_ltrim(struct strbuf *sb);
void strbuf_tolower(struct strbuf *sb);
/* Append a byte count for people: "512 B", "1.5 KiB", "12.0 MiB", "1.25 GiB". */
void strbuf_humanise_bytes(struct strbuf *sb, long long n);

/* Read a whole file into sb; -1 with errno set on failure. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t cap);

#endif
