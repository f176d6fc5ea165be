/*
 * pgzip.c: see pgzip.h.  zlib's errors are read here.
 *
 * The stream is cut into fixed blocks of PGZIP_BLOCK input bytes.  Block i
 * is deflated on its own (raw deflate, the last 32 KiB of block i-1 as its
 * dictionary) and ends with a sync flush (the last one with Z_FINISH), so
 * the blocks' outputs, concatenated in order, are one valid deflate
 * stream.  Each block's bytes depend only on its input, its dictionary
 * and the level: the same for 1 thread or 8, on any machine.  A block
 * whose samples do not compress is stored (level 0), not deflated.  The
 * caller's thread alone sends output to the sink, in order.
 */
#include "lib/common.h"
#include "build/pgzip.h"

#include <pthread.h>
#include <zlib.h>

#define PGZIP_BLOCK (1u << 20)
#define PGZIP_DICT 32768u
#define PGZIP_SAMPLES 16u
#define PGZIP_SAMPLE 4096u

struct pgz_job {
	unsigned char *in;	/* PGZIP_BLOCK bytes */
	size_t in_len;
	unsigned char dict[PGZIP_DICT];
	size_t dict_len;
	int last;
	struct strbuf out;
	uLong crc;
	int state;	/* 0 queued, 1 running, 2 done, 3 failed */
	struct pgz_job *next;
};

struct pgzip {
	struct layer_compressor base;
	struct layer_sink sink;
	int level, nthreads, started;
	pthread_t *threads;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct pgz_job *head, *tail;	/* in stream order */
	size_t inflight;
	int stop;
	struct pgz_job *cur;	/* being filled by the caller */
	unsigned char prev[PGZIP_DICT];	/* the end of the last submitted block */
	size_t prev_len;
	uLong crc, isize;
	int header_done, failed;
};

/*
 * Does this block compress?  PGZIP_SAMPLES pieces of PGZIP_SAMPLE bytes,
 * spread evenly over it (the whole block when it is smaller), each
 * deflated alone at level 1: if together they do not shrink by 5%, the
 * block is video, images or archives, and deflating it at the real level
 * would burn CPU for nothing.  The answer depends on the block's bytes
 * alone, so the output still does not depend on the threads.  1 or 0;
 * -1 when zlib fails.
 */
int pgzip_block_compresses(const unsigned char *in, size_t len)
{
	unsigned char out[PGZIP_SAMPLE + 1024];
	size_t n = len < (size_t)PGZIP_SAMPLES * PGZIP_SAMPLE ? 1 : PGZIP_SAMPLES;
	size_t piece = n == 1 ? len : PGZIP_SAMPLE, total = 0, packed = 0;
	z_stream z;

	if (!len)
		return 1;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = in + i * (len / n);
		int zrc;

		if (i && deflateReset(&z) != Z_OK) {
			deflateEnd(&z);
			return -1;
		}
		z.next_in = (unsigned char *)p;
		z.avail_in = (uInt)piece;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			zrc = deflate(&z, Z_FINISH);
			if (zrc == Z_STREAM_ERROR) {
				deflateEnd(&z);
				return -1;
			}
			packed += sizeof(out) - z.avail_out;
		} while (zrc != Z_STREAM_END);
		total += piece;
	}
	deflateEnd(&z);
	return packed * 100 < total * 95;
}

static int deflate_job(struct pgz_job *j, int level)
{
	z_stream z;
	unsigned char buf[65536];
	int zrc, flush = j->last ? Z_FINISH : Z_SYNC_FLUSH;
	int packs = pgzip_block_compresses(j->in, j->in_len);

	if (packs < 0)
		return -1;
	memset(&z, 0, sizeof(z));
	/* level 0: stored blocks, a copy */
	if (deflateInit2(&z, packs ? level : 0, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	if (j->dict_len && deflateSetDictionary(&z, j->dict, (uInt)j->dict_len) != Z_OK) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = j->in;
	z.avail_in = (uInt)j->in_len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		zrc = deflate(&z, flush);
		if (zrc == Z_STREAM_ERROR) {
			deflateEnd(&z);
			return -1;
		}
		strbuf_add(&j->out, buf, sizeof(buf) - z.avail_out);
	} while (z.avail_out == 0 || z.avail_in || (j->last && zrc != Z_STREAM_END));
	deflateEnd(&z);
	j->crc = crc32(crc32(0, NULL, 0), j->in, (uInt)j->in_len);
	return 0;
}

static void *worker(void *arg)
{
	struct pgzip *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct pgz_job *j;

		for (j = p->head; j && j->state != 0; j = j->next)
			;
		if (!j) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		j->state = 1;
		pthread_mutex_unlock(&p->lock);
		{
			int rc = deflate_job(j, p->level);

			pthread_mutex_lock(&p->lock);
			j->state = rc ? 3 : 2;
		}
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int start_threads(struct pgzip *p)
{
	p->threads = xcalloc((size_t)p->nthreads, sizeof(*p->threads));
	for (int i = 0; i < p->nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p)) {
			p->nthreads = i;
			return error("gzip: cannot start a compression thread");
		}
	}
	p->started = 1;
	return 0;
}

