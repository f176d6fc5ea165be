/*
 * test-ocilayout.c: a layout's index.json written by
 * ocilayout_add_manifest() and read back by ocilayout_read_index() (the
 * one reader), and its blobs read and verified by ocilayout_read_blob();
 * ocilayout_fetch_blob() fetching only what the layout lacks and leaving
 * no temporary file when the fetch fails.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "oci/ocilayout.h"
#include "tap.h"

#include <unistd.h>

static char tmpdir[] = "/tmp/publish-test-ocilayout.XXXXXX";

static int fetches;

/* ocilayout_fetch_fn: writes ctx (a string), or fails when ctx is NULL */
static int fake_fetch(void *ctx, const char *base_name, const char *digest, int fd)
{
	const char *bytes = ctx;

	fetches++;
	if (!bytes)
		return error_as(EXIT_NETWORK, "cannot fetch %s of %s", digest, base_name);
	return write(fd, bytes, strlen(bytes)) == (ssize_t)strlen(bytes) ? 0 : -1;
}

/* the number of entries of dir (without . and ..) */
static int count_entries(const char *dir)
{
	struct strbuf cmd = STRBUF_INIT;
	FILE *f;
	int n = -1;

	strbuf_addf(&cmd, "ls -A '%s' | wc -l", dir);
	f = popen(cmd.buf, "r");
	if (f && fscanf(f, "%d", &n) != 1)
		n = -1;
	if (f)
		pclose(f);
	strbuf_release(&cmd);
	return n;
}

