/*
 * basetree.h: the file tree of a base image, without its contents.
 *
 * Docker resolves a COPY destination inside the image being built: through
 * the base's symlinks (`COPY tool /bin/` on a merged-/usr base writes
 * usr/bin/tool), into the base's directories, keeping their owners and
 * modes.  To do the same without unpacking anything, a struct basetree
 * holds, for every path of the image so far, only the tar header facts:
 * type, mode, owner and link target.  File contents are never kept, with
 * two exceptions read whole (capped): /etc/passwd and /etc/group, which
 * `--chown=name` needs.
 *
 * A layer is applied as a change set (struct basetree_layer: its entries
 * and whiteouts), with overlay semantics: `.wh.NAME` removes NAME and what
 * is under it from the lower layers, `.wh..wh..opq` removes a directory's
 * lower children, and a non-directory replaces a lower subtree.  The tree
 * is a sorted array (byte order), so a subtree is a contiguous run and a
 * layer is applied by one merge.
 *
 * Reading a layer (basetree_layer_read) streams the blob once through
 * libarchive (gzip, zstd or plain tar), verifying its size and digest as
 * the bytes pass; it keeps no file contents.  A change set can be saved in
 * and loaded from a cache directory under the layer's digest, so a second
 * build on the same base reads no layer at all.  This module is the one
 * place where base layers' tar headers are read (libarchive's read side,
 * archive_error_string() of a read archive).
 *
 * Paths are relative to the image root, cleaned, without a leading or
 * trailing '/'; the root itself is "".
 */
#ifndef BASETREE_H
#define BASETREE_H

#include <stdint.h>
#include <stddef.h>

#include "lib/strbuf.h"

enum basetree_type {
	BASETREE_DIR = 0,
	BASETREE_FILE,
	BASETREE_SYMLINK,
	BASETREE_HARDLINK,
	BASETREE_OTHER		/* device, fifo */
};

struct basetree_entry {
	char *path;		/* owned */
	enum basetree_type type;
	unsigned int mode;	/* permission bits (07777) */
	long long uid, gid;
	char *link;		/* SYMLINK: target as stored; HARDLINK: image path; else NULL; owned */
	size_t seq;		/* internal: order of addition in a change set */
};

/* The two files kept whole, capped at BASETREE_FILE_CAP bytes each. */
#define BASETREE_FILE_CAP (4u << 20)
#define BASETREE_ENTRIES_CAP (8u << 20)	/* entries in one tree or layer */

/* One layer as a change set. */
struct basetree_layer {
	struct basetree_entry *v;	/* sorted by path, unique; owned */
	size_t nr, alloc;
	char **whiteouts;	/* paths removed with their subtrees; owned */
	size_t whiteouts_nr, whiteouts_alloc;
	char **opaque;		/* directories whose lower children are removed; owned */
	size_t opaque_nr, opaque_alloc;
	struct strbuf passwd, group;	/* content when the layer writes the file */
	int has_passwd, has_group;	/* 1: written, -1: removed, 0: untouched */
	size_t seq;		/* internal: entries added so far */
};

struct basetree_lazy;

struct basetree {
	struct basetree_entry *v;	/* sorted by path, unique; owned */
	size_t nr, alloc;
	struct strbuf passwd, group;
	int has_passwd, has_group;
	struct basetree_lazy *lazy;	/* basetree_lazy_begin(); NULL: a plain tree; owned */
};

void basetree_init(struct basetree *t);
void basetree_release(struct basetree *t);

void basetree_layer_init(struct basetree_layer *l);
void basetree_layer_release(struct basetree_layer *l);

/*
 * Add one entry to a change set (path cleaned here; copied).  A later add
 * of the same path wins.  A whiteout or opaque marker is recognised by
 * name (".wh.NAME", ".wh..wh..opq") only in basetree_layer_read; callers
 * describing their own layers add whiteouts with basetree_layer_whiteout().
 */
int basetree_layer_add(struct basetree_layer *l, const char *path, enum basetree_type type,
		       unsigned int mode, long long uid, long long gid, const char *link);
void basetree_layer_whiteout(struct basetree_layer *l, const char *path);

/*
 * Read a layer blob (tar, tar+gzip or tar+zstd) from fd into out (an
 * initialised, empty change set).  When size is not 0 the blob must be
 * that long, and when digest is not NULL its sha256 must match
 * (-EXIT_REGISTRY naming what and the digest otherwise).  what names the
 * layer in messages ("layer sha256:... of debian:12").  A tar that does
 * not parse is -EXIT_REGISTRY too.
 */
int basetree_layer_read(struct basetree_layer *out, int fd, const char *digest, uint64_t size,
			const char *what);

/*
 * The cache: cache_dir/<hex of digest>.  load returns 1 when found and
 * valid (out filled), 0 when absent or unusable (out untouched, a
 * corrupt file is ignored), negative on error.  save writes a temporary
 * file and renames it; failing to save is only a warning.
 */
