/*
 * layer.c: see layer.h.  libarchive's errors are read only here
 * (archive_error_string), as are zlib's and zstd's.
 *
 * The pipeline of one layer:
 *
 *   entries -> libarchive (pax restricted) -> tar_write() --sha256--> diff_id
 *           -> compressor (gzip: pgzip.c, or zstd) -> blob_write() --sha256--> digest
 *           -> the blob file
 *
 * Only the caller's thread reads the files, writes the tar and the blob;
 * the compressors' threads (pgzip's, libzstd's) only compress.  The three
 * hashes (the diff_id, the digest, and each file's git blob id for the
 * reuse key) are fed on hashing threads of this module: the caller
 * copies each stream into HASH_CHUNK buffers (a file's content is read
 * straight into one) and queues them, in order, so the hashes are those
 * of a single pass and the caller's thread, the critical path of a
 * layer, only reads, tars and feeds the compressor.  At most HASH_SLOTS
 * buffers are in flight.  Without those threads the hashes are computed
 * inline, with the same result.  With opts->no_key (no key wanted, or
 * the caller knows it from git) the blob ids are not computed and a
 * file's content goes through a buffer of its own instead of a slot.
 */
#include "lib/common.h"
#include "lib/tempfile.h"
#include "lib/digest.h"
#include "build/layer.h"
#include "build/pgzip.h"
#include "oci/mediatype.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

#define IO_CHUNK (128 * 1024)
/*
 * A hashing slot, and the size of the reads and of each write to the
 * compressor: with 256 KiB writes libzstd's workers held 20 MiB more
 * (peak RSS 72 MiB against 49 MiB for the 174 MiB bench context).
 */
#define HASH_CHUNK (128 * 1024)
#define HASH_SLOTS 16
#define HASH_QUEUE 64
#define ZSTD_JOB_SIZE (4u << 20)

/* ---- entries ------------------------------------------------------- */

void layer_entries_init(struct layer_entries *le)
{
	le->v = NULL;
	le->nr = le->alloc = 0;
	le->seq = 0;
	le->spool_fd = -1;
	le->bad_link = NULL;
}

static void entry_release(struct layer_entry *e)
{
	free(e->path);
	free(e->src);
	free(e->link);
}

void layer_entries_release(struct layer_entries *le)
{
	if (!le)
		return;
	for (size_t i = 0; i < le->nr; i++)
		entry_release(&le->v[i]);
	free(le->v);
	if (le->spool_fd >= 0)
		close(le->spool_fd);
	free(le->bad_link);
	layer_entries_init(le);
}

struct layer_entry *layer_entries_add(struct layer_entries *le, const struct layer_entry *tmpl)
{
	struct layer_entry *e;

