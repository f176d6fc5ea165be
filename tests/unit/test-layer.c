/*
 * test-layer.c: layer entries, the tar+gzip/zstd writer (one pass gives
 * the digest and the diff_id).  The image config and manifest: test-image.c.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "build/layer.h"
#include "tap.h"

#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

static char tmpdir[] = "/tmp/publish-test-layer.XXXXXX";

static void write_file(const char *name, const char *content, int mode)
{
	struct strbuf p = STRBUF_INIT;
	FILE *f;

	strbuf_addf(&p, "%s/%s", tmpdir, name);
	f = fopen(p.buf, "w");
	fputs(content, f);
	fclose(f);
	chmod(p.buf, mode);
	strbuf_release(&p);
}

static void add_file(struct layer_entries *le, const char *path, const char *name, int mode)
{
	struct layer_entry e = { 0 };
	struct strbuf p = STRBUF_INIT;
	struct stat st;

	strbuf_addf(&p, "%s/%s", tmpdir, name);
	stat(p.buf, &st);
	e.path = (char *)path;
	e.type = LAYER_FILE;
	e.mode = mode;
	e.src = p.buf;
	e.size = st.st_size;
	e.dev = st.st_dev;
	e.ino = st.st_ino;
	e.nlink = st.st_nlink;
	layer_entries_add(le, &e);
	strbuf_release(&p);
}

/* Read a layer back: "path type mode uid/gid [link]" lines; the tar's sha256 into diff_id. */
static int read_back(const char *path, struct strbuf *listing, char *diff_id)
{
	struct archive *a = archive_read_new();
	struct archive *raw = archive_read_new();
	struct archive_entry *ae;
	struct digest d;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 4096) != ARCHIVE_OK)
		return -1;
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		strbuf_addf(listing, "%s %c %o %ld/%ld", archive_entry_pathname(ae),
			    archive_entry_hardlink(ae) ? 'h' :
			    archive_entry_filetype(ae) == AE_IFDIR ? 'd' :
			    archive_entry_filetype(ae) == AE_IFLNK ? 'l' : 'f',
			    (unsigned)archive_entry_perm(ae), (long)archive_entry_uid(ae),
			    (long)archive_entry_gid(ae));
		if (archive_entry_symlink(ae))
			strbuf_addf(listing, " -> %s", archive_entry_symlink(ae));
		if (archive_entry_hardlink(ae))
			strbuf_addf(listing, " => %s", archive_entry_hardlink(ae));
		if (archive_entry_mtime(ae) != 1234567890)
			strbuf_addstr(listing, " BAD-MTIME");
		if ((archive_entry_uname(ae) && *archive_entry_uname(ae)) ||
		    (archive_entry_gname(ae) && *archive_entry_gname(ae)) || archive_entry_atime_is_set(ae) ||
		    archive_entry_ctime_is_set(ae) || archive_entry_xattr_count(ae))
			strbuf_addstr(listing, " EXTRA");
		strbuf_addch(listing, '\n');
	}
	archive_read_free(a);
	if (r != ARCHIVE_EOF)
		return -1;
	/* the diff_id: sha256 of the decompressed stream */
	archive_read_support_filter_all(raw);
	archive_read_support_format_raw(raw);
	if (archive_read_open_filename(raw, path, 4096) != ARCHIVE_OK ||
	    archive_read_next_header(raw, &ae) != ARCHIVE_OK)
		return -1;
	digest_init(&d);
	while (archive_read_data_block(raw, &buf, &len, &off) == ARCHIVE_OK)
		digest_update(&d, buf, len);
	archive_read_free(raw);
	return digest_final(&d, diff_id);
}

static void file_digest(const char *path, char *out)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_read_file(&sb, path, 1 << 30);
	digest_buffer(sb.buf, sb.len, out);
	strbuf_release(&sb);
}

