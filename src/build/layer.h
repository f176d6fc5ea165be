/*
 * layer.h: one reproducible image layer, written in a single streaming pass.
 *
 * A layer is a list of entries (struct layer_entries: what goes into the
 * tar, in the image's own paths) turned into a pax tar by libarchive,
 * compressed (gzip with a fixed header, or zstd) and written to a file.
 * The tar bytes are hashed on their way to the compressor (the diff_id)
 * and the compressed bytes on their way to the file (the digest), so one
 * pass gives both and no layer is ever held in memory.
 *
 * Reproducibility: entries are written sorted by path (byte order), every
 * mtime is the build's fixed time (opts->mtime), uid and gid are numbers only (no uname
 * or gname), no atime, ctime or xattrs, and the gzip header carries no
 * name and no time.  The same entries give the same bytes.
 *
 * Who builds the entries: src/build/context.c (COPY and ADD from the build
 * context), or any caller that needs a synthetic layer.
 */
#ifndef LAYER_H
#define LAYER_H

#include <stdint.h>
#include <sys/types.h>

enum layer_compression {
	LAYER_GZIP = 0,
	LAYER_ZSTD
};

enum layer_entry_type {
	LAYER_DIR = 0,
	LAYER_FILE,
	LAYER_SYMLINK,
	LAYER_HARDLINK
};

struct layer_entry {
	char *path;	/* in the image: relative, no leading or trailing '/', owned */
	enum layer_entry_type type;
	unsigned int mode;	/* permission bits only (07777) */
	long long uid, gid;
	/* LAYER_FILE: content from src (a host path, owned) or, when src is NULL, from the entries' spool at spool_off */
	char *src;
	uint64_t spool_off;
	uint64_t size;
	/* LAYER_SYMLINK: the target as stored; LAYER_HARDLINK: the path (in the image) of the entry it links to; owned */
	char *link;
	/* set by the caller for hard-link detection of host files (0 when unknown) */
	dev_t dev;
	ino_t ino;
	unsigned int nlink;
	size_t seq;	/* internal: order of addition */
};

struct layer_entries {
	struct layer_entry *v;
	size_t nr, alloc;
	size_t seq;
	int spool_fd;	/* -1, or a temporary file holding extracted archive contents */
	char *bad_link;	/* set by layer_entries_finish(): why a hard link is refused, owned */
};

#define LAYER_ENTRIES_INIT { NULL, 0, 0, 0, -1, NULL }

void layer_entries_init(struct layer_entries *le);
void layer_entries_release(struct layer_entries *le);

/*
 * Append an entry; path and the strings in tmpl are copied.  Returns the
 * new entry (valid until the next append).
 */
struct layer_entry *layer_entries_add(struct layer_entries *le, const struct layer_entry *tmpl);

/* The entry for path, or NULL. Works only after layer_entries_finish(). */
struct layer_entry *layer_entries_find(struct layer_entries *le, const char *path);

/*
 * Sort by path (byte order); when a path was added twice the last one
 * wins (a later source overwrites an earlier one, as in Docker); turn
 * host files seen twice (same dev and inode, nlink > 1) into hard links
 * to the first in sorted order; add each missing parent directory with
 * parent_mode and uid/gid 0.
 *
 * Hard links added as such (from an archive, ADD) must name a file, or a
 * hard link to one, added before them: a cycle or a link to nothing
 * would give a layer no tool can unpack.  The first that does not is
 * noted in le->bad_link, and layer_write() refuses the entries.
 */
void layer_entries_finish(struct layer_entries *le, unsigned int parent_mode);

/*
 * The mode a directory every Linux base image has is known to have:
 * "tmp" and "var/tmp" 01777, "root" 0700; fallback for any other path.
 * Used for parent directories a layer includes (their mode in the base is
 * not known, as its layers are never downloaded).
 */
unsigned int layer_dir_mode(const char *path, unsigned int fallback);

/* The spool: a temporary file for contents extracted from archives (ADD). */
int layer_entries_spool(struct layer_entries *le, uint64_t *off_out);

struct layer_write_opts {
	enum layer_compression compression;
	long long mtime;	/* every entry's mtime (seconds since the epoch) */
	int level;	/* compression level, 0: the default */
	int threads;	/* compression threads, 0: the online CPUs (at most 8); the bytes do not depend on it */
	const char *what;	/* what makes the layer ("ADD a.tar /opt/"), for messages; may be NULL */
	int no_key;	/* no reuse key: the files are not hashed for one (the context is outside git) */
	/*
	 * Told, after each write of the blob, how many bytes the file at path
	 * has (another thread may read that much of it meanwhile); NULL: none.
	 */
	void (*progress)(void *ctx, unsigned long long bytes);
	void *progress_ctx;
};