	ALLOC_GROW(le->v, le->nr + 1, le->alloc);
	e = &le->v[le->nr++];
	*e = *tmpl;
	e->path = xstrdup(tmpl->path);
	e->src = tmpl->src ? xstrdup(tmpl->src) : NULL;
	e->link = tmpl->link ? xstrdup(tmpl->link) : NULL;
	e->seq = ++le->seq;
	return e;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct layer_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	/* same path: keep the order of addition, the last one wins */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct layer_entry *layer_entries_find(struct layer_entries *le, const char *path)
{
	size_t lo = 0, hi = le->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(le->v[mid].path, path);

		if (!c)
			return &le->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int entry_key_cmp(const void *a, const void *b)
{
	const struct layer_entry *const *x = a, *const *y = b;

	if ((*x)->dev != (*y)->dev)
		return (*x)->dev < (*y)->dev ? -1 : 1;
	if ((*x)->ino != (*y)->ino)
		return (*x)->ino < (*y)->ino ? -1 : 1;
	return strcmp((*x)->path, (*y)->path);
}

static void link_hard_links(struct layer_entries *le)
{
	struct layer_entry **files = NULL;
	size_t nr = 0, alloc = 0;

	for (size_t i = 0; i < le->nr; i++) {
		struct layer_entry *e = &le->v[i];

		if (e->type == LAYER_FILE && e->src && e->nlink > 1 && e->ino) {
			ALLOC_GROW(files, nr + 1, alloc);
			files[nr++] = e;
		}
	}
	if (nr > 1)
		qsort(files, nr, sizeof(*files), entry_key_cmp);
	for (size_t i = 1; i < nr; i++) {
		struct layer_entry *first = files[i - 1], *e = files[i];

		if (e->dev != first->dev || e->ino != first->ino)
			continue;
		/* files[i - 1] is the first path of this inode once linked */
		if (first->type == LAYER_HARDLINK)
			first = layer_entries_find(le, first->link);
		e->type = LAYER_HARDLINK;
		free(e->link);
		e->link = xstrdup(first->path);
		free(e->src);
		e->src = NULL;
		e->size = 0;
	}
	free(files);
}

static void sort_dedupe(struct layer_entries *le)
{
	size_t out = 0;

	if (le->nr > 1)
		qsort(le->v, le->nr, sizeof(*le->v), entry_cmp);
	for (size_t i = 0; i < le->nr; i++) {
		if (i + 1 < le->nr && !strcmp(le->v[i].path, le->v[i + 1].path)) {
			entry_release(&le->v[i]);
			continue;
		}
		le->v[out++] = le->v[i];
	}
	le->nr = out;
}

unsigned int layer_dir_mode(const char *path, unsigned int fallback)
{
	if (!strcmp(path, "tmp") || !strcmp(path, "var/tmp"))
		return 01777;	/* sticky and world-writable in every base */
	if (!strcmp(path, "root"))
		return 0700;
	return fallback;
}

/* The entry holding the content of a hard link (following link chains), or NULL. */
static struct layer_entry *link_root(struct layer_entries *le, const char *path)
{
	struct layer_entry *t = layer_entries_find(le, path);

	for (size_t guard = 0; t && t->type == LAYER_HARDLINK && guard < le->nr; guard++)
		t = layer_entries_find(le, t->link);
	return t && t->type == LAYER_FILE ? t : NULL;
}

/*
 * A tar's hard link must come after the file it links to.  Hard links
 * from archives (ADD) may name a path that sorts later: then the first
 * path in sorted order takes the content and the others link to it.
 */
static void order_hard_links(struct layer_entries *le)
{
	for (size_t i = 0; i < le->nr; i++) {
		struct layer_entry *h = &le->v[i], *t;

		if (h->type != LAYER_HARDLINK)
			continue;
		t = link_root(le, h->link);
		if (!t)
			continue;	/* a link to nothing in this layer: written as is */
		if (strcmp(h->path, t->path) < 0) {
			h->type = LAYER_FILE;
			free(h->link);
			h->link = NULL;
			h->src = t->src;
			t->src = NULL;
			h->spool_off = t->spool_off;
			h->size = t->size;
			t->type = LAYER_HARDLINK;
			t->size = 0;
			free(t->link);
			t->link = xstrdup(h->path);
		} else if (strcmp(h->link, t->path)) {
			free(h->link);
			h->link = xstrdup(t->path);
		}
	}
}

static int path_seq_cmp(const void *a, const void *b)
{
	const struct layer_entry *const *x = a, *const *y = b;
	int c = strcmp((*x)->path, (*y)->path);

	if (c)
		return c;
	return (*x)->seq < (*y)->seq ? -1 : (*x)->seq > (*y)->seq;
}

/* The entry added last for path before the seq-th addition, or NULL (idx sorted by path_seq_cmp). */
static const struct layer_entry *added_before(struct layer_entry **idx, size_t nr, const char *path,
					      size_t seq)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(idx[mid]->path, path);

		if (c < 0 || (!c && idx[mid]->seq < seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && !strcmp(idx[lo - 1]->path, path) ? idx[lo - 1] : NULL;
}

/*
 * Each hard link, in the order added, must reach a file through entries
 * added before it (so seq falls at each step: no cycle can pass).
 */
static void check_added_links(struct layer_entries *le)
{
	struct layer_entry **idx;
	size_t nr = 0;

	for (size_t i = 0; i < le->nr; i++)
		nr += le->v[i].type == LAYER_HARDLINK;
	if (!nr)
		return;
	idx = xcalloc(le->nr, sizeof(*idx));
	for (size_t i = 0; i < le->nr; i++)
		idx[i] = &le->v[i];
	qsort(idx, le->nr, sizeof(*idx), path_seq_cmp);
	for (size_t i = 0; i < le->nr && !le->bad_link; i++) {
		const struct layer_entry *h = &le->v[i], *cur = h, *t;

		if (h->type != LAYER_HARDLINK)
			continue;
		for (;;) {
			t = added_before(idx, le->nr, cur->link, cur->seq);
			if (!t || (t->type != LAYER_FILE && t->type != LAYER_HARDLINK)) {
				struct strbuf sb = STRBUF_INIT;

				/* cur is h: the links before h were checked first */
				strbuf_addf(&sb, "hard link '%s' points at '%s', which is not a file earlier in the archive",
					    h->path, h->link);
				le->bad_link = strbuf_detach(&sb, NULL);
				break;
			}
			if (t->type == LAYER_FILE)
				break;
			cur = t;
		}
	}
	free(idx);
}

void layer_entries_finish(struct layer_entries *le, unsigned int parent_mode)
{
	struct layer_entries parents = LAYER_ENTRIES_INIT;

	check_added_links(le);
	sort_dedupe(le);
	for (size_t i = 0; i < le->nr; i++) {
		char *p = xstrdup(le->v[i].path);
		char *slash;

		while ((slash = strrchr(p, '/'))) {
			struct layer_entry d = { 0 };

			*slash = '\0';
			if (layer_entries_find(le, p))
				break;
			if (parents.nr && !strcmp(parents.v[parents.nr - 1].path, p))
				break;
			d.path = p;
			d.type = LAYER_DIR;
			d.mode = layer_dir_mode(p, parent_mode);
			layer_entries_add(&parents, &d);
		}
		free(p);
	}
	for (size_t i = 0; i < parents.nr; i++) {
		layer_entries_add(le, &parents.v[i]);
		le->v[le->nr - 1].seq = 0;	/* a parent never overrides an entry */
	}
	layer_entries_release(&parents);
	sort_dedupe(le);
	link_hard_links(le);
	order_hard_links(le);
}

int layer_entries_spool(struct layer_entries *le, uint64_t *off_out)
{
	off_t off;

	if (le->spool_fd < 0) {
		le->spool_fd = tempfile_open("spool", 1, NULL);
		if (le->spool_fd < 0)
			return -1;
	}
	off = lseek(le->spool_fd, 0, SEEK_END);
	if (off < 0)
		return error("cannot seek in the spool file: %s", strerror(errno));
	*off_out = (uint64_t)off;
	return 0;
}

/* ---- layer --------------------------------------------------------- */

void layer_init(struct layer *l)
{
	memset(l, 0, sizeof(*l));
}

void layer_release(struct layer *l)
{
	if (!l)
		return;
	free(l->path);
	free(l->instruction);
	for (size_t i = 0; i < l->sources_nr; i++)
		free(l->sources[i]);
	free(l->sources);
	layer_init(l);
}

const char *layer_media_type(enum layer_compression c, int docker)
{
	if (docker)
		return c == LAYER_ZSTD ? MT_DOCKER_LAYER_ZSTD
				       : MT_DOCKER_LAYER_GZIP;
	return c == LAYER_ZSTD ? MT_OCI_LAYER_ZSTD
			       : MT_OCI_LAYER_GZIP;
}

/* ---- compressors --------------------------------------------------- */

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > PGZIP_MAX_THREADS ? PGZIP_MAX_THREADS : (int)n;
}

int layer_thread_count(int threads)
{
	return threads > 0 ? threads : online_cpus();
}

struct zstd_compressor {
	struct layer_compressor base;
	struct layer_sink sink;
	ZSTD_CCtx *cctx;
	unsigned char out[IO_CHUNK];
};

static int zs_pump(struct zstd_compressor *z, const void *buf, size_t len, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = { buf, len, 0 };
	size_t left;

	do {
		ZSTD_outBuffer out = { z->out, sizeof(z->out), 0 };

		left = ZSTD_compressStream2(z->cctx, &out, &in, end);
		if (ZSTD_isError(left))
			return error("zstd: %s", ZSTD_getErrorName(left));
		if (out.pos && z->sink.write(z->sink.ctx, z->out, out.pos) < 0)
			return -1;
	} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static int zs_write(struct layer_compressor *c, const void *buf, size_t len)
{
	return zs_pump((struct zstd_compressor *)c, buf, len, ZSTD_e_continue);
}

static int zs_finish(struct layer_compressor *c)
{
	return zs_pump((struct zstd_compressor *)c, NULL, 0, ZSTD_e_end);
}

static void zs_free(struct layer_compressor *c)
{
	struct zstd_compressor *z = (struct zstd_compressor *)c;

	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z);
}

struct layer_compressor *layer_compressor_new(enum layer_compression c, int level, int threads,
		const struct layer_sink *sink)
{
	struct zstd_compressor *z;
	size_t r;

	if (c != LAYER_ZSTD)
		return pgzip_new(level, layer_thread_count(threads), sink);
	z = xcalloc(1, sizeof(*z));
	z->base.write = zs_write;
	z->base.finish = zs_finish;
	z->base.free = zs_free;
	z->sink = *sink;
	z->cctx = ZSTD_createCCtx();
	if (!z->cctx) {
		free(z);
		error("zstd: cannot create a compression context");
		return NULL;
	}
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level ? level : 3);
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
	/*
	 * libzstd's own workers, never its single-threaded mode: the frame is
	 * cut into jobs of a fixed size whatever the number of workers, so
	 * the bytes are the same for 1 worker or 8 (t2050); the fixed job
	 * size also bounds memory (about 3 jobs a worker).
	 */
	r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, layer_thread_count(threads));
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize, ZSTD_JOB_SIZE);
	if (ZSTD_isError(r)) {
		error("zstd: cannot use worker threads (libzstd built without them?): %s", ZSTD_getErrorName(r));
		zs_free(&z->base);
		return NULL;
	}
	return &z->base;
}

