/*
 * test-basetree.c: the base image's file tree: layers read from real tar
 * streams (written here with libarchive, gzip and plain), whiteouts and
 * opaque directories, symlink resolution, users and groups, the cache.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "build/basetree.h"
#include "tap.h"

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>

struct ent {
	const char *path;
	int type;	/* 'd' 'f' 'l' (symlink) 'h' (hard link) */
	unsigned int mode;
	int uid, gid;
	const char *data;	/* file content, or link target */
};

/* Write a tar (gzip when gz) of ents to a temporary file; returns an fd at offset 0. */
static int make_tar(const struct ent *ents, size_t n, int gz, char *digest, uint64_t *size)
{
	char path[] = "/tmp/test-basetree-XXXXXX";
	int fd = mkstemp(path);
	struct archive *a = archive_write_new();
	struct stat st;
	char buf[65536];
	struct digest d;
	ssize_t r;

	unlink(path);
	archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	archive_write_open_fd(a, fd);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();

		archive_entry_set_pathname(ae, ents[i].path);
		archive_entry_set_perm(ae, ents[i].mode);
		archive_entry_set_uid(ae, ents[i].uid);
		archive_entry_set_gid(ae, ents[i].gid);
		switch (ents[i].type) {
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			break;
		case 'f':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, ents[i].data ? strlen(ents[i].data) : 0);
			break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, ents[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, ents[i].data);
			break;
		}
		archive_write_header(a, ae);
		if (ents[i].type == 'f' && ents[i].data)
			archive_write_data(a, ents[i].data, strlen(ents[i].data));
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	fstat(fd, &st);
	*size = st.st_size;
	lseek(fd, 0, SEEK_SET);
	digest_init(&d);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		digest_update(&d, buf, r);
	digest_final(&d, digest);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int apply_tar(struct basetree *t, const struct ent *ents, size_t n, int gz, char *digest_out)
{
	struct basetree_layer l;
	char digest[DIGEST_HEX_LEN + 1];
	uint64_t size;
	int fd = make_tar(ents, n, gz, digest, &size);
	int rc;

	basetree_layer_init(&l);
	rc = basetree_layer_read(&l, fd, digest, size, "test layer");
	close(fd);
	if (!rc)
		rc = basetree_apply(t, &l);
	basetree_layer_release(&l);
	if (digest_out)
		memcpy(digest_out, digest, sizeof(digest));
	return rc;
}

static const char *resolve(struct basetree *t, const char *p, int follow)
{
	static struct strbuf sb = STRBUF_INIT;

	if (basetree_resolve(t, p, follow, NULL, &sb) < 0)
		return "(error)";
	return sb.buf;
}

static const struct ent debian[] = {
	{ "./", 'd', 0755, 0, 0, NULL },
	{ "bin", 'l', 0777, 0, 0, "usr/bin" },
	{ "lib", 'l', 0777, 0, 0, "usr/lib" },
	{ "usr/", 'd', 0755, 0, 0, NULL },
	{ "usr/bin/", 'd', 0755, 0, 0, NULL },
	{ "usr/bin/sh", 'f', 0755, 0, 0, "#!" },
	{ "usr/bin/dash", 'h', 0755, 0, 0, "usr/bin/sh" },
	{ "usr/lib/", 'd', 0755, 0, 0, NULL },
	{ "home/app/", 'd', 0750, 1000, 1000, NULL },
	{ "opt/app/", 'd', 0755, 0, 0, NULL },
	{ "opt/app/old.txt", 'f', 0644, 0, 0, "old" },
	{ "opt/app/keep.txt", 'f', 0644, 0, 0, "keep" },
	{ "etc/passwd", 'f', 0644, 0, 0, "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1001::/home/app:/bin/sh\n" },
	{ "etc/group", 'f', 0644, 0, 0, "root:x:0:\napp:x:1001:\nstaff:x:50:app\n" },
	{ "loop1", 'l', 0777, 0, 0, "loop2" },
	{ "loop2", 'l', 0777, 0, 0, "/loop1" },
	{ "up", 'l', 0777, 0, 0, "../../etc" },
	{ "etc/alt", 'l', 0777, 0, 0, "../usr/./lib/" },
};

static const struct ent upper[] = {
	{ "opt/app/.wh.old.txt", 'f', 0644, 0, 0, NULL },
	{ "home/app/.wh..wh..opq", 'f', 0644, 0, 0, NULL },
	{ "home/app/new", 'f', 0600, 1000, 1000, "n" },
	{ "usr/lib", 'f', 0644, 0, 0, "replaced a directory" },
	{ "etc/.wh.group", 'f', 0644, 0, 0, NULL },
};

