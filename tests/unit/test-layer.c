/*
 * test-layer.c: layer entries, the tar+gzip/zstd writer (one pass gives
 * the digest and the diff_id), the image config and manifest JSON.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "build/layer.h"
#include "oci/image.h"
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
	struct layer_write_opts wo = { comp, 1234567890, 0, 0, NULL };
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

static void test_image(void)
{
	struct image_base base;
	struct image img;
	struct image_finish_opts fo = { 0 };
	struct image_kv labels[] = { { "org.opencontainers.image.source", "https://github.com/o/r" }, { "a", "meta" } };
	struct image_kv ann[] = { { "org.opencontainers.image.version", "1.0" } };
	struct strbuf cfg = STRBUF_INIT, man = STRBUF_INIT;
	char cd[DIGEST_HEX_LEN + 1], md[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];
	struct layer l;
	const char *bm = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		"\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"sha256:"
		"1111111111111111111111111111111111111111111111111111111111111111\",\"size\":10},"
		"\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"sha256:"
		"2222222222222222222222222222222222222222222222222222222222222222\",\"size\":20}]}";
	const char *bc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\",\"A=1\"],"
		"\"Cmd\":[\"sh\"],\"Labels\":{\"a\":\"base\",\"b\":\"base\"}},\"rootfs\":{\"type\":\"layers\","
		"\"diff_ids\":[\"sha256:3333333333333333333333333333333333333333333333333333333333333333\"]},"
		"\"history\":[{\"created_by\":\"base\"}]}";

	image_base_init(&base);
	ok(image_base_set(&base, "docker.io/library/busybox:1", "sha256:4444444444444444444444444444444444444444444444444444444444444444",
			  bm, strlen(bm), bc, strlen(bc)) == 0, "base image read");
	error_set_quiet(1);
	ok(image_init(&img, &base, "linux/arm64", 0, 0) < 0, "a base of another platform is refused");
	error_set_quiet(0);
	ok(image_init(&img, &base, "linux/amd64", 1578616200, 0) == 0, "image from the base");
	image_set_env(&img, "A", "2");
	image_set_env(&img, "B", "x y");
	is_str(image_get_env(&img, "A"), "2", "ENV replaces in place");
	image_set_entrypoint(&img, json_pack("[s]", "/app"));
	image_set_label(&img, "b", "dockerfile");
	image_set_label(&img, "a", "dockerfile");
	image_add_port(&img, "8080");
	image_set_workdir(&img, "/app");
	image_set_user(&img, "1000:1000");
	image_add_history(&img, "ENV A=2", 1);
	layer_init(&l);
	snprintf(l.digest, sizeof(l.digest), "sha256:%064d", 5);
	snprintf(l.diff_id, sizeof(l.diff_id), "sha256:%064d", 6);
	l.size = 99;
	image_add_layer(&img, &l);
	image_add_history(&img, "COPY . /app", 0);
	fo.labels = labels;
	fo.labels_nr = 2;
	fo.annotations = ann;
	fo.annotations_nr = 1;
	ok(image_finish(&img, &fo, &cfg, cd, &man, md) == 0, "finish");
	is_str(cfg.buf,
	       "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/app\"],\"Env\":[\"PATH=/bin\",\"A=2\",\"B=x y\"],"
	       "\"ExposedPorts\":{\"8080/tcp\":{}},\"Labels\":{\"a\":\"meta\",\"b\":\"dockerfile\","
	       "\"org.opencontainers.image.source\":\"https://github.com/o/r\"},\"User\":\"1000:1000\","
	       "\"WorkingDir\":\"/app\"},\"created\":\"2020-01-10T00:30:00Z\",\"history\":[{\"created_by\":\"base\"},"
	       "{\"comment\":\"publish\",\"created\":\"2020-01-10T00:30:00Z\",\"created_by\":\"ENV A=2\",\"empty_layer\":true},"
	       "{\"comment\":\"publish\",\"created\":\"2020-01-10T00:30:00Z\",\"created_by\":\"COPY . /app\"}],"
	       "\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[\"sha256:3333333333333333333333333333333333333333333333333333333333333333\","
	       "\"sha256:0000000000000000000000000000000000000000000000000000000000000006\"],\"type\":\"layers\"}}",
	       "config: ENTRYPOINT dropped the inherited CMD, labels base < Dockerfile < meta, sorted compact");
	digest_buffer(cfg.buf, cfg.len, got);
	is_str(cd, got, "config digest is of those bytes");
	ok(strstr(man.buf, "\"annotations\":{\"org.opencontainers.image.base.digest\":\"sha256:4444") &&
	   strstr(man.buf, "\"org.opencontainers.image.base.name\":\"docker.io/library/busybox:1\"") &&
	   strstr(man.buf, "\"org.opencontainers.image.version\":\"1.0\""), "manifest annotations: meta's and the base");
	ok(strstr(man.buf, "\"layers\":[{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
		  "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":20},"), "base layer first, OCI media type");
	digest_buffer(man.buf, man.len, got);
	is_str(md, got, "manifest digest is of those bytes");
	image_release(&img);
	image_base_release(&base);
	strbuf_release(&cfg);
	strbuf_release(&man);

	{
		const char *idx = "{\"manifests\":[{\"digest\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
			"\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},{\"digest\":"
			"\"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"size\":2,\"platform\":"
			"{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";

		ok(image_index_select(idx, strlen(idx), "linux/arm64", got) == 0 && got[7] == 'b', "index: arm64 picked");
		ok(image_index_select(idx, strlen(idx), "linux/amd64", got) == 0 && got[7] == 'a', "index: amd64 picked");
		error_set_quiet(1);
		is_int(image_index_select(idx, strlen(idx), "linux/s390x", got), -EXIT_NOT_FOUND, "index: no such platform");
		error_set_quiet(0);
	}
}

static void test_index(void)
{
	struct image_index_entry ms[] = {
		{ "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 10, MT_OCI_MANIFEST, "linux/amd64" },
		{ "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 20, MT_OCI_MANIFEST, "linux/arm64/v8" },
		{ "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", 30, MT_OCI_MANIFEST, "linux/arm/v7" },
	};
	struct image_kv ann[] = { { "org.opencontainers.image.version", "1" } };
	struct strbuf out = STRBUF_INIT;
	char d[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];

	ok(image_index_build(ms, 3, 0, ann, 1, &out, d) == 0, "index built");
	is_str(out.buf,
	       "{\"annotations\":{\"org.opencontainers.image.version\":\"1\"},\"manifests\":["
	       "{\"digest\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"mediaType\":"
	       "\"application/vnd.oci.image.manifest.v1+json\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"size\":10},"
	       "{\"digest\":\"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"mediaType\":"
	       "\"application/vnd.oci.image.manifest.v1+json\",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"},\"size\":20},"
	       "{\"digest\":\"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"mediaType\":"
	       "\"application/vnd.oci.image.manifest.v1+json\",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"},\"size\":30}],"
	       "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":2}",
	       "index: sorted compact, platforms normalised (arm64/v8 is arm64)");
	digest_buffer(out.buf, out.len, got);
	is_str(d, got, "index digest is of those bytes");
	ok(image_index_select(out.buf, out.len, "linux/arm/v7", got) == 0 && got[7] == 'c', "and it selects back");
	strbuf_release(&out);
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
	struct layer_write_opts wo = { LAYER_GZIP, 0, 0, 0, "ADD c.tar /" };
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
	test_image();
	test_hard_link_order();
	test_bad_links();
	test_index();
	strbuf_addf(&cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd.buf) != 0)
		printf("# could not remove %s\n", tmpdir);
	strbuf_release(&cmd);
	return tap_done();
}