/* ---- hashing ------------------------------------------------------- */

static int blob_id_start(EVP_MD_CTX *c, uint64_t size);
static int blob_id_final(EVP_MD_CTX *c, char *out);
static void reuse_key_file(struct digest *d, const struct layer_entry *e, const char *id);

enum hash_op {
	HASH_DIGEST,	/* buf into a sha256 digest (the diff_id or the digest) */
	HASH_FILE_START,	/* start e's git blob id */
	HASH_FILE_DATA,	/* buf into the current blob id */
	HASH_FILE_END	/* finish e's blob id into the reuse key */
};

struct hash_job {
	enum hash_op op;
	struct digest *d;	/* HASH_DIGEST */
	const struct layer_entry *e;	/* HASH_FILE_START and _END */
	unsigned char *buf;	/* a slot, back to the free list once hashed; or NULL */
	size_t len;
	int lane;	/* HASH_DIGEST: 0 or 1 */
};

/* A stream (the tar or the blob) on its way to a digest, a slot at a time. */
struct hash_stream {
	struct digest *d;
	int lane;	/* the hasher's lane for this digest */
	unsigned char *buf;
	size_t len;
};

/*
 * Three lanes, a thread each: the diff_id, the digest (HASH_DIGEST jobs,
 * by their stream's lane) and the blob ids (HASH_FILE_*, HASH_FILE_LANE).
 * A lane runs its jobs in the order queued.
 */