int main(void)
{
	struct basetree t;
	const struct basetree_entry *e;
	long long uid = -1, gid = -1;
	char d1[DIGEST_HEX_LEN + 1];

	error_set_quiet(1);
	basetree_init(&t);
	is_int(apply_tar(&t, debian, ARRAY_SIZE(debian), 1, d1), 0, "a gzip layer is read");
	e = basetree_get(&t, "home/app");
	ok(e && e->type == BASETREE_DIR && e->mode == 0750 && e->uid == 1000 && e->gid == 1000,
	   "a directory keeps its mode and owner");
	e = basetree_get(&t, "bin");
	ok(e && e->type == BASETREE_SYMLINK && !strcmp(e->link, "usr/bin"), "a symlink keeps its target");
	e = basetree_get(&t, "usr/bin/dash");
	ok(e && e->type == BASETREE_HARDLINK && !strcmp(e->link, "usr/bin/sh"), "a hard link keeps its target");
	ok(basetree_get(&t, "") == NULL, "the root is not an entry");

	is_str(resolve(&t, "/bin/", 1), "usr/bin", "/bin/ resolves into usr/bin");
	is_str(resolve(&t, "/bin/tool", 1), "usr/bin/tool", "a new file under a linked dir");
	is_str(resolve(&t, "/bin", 0), "bin", "the last component is kept when not followed");
	is_str(resolve(&t, "/lib/x/../y", 1), "usr/lib/y", "dots after a link");
	is_str(resolve(&t, "/../../opt//app/./a", 1), "opt/app/a", "the path's own dots stop at the root");
	is_str(resolve(&t, "/etc/alt/z", 1), "usr/lib/z", "a relative link with ..");
	is_str(resolve(&t, "/loop1/x", 1), "(error)", "a loop is refused");
	is_str(resolve(&t, "/up/x", 1), "(error)", "a link above the root is refused");
	is_str(resolve(&t, "/", 1), "", "the root");

	is_int(basetree_user(&t, "app", &uid, &gid), 0, "a user by name");
	is_int(uid, 1000, "its uid");
	is_int(gid, 1001, "its primary group");
	is_int(basetree_group(&t, "staff", &gid), 0, "a group by name");
	is_int(gid, 50, "its gid");
	is_int(basetree_user(&t, "nobody", &uid, NULL), 1, "an unknown user");
	is_int(basetree_user(&t, "ap", &uid, NULL), 1, "a prefix of a name is not the name");

	is_int(apply_tar(&t, upper, ARRAY_SIZE(upper), 0, NULL), 0, "a plain tar layer is read");
	ok(!basetree_get(&t, "opt/app/old.txt"), "a whiteout removes a file");
	ok(basetree_get(&t, "opt/app/keep.txt"), "its siblings stay");
	ok(basetree_get(&t, "home/app/new") && basetree_get(&t, "home/app"), "an opaque dir keeps its own layer's files and itself");
	e = basetree_get(&t, "usr/lib");
	ok(e && e->type == BASETREE_FILE, "a file replaces a directory");
	is_int(basetree_group(&t, "staff", &gid), 1, "a whited-out /etc/group is gone");
	is_int(basetree_user(&t, "app", &uid, NULL), 0, "/etc/passwd stays");

	/* the cache */
	{
		struct basetree_layer l, c;
		struct basetree t2;
		char digest[DIGEST_HEX_LEN + 1], dir[] = "/tmp/test-basetree-cache-XXXXXX";
		uint64_t size;
		int fd = make_tar(debian, ARRAY_SIZE(debian), 1, digest, &size);

		mkdtemp(dir);
		basetree_layer_init(&l);
		basetree_layer_init(&c);
		basetree_init(&t2);
		is_int(basetree_layer_load(&c, dir, digest), 0, "nothing cached yet");
		basetree_layer_read(&l, fd, digest, size, "test layer");
		close(fd);
		basetree_layer_save(&l, dir, digest);
		is_int(basetree_layer_load(&c, dir, digest), 1, "a saved layer loads");
		is_int(c.nr, l.nr, "with every entry");
		basetree_apply(&t2, &c);
		e = basetree_get(&t2, "home/app");
		ok(e && e->mode == 0750 && e->uid == 1000, "a cached directory keeps mode and owner");
		is_str(resolve(&t2, "/bin/x", 1), "usr/bin/x", "a cached symlink resolves");
		is_int(basetree_user(&t2, "app", &uid, NULL), 0, "a cached /etc/passwd");
		{
			char p[256];
			int f;

			snprintf(p, sizeof(p), "%s/%s", dir, digest + 7);
			f = open(p, O_WRONLY | O_TRUNC);
			if (write(f, "publish-basetree 1\nE 0 7", 24) < 0)
				perror("write");
			close(f);
			basetree_layer_release(&c);
			is_int(basetree_layer_load(&c, dir, digest), 0, "a corrupt cache file is ignored");
			unlink(p);
			rmdir(dir);
		}
		basetree_layer_release(&l);
		basetree_layer_release(&c);
		basetree_release(&t2);
	}

	/* bad blobs */
	{
		struct basetree_layer l;
		char digest[DIGEST_HEX_LEN + 1];
		uint64_t size;
		int fd = make_tar(debian, ARRAY_SIZE(debian), 1, digest, &size);

		basetree_layer_init(&l);
		is_int(basetree_layer_read(&l, fd, digest, size - 1, "short"), -EXIT_REGISTRY, "a blob longer than its descriptor");
		lseek(fd, 0, SEEK_SET);
		basetree_layer_release(&l);
		is_int(basetree_layer_read(&l, fd, digest, size + 1, "long"), -EXIT_REGISTRY, "a blob shorter than its descriptor");
		lseek(fd, 0, SEEK_SET);
		basetree_layer_release(&l);
		digest[10] = digest[10] == 'a' ? 'b' : 'a';
		is_int(basetree_layer_read(&l, fd, digest, size, "bad"), -EXIT_REGISTRY, "a wrong digest");
		close(fd);
		basetree_layer_release(&l);
		{
			int p[2];

			if (pipe(p) == 0) {
				if (write(p[1], "not a tar at all, not at all, not at all", 40) < 0)
					perror("write");
				close(p[1]);
				is_int(basetree_layer_read(&l, p[0], NULL, 0, "junk"), -EXIT_REGISTRY, "junk is not a tar");
				close(p[0]);
			}
		}
		basetree_layer_release(&l);
	}
	basetree_release(&t);
	return tap_done();
}
