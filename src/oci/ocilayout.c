/*
 * ocilayout.c: see ocilayout.h.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "oci/ocilayout.h"
#include "oci/image.h"
#include "oci/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#define JSON_CAP (16u << 20)

static int mkdir_p(const char *path)
{
	struct strbuf p = STRBUF_INIT;
	int rc = 0;

	strbuf_addstr(&p, path);
	for (size_t i = 1; i <= p.len; i++) {
		if (p.buf[i] != '/' && p.buf[i] != '\0')
			continue;
		p.buf[i] = '\0';
		if (mkdir(p.buf, 0755) < 0 && errno != EEXIST) {
			rc = error("cannot create directory '%s': %s", p.buf, strerror(errno));
			break;
		}
		if (i < p.len)
			p.buf[i] = '/';
	}
	strbuf_release(&p);
	return rc;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	FILE *f;
	int rc = 0;

	strbuf_addf(&tmp, "%s.tmp", path);
	f = fopen(tmp.buf, "wb");
	if (!f) {
		rc = error("cannot create '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	if (fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		rc = error("cannot write '%s': %s", tmp.buf, strerror(errno));
		unlink(tmp.buf);
		goto out;
	}
	if (rename(tmp.buf, path) < 0) {
		rc = error("cannot rename '%s': %s", tmp.buf, strerror(errno));
		unlink(tmp.buf);
	}
out:
	strbuf_release(&tmp);
	return rc;
}

int ocilayout_open(struct ocilayout *l, const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	int rc;

	strbuf_addf(&p, "%s/blobs/sha256", dir);
	rc = mkdir_p(p.buf);
	if (!rc) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/oci-layout", dir);
		rc = write_file(p.buf, layout, strlen(layout));
	}
	strbuf_release(&p);
	if (rc < 0)
		return rc;
	l->dir = xstrdup(dir);
	return 0;
}

void ocilayout_release(struct ocilayout *l)
{
	if (!l)
		return;
	free(l->dir);
	l->dir = NULL;
}

/* ---- staged layouts ------------------------------------------------ */

