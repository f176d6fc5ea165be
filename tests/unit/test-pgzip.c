/*
 * test-pgzip.c: the parallel gzip gives the same bytes for any number of
 * threads, and they decompress (zlib, member after member as gzip -d) to
 * the input.
 */
#include "lib/common.h"
#include "build/pgzip.h"
#include "tap.h"

#include <zlib.h>

static int to_strbuf(void *ctx, const void *buf, size_t len)
{
	strbuf_add(ctx, buf, len);
	return 0;
}

static void pgz(const unsigned char *in, size_t len, int threads, struct strbuf *out)
{
	struct layer_sink sink = { to_strbuf, out };
	struct layer_compressor *c = pgzip_new(0, threads, &sink);
	size_t off = 0, step = 7777;	/* odd-sized writes across block boundaries */

	while (off < len) {
		size_t n = len - off < step ? len - off : step;

		c->write(c, in + off, n);
		off += n;
		step = step * 3 % 200000 + 1;
	}
	c->finish(c);
	c->free(c);
}

/*
 * Every member in turn, as gzip -d reads a file of several (RFC 1952,
 * 2.2): each member's CRC-32 and size are checked by zlib.  Returns the
 * number of members, -1 on an error.
 */
static int gunzip(const struct strbuf *gz, struct strbuf *out)
{
	z_stream z;
	unsigned char buf[65536];
	int rc, members = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + 15) != Z_OK)
		return -1;
	z.next_in = (Bytef *)gz->buf;
	z.avail_in = (uInt)gz->len;
	do {
		do {
			z.next_out = buf;
			z.avail_out = sizeof(buf);
			rc = inflate(&z, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END) {
				inflateEnd(&z);
				return -1;
			}
			strbuf_add(out, buf, sizeof(buf) - z.avail_out);
		} while (rc != Z_STREAM_END);
		members++;
	} while (z.avail_in && inflateReset(&z) == Z_OK);
	inflateEnd(&z);
	return members;
}

int main(void)
{
	size_t len = (5u << 20) + 12345;
	unsigned char *in = xmalloc(len);
	struct strbuf one = STRBUF_INIT, three = STRBUF_INIT, eight = STRBUF_INIT, back = STRBUF_INIT;
	uint32_t x = 12345;

	/* half pseudo-random, half repetitive text */
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		in[i] = i % (1u << 20) < (1u << 19) ? (unsigned char)(x >> 24) : (unsigned char)("publish layer "[i % 14]);
	}
	pgz(in, len, 1, &one);
	pgz(in, len, 3, &three);
	pgz(in, len, 8, &eight);
	ok(one.len > 10 && one.len < len, "compressed (%zu -> %zu bytes)", len, one.len);
	ok(one.len == three.len && !memcmp(one.buf, three.buf, one.len), "3 threads: the same bytes as 1");
	ok(one.len == eight.len && !memcmp(one.buf, eight.buf, one.len), "8 threads: the same bytes as 1");
	ok(!memcmp(one.buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10), "header: no name, no time");
	ok(gunzip(&one, &back) == 6 && back.len == len && !memcmp(back.buf, in, len),
	   "gunzip gives the input back, a member a MiB (crc and size checked)");

	strbuf_reset(&one);
	strbuf_reset(&back);
	pgz(in, 0, 4, &one);
	ok(gunzip(&one, &back) == 1 && back.len == 0, "an empty stream is a valid empty gzip (one member)");
	strbuf_reset(&one);
	strbuf_reset(&back);
	pgz(in, 1u << 20, 4, &one);
	ok(gunzip(&one, &back) == 1 && back.len == 1u << 20 && !memcmp(back.buf, in, back.len),
	   "exactly one block: one member");

	/* incompressible blocks are stored, not deflated, and the bytes still do not depend on threads */
	x = 777;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		in[i] = i < (3u << 20) ? (unsigned char)(x >> 24) : (unsigned char)("layer "[i % 6]);
	}
	ok(pgzip_block_compresses(in, 1u << 20) == 0, "a random block does not compress");
	ok(pgzip_block_compresses(in + (3u << 20), 1u << 20) == 1, "a text block compresses");
	ok(pgzip_block_compresses(in + (3u << 20) - (1u << 19), 1u << 20) == 1,
	   "a block half random, half text compresses");
	ok(pgzip_block_compresses(in, 1000) == 0 && pgzip_block_compresses(in + (3u << 20), 1000) == 1,
	   "a short block is judged whole");
	ok(pgzip_block_compresses(in, 0) == 1, "an empty block is deflated");
	strbuf_reset(&one);
	strbuf_reset(&three);
	strbuf_reset(&eight);
	strbuf_reset(&back);
	pgz(in, len, 1, &one);
	pgz(in, len, 2, &three);
	pgz(in, len, 8, &eight);
	ok(one.len == three.len && !memcmp(one.buf, three.buf, one.len) && one.len == eight.len &&
	   !memcmp(one.buf, eight.buf, one.len), "stored blocks: 1, 2 and 8 threads give the same bytes");
	ok(one.len < (3u << 20) + (3u << 20) / 1000 + 4096, "random data stored: %zu bytes for 3 MiB random",
	   one.len);
	ok(gunzip(&one, &back) == 6 && back.len == len && !memcmp(back.buf, in, len),
	   "stored and deflated blocks gunzip to the input");

	free(in);
	strbuf_release(&one);
	strbuf_release(&three);
	strbuf_release(&eight);
	strbuf_release(&back);
	return tap_done();
}