#define HASH_LANES 3
#define HASH_FILE_LANE 2

struct hash_lane {
	struct hasher *h;
	struct hash_job q[HASH_QUEUE];
	size_t head, nr;
	pthread_t thread;
	pthread_cond_t more;
	int started;
};

struct hasher {
	EVP_MD_CTX *blob;	/* the current file's git blob id */
	struct digest *rkey;	/* the reuse key, fed each file's blob id; NULL: none (no_key) */
	const struct layer_entry *failed;	/* sha1 failed on this file */
	unsigned char *mem;	/* HASH_SLOTS slots of HASH_CHUNK bytes */
	unsigned char *free_v[HASH_SLOTS];
	size_t free_nr;
	struct hash_lane lane[HASH_LANES];
	pthread_mutex_t lock;	/* the lanes' queues, the free list, stop */
	pthread_cond_t room;
	int threaded, stop;
};

/* Runs on a lane's thread (or inline without threads). */
static void hash_run(struct hasher *h, const struct hash_job *j)
{
	char id[48];

	switch (j->op) {
	case HASH_DIGEST:
		digest_update(j->d, j->buf, j->len);
		break;
	case HASH_FILE_START:
		if (!h->failed && blob_id_start(h->blob, j->e->size) < 0)
			h->failed = j->e;
		break;
	case HASH_FILE_DATA:
		if (!h->failed && EVP_DigestUpdate(h->blob, j->buf, j->len) != 1)
			h->failed = j->e;
		break;
	case HASH_FILE_END:
		if (h->failed)
			break;
		if (blob_id_final(h->blob, id) < 0)
			h->failed = j->e;
		else
			reuse_key_file(h->rkey, j->e, id);
		break;
	}
}

static void *hash_thread(void *arg)
{
	struct hash_lane *l = arg;
	struct hasher *h = l->h;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct hash_job j;

		if (!l->nr) {
			if (h->stop)
				break;
			pthread_cond_wait(&l->more, &h->lock);
			continue;
		}
		j = l->q[l->head];
		l->head = (l->head + 1) % HASH_QUEUE;
		l->nr--;
		pthread_mutex_unlock(&h->lock);
		hash_run(h, &j);
		pthread_mutex_lock(&h->lock);
		if (j.buf)
			h->free_v[h->free_nr++] = j.buf;
		pthread_cond_signal(&h->room);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Waits for the lanes to empty and their threads to end; the hashes are then complete. */
static void hasher_stop(struct hasher *h)
{
	if (!h->threaded)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = 1;
	for (int i = 0; i < HASH_LANES; i++)
		pthread_cond_signal(&h->lane[i].more);
	pthread_mutex_unlock(&h->lock);
	for (int i = 0; i < HASH_LANES; i++)
		if (h->lane[i].started)
			pthread_join(h->lane[i].thread, NULL);
	h->threaded = 0;
}

static int hasher_init(struct hasher *h, struct digest *rkey)
{
	memset(h, 0, sizeof(*h));
	h->rkey = rkey;
	h->blob = EVP_MD_CTX_new();
	if (!h->blob)
		return error("cannot hash the layer's files: out of memory");
	h->mem = xmalloc((size_t)HASH_SLOTS * HASH_CHUNK);
	for (size_t i = 0; i < HASH_SLOTS; i++)
		h->free_v[h->free_nr++] = h->mem + i * HASH_CHUNK;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->room, NULL);
	h->threaded = 1;
	for (int i = 0; i < HASH_LANES; i++) {
		struct hash_lane *l = &h->lane[i];

		l->h = h;
		pthread_cond_init(&l->more, NULL);
		l->started = !pthread_create(&l->thread, NULL, hash_thread, l);
		h->threaded &= l->started;
	}
	/* a thread missing: every job runs inline, same hashes */
	if (!h->threaded) {
		h->threaded = 1;
		hasher_stop(h);
	}
	return 0;
}

static void hasher_release(struct hasher *h)
{
	if (!h->blob)
		return;
	hasher_stop(h);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->room);
	for (int i = 0; i < HASH_LANES; i++)
		pthread_cond_destroy(&h->lane[i].more);
	free(h->mem);
	EVP_MD_CTX_free(h->blob);
	h->blob = NULL;
}

