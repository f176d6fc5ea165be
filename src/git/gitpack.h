/*
 * gitpack.h: the type and first bytes of an object, read straight from
 * the repository's pack files, for peeling thousands of tags.
 *
 * Why: describe needs the commit of every version tag.  A loose tag ref
 * (what `git fetch` writes) says nothing of its object: libgit2 would
 * look each object up twice (its header, then the whole object) and
 * inflate it whole into its cache, ~5 us a tag (50 ms for 10,000
 * annotated tags).  Here one lookup in the mapped .idx files gives the
 * object's type from its pack entry, and an annotated tag's first line
 * ("object <sha>") is inflated alone.
 *
 * What it reads: the version 2 .idx files of objects/pack/ and their packs
 * (mapped read-only), nothing else.  An object it cannot answer for (not
 * in a pack, a delta, a version 1 index, a damaged entry) is 0 from
 * gitpack_peek(): the caller asks libgit2, which knows every case.
 *
 * Ownership: struct gitpacks owns its mappings; gitpacks_release().
 */
#ifndef GITPACK_H
#define GITPACK_H

#include <stddef.h>
#include <git2.h>
#include <zlib.h>

struct gitpacks {
	struct gitpack {
		const unsigned char *idx, *pack;
		size_t idx_len, pack_len, nr;
	} *p;
	size_t nr, alloc;
	z_stream z;
	int z_ready;
};

#define GITPACKS_INIT { NULL, 0, 0, { 0 }, 0 }

/* Map the packs of objects_dir ("<gitdir>/objects"); none is no error. */
void gitpacks_open(struct gitpacks *ps, const char *objects_dir);

/*
 * Object oid from the packs: 1 with *type set and, for a tag, its
 * first bytes (up to *len - 1, NUL-terminated, *len set to their
 * number) in buf; 0 when the packs cannot say (ask libgit2).
 */
int gitpack_peek(struct gitpacks *ps, const git_oid *oid, git_object_t *type, char *buf, size_t *len);

void gitpacks_release(struct gitpacks *ps);

#endif
