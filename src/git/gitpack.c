/*
 * gitpack.c: see gitpack.h.  The formats are git's
 * Documentation/gitformat-pack.txt: an .idx of version 2 is "\377tOc",
 * version 2, a fan-out table of 256 counts, the sorted object names, their
 * CRCs, their 4-byte offsets (high bit: an index into the 8-byte offsets
 * that follow); a pack entry is its type and size (a varint), then the
 * zlib stream of the object.
 */
#include "lib/common.h"
#include "git/gitpack.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define OID_RAW 20
#define IDX_HEADER (8 + 256 * 4)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* path mapped read-only into *out and *len; 0, or -1 (nothing mapped) */
static int map_file(const char *path, const unsigned char **out, size_t *len)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	*out = m;
	*len = (size_t)st.st_size;
	return 0;
}

/* One pack: its .idx (version 2, sizes consistent) and its .pack; 0, or -1 (skipped). */
static int pack_add(struct gitpacks *ps, const char *dir, const char *idx_name)
{
	struct gitpack p = { NULL, NULL, 0, 0, 0 };
	struct strbuf path = STRBUF_INIT;
	size_t base = strlen(idx_name) - 4;	/* without ".idx" */
	int rc = -1;

	strbuf_addf(&path, "%s/pack/%s", dir, idx_name);
	if (map_file(path.buf, &p.idx, &p.idx_len) < 0)
		goto out;
	if (p.idx_len < IDX_HEADER + 2 * OID_RAW || memcmp(p.idx, "\377tOc", 4) || be32(p.idx + 4) != 2)
		goto out;
	p.nr = be32(p.idx + 8 + 255 * 4);
	if (p.nr > (p.idx_len - IDX_HEADER - 2 * OID_RAW) / (OID_RAW + 8))
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/pack/%.*s.pack", dir, (int)base, idx_name);
	if (map_file(path.buf, &p.pack, &p.pack_len) < 0 || p.pack_len < 12 + OID_RAW ||
	    memcmp(p.pack, "PACK", 4))
		goto out;
	ALLOC_GROW(ps->p, ps->nr + 1, ps->alloc);
	ps->p[ps->nr++] = p;
	memset(&p, 0, sizeof(p));
	rc = 0;
out:
	if (p.idx)
		munmap((void *)p.idx, p.idx_len);
	if (p.pack)
		munmap((void *)p.pack, p.pack_len);
	strbuf_release(&path);
	return rc;
}

void gitpacks_open(struct gitpacks *ps, const char *objects_dir)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	strbuf_addf(&path, "%s/pack", objects_dir);
	if (!(d = opendir(path.buf))) {
		strbuf_release(&path);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 4 && !strcmp(de->d_name + n - 4, ".idx"))
			pack_add(ps, objects_dir, de->d_name);
	}
	closedir(d);
	strbuf_release(&path);
}

/* The offset of oid in pack p; 0 when it is not there (no entry starts at 0: the header does). */
static size_t pack_find(const struct gitpack *p, const git_oid *oid)
{
	const unsigned char *fan = p->idx + 8, *names = p->idx + IDX_HEADER;
	const unsigned char *offs = names + p->nr * (OID_RAW + 4);
	unsigned char first = oid->id[0];
	size_t lo = first ? be32(fan + (first - 1) * 4) : 0, hi = be32(fan + first * 4), at = SIZE_MAX;
	uint32_t off;

	if (hi > p->nr || lo > hi)
		return 0;
	while (lo < hi && at == SIZE_MAX) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(names + mid * OID_RAW, oid->id, OID_RAW);

		if (!c)
			at = mid;
		else if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at == SIZE_MAX)
		return 0;
	off = be32(offs + at * 4);
	if (off & 0x80000000u) {
		/* an index into the 8-byte offsets after the 4-byte ones */
		const unsigned char *large = offs + p->nr * 4 + (size_t)(off & 0x7fffffffu) * 8;

		if (large + 8 > p->idx + p->idx_len - 2 * OID_RAW)
			return 0;
		return (size_t)((uint64_t)be32(large) << 32 | be32(large + 4));
	}
	return off;
}

int gitpack_peek(struct gitpacks *ps, const git_oid *oid, git_object_t *type, char *buf, size_t *len)
{
	for (size_t i = 0; i < ps->nr; i++) {
		const struct gitpack *p = &ps->p[i];
		size_t off = pack_find(p, oid), end = p->pack_len - OID_RAW;
		const unsigned char *e;
		unsigned t;
		int zr;

		if (!off)
			continue;
		if (off < 12 || off >= end)
			return 0;
		e = p->pack + off;
		t = (*e >> 4) & 7;
		while (*e & 0x80)	/* the size: not needed */
			if (++e >= p->pack + end)
				return 0;
		e++;
		if (t != GIT_OBJECT_COMMIT && t != GIT_OBJECT_TREE && t != GIT_OBJECT_BLOB && t != GIT_OBJECT_TAG)
			return 0;	/* a delta: its type is its base's, libgit2 resolves it */
		*type = (git_object_t)t;
		if (t != GIT_OBJECT_TAG)
			return 1;
		/* the object's first bytes: inflate no more than buf holds */
		if (!ps->z_ready) {
			memset(&ps->z, 0, sizeof(ps->z));
			if (inflateInit(&ps->z) != Z_OK)
				return 0;
			ps->z_ready = 1;
		} else if (inflateReset(&ps->z) != Z_OK) {
			return 0;
		}
		ps->z.next_in = (unsigned char *)e;
		ps->z.avail_in = (uInt)((size_t)(p->pack + end - e) > 65536 ? 65536 : (size_t)(p->pack + end - e));
		ps->z.next_out = (unsigned char *)buf;
		ps->z.avail_out = (uInt)(*len - 1);
		zr = inflate(&ps->z, Z_SYNC_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			return 0;
		*len = (size_t)((char *)ps->z.next_out - buf);
		buf[*len] = '\0';
		return 1;
	}
	return 0;
}

void gitpacks_release(struct gitpacks *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->nr; i++) {
		munmap((void *)ps->p[i].idx, ps->p[i].idx_len);
		munmap((void *)ps->p[i].pack, ps->p[i].pack_len);
	}
	free(ps->p);
	if (ps->z_ready)
		inflateEnd(&ps->z);
	memset(ps, 0, sizeof(*ps));
}