/* A free slot of HASH_CHUNK bytes, waiting for one if need be; the caller's until queued. */
static unsigned char *hasher_slot(struct hasher *h)
{
	unsigned char *buf;

	if (!h->threaded)
		return h->free_v[--h->free_nr];
	pthread_mutex_lock(&h->lock);
	while (!h->free_nr)
		pthread_cond_wait(&h->room, &h->lock);
	buf = h->free_v[--h->free_nr];
	pthread_mutex_unlock(&h->lock);
	return buf;
}

/* Queue a job; its slot (if any) is the hasher's from now on. */
static void hasher_queue(struct hasher *h, const struct hash_job *j)
{
	struct hash_lane *l = &h->lane[j->op == HASH_DIGEST ? j->lane : HASH_FILE_LANE];

	if (!h->threaded) {
		hash_run(h, j);
		if (j->buf)
			h->free_v[h->free_nr++] = j->buf;
		return;
	}
	pthread_mutex_lock(&h->lock);
	while (l->nr == HASH_QUEUE)
		pthread_cond_wait(&h->room, &h->lock);
	l->q[(l->head + l->nr) % HASH_QUEUE] = *j;
	l->nr++;
	pthread_cond_signal(&l->more);
	pthread_mutex_unlock(&h->lock);
}

static void hash_stream_flush(struct hasher *h, struct hash_stream *s)
{
	struct hash_job j = { HASH_DIGEST, s->d, NULL, s->buf, s->len, s->lane };

	if (!s->buf)
		return;
	hasher_queue(h, &j);
	s->buf = NULL;
	s->len = 0;
}

static void hash_stream_add(struct hasher *h, struct hash_stream *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		size_t n;

		if (!s->buf)
			s->buf = hasher_slot(h);
		n = HASH_CHUNK - s->len;
		if (n > len)
			n = len;
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		p += n;
		len -= n;
		if (s->len == HASH_CHUNK)
			hash_stream_flush(h, s);
	}
}

/* ---- writing ------------------------------------------------------- */

struct writer {
	struct digest tar_digest;	/* diff_id */
	struct digest blob_digest;	/* digest */
	struct hasher hash;
	struct hash_stream tar, blob;	/* to tar_digest, blob_digest */
	struct layer_compressor *comp;
	int fd;
	const char *path;
	uint64_t blob_size;
	int failed;
	const struct layer_write_opts *opts;	/* its progress callback */
};

static int blob_write(void *ctx, const void *buf, size_t len)
{
	struct writer *w = ctx;
	const char *p = buf;

	hash_stream_add(&w->hash, &w->blob, buf, len);
	w->blob_size += len;
	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error("cannot write '%s': %s", w->path, strerror(errno));
		}
		p += n;
		len -= n;
	}
	if (w->opts->progress)
		w->opts->progress(w->opts->progress_ctx, w->blob_size);
	return 0;
}

static la_ssize_t tar_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct writer *w = ctx;

	if (w->failed)
		return -1;
	hash_stream_add(&w->hash, &w->tar, buf, len);
	if (w->comp->write(w->comp, buf, len) < 0) {
		w->failed = 1;
		archive_set_error(a, EIO, "cannot compress the layer");
		return -1;
	}
	return (la_ssize_t)len;
}

/*
 * e's content into the tar, each read into a hasher slot then queued for
 * its blob id; without a reuse key, read into buf (IO_CHUNK bytes) and
 * not hashed.
 */
static int copy_content(struct archive *a, const struct layer_entry *e, int spool_fd, struct hasher *h,
			unsigned char *buf)
{
	uint64_t left = e->size;
	int fd = spool_fd;
	int rc = 0;

	if (e->src) {
		struct stat st;

		fd = open(e->src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);	/* a FIFO put there meanwhile: no wait */
		if (fd < 0)
			return error_as(EXIT_CONTEXT, "cannot open '%s': %s", e->src, strerror(errno));
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != e->size) {
			close(fd);
			return error_as(EXIT_CONTEXT, "'%s' changed while the layer was written", e->src);
		}
	} else if (lseek(spool_fd, (off_t)e->spool_off, SEEK_SET) < 0) {
		return error("cannot seek in the spool file: %s", strerror(errno));
	}
	while (left) {
		struct hash_job j = { HASH_FILE_DATA, NULL, e, h->rkey ? hasher_slot(h) : buf, 0, 0 };
		size_t want = left < HASH_CHUNK ? (size_t)left : HASH_CHUNK;
		ssize_t n;

		do
			n = read(fd, j.buf, want);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			rc = error_as(EXIT_CONTEXT, "cannot read '%s': %s",
				      e->src ? e->src : e->path, n < 0 ? strerror(errno) : "file shrank");
			j.len = 0;
			if (h->rkey)
				hasher_queue(h, &j);	/* gives the slot back */
			break;
		}
		/* queued after the tar took it: tar_write() asks for slots */
		j.len = (size_t)n;
		if (archive_write_data(a, j.buf, (size_t)n) != n)
			rc = error("cannot write '%s' into the layer: %s", e->path, archive_error_string(a));
		if (h->rkey)
			hasher_queue(h, &j);
		if (rc < 0)
			break;
		left -= (uint64_t)n;
	}
	if (e->src)
		close(fd);
	return rc;
}

