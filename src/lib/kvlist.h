/*
 * kvlist.h: a growable list of owned key/value string pairs, in order.
 *
 * The one type for "KEY=VALUE" data: a Dockerfile's ENV and LABEL pairs,
 * its ARGs, the environment $VAR expansion reads, --build-arg values,
 * --label and --annotation, meta's labels and annotations.
 * Order is kept (the image config lists Env in order) and keys may
 * repeat: kvlist_push() appends, kvlist_set() replaces the first pair of
 * a key, kvlist_find() returns the last one (as a shell's environment
 * does with repeated keys).
 *
 * The list owns every key and value: push and set copy, kvlist_release()
 * frees them all and re-initialises.  A value may be NULL (an ARG
 * declared without one).  Code that only reads pairs (the image config's
 * labels, a manifest's annotations) takes an array of struct kvlist_item
 * and its length, so a kvlist's items, or a fixed array, can be passed.
 */
#ifndef KVLIST_H
#define KVLIST_H

#include <stddef.h>

struct kvlist_item {
	char *key;
	char *value;		/* NULL: the key has no value */
};

struct kvlist {
	struct kvlist_item *items;
	size_t nr, alloc;
};

#define KVLIST_INIT { NULL, 0, 0 }

/* Append a copy of key and value (value may be NULL). */
void kvlist_push(struct kvlist *l, const char *key, const char *value);
/* Replace the value of key's first pair with a copy of value, or append the pair. */
void kvlist_set(struct kvlist *l, const char *key, const char *value);
/* kvlist_set() from "KEY=VALUE"; a bare "KEY" is set to "". */
void kvlist_set_pair(struct kvlist *l, const char *pair);
/* The last pair of key (borrowed), NULL when none. */
const struct kvlist_item *kvlist_find(const struct kvlist *l, const char *key);
/* The value of kvlist_find(l, key), NULL when absent or without a value. */
const char *kvlist_get(const struct kvlist *l, const char *key);
void kvlist_release(struct kvlist *l);

#endif