void ocilayout_remove(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	if (d) {
		while ((de = readdir(d))) {
			struct strbuf p = STRBUF_INIT;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			strbuf_addf(&p, "%s/%s", path, de->d_name);
			ocilayout_remove(p.buf);
			strbuf_release(&p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* 1 if the directory holds nothing, 0 if it holds something, -1 on error */
static int dir_is_empty(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int empty = 1;

	if (!d)
		return -1;
	while (empty && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

int ocilayout_stage_begin(struct ocilayout_stage *s, const char *dir)
{
	struct strbuf d = STRBUF_INIT, p = STRBUF_INIT;
	const char *base;
	struct stat st;
	int rc = 0;

	strbuf_addstr(&d, dir);
	while (d.len > 1 && d.buf[d.len - 1] == '/')
		strbuf_setlen(&d, d.len - 1);
	base = strrchr(d.buf, '/');
	base = base ? base + 1 : d.buf;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		rc = error_as(EXIT_USAGE, "oci:%s: name the layout directory, not '%s'", dir, d.buf);
		goto out;
	}
	if (lstat(d.buf, &st) == 0) {
		strbuf_addf(&p, "%s/oci-layout", d.buf);
		if (!S_ISDIR(st.st_mode)) {
			rc = error_as(EXIT_USAGE, "oci:%s: '%s' exists and is not a directory", dir, d.buf);
			goto out;
		}
		if (access(p.buf, F_OK) < 0 && dir_is_empty(d.buf) != 1) {
			rc = error_as(EXIT_USAGE, "oci:%s: '%s' is neither empty nor an OCI layout; not replacing it",
				      dir, d.buf);
			goto out;
		}
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/index.json", d.buf);
		if (unlink(p.buf) < 0 && errno != ENOENT) {
			rc = error("cannot remove the previous '%s': %s", p.buf, strerror(errno));
			goto out;
		}
	} else if (errno != ENOENT) {
		rc = error("cannot stat '%s': %s", d.buf, strerror(errno));
		goto out;
	} else if (base != d.buf) {
		strbuf_reset(&p);
		strbuf_add(&p, d.buf, base - d.buf - 1);
		if (p.len && (rc = mkdir_p(p.buf)) < 0)
			goto out;
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s.tmp-XXXXXX", d.buf);
	if (!mkdtemp(p.buf)) {
		rc = error("cannot create a directory beside '%s': %s", d.buf, strerror(errno));
		goto out;
	}
	s->dir = strbuf_detach(&d, NULL);
	s->tmp = strbuf_detach(&p, NULL);
out:
	strbuf_release(&d);
	strbuf_release(&p);
	return rc;
}

/* DIR cannot be renamed (a mount point): fill it in place, index.json last. */
static int stage_fill_in_place(struct ocilayout_stage *s)
{
	struct ocilayout dst = { NULL };
	struct strbuf src = STRBUF_INIT, p = STRBUF_INIT, body = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc;

	rc = ocilayout_open(&dst, s->dir);
	if (rc < 0)
		return rc;
	strbuf_addf(&src, "%s/blobs/sha256", s->tmp);
	d = opendir(src.buf);
	if (!d) {
		rc = error("cannot open '%s': %s", src.buf, strerror(errno));
		goto out;
	}
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "sha256:%s", de->d_name);
		rc = ocilayout_import_blob(&dst, src.buf, p.buf);
	}
	closedir(d);
	if (rc < 0)
		goto out;
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/index.json", s->tmp);
	if (strbuf_read_file(&body, p.buf, JSON_CAP) < 0) {
		rc = error("cannot read '%s': %s", p.buf, strerror(errno));
		goto out;
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/index.json", s->dir);
	rc = write_file(p.buf, body.buf, body.len);
out:
	ocilayout_release(&dst);
	strbuf_release(&src);
	strbuf_release(&p);
	strbuf_release(&body);
	return rc;
}

int ocilayout_stage_commit(struct ocilayout_stage *s)
{
	int rc = 0;

	if (renameat2(AT_FDCWD, s->tmp, AT_FDCWD, s->dir, RENAME_EXCHANGE) == 0)
		goto done;	/* s->tmp now holds the previous layout */
	if (errno == ENOENT) {
		if (rename(s->tmp, s->dir) == 0)
			goto done;
	} else if (errno == EINVAL || errno == ENOSYS) {
		/* no exchange here: the old index.json is gone already, so move it aside */
		struct strbuf old = STRBUF_INIT;

		strbuf_addf(&old, "%s.old", s->tmp);
		if (rename(s->dir, old.buf) == 0 && rename(s->tmp, s->dir) == 0) {
			ocilayout_remove(old.buf);
			strbuf_release(&old);
			free(s->tmp);
			s->tmp = NULL;
			return 0;
		}
		strbuf_release(&old);
	}
	if (errno == EBUSY || errno == EXDEV || errno == EPERM) {
		rc = stage_fill_in_place(s);
		goto done;
	}
	return error("cannot move '%s' to '%s': %s", s->tmp, s->dir, strerror(errno));
done:
	if (rc < 0)
		return rc;
	ocilayout_remove(s->tmp);
	free(s->tmp);
	s->tmp = NULL;
	return 0;
}

void ocilayout_stage_release(struct ocilayout_stage *s)
{
	if (!s)
		return;
	if (s->tmp)
		ocilayout_remove(s->tmp);
	free(s->tmp);
	free(s->dir);
	s->tmp = NULL;
	s->dir = NULL;
}

void ocilayout_blob_path(const struct ocilayout *l, const char *digest, struct strbuf *out)
{
	const char *hex = strchr(digest, ':');

	strbuf_addf(out, "%s/blobs/sha256/%s", l->dir, hex ? hex + 1 : digest);
}

int ocilayout_has_blob(const struct ocilayout *l, const char *digest)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	int rc;

	ocilayout_blob_path(l, digest, &p);
	rc = !stat(p.buf, &st) && S_ISREG(st.st_mode);
	strbuf_release(&p);
	return rc;
}

int ocilayout_blob_tmp(const struct ocilayout *l, struct strbuf *out)
{
	size_t start = out->len;
	int fd;

	strbuf_addf(out, "%s/blobs/sha256/.tmp-XXXXXX", l->dir);
	fd = mkstemp(out->buf + start);
	if (fd < 0) {
		int rc = error("cannot create a temporary file in '%s/blobs/sha256': %s",
			       l->dir, strerror(errno));
		strbuf_setlen(out, start);
		return rc;
	}
	close(fd);
	return 0;
}

int ocilayout_blob_commit(const struct ocilayout *l, const char *tmp, const char *digest)
{
	struct strbuf p = STRBUF_INIT;
	int rc = 0;

	ocilayout_blob_path(l, digest, &p);
	if (rename(tmp, p.buf) < 0)
		rc = error("cannot rename '%s' to '%s': %s", tmp, p.buf, strerror(errno));
	strbuf_release(&p);
	return rc;
}

int ocilayout_put_blob(const struct ocilayout *l, const char *digest, const void *buf, size_t len)
{
	struct strbuf p = STRBUF_INIT;
	int rc;

	ocilayout_blob_path(l, digest, &p);
	rc = write_file(p.buf, buf, len);
	strbuf_release(&p);
	return rc;
}

static int copy_fd(int in, int out, const char *what)
{
	char *buf = xmalloc(1 << 17);
	ssize_t n;
	int rc = 0;

	while ((n = read(in, buf, 1 << 17)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = error("cannot read '%s': %s", what, strerror(errno));
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				rc = error("cannot write a copy of '%s': %s", what, strerror(errno));
				goto out;
			}
			off += w;
		}
	}
out:
	free(buf);
	return rc;
}

int ocilayout_import_blob(const struct ocilayout *l, const char *src_dir, const char *digest)
{
	struct strbuf src = STRBUF_INIT, tmp = STRBUF_INIT;
	const char *hex = strchr(digest, ':');
	int in = -1, out = -1, rc = 0;

	if (ocilayout_has_blob(l, digest))
		return 0;
	strbuf_addf(&src, "%s/%s", src_dir, hex ? hex + 1 : digest);
	rc = ocilayout_blob_tmp(l, &tmp);
	if (rc < 0)
		goto out;
	unlink(tmp.buf);
	if (link(src.buf, tmp.buf) == 0)
		goto commit;
	in = open(src.buf, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		rc = error_as(EXIT_CONTEXT, "cannot open base blob '%s': %s", src.buf, strerror(errno));
		goto out;
	}
	out = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		rc = error("cannot create '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	rc = copy_fd(in, out, src.buf);
	if (close(out) < 0 && !rc)
		rc = error("cannot write '%s': %s", tmp.buf, strerror(errno));
	out = -1;
	if (rc < 0) {
		unlink(tmp.buf);
		goto out;
	}
commit:
	rc = ocilayout_blob_commit(l, tmp.buf, digest);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	strbuf_release(&src);
	strbuf_release(&tmp);
	return rc;
}

/*
 * DIR/index.json as a document with a "manifests" array (*out, a new
 * reference).  Absent: -missing_code, or with missing_code 0 an empty
 * index.  See ocilayout_read_index().
 */
static int read_index_json(const char *dir, int code, int missing_code, json_t **out)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	json_error_t jerr;
	json_t *j = NULL;
	int rc = 0;

	strbuf_addf(&path, "%s/index.json", dir);
	if (strbuf_read_file(&body, path.buf, JSON_CAP) < 0) {
		if (errno == ENOENT && !missing_code)
			j = json_pack("{s:[]}", "manifests");
		else
			rc = error_as(errno == ENOENT ? missing_code : code,
				      "cannot read '%s': %s (is '%s' an OCI layout?)", path.buf, strerror(errno), dir);
		goto out;
	}
	j = json_loadb(body.buf, body.len, 0, &jerr);
	if (!json_is_array(json_object_get(j, "manifests")))
		rc = error_as(code, "'%s' is not an OCI image index%s%s", path.buf,
			      j ? "" : ": ", j ? "" : jerr.text);
out:
	if (!rc)
		*out = j;
	else
		json_decref(j);
	strbuf_release(&path);
	strbuf_release(&body);
	return rc;
}

int ocilayout_read_index(const char *dir, int code, int missing_code, struct oci_index *out)
{
	struct strbuf path = STRBUF_INIT;
	json_t *j = NULL;
	int rc;

	strbuf_addf(&path, "%s/index.json", dir);
	if (!(rc = read_index_json(dir, code, missing_code, &j)))
		rc = oci_index_from_json(j, code, path.buf, out);
	json_decref(j);
	strbuf_release(&path);
	return rc;
}

int ocilayout_read_blob(const char *dir, const char *digest, size_t cap, int code, int missing_code,
			struct strbuf *out)
{
	struct ocilayout l = { (char *)dir };
	struct strbuf p = STRBUF_INIT, body = STRBUF_INIT;
	char got[DIGEST_HEX_LEN + 1];
	int rc = 0;

	if (!digest || !digest_is_valid(digest))
		return error_as(code, "malformed digest '%.100s' in the OCI layout '%s'", digest ? digest : "", dir);
	ocilayout_blob_path(&l, digest, &p);
	if (strbuf_read_file(&body, p.buf, cap) < 0)
		rc = error_as(errno == ENOENT ? missing_code : code, "cannot read '%s': %s", p.buf, strerror(errno));
	else if (digest_buffer(body.buf, body.len, got) < 0 || strcmp(got, digest))
		rc = error_as(code, "'%s' does not match its digest", p.buf);
	else
		strbuf_addbuf(out, &body);
	strbuf_release(&p);
	strbuf_release(&body);
	return rc;
}

int ocilayout_add_manifest(const struct ocilayout *l, const char *media_type,
			   const char *digest, uint64_t size, const char *platform,
			   const char *const *ref_names, size_t ref_names_nr,
			   const char *base_name, const char *base_digest)
{
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	struct oci_descriptor d = OCI_DESCRIPTOR_INIT;
	json_t *idx = NULL, *old, *ms;
	size_t i;
	json_t *m;
	int rc = -1;

	strbuf_addf(&path, "%s/index.json", l->dir);
	if ((rc = read_index_json(l->dir, EXIT_INPUT, 0, &idx)) < 0)
		goto out;
	rc = -1;
	old = json_object_get(idx, "manifests");
	ms = json_array();
	/* keep what does not carry one of our names (nor is an unnamed copy of us) */
	json_array_foreach(old, i, m) {
		const char *name = json_string_value(json_object_get(json_object_get(m, "annotations"), ANN_REF_NAME));
		int drop = 0;

		for (size_t k = 0; k < ref_names_nr && name; k++)
			drop |= !strcmp(name, ref_names[k]);
		if (!name && !ref_names_nr)
			drop = 1;
		if (!drop)
			json_array_append(ms, m);
	}
	d.media_type = (char *)media_type;
	snprintf(d.digest, sizeof(d.digest), "%s", digest);
	d.size = (long long)size;
	if (platform && (rc = platform_parse(platform, &d.platform)) < 0) {
		json_decref(ms);
		goto out;
	}
	rc = -1;
	d.annotations = json_object();
	if (base_name)
		json_object_set_new(d.annotations, ANN_BASE_NAME, json_string(base_name));	/* steals */
	if (base_name && base_digest)
		json_object_set_new(d.annotations, ANN_BASE_DIGEST, json_string(base_digest));	/* steals */
	for (size_t k = 0; k < (ref_names_nr ? ref_names_nr : 1); k++) {
		if (ref_names_nr)
			json_object_set_new(d.annotations, ANN_REF_NAME, json_string(ref_names[k]));	/* steals */
		json_array_append_new(ms, oci_descriptor_json(&d));	/* steals */
	}
	json_object_set_new(idx, "schemaVersion", json_integer(2));	/* steals */
	json_object_set_new(idx, "mediaType", json_string(MT_OCI_INDEX));	/* steals */
	json_object_set_new(idx, "manifests", ms);	/* steals */
	if (image_json_dump(idx, &out) < 0)
		goto out;
	rc = write_file(path.buf, out.buf, out.len);
out:
	d.media_type = NULL;	/* borrowed */
	oci_descriptor_release(&d);
	json_decref(idx);
	strbuf_release(&path);
	strbuf_release(&out);
	return rc;
}

/*
 * Set key=value on every index.json descriptor of digest (build's record
 * of where the blobs it reused from a registry image are: reuse.h).
 */
int ocilayout_annotate_manifest(const struct ocilayout *l, const char *digest, const char *key, const char *value)
{
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	json_t *idx = NULL, *m;
	size_t i;
	int rc;

	strbuf_addf(&path, "%s/index.json", l->dir);
	if ((rc = read_index_json(l->dir, EXIT_INPUT, EXIT_INPUT, &idx)) < 0)
		goto out;
	json_array_foreach(json_object_get(idx, "manifests"), i, m) {
		json_t *ann = json_object_get(m, "annotations");
		const char *d = json_string_value(json_object_get(m, "digest"));

		if (!d || strcmp(d, digest))
			continue;
		if (!json_is_object(ann)) {
			ann = json_object();
			json_object_set_new(m, "annotations", ann);	/* steals */
		}
		json_object_set_new(ann, key, json_string(value));	/* steals */
	}
	rc = image_json_dump(idx, &out) < 0 ? error("cannot write '%s'", path.buf) :
	     write_file(path.buf, out.buf, out.len);
out:
	json_decref(idx);
	strbuf_release(&path);
	strbuf_release(&out);
	return rc;
}

/* ---- checking a layout before it is pushed --------------------------- */

static int check_digest(const char *dir, const char *file, json_t *d)
{
	const char *s = json_string_value(d);

	if (s && digest_is_valid(s))
		return 0;
	return error_as(EXIT_CONTEXT, "malformed digest '%.100s' in '%s' of the OCI layout '%s'",
			s ? s : "(not a string)", file, dir);
}

/* The digests of the manifest or index blob named digest, if the layout has it. */
static int check_blob(const char *dir, const char *digest, int depth)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	json_t *j = NULL, *v;
	size_t i;
	int rc = 0;

	strbuf_addf(&path, "%s/blobs/sha256/%s", dir, digest + 7);
	if (depth > 3 || strbuf_read_file(&body, path.buf, JSON_CAP) < 0)
		goto out;	/* too deep or absent: the push reports it */
	j = json_loadb(body.buf, body.len, 0, NULL);
	if (json_object_get(j, "config"))
		rc = check_digest(dir, path.buf, json_object_get(json_object_get(j, "config"), "digest"));
	json_array_foreach(json_object_get(j, "layers"), i, v)
		if (!rc)
			rc = check_digest(dir, path.buf, json_object_get(v, "digest"));
	json_array_foreach(json_object_get(j, "manifests"), i, v) {
		if (!rc)
			rc = check_digest(dir, path.buf, json_object_get(v, "digest"));
		if (!rc)
			rc = check_blob(dir, json_string_value(json_object_get(v, "digest")), depth + 1);
	}
out:
	json_decref(j);
	strbuf_release(&path);
	strbuf_release(&body);
	return rc;
}

int ocilayout_check(const char *dir)
{
	struct strbuf path = STRBUF_INIT;
	json_t *idx = NULL, *v;
	size_t i;
	int rc;

	strbuf_addf(&path, "%s/index.json", dir);
	if ((rc = read_index_json(dir, EXIT_CONTEXT, EXIT_CONTEXT, &idx)) < 0)
		goto out;
	json_array_foreach(json_object_get(idx, "manifests"), i, v) {
		rc = check_digest(dir, path.buf, json_object_get(v, "digest"));
		if (!rc)
			rc = check_blob(dir, json_string_value(json_object_get(v, "digest")), 1);
		if (rc)
			break;
	}
out:
	json_decref(idx);
	strbuf_release(&path);
	return rc;
}

/* ---- docker archive ------------------------------------------------ */

static int tar_add_bytes(struct archive *a, struct archive_entry *ae, const char *name,
			 const void *buf, size_t len)
{
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)len);
	archive_entry_set_mtime(ae, 0, 0);
	if (archive_write_header(a, ae) != ARCHIVE_OK ||
	    (len && archive_write_data(a, buf, len) != (la_ssize_t)len))
		return error("cannot write '%s' into the archive: %s", name, archive_error_string(a));
	return 0;
}

