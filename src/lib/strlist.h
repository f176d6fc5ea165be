/*
 * strlist.h: a growable list of owned C strings.
 *
 * The metadata code passes lists everywhere (input lines, tags, labels),
 * the build code too (a Dockerfile's arguments, COPY sources, directory
 * entries); this is the one type for them (lib/kvlist.h for key/value
 * pairs).  The list owns every item: push copies,
 * push_nodup takes ownership, strlist_release() frees all and re-initialises.
 */
#ifndef STRLIST_H
#define STRLIST_H

#include <stddef.h>

struct strbuf;

struct strlist {
	char **items;
	size_t nr, alloc;
};

#define STRLIST_INIT { NULL, 0, 0 }

void strlist_push(struct strlist *l, const char *s);
void strlist_push_nodup(struct strlist *l, char *s);
/* 1 if s is in the list (exact match). */
int strlist_has(const struct strlist *l, const char *s);
/* Append the items joined by sep to out. */
void strlist_join(const struct strlist *l, const char *sep, struct strbuf *out);
/* Sort the items by strcmp() (byte order). */
void strlist_sort(struct strlist *l);
/* Split s at every occurrence of the byte c; every piece is kept (even empty ones). */
void strlist_split(struct strlist *l, const char *s, char c);
void strlist_release(struct strlist *l);

#endif