static void content_key(struct layer_entries *le, const struct layer_write_opts *opts, char *out)
{
	struct digest d;
	struct strbuf sb = STRBUF_INIT;

	if (digest_init(&d) < 0) {
		out[0] = '\0';
		return;
	}
	strbuf_addf(&sb, "publish-layer-v2 %d %lld\n", (int)opts->compression, opts->mtime);
	digest_update(&d, sb.buf, sb.len);
	for (size_t i = 0; i < le->nr; i++) {
		const struct layer_entry *e = &le->v[i];

		strbuf_reset(&sb);
		strbuf_addf(&sb, "%d %o %lld %lld %llu %s", (int)e->type, e->mode, e->uid, e->gid,
			    (unsigned long long)e->size, e->path);
		strbuf_addch(&sb, '\0');
		if (e->link)
			strbuf_addstr(&sb, e->link);
		strbuf_addch(&sb, '\n');
		digest_update(&d, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	if (digest_final(&d, out) < 0)
		out[0] = '\0';
}

/* publish's version (main.c's): another version may write other bytes, so it reuses nothing */
#ifdef PUBLISH_VERSION
#define LAYER_PUBLISH_VERSION PUBLISH_VERSION
#else
#define LAYER_PUBLISH_VERSION "0.0.0-dev"
#endif

/* The start of a reuse key (layer.h): what decides the bytes but the files' contents. */
static int reuse_key_start(struct digest *d, struct layer_entries *le, const struct layer_write_opts *opts)
{
	struct strbuf sb = STRBUF_INIT;
	char key[72];

	content_key(le, opts, key);
	if (!key[0] || digest_init(d) < 0)
		return -1;
	/* bump the first word when the writer changes */
	strbuf_addf(&sb, "publish-layer-reuse-v4\npublish %s\nlibarchive %s\nzlib %s\nlibdeflate %s\nzstd %s\nlevel %d\n%s\n",
		    LAYER_PUBLISH_VERSION, archive_version_string(), zlibVersion(), LIBDEFLATE_VERSION_STRING,
		    ZSTD_versionString(), opts->level, key);
	digest_update(d, sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

/* One file of the layer, in order: its path and its content's git blob id. */
static void reuse_key_file(struct digest *d, const struct layer_entry *e, const char *id)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s %.64s\n", e->path, id);
	digest_update(d, sb.buf, sb.len);
	strbuf_release(&sb);
}

/* Start a git blob id ("blob SIZE\0" then the content) for a file of size bytes. */
static int blob_id_start(EVP_MD_CTX *c, uint64_t size)
{
	char hdr[32];
	int n = snprintf(hdr, sizeof(hdr), "blob %llu", (unsigned long long)size);

	if (EVP_DigestInit_ex(c, EVP_sha1(), NULL) != 1)
		return -1;
	return EVP_DigestUpdate(c, hdr, (size_t)n + 1) == 1 ? 0 : -1;
}

static int blob_id_final(EVP_MD_CTX *c, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hex[] = "0123456789abcdef";

	if (EVP_DigestFinal_ex(c, md, &n) != 1 || n != 20)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

int layer_file_blob_id(const struct layer_entry *e, char *out)
{
	EVP_MD_CTX *c = NULL;
	unsigned char buf[64 * 1024];	/* on the stack: one call a file, on the build's threads */
	uint64_t left = e->size;
	struct stat st;
	int fd, rc = 1;

	if (!e->src || e->type != LAYER_FILE)
		return 1;
	fd = open(e->src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);	/* a FIFO put there meanwhile: no wait */
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != e->size)
		goto out;
	c = EVP_MD_CTX_new();
	if (!c || blob_id_start(c, e->size) < 0)
		goto out;
	while (left) {
		ssize_t n;

		do
			n = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
		while (n < 0 && errno == EINTR);
		if (n <= 0 || EVP_DigestUpdate(c, buf, (size_t)n) != 1)
			goto out;
		left -= (uint64_t)n;
	}
	rc = blob_id_final(c, out) < 0;
out:
	EVP_MD_CTX_free(c);
	close(fd);
	return rc;
}

int layer_reuse_key(struct layer_entries *le, const struct layer_write_opts *opts,
		    int (*content_id)(void *ctx, const struct layer_entry *e, char *out), void *ctx,
		    char *out)
{
	struct digest d;
	char id[72];

	if (reuse_key_start(&d, le, opts) < 0)
		return 0;
	for (size_t i = 0; i < le->nr; i++) {
		const struct layer_entry *e = &le->v[i];

		if (e->type != LAYER_FILE)
			continue;
		memset(id, 0, sizeof(id));
		if (!e->src || content_id(ctx, e, id)) {
			digest_release(&d);
			return 0;
		}
		reuse_key_file(&d, e, id);
	}
	return digest_final(&d, out) == 0;
}

/* 1 if s is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF) */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned char c = *p++, lo = 0x80, hi = 0xbf;
		int n = c < 0x80 ? 0 : (c >= 0xc2 && c <= 0xdf) ? 1 : (c >= 0xe0 && c <= 0xef) ? 2 :
			(c >= 0xf0 && c <= 0xf4) ? 3 : -1;

		if (n < 0)
			return 0;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (; n > 0; n--, p++, lo = 0x80, hi = 0xbf)
			if (*p < lo || *p > hi)
				return 0;
	}
	return 1;
}

static int write_entry(struct archive *a, struct archive_entry *ae, const struct layer_entry *e,
		       const struct layer_write_opts *opts, int spool_fd, struct hasher *h, unsigned char *buf)
{
	int r;

	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, e->path);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_mtime(ae, opts->mtime, 0);
	switch (e->type) {
	case LAYER_DIR:
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_size(ae, 0);
		break;
	case LAYER_FILE:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, (la_int64_t)e->size);
		break;
	case LAYER_SYMLINK:
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_symlink(ae, e->link);
		archive_entry_set_size(ae, 0);
		break;
	case LAYER_HARDLINK:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_hardlink(ae, e->link);
		archive_entry_set_size(ae, 0);
		break;
	}
	archive_entry_set_perm(ae, e->type == LAYER_SYMLINK ? 0777 : (e->mode & 07777));
	r = archive_write_header(a, ae);
	/*
	 * A name that is not UTF-8 cannot be converted: libarchive warns and
	 * writes this entry's names as bytes (hdrcharset=BINARY), as Docker
	 * would keep them.
	 */
	if (r == ARCHIVE_WARN && (!utf8_valid(e->path) || (e->link && !utf8_valid(e->link))))
		r = ARCHIVE_OK;
	if (r != ARCHIVE_OK)
		return error("cannot write '%s' into the layer: %s", e->path, archive_error_string(a));
	if (e->type == LAYER_FILE) {
		struct hash_job start = { HASH_FILE_START, NULL, e, NULL, 0, 0 };
		struct hash_job end = { HASH_FILE_END, NULL, e, NULL, 0, 0 };
		int rc;

		if (h->rkey)
			hasher_queue(h, &start);
		if (e->size && (rc = copy_content(a, e, spool_fd, h, buf)) < 0)
			return rc;
		if (h->rkey)
			hasher_queue(h, &end);
	}
	return 0;
}