int main(void)
{
	const char *names[] = { "v1", "example.com/app:v2" };
	const char *blob = "{\"config\":{}}";
	struct ocilayout l = { NULL };
	struct oci_index idx = OCI_INDEX_INIT;
	struct strbuf dir = STRBUF_INIT, got = STRBUF_INIT, p = STRBUF_INIT;
	char d[DIGEST_HEX_LEN + 1], other[DIGEST_HEX_LEN + 1];

	if (!mkdtemp(tmpdir)) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	strbuf_addf(&dir, "%s/lay", tmpdir);
	error_set_quiet(1);
	is_int(ocilayout_read_index(dir.buf, EXIT_CONTEXT, EXIT_NOT_FOUND, &idx), -EXIT_NOT_FOUND,
	       "no index.json: the caller's code for absent");
	error_set_quiet(0);
	ok(ocilayout_open(&l, dir.buf) == 0, "layout created");
	digest_buffer(blob, strlen(blob), d);
	ok(ocilayout_put_blob(&l, d, blob, strlen(blob)) == 0, "a blob written");
	ok(ocilayout_add_manifest(&l, MT_OCI_MANIFEST, d, strlen(blob), "linux/aarch64", names, 2,
				  "docker.io/library/alpine:3", "sha256:" "0000000000000000000000000000000000000000000000000000000000000000") == 0,
	   "a manifest under two names");
	ok(ocilayout_read_index(dir.buf, EXIT_CONTEXT, EXIT_CONTEXT, &idx) == 0 && idx.nr_manifests == 2,
	   "read back: two entries");
	if (idx.nr_manifests == 2) {
		is_str(oci_descriptor_annotation(&idx.manifests[0], ANN_REF_NAME), "v1", "the first name");
		is_str(oci_descriptor_annotation(&idx.manifests[1], ANN_REF_NAME), "example.com/app:v2",
		       "the second name, its own");
		is_str(oci_descriptor_annotation(&idx.manifests[1], ANN_BASE_NAME), "docker.io/library/alpine:3",
		       "the base name on each");
		is_str(idx.manifests[0].platform.architecture, "arm64", "the platform, normalised");
		ok(idx.manifests[0].size == (long long)strlen(blob), "the size");
	}
	oci_index_release(&idx);
	ok(ocilayout_add_manifest(&l, MT_OCI_MANIFEST, d, strlen(blob), NULL, names, 1, NULL, NULL) == 0 &&
	   ocilayout_read_index(dir.buf, EXIT_CONTEXT, EXIT_CONTEXT, &idx) == 0 && idx.nr_manifests == 2 &&
	   !idx.manifests[1].platform.os, "a name again replaces its entry, the other kept");
	oci_index_release(&idx);

	ok(ocilayout_read_blob(dir.buf, d, 1 << 20, EXIT_CONTEXT, EXIT_NOT_FOUND, &got) == 0, "blob read");
	is_str(got.buf, blob, "its bytes");
	error_set_quiet(1);
	memcpy(other, d, sizeof(other));
	other[7] = other[7] == 'a' ? 'b' : 'a';
	is_int(ocilayout_read_blob(dir.buf, other, 1 << 20, EXIT_CONTEXT, EXIT_NOT_FOUND, &got), -EXIT_NOT_FOUND,
	       "an absent blob: the missing code");
	is_int(ocilayout_read_blob(dir.buf, "sha256:12", 1 << 20, EXIT_CONTEXT, EXIT_NOT_FOUND, &got), -EXIT_CONTEXT,
	       "a malformed digest: the code");
	ocilayout_blob_path(&l, d, &p);
	ocilayout_put_blob(&l, other, "x", 1);
	strbuf_reset(&p);
	ocilayout_blob_path(&l, other, &p);
	is_int(ocilayout_read_blob(dir.buf, other, 1 << 20, EXIT_CONTEXT, EXIT_NOT_FOUND, &got), -EXIT_CONTEXT,
	       "bytes that do not match the digest: the code");
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/index.json", dir.buf);
	{
		FILE *f = fopen(p.buf, "w");

		fputs("{\"manifests\":{}}", f);
		fclose(f);
	}
	is_int(ocilayout_read_index(dir.buf, EXIT_CONTEXT, EXIT_NOT_FOUND, &idx), -EXIT_CONTEXT,
	       "an index.json that is not an index");
	error_set_quiet(0);

	{
		const char *layer = "a base layer's bytes";
		char ld[DIGEST_HEX_LEN + 1];
		struct strbuf blobs = STRBUF_INIT;
		int before;

		strbuf_addf(&blobs, "%s/blobs/sha256", dir.buf);
		digest_buffer(layer, strlen(layer), ld);
		ok(!ocilayout_has_blob(&l, ld), "the base layer is not there yet");
		ok(ocilayout_fetch_blob(&l, ld, "r.example/base:1", fake_fetch, (void *)layer) == 0 &&
		   fetches == 1, "fetched once");
		strbuf_reset(&got);
		ok(ocilayout_has_blob(&l, ld) &&
		   ocilayout_read_blob(dir.buf, ld, 1024, EXIT_FAIL, EXIT_FAIL, &got) == 0 &&
		   !strcmp(got.buf, layer), "stored under its digest, verified");
		ok(ocilayout_fetch_blob(&l, ld, "r.example/base:1", fake_fetch, NULL) == 0 && fetches == 1,
		   "a blob the layout has is not fetched again");
		before = count_entries(blobs.buf);
		digest_buffer("another", 7, other);
		error_set_quiet(1);
		is_int(ocilayout_fetch_blob(&l, other, "r.example/base:1", fake_fetch, NULL), -EXIT_NETWORK,
		       "a failed fetch: its error");
		is_int(ocilayout_fetch_blob(&l, other, "r.example/base:1", NULL, NULL), -EXIT_NOT_FOUND,
		       "no fetcher: not found, naming the base");
		ok(strstr(error_last(), "r.example/base:1") != NULL, "the message names the base");
		error_set_quiet(0);
		ok(!ocilayout_has_blob(&l, other) && count_entries(blobs.buf) == before,
		   "no blob and no temporary file left behind");
		strbuf_release(&blobs);
	}

	ocilayout_release(&l);
	ocilayout_remove(tmpdir);
	ok(access(tmpdir, F_OK) < 0, "ocilayout_remove takes the whole tree");
	strbuf_release(&dir);
	strbuf_release(&got);
	strbuf_release(&p);
	return tap_done();
}
