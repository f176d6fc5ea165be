/*
 * test-ocilayout.c: a layout's index.json written by
 * ocilayout_add_manifest() and read back by ocilayout_read_index() (the
 * one reader), and its blobs read and verified by ocilayout_read_blob().
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "oci/ocilayout.h"
#include "tap.h"

#include <unistd.h>

static char tmpdir[] = "/tmp/publish-test-ocilayout.XXXXXX";

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

	ocilayout_release(&l);
	ocilayout_remove(tmpdir);
	ok(access(tmpdir, F_OK) < 0, "ocilayout_remove takes the whole tree");
	strbuf_release(&dir);
	strbuf_release(&got);
	strbuf_release(&p);
	return tap_done();
}