/*
 * What a layer is and how it was made.  The second half is for a later
 * layer cache: the instruction as written (after ARG expansion), its
 * sources, and a key over everything that decides the layer's bytes
 * except file contents (paths, types, modes, owners, sizes, link targets,
 * mtime, compression).  A cache keyed on it plus the git tree ids of the
 * sources can reuse the blob.
 */
struct layer {
	char digest[72];	/* "sha256:..." of the blob (compressed) */
	char diff_id[72];	/* "sha256:..." of the uncompressed tar */
	uint64_t size;	/* bytes of the blob */
	enum layer_compression compression;
	char *path;	/* where the blob is, owned */
	char *instruction;	/* owned, may be NULL */
	char **sources;	/* owned, sources_nr of them */
	size_t sources_nr;
	char content_key[72];
	char reuse_key[72];	/* layer_reuse_key() of its entries and contents, set by layer_write(); "" with no_key */
};

void layer_init(struct layer *l);
void layer_release(struct layer *l);

/* The OCI or Docker media type of a layer compressed this way. */
const char *layer_media_type(enum layer_compression c, int docker);

/*
 * Write the entries (already finished) as a layer blob to path (created or
 * truncated).  On success fills out's digest, diff_id, size, compression,
 * path, content_key and reuse_key; out must have been layer_init()ed.  Entries with
 * a bad_link are refused: -EXIT_CONTEXT, naming opts->what and the link.
 */
int layer_write(struct layer_entries *le, const struct layer_write_opts *opts,
		const char *path, struct layer *out);

/*
 * A key for reusing this layer's blob from an earlier build: a digest
 * over the writer's version (tar writer, zlib, libzstd, compression and
 * level), layer_write()'s content_key (paths, types, modes, owners,
 * sizes, links, mtime) and, for each file in order, an id of its content
 * given by content_id (the git blob id of a clean tracked file: no file
 * is read).  layer_write() computes the same key from the contents it
 * reads (their git blob ids, hashed on the way) into out->reuse_key, so
 * every layer written has one, a function of its content alone, unless
 * opts->no_key: outside a git repository no later build can know a key
 * without reading the files, so that second pass over the bytes (a tenth
 * of a large layer's time) is not made.  Equal keys give equal blobs.  content_id returns 0 with the
 * id in out (at most 64 characters), or non-zero when the content is not
 * known without reading it: then there is no key.  1 with the key
 * ("sha256:...") in out, 0 without.  Files from the spool (ADD archives)
 * have no key before the layer is written.
 */
int layer_reuse_key(struct layer_entries *le, const struct layer_write_opts *opts,
		    int (*content_id)(void *ctx, const struct layer_entry *e, char *out), void *ctx,
		    char *out);

/*
 * The git blob id of a file entry's bytes as they are now (one read, no
 * filter: the bytes the layer would hold), for layer_reuse_key() when git
 * does not know them (untracked, modified); thread-safe (build.c hashes
 * a layer's files on its threads).  0 with the id in out (41
 * bytes), 1 when it cannot be read or its size is not the entry's (the
 * layer is then built, and finds what is wrong).
 */
int layer_file_blob_id(const struct layer_entry *e, char *out);

/* The threads a layer_write_opts.threads stands for: itself, or 0: the online CPUs (at most 8). */
int layer_thread_count(int threads);

/*
 * The compressor stage, exposed so that another can replace it: write() takes tar bytes, finish() flushes;
 * both send compressed bytes to the sink.  Returns 0 or negative.
 */
struct layer_sink {
	int (*write)(void *ctx, const void *buf, size_t len);
	void *ctx;
};

struct layer_compressor {
	int (*write)(struct layer_compressor *c, const void *buf, size_t len);
	int (*finish)(struct layer_compressor *c);
	void (*free)(struct layer_compressor *c);
};

/*
 * gzip: pgzip.c; zstd: libzstd's workers.  threads 0: the online CPUs (at
 * most 8); the bytes never depend on threads.
 */
struct layer_compressor *layer_compressor_new(enum layer_compression c, int level, int threads,
		const struct layer_sink *sink);

/*
 * The files of a written layer, for an SBOM: read the layer blob at path
 * (a tar, gzip- or zstd-compressed or plain) and call fn once for each
 * regular file, with its path in the image (no leading "/" or "./") and
 * the SHA-256 ("sha256:<hex>") and SHA-1 (40 hex digits, which SPDX 2.3
 * requires of each file) of its content, and once for each hard link
 * with link = the path it links to and the digests NULL.  The content
 * is streamed, never held.  fn returning non-zero stops the walk with
 * that value.  An unreadable blob is -EXIT_CONTEXT naming path.
 */
typedef int (*layer_file_fn)(void *data, const char *path, const char *link, const char *sha256,
			     const char *sha1);
int layer_read_files(const char *path, layer_file_fn fn, void *data);

#endif
