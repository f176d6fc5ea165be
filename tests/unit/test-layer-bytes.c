/*
 * test-layer-bytes.c: the layer compressors' bytes do not depend on the
 * number of threads (zstd with libzstd's workers, gzip with pgzip's), and
 * they decompress to the input.
 */
#include "lib/common.h"
#include "build/layer.h"
#include "tap.h"

#include <zstd.h>

static int to_strbuf(void *ctx, const void *buf, size_t len)
{
	strbuf_add(ctx, buf, len);
	return 0;
}

static int compress(enum layer_compression c, const unsigned char *in, size_t len, int threads,
		    struct strbuf *out)
{
	struct layer_sink sink = { to_strbuf, out };
	struct layer_compressor *lc = layer_compressor_new(c, 0, threads, &sink);
	size_t off = 0, step = 5003;	/* odd-sized writes, as libarchive's */
	int rc = 0;

	if (!lc)
		return -1;
	while (off < len && !rc) {
		size_t n = len - off < step ? len - off : step;

		rc = lc->write(lc, in + off, n);
		off += n;
		step = step * 7 % 300000 + 1;
	}
	if (!rc)
		rc = lc->finish(lc);
	lc->free(lc);
	return rc;
}

static int unzstd(const struct strbuf *z, struct strbuf *out)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer in = { z->buf, z->len, 0 };
	unsigned char buf[65536];
	size_t r = 1;

	while (in.pos < in.size || r) {
		ZSTD_outBuffer o = { buf, sizeof(buf), 0 };

		r = ZSTD_decompressStream(d, &o, &in);
		if (ZSTD_isError(r) || (!o.pos && in.pos == in.size && r)) {
			ZSTD_freeDStream(d);
			return -1;
		}
		strbuf_add(out, buf, o.pos);
	}
	ZSTD_freeDStream(d);
	return 0;
}

int main(void)
{
	size_t len = (13u << 20) + 4321;	/* several zstd jobs of 4 MiB */
	unsigned char *in = xmalloc(len);
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT, eight = STRBUF_INIT, back = STRBUF_INIT;
	uint32_t x = 99;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		in[i] = (i >> 20) % 3 == 1 ? (unsigned char)(x >> 24) : (unsigned char)("tar of a layer\n"[i % 15] ^ (i >> 16));
	}
	ok(compress(LAYER_ZSTD, in, len, 1, &one) == 0, "zstd, 1 worker");
	ok(compress(LAYER_ZSTD, in, len, 2, &two) == 0, "zstd, 2 workers");
	ok(compress(LAYER_ZSTD, in, len, 8, &eight) == 0, "zstd, 8 workers");
	ok(one.len < len, "zstd compresses (%zu -> %zu bytes)", len, one.len);
	ok(one.len == two.len && !memcmp(one.buf, two.buf, one.len), "zstd: 2 workers give the bytes of 1");
	ok(one.len == eight.len && !memcmp(one.buf, eight.buf, one.len), "zstd: 8 workers give the bytes of 1");
	ok(unzstd(&one, &back) == 0 && back.len == len && !memcmp(back.buf, in, len), "zstd decompresses to the input");
	strbuf_reset(&one);
	strbuf_reset(&back);
	ok(compress(LAYER_ZSTD, in, 0, 2, &one) == 0 && unzstd(&one, &back) == 0 && back.len == 0,
	   "zstd: an empty layer is a valid empty frame");

	strbuf_reset(&one);
	strbuf_reset(&two);
	strbuf_reset(&eight);
	ok(compress(LAYER_GZIP, in, len, 1, &one) == 0 && compress(LAYER_GZIP, in, len, 2, &two) == 0 &&
	   compress(LAYER_GZIP, in, len, 8, &eight) == 0, "gzip with 1, 2 and 8 threads");
	ok(one.len == two.len && !memcmp(one.buf, two.buf, one.len) && one.len == eight.len &&
	   !memcmp(one.buf, eight.buf, one.len), "gzip: the same bytes for any number of threads");

	free(in);
	strbuf_release(&one);
	strbuf_release(&two);
	strbuf_release(&eight);
	strbuf_release(&back);
	return tap_done();
}