static void test_layer(enum layer_compression comp)
{
	struct layer_entries le = LAYER_ENTRIES_INIT;
	struct layer_write_opts wo = { comp, 1234567890, 0, 0, NULL, 0, NULL, NULL };
	struct layer l, l2;
	struct strbuf blob = STRBUF_INIT, listing = STRBUF_INIT, hl = STRBUF_INIT, raw = STRBUF_INIT;
	struct layer_entry sl = { 0 };
	char diff_id[DIGEST_HEX_LEN + 1], dig[DIGEST_HEX_LEN + 1];
	const char *name = comp == LAYER_ZSTD ? "zstd" : "gzip";

	write_file("a", "hello\n", 0644);
	write_file("run.sh", "#!/bin/sh\necho hi\n", 0755);
	strbuf_addf(&hl, "%s/a-link", tmpdir);
	strbuf_addf(&raw, "%s/a", tmpdir);
	unlink(hl.buf);
	link(raw.buf, hl.buf);

	/* added out of order, with a duplicate: the last one wins */
	add_file(&le, "app/bin/run.sh", "run.sh", 0755);
	add_file(&le, "app/z", "a", 0600);
	add_file(&le, "app/a", "a", 0644);
	add_file(&le, "app/a2", "a-link", 0644);
	add_file(&le, "app/z", "run.sh", 0640);
	sl.path = "app/link";
	sl.type = LAYER_SYMLINK;
	sl.link = "/etc/passwd";
	sl.uid = 1000;
	sl.gid = 1000;
	layer_entries_add(&le, &sl);
	layer_entries_finish(&le, 0755);

	layer_init(&l);
	strbuf_addf(&blob, "%s/blob-%s", tmpdir, name);
	ok(layer_write(&le, &wo, blob.buf, &l) == 0, "%s: layer written", name);
	ok(digest_is_valid(l.digest) && digest_is_valid(l.diff_id), "%s: digest and diff_id", name);
	file_digest(blob.buf, dig);
	is_str(l.digest, dig, "%s: digest is the sha256 of the blob file", name);
	ok(read_back(blob.buf, &listing, diff_id) == 0, "%s: the blob reads back as a tar", name);
	is_str(l.diff_id, diff_id, "%s: diff_id is the sha256 of the uncompressed tar", name);
	is_str(listing.buf,
	       "app/ d 755 0/0\n"
	       "app/a f 644 0/0\n"
	       "app/a2 h 644 0/0 => app/a\n"
	       "app/bin/ d 755 0/0\n"
	       "app/bin/run.sh f 755 0/0\n"
	       "app/link l 777 1000/1000 -> /etc/passwd\n"
	       "app/z f 640 0/0\n",
	       "%s: sorted, parents added, hard link kept, fixed mtime, no names", name);
	is_str(layer_media_type(comp, 0), comp == LAYER_ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
			: "application/vnd.oci.image.layer.v1.tar+gzip", "%s: media type", name);

	/* the same entries again: the same bytes */
	layer_init(&l2);
	ok(layer_write(&le, &wo, blob.buf, &l2) == 0 && !strcmp(l.digest, l2.digest) &&
	   !strcmp(l.content_key, l2.content_key), "%s: the same entries give the same digest", name);
	ok(!strncmp(l.reuse_key, "sha256:", 7), "%s: a reuse key from the bytes read", name);
	layer_release(&l2);
	layer_init(&l2);
	wo.no_key = 1;
	ok(layer_write(&le, &wo, blob.buf, &l2) == 0 && !strcmp(l.digest, l2.digest) &&
	   !strcmp(l.diff_id, l2.diff_id) && !l2.reuse_key[0],
	   "%s: no_key: the same bytes, no reuse key", name);
	wo.no_key = 0;
	if (comp == LAYER_GZIP) {
		unsigned char hdr[10];
		FILE *f = fopen(blob.buf, "rb");

		ok(f && fread(hdr, 1, 10, f) == 10 && hdr[0] == 0x1f && hdr[1] == 0x8b && hdr[3] == 0 &&
		   !hdr[4] && !hdr[5] && !hdr[6] && !hdr[7], "gzip: no name and no time in the header");
		if (f)
			fclose(f);
	}
	layer_release(&l);
	layer_release(&l2);
	layer_entries_release(&le);
	strbuf_release(&blob);
	strbuf_release(&listing);
	strbuf_release(&hl);
	strbuf_release(&raw);
}

static void test_hard_link_order(void)
{
	struct layer_entries le = LAYER_ENTRIES_INIT;
	struct layer_entry e = { 0 };

	add_file(&le, "pkg/z", "a", 0644);
	le.v[0].nlink = 1;
	e.type = LAYER_HARDLINK;
	e.path = "pkg/m";
	e.link = "pkg/z";
	layer_entries_add(&le, &e);
	e.path = "pkg/b";
	e.link = "pkg/m";
	layer_entries_add(&le, &e);
	layer_entries_finish(&le, 0755);
	is_int(le.nr, 4, "archive hard links: parent added");
	is_str(le.v[1].path, "pkg/b", "sorted");
	ok(le.v[1].type == LAYER_FILE && le.v[1].src && le.v[1].size == 6, "the first path takes the content");
	ok(le.v[2].type == LAYER_HARDLINK && !strcmp(le.v[2].link, "pkg/b"), "a chain is resolved to the first");
	ok(le.v[3].type == LAYER_HARDLINK && !strcmp(le.v[3].link, "pkg/b") && !le.v[3].src,
	   "the former target links to it");
	ok(!le.bad_link, "a chain to an earlier file is good");
	layer_entries_release(&le);
}

static void test_bad_links(void)
{
	struct layer_entries le = LAYER_ENTRIES_INIT;
	struct layer_entry e = { 0 };
	struct layer_write_opts wo = { LAYER_GZIP, 0, 0, 0, "ADD c.tar /", 0, NULL, NULL };
	struct layer l;
	struct strbuf blob = STRBUF_INIT;

	e.type = LAYER_HARDLINK;
	e.path = "a";
	e.link = "b";
	layer_entries_add(&le, &e);
	e.path = "b";
	e.link = "a";
	layer_entries_add(&le, &e);
	layer_entries_finish(&le, 0755);
	ok(le.bad_link && strstr(le.bad_link, "hard link 'a' points at 'b'"), "a cycle is noted");
	layer_init(&l);
	strbuf_addf(&blob, "%s/bad", tmpdir);
	error_set_quiet(1);
	is_int(layer_write(&le, &wo, blob.buf, &l), -EXIT_CONTEXT, "and refused by layer_write");
	error_set_quiet(0);
	is_str(error_last(), "ADD c.tar /: hard link 'a' points at 'b', which is not a file earlier in the archive",
	       "naming the instruction and the link");
	layer_release(&l);
	layer_entries_release(&le);
	ok(!le.bad_link, "released");
	strbuf_release(&blob);
}

int main(void)
{
	struct strbuf cmd = STRBUF_INIT;

	if (!mkdtemp(tmpdir)) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_layer(LAYER_GZIP);
	test_layer(LAYER_ZSTD);
	test_hard_link_order();
	test_bad_links();
	strbuf_addf(&cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd.buf) != 0)
		printf("# could not remove %s\n", tmpdir);
	strbuf_release(&cmd);
	return tap_done();
}
