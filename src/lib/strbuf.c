/*
 * strbuf.c: see strbuf.h.
 */
#include "lib/common.h"

#include <ctype.h>
#include <errno.h>

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->alloc = sb->len = 0;
	sb->buf = strbuf_slopbuf;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len_out)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (len_out)
		*len_out = sb->len;
	strbuf_init(sb, 0);
	return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	int new_buf = !sb->alloc;

	if (sb->len + extra + 1 <= sb->len)
		die(EXIT_INTERNAL, "strbuf overflow");
	if (new_buf)
		sb->buf = NULL;
	if (sb->len + extra + 1 > sb->alloc) {
		size_t want = sb->len + extra + 1;
		size_t n = sb->alloc < 64 ? 64 : sb->alloc;

		while (n < want)
			n = n * 3 / 2;
		sb->buf = xrealloc(sb->buf, n);
		sb->alloc = n;
	}
	if (new_buf)
		sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc) {
		if (len)
			die(EXIT_INTERNAL, "strbuf_setlen beyond buffer");
		return;
	}
	if (len >= sb->alloc)
		die(EXIT_INTERNAL, "strbuf_setlen beyond buffer");
	sb->len = len;
	sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

int strbuf_add_capped(struct strbuf *sb, const void *data, size_t len, size_t cap)
{
	if (sb->len + len > cap)
		return -1;
	strbuf_add(sb, data, len);
	return 0;
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other)
{
	strbuf_add(sb, other->buf, other->len);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	strbuf_grow(sb, 64);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		die(EXIT_INTERNAL, "vsnprintf failed");
	if ((size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len > 0 && isspace((unsigned char)sb->buf[sb->len - 1]))
		sb->len--;
	if (sb->alloc)
		sb->buf[sb->len] = '\0';
}

void strbuf_ltrim(struct strbuf *sb)
{
	size_t i = 0;

	while (i < sb->len && isspace((unsigned char)sb->buf[i]))
		i++;
	if (!i)
		return;
	memmove(sb->buf, sb->buf + i, sb->len - i);
	sb->len -= i;
	sb->buf[sb->len] = '\0';
}

void strbuf_trim(struct strbuf *sb)
{
	strbuf_rtrim(sb);
	strbuf_ltrim(sb);
}

void strbuf_tolower(struct strbuf *sb)
{
	for (size_t i = 0; i < sb->len; i++)
		sb->buf[i] = (char)tolower((unsigned char)sb->buf[i]);
}

int strbuf_read_file(struct strbuf *sb, const char *path, size_t cap)
{
	FILE *f = fopen(path, "rb");
	char tmp[8192];
	size_t n;
	size_t start = sb->len;

	if (!f)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (strbuf_add_capped(sb, tmp, n, start + cap) < 0) {
			fclose(f);
			strbuf_setlen(sb, start);
			errno = EFBIG;
			return -1;
		}
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		strbuf_setlen(sb, start);
		errno = e;
		return -1;
	}
	fclose(f);
	return 0;
}

void strbuf_humanise_bytes(struct strbuf *sb, long long n)
{
	if (n < 1024)
		strbuf_addf(sb, "%lld B", n);
	else if (n < 1024 * 1024)
		strbuf_addf(sb, "%.1f KiB", n / 1024.0);
	else if (n < 1024LL * 1024 * 1024)
		strbuf_addf(sb, "%.1f MiB", n / (1024.0 * 1024));
	else
		strbuf_addf(sb, "%.2f GiB", n / (1024.0 * 1024 * 1024));
}
