/*
 * basetree_priv.h: what the tree's two files share, and nobody else
 * includes.
 *
 *   basetree.c       the tree: change sets, layers read and cached,
 *                    lookups, symlinks, users and groups
 *   basetree_lazy.c  a lazy tree (basetree_lazy_begin): the base read at
 *                    the first lookup a record cannot answer, and the
 *                    record of what the lookups saw
 *
 * basetree.c calls the lazy side from its lookups (basetree_get,
 * basetree_user, basetree_group) and from basetree_apply when t->lazy is
 * set; the lazy side reads and changes the tree only through
 * basetree_find() and the plain API on trees that are not lazy.
 */
#ifndef BASETREE_PRIV_H
#define BASETREE_PRIV_H

#include "build/basetree.h"

/* The entry at path as the array holds it: no lazy lookup, nothing recorded. */
const struct basetree_entry *basetree_find(const struct basetree *t, const char *path);

/* Deep copies (dst initialised and empty). */
void basetree_copy(struct basetree *dst, const struct basetree *src);
void basetree_layer_copy(struct basetree_layer *dst, const struct basetree_layer *src);

/* basetree_get of a lazy tree: recorded, and the whole base read when the tree cannot answer. */
const struct basetree_entry *basetree_lazy_get(struct basetree *t, const char *path);

/*
 * basetree_user (group 0) or basetree_group (group 1) of a lazy tree:
 * recorded; 0 found, 1 not there, 2 when the tree holds the file itself
 * (the plain lookup answers).
 */
int basetree_lazy_id(struct basetree *t, const char *name, int group, long long *id, long long *gid);

/*
 * Where basetree_apply keeps whether the tree's /etc/passwd or /etc/group
 * is still the base's while a partial tree does not hold it (NULL: the
 * tree holds it, or is not lazy).
 */
int *basetree_lazy_held(struct basetree *t, int group);

/*
 * Before basetree_apply adds up to adding entries to a partial tree: the
 * whole base read when the tree might then pass BASETREE_ENTRIES_CAP, so
 * that the cap is checked on the whole tree.  0 or the load's error.
 */
int basetree_lazy_room(struct basetree *t, size_t adding);

/* After basetree_apply of l on a partial tree: kept, replayed on the whole base if it is read. */
void basetree_lazy_applied(struct basetree *t, const struct basetree_layer *l);

void basetree_lazy_free(struct basetree_lazy *lz);

#endif