int basetree_layer_load(struct basetree_layer *out, const char *cache_dir, const char *digest);
void basetree_layer_save(struct basetree_layer *l, const char *cache_dir, const char *digest);

/*
 * Where layers' change sets are cached: $PUBLISH_CACHE_DIR/basetree, else
 * $XDG_CACHE_HOME/publish/basetree, else $HOME/.cache/publish/basetree;
 * empty when none of them is set (no cache).
 */
void basetree_cache_dir(struct strbuf *out);

/* Write the blob named by digest to fd (a temporary file); 0 or negative. */
typedef int (*basetree_fetch_fn)(void *ctx, const char *digest, int fd);

/*
 * Apply one layer of the image: from the cache when it holds the digest,
 * else read from path (a local blob) or, when path is NULL, fetched into
 * an unlinked temporary file; read (size and digest verified), saved in
 * the cache and applied.  what names the layer.
 */
int basetree_add_layer(struct basetree *t, const char *digest, uint64_t size, const char *what,
		       const char *cache_dir, const char *path, basetree_fetch_fn fetch, void *ctx);

/* Apply a change set on top of the tree. */
int basetree_apply(struct basetree *t, struct basetree_layer *l);

/*
 * The entry at a path as stored (no symlink followed), or NULL.  Not
 * const: a lazy tree records the lookup, and may read the base for it.
 */
const struct basetree_entry *basetree_get(struct basetree *t, const char *path);

/*
 * Resolve path (absolute or relative to the root, not cleaned yet) in the
 * tree as the kernel would inside the image: every symlink among the
 * parents is followed; the last component too when follow_last.  Result
 * in out (cleaned, relative to the root, "" for the root).  A loop (more
 * than 40 links) or a link that leads above the root is -EXIT_DOCKERFILE
 * naming the path, its message starting with what ("Dockerfile:3: COPY")
 * when not NULL.  Components that do not exist are kept as they are.
 */
int basetree_resolve(struct basetree *t, const char *path, int follow_last, const char *what,
		     struct strbuf *out);

/*
 * Look up a user or group name in the tree's /etc/passwd or /etc/group:
 * 0 and *id set when found; 1 when the name is not there (or the file is
 * missing).  For a user, *gid gets its primary group when gid is not NULL.
 */
int basetree_user(struct basetree *t, const char *name, long long *uid, long long *gid);
int basetree_group(struct basetree *t, const char *name, long long *gid);

/*
 * A lazy tree, and its record.
 *
 * A build looks up few paths of its base: the parents of its
 * destinations, the directories its layers add (does the base have them,
 * with what owner and mode), the names of a --chown.  On a lazy tree each
 * lookup (basetree_get, basetree_resolve, basetree_user, basetree_group)
 * is recorded as the base alone answers it: every entry along the path,
 * down to the first part the base lacks (then nothing below it exists
 * either), and a name's ids.  The record goes with the image (build.c: a
 * manifest annotation); a later build on the same base starts from it
 * (basetree_lazy_begin with the record): a tree of the recorded entries
 * alone, which answers a lookup when the path is there or below a part
 * known to be missing, and reads the whole base (load) at the first
 * lookup it cannot answer, replaying the layers applied since.  So every
 * answer is the whole tree's, and the record is a function of the
 * lookups and the base, whichever tree served them: the same build gives
 * the same record, base read or not.
 *
 * Only the base's part is partial: layers applied with basetree_apply
 * are held whole.  The record is text ("publish-basetree 1", then sorted
 * lines, paths and names %-escaped), at most BASETREE_RECORD_CAP bytes
 * (a build that looks up more records nothing).
 */
#define BASETREE_RECORD_CAP (64u << 10)

/* Read the whole base into t (initialised, empty, not lazy); 0 or negative. */
typedef int (*basetree_load_fn)(void *ctx, struct basetree *t);

/*
 * Make t (initialised, empty) a lazy tree of the base load reads.  With a
 * record (a previous build's on this same base; NULL: none) it starts
 * from the record and returns 1; without one, or when the record does
 * not parse (a warning), it loads the base now and returns 0; negative
 * when the load fails.
 */
int basetree_lazy_begin(struct basetree *t, basetree_load_fn load, void *ctx, const char *record);

/*
 * A lookup that needed the whole base and could not read it returns "not
 * there": this is its error (negative, reported when it happened), 0 when
 * none.  Check it after the lookups of an instruction.
 */
int basetree_lazy_error(const struct basetree *t);

/* 1 when the whole base was read (at the start or for a lookup). */
int basetree_lazy_loaded(const struct basetree *t);

/*
 * The record of the lookups so far, into out (reset); empty when over
 * BASETREE_RECORD_CAP.  Negative when a lookup failed to read the base.
 */
int basetree_lazy_record(const struct basetree *t, struct strbuf *out);

/* Clean a path into out: no leading/trailing '/', no "." or empty parts, ".." resolved (never above the root). */
void basetree_clean(const char *path, struct strbuf *out);

#endif
