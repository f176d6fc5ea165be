/*
 * imagefs.h: the image's file system as a COPY, ADD or WORKDIR sees it,
 * on its file tree (basetree.h: the base's layers, then each earlier
 * instruction's), with Docker's rules:
 *
 * - a destination's parents resolve through the tree's symlinks, and the
 *   last part too when it ends with '/' or names a directory (then the
 *   files go into it): `COPY tool /bin/` on a merged-/usr base writes
 *   usr/bin/tool;
 * - a directory that exists keeps its owner and mode, whatever --chown
 *   says; a parent that does not exist yet is made 0755 and owned by the
 *   --chown user (or root);
 * - user and group names come from the tree's /etc/passwd and /etc/group.
 *
 * Pure: it reads the tree and entry lists, never a file.  build.c owns
 * the tree and calls these per instruction.
 */
#ifndef IMAGEFS_H
#define IMAGEFS_H

#include "build/basetree.h"
#include "build/layer.h"

/* 1 if the image has a directory at ipath (clean, no leading '/'). */
int imagefs_is_dir(struct basetree *t, const char *ipath);

/* Add a finished entry list (a layer of ours) to the tree. */
int imagefs_add_layer(struct basetree *t, const struct layer_entries *le);

/*
 * A COPY destination (absolute and clean, a trailing '/' kept) resolved
 * in the image, into out in the same form; -EXIT_DOCKERFILE (what starts
 * the message) for a symlink loop or a link above the root.
 */
int imagefs_resolve_dest(struct basetree *t, const char *dest, const char *what, struct strbuf *out);

/*
 * Give the directories of le the image's owner and mode where they exist,
 * and add every missing parent (0755, uid:gid, or root when negative).
 */
void imagefs_fix_dirs(struct basetree *t, struct layer_entries *le, long long uid, long long gid);

/*
 * uid and gid of "user[:group]", names looked up in the tree; an unknown
 * name is -EXIT_DOCKERFILE (what starts the message), or 1 in silence
 * when what is NULL.
 */
int imagefs_user_ids(struct basetree *t, const char *spec, const char *what, long long *uid, long long *gid);

#endif