static int tar_add_file(struct archive *a, struct archive_entry *ae, const char *name, const char *path)
{
	char *buf = NULL;
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = error("cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, st.st_size);
	archive_entry_set_mtime(ae, 0, 0);
	if (archive_write_header(a, ae) != ARCHIVE_OK) {
		rc = error("cannot write '%s' into the archive: %s", name, archive_error_string(a));
		goto out;
	}
	buf = xmalloc(1 << 17);
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 17);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = error("cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (!n)
			break;
		if (archive_write_data(a, buf, (size_t)n) != n) {
			rc = error("cannot write '%s' into the archive: %s", name, archive_error_string(a));
			break;
		}
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int fetch_to_tmp(const struct ocilayout *l, const char *digest, const char *base_name,
			ocilayout_fetch_fn fetch, void *ctx, struct strbuf *tmp)
{
	int fd, rc;

	if (!fetch)
		return error_as(EXIT_NOT_FOUND, "base layer %s of '%s' is not in '%s' and no registry to fetch it from",
				digest, base_name ? base_name : "?", l->dir);
	rc = ocilayout_blob_tmp(l, tmp);
	if (rc < 0)
		return rc;
	fd = open(tmp->buf, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return error("cannot open '%s': %s", tmp->buf, strerror(errno));
	rc = fetch(ctx, base_name, digest, fd);
	if (close(fd) < 0 && !rc)
		rc = error("cannot write '%s': %s", tmp->buf, strerror(errno));
	return rc;
}

int ocilayout_fetch_blob(const struct ocilayout *l, const char *digest, const char *base_name,
			 ocilayout_fetch_fn fetch, void *ctx)
{
	struct strbuf tmp = STRBUF_INIT;
	int rc;

	if (ocilayout_has_blob(l, digest))
		return 0;
	rc = fetch_to_tmp(l, digest, base_name, fetch, ctx, &tmp);
	if (!rc)
		rc = ocilayout_blob_commit(l, tmp.buf, digest);
	if (rc < 0 && tmp.len)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return rc;
}

int ocilayout_write_docker_archive(const struct ocilayout *l, const char *manifest_digest,
				   const char *const *tags, size_t tags_nr, const char *path,
				   const char *base_name, ocilayout_fetch_fn fetch, void *fetch_ctx)
{
	struct strbuf p = STRBUF_INIT, name = STRBUF_INIT, js = STRBUF_INIT;
	struct oci_manifest m = OCI_MANIFEST_INIT;
	json_t *dm = NULL, *entry, *dlayers, *rtags;
	struct archive *a = NULL;
	struct archive_entry *ae = NULL;
	const char *cdig;
	size_t i;
	int rc = -1;

	strbuf_addf(&name, "manifest %s in '%s'", manifest_digest, l->dir);
	if ((rc = ocilayout_read_blob(l->dir, manifest_digest, JSON_CAP, EXIT_FAIL, EXIT_FAIL, &p)) < 0 ||
	    (rc = oci_manifest_parse(p.buf, p.len, EXIT_FAIL, name.buf, &m)) < 0)
		goto out;
	rc = -1;
	cdig = m.config.digest;
	a = archive_write_new();
	ae = archive_entry_new();
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK) {
		rc = error("cannot create '%s': %s", path, archive_error_string(a));
		goto out;
	}
	dlayers = json_array();
	for (i = 0; i < m.nr_layers; i++) {
		const char *d = m.layers[i].digest;
		struct strbuf tmp = STRBUF_INIT;

		strbuf_reset(&p);
		strbuf_reset(&name);
		strbuf_addf(&name, "blobs/sha256/%s", d + 7);
		for (size_t k = 0; k < i; k++) {
			/* the same layer twice: one copy in the archive */
			if (!strcmp(json_string_value(json_array_get(dlayers, k)), name.buf)) {
				json_array_append_new(dlayers, json_string(name.buf));	/* steals */
				goto next;
			}
		}
		if (ocilayout_has_blob(l, d)) {
			ocilayout_blob_path(l, d, &p);
			rc = tar_add_file(a, ae, name.buf, p.buf);
		} else {
			rc = fetch_to_tmp(l, d, base_name, fetch, fetch_ctx, &tmp);
			if (!rc)
				rc = tar_add_file(a, ae, name.buf, tmp.buf);
			if (tmp.len)
				unlink(tmp.buf);
		}
		strbuf_release(&tmp);
		if (rc < 0) {
			json_decref(dlayers);
			goto out;
		}
		json_array_append_new(dlayers, json_string(name.buf));	/* steals */
next:
		;
	}
	strbuf_reset(&p);
	strbuf_reset(&name);
	ocilayout_blob_path(l, cdig, &p);
	strbuf_addf(&name, "blobs/sha256/%s", cdig + 7);
	rc = tar_add_file(a, ae, name.buf, p.buf);
	if (rc < 0) {
		json_decref(dlayers);
		goto out;
	}
	dm = json_array();
	entry = json_object();
	json_object_set_new(entry, "Config", json_string(name.buf));	/* steals */
	rtags = json_array();
	for (i = 0; i < tags_nr; i++)
		json_array_append_new(rtags, json_string(tags[i]));	/* steals */
	json_object_set_new(entry, "RepoTags", rtags);	/* steals */
	json_object_set_new(entry, "Layers", dlayers);	/* steals */
	json_array_append_new(dm, entry);	/* steals */
	rc = image_json_dump(dm, &js);
	if (!rc)
		rc = tar_add_bytes(a, ae, "manifest.json", js.buf, js.len);
	if (rc < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		rc = error("cannot finish '%s': %s", path, archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	if (a)
		archive_write_free(a);
	archive_entry_free(ae);
	oci_manifest_release(&m);
	json_decref(dm);
	strbuf_release(&p);
	strbuf_release(&name);
	strbuf_release(&js);
	if (rc < 0)
		unlink(path);
	return rc;
}