static void job_free(struct pgz_job *j)
{
	if (!j)
		return;
	free(j->in);
	strbuf_release(&j->out);
	free(j);
}

/*
 * Send finished jobs at the head to the sink, in order; wait for the head
 * when wait_all, or when threads + 2 blocks are in flight (the bound on
 * memory).
 */
static int drain(struct pgzip *p, int wait_all)
{
	for (;;) {
		struct pgz_job *j;

		pthread_mutex_lock(&p->lock);
		j = p->head;
		while (j && j->state < 2 && (wait_all || p->inflight >= (size_t)p->nthreads + 2))
			pthread_cond_wait(&p->done, &p->lock);
		if (!j || j->state < 2) {
			pthread_mutex_unlock(&p->lock);
			return 0;
		}
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->inflight--;
		pthread_mutex_unlock(&p->lock);
		if (j->state == 3) {
			job_free(j);
			return error("gzip: deflate failed");
		}
		p->crc = crc32_combine(p->crc, j->crc, (z_off_t)j->in_len);
		if (j->out.len && p->sink.write(p->sink.ctx, j->out.buf, j->out.len) < 0) {
			job_free(j);
			return -1;
		}
		job_free(j);
	}
}

static int submit(struct pgzip *p, int last)
{
	struct pgz_job *j = p->cur;

	if (!p->started && start_threads(p) < 0)
		return -1;
	p->cur = NULL;
	j->last = last;
	memcpy(j->dict, p->prev, p->prev_len);
	j->dict_len = p->prev_len;
	if (j->in_len >= PGZIP_DICT) {
		memcpy(p->prev, j->in + j->in_len - PGZIP_DICT, PGZIP_DICT);
		p->prev_len = PGZIP_DICT;
	} else {
		/* only the last block is short */
		memcpy(p->prev, j->in, j->in_len);
		p->prev_len = j->in_len;
	}
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->inflight++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return drain(p, 0);
}

static struct pgz_job *job_new(void)
{
	struct pgz_job *j = xcalloc(1, sizeof(*j));

	j->in = xmalloc(PGZIP_BLOCK);
	strbuf_init(&j->out, 0);
	return j;
}

static int pgz_header(struct pgzip *p)
{
	static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };

	p->header_done = 1;
	return p->sink.write(p->sink.ctx, hdr, sizeof(hdr));
}

static int pgz_write(struct layer_compressor *c, const void *buf, size_t len)
{
	struct pgzip *p = (struct pgzip *)c;
	const unsigned char *in = buf;

	if (p->failed)
		return -1;
	if (!p->header_done && pgz_header(p) < 0)
		return p->failed = -1;
	p->isize += len;
	while (len) {
		size_t n;

		if (!p->cur)
			p->cur = job_new();
		n = PGZIP_BLOCK - p->cur->in_len;
		if (n > len)
			n = len;
		memcpy(p->cur->in + p->cur->in_len, in, n);
		p->cur->in_len += n;
		in += n;
		len -= n;
		/* a full block waits for more input, so the last block is never empty but for an empty stream */
		if (p->cur->in_len == PGZIP_BLOCK && len && submit(p, 0) < 0)
			return p->failed = -1;
	}
	return 0;
}

static int pgz_finish(struct layer_compressor *c)
{
	struct pgzip *p = (struct pgzip *)c;
	unsigned char trailer[8];

	if (p->failed)
		return -1;
	if (!p->header_done && pgz_header(p) < 0)
		return -1;
	if (!p->cur)
		p->cur = job_new();
	if (submit(p, 1) < 0 || drain(p, 1) < 0)
		return p->failed = -1;
	for (int i = 0; i < 4; i++) {
		trailer[i] = (p->crc >> (8 * i)) & 0xff;
		trailer[4 + i] = (p->isize >> (8 * i)) & 0xff;
	}
	return p->sink.write(p->sink.ctx, trailer, sizeof(trailer));
}

static void pgz_free(struct layer_compressor *c)
{
	struct pgzip *p = (struct pgzip *)c;

	if (!p)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->lock);
		p->stop = 1;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->lock);
		for (int i = 0; i < p->nthreads; i++)
			pthread_join(p->threads[i], NULL);
	}
	while (p->head) {
		struct pgz_job *j = p->head;

		p->head = j->next;
		job_free(j);
	}
	job_free(p->cur);
	free(p->threads);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p);
}

struct layer_compressor *pgzip_new(int level, int threads, const struct layer_sink *sink)
{
	struct pgzip *p = xcalloc(1, sizeof(*p));

	p->base.write = pgz_write;
	p->base.finish = pgz_finish;
	p->base.free = pgz_free;
	p->sink = *sink;
	p->level = level ? level : Z_DEFAULT_COMPRESSION;
	p->nthreads = threads < 1 ? 1 : threads > PGZIP_MAX_THREADS ? PGZIP_MAX_THREADS : threads;
	p->crc = crc32(0, NULL, 0);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	return &p->base;
}