int layer_write(struct layer_entries *le, const struct layer_write_opts *opts,
		const char *path, struct layer *out)
{
	struct writer w = { 0 };
	struct digest rkey = { NULL, 0 };
	struct layer_sink sink;
	struct archive *a = NULL;
	struct archive_entry *ae = NULL;
	char diff_id[72], digest[72], key[72], reuse[72] = "";
	unsigned char *io = NULL;
	locale_t utf8, saved = (locale_t)0;
	int rc = 0;

	if (le->bad_link)
		return error_as(EXIT_CONTEXT, "%s%s%s", opts->what ? opts->what : "", opts->what ? ": " : "",
				le->bad_link);
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 != (locale_t)0)
		saved = uselocale(utf8);
	w.fd = -1;
	w.path = path;
	w.opts = opts;
	if (digest_init(&w.tar_digest) < 0 || digest_init(&w.blob_digest) < 0 ||
	    (!opts->no_key && reuse_key_start(&rkey, le, opts) < 0)) {
		rc = -1;
		goto out;
	}
	if (hasher_init(&w.hash, opts->no_key ? NULL : &rkey) < 0) {
		rc = -1;
		goto out;
	}
	w.tar.d = &w.tar_digest;
	w.blob.d = &w.blob_digest;
	w.blob.lane = 1;
	w.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w.fd < 0) {
		rc = error("cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	sink.write = blob_write;
	sink.ctx = &w;
	w.comp = layer_compressor_new(opts->compression, opts->level, opts->threads, &sink);
	if (!w.comp) {
		rc = -1;
		goto out;
	}
	a = archive_write_new();
	ae = archive_entry_new();
	if (!a || !ae) {
		rc = error("cannot create a tar writer");
		goto out;
	}
	/*
	 * Names are bytes, and pax wants UTF-8: under a UTF-8 LC_CTYPE the
	 * pax writer passes UTF-8 names through unchanged (a pax header only
	 * where ustar cannot hold the name).  Any other locale (LANG=C) would
	 * mangle non-ASCII names, so this thread uses C.UTF-8 while writing.
	 * Without that locale, hdrcharset=BINARY keeps the bytes, at the cost
	 * of a pax header on every entry that GNU tar warns about.
	 */
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    (utf8 == (locale_t)0 &&
	     archive_write_set_format_option(a, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open2(a, &w, NULL, tar_write, NULL, NULL) != ARCHIVE_OK) {
		rc = error("cannot start the layer tar: %s", archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; i < le->nr; i++) {
		if (opts->no_key && !io)
			io = xmalloc(IO_CHUNK);
		rc = write_entry(a, ae, &le->v[i], opts, le->spool_fd, &w.hash, io);
		if (rc < 0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		rc = error("cannot finish the layer tar: %s", archive_error_string(a));
		goto out;
	}
	if (w.comp->finish(w.comp) < 0) {
		rc = -1;
		goto out;
	}
	if (close(w.fd) < 0) {
		w.fd = -1;
		rc = error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	w.fd = -1;
	hash_stream_flush(&w.hash, &w.tar);
	hash_stream_flush(&w.hash, &w.blob);
	hasher_stop(&w.hash);
	if (w.hash.failed) {
		rc = error("cannot hash '%s': sha1 failed", w.hash.failed->path);
		goto out;
	}
	if (digest_final(&w.tar_digest, diff_id) < 0 || digest_final(&w.blob_digest, digest) < 0 ||
	    (!opts->no_key && digest_final(&rkey, reuse) < 0)) {
		rc = -1;
		goto out;
	}
	content_key(le, opts, key);
	memcpy(out->diff_id, diff_id, sizeof(diff_id));
	memcpy(out->digest, digest, sizeof(digest));
	memcpy(out->content_key, key, sizeof(key));
	memcpy(out->reuse_key, reuse, sizeof(reuse));
	out->size = w.blob_size;
	out->compression = opts->compression;
	free(out->path);
	out->path = xstrdup(path);
out:
	if (a)
		archive_write_free(a);
	archive_entry_free(ae);
	if (w.comp)
		w.comp->free(w.comp);
	if (w.fd >= 0) {
		close(w.fd);
		unlink(path);
	} else if (rc < 0) {
		unlink(path);
	}
	hasher_release(&w.hash);	/* after the tar and the compressor: they may still write */
	digest_release(&w.tar_digest);
	digest_release(&w.blob_digest);
	digest_release(&rkey);
	free(io);
	if (utf8 != (locale_t)0) {
		uselocale(saved);
		freelocale(utf8);
	}
	return rc;
}

/* ---- reading a layer back: its files, for an SBOM ------------------ */

/* path without a leading "./" or "/", appended to out */
static void clean_entry_path(const char *p, struct strbuf *out)
{
	while (*p == '/' || (p[0] == '.' && p[1] == '/'))
		p += p[0] == '/' ? 1 : 2;
	strbuf_addstr(out, p);
}

int layer_read_files(const char *path, layer_file_fn fn, void *data)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct strbuf name = STRBUF_INIT, link = STRBUF_INIT;
	char *buf = xmalloc(IO_CHUNK), hex[DIGEST_HEX_LEN + 1];
	int ret = 0, r = ARCHIVE_OK;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, IO_CHUNK) != ARCHIVE_OK) {
		ret = error_as(EXIT_CONTEXT, "cannot read layer '%s': %s", path, archive_error_string(a));
		goto out;
	}
	while (!ret && (r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		strbuf_reset(&name);
		clean_entry_path(archive_entry_pathname(ae), &name);
		if (archive_entry_hardlink(ae)) {
			strbuf_reset(&link);
			clean_entry_path(archive_entry_hardlink(ae), &link);
			ret = fn(data, name.buf, link.buf, NULL, NULL);
		} else if (archive_entry_filetype(ae) == AE_IFREG) {
			struct digest d;
			EVP_MD_CTX *sha1 = EVP_MD_CTX_new();
			unsigned char md[EVP_MAX_MD_SIZE];
			unsigned int mdlen = 0;
			char sha1_hex[2 * EVP_MAX_MD_SIZE + 1];
			la_ssize_t n;

			if (!sha1 || !EVP_DigestInit_ex(sha1, EVP_sha1(), NULL) || digest_init(&d) < 0) {
				EVP_MD_CTX_free(sha1);
				ret = error("cannot hash '%s' in layer '%s'", name.buf, path);
				break;
			}
			while ((n = archive_read_data(a, buf, IO_CHUNK)) > 0) {
				digest_update(&d, buf, (size_t)n);
				EVP_DigestUpdate(sha1, buf, (size_t)n);
			}
			EVP_DigestFinal_ex(sha1, md, &mdlen);
			EVP_MD_CTX_free(sha1);
			if (n < 0) {
				digest_release(&d);
				ret = error_as(EXIT_CONTEXT, "cannot read '%s' in layer '%s': %s", name.buf, path,
					       archive_error_string(a));
				break;
			}
			for (unsigned int i = 0; i < mdlen; i++)
				snprintf(sha1_hex + 2 * i, 3, "%02x", md[i]);
			sha1_hex[2 * mdlen] = '\0';
			digest_final(&d, hex);
			ret = fn(data, name.buf, NULL, hex, sha1_hex);
		}
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = error_as(EXIT_CONTEXT, "cannot read layer '%s': %s", path, archive_error_string(a));
out:
	archive_read_free(a);
	strbuf_release(&name);
	strbuf_release(&link);
	free(buf);
	return ret;
}
