/*
 * test-reuse.c: which --reuse-from values name a registry image, and
 * reuse_find() on a registry image's layers (no layout, no network).
 */
#include "lib/common.h"
#include "build/reuse.h"
#include "oci/mediatype.h"
#include "tap.h"

#include <sys/stat.h>
#include <unistd.h>

#define K1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define K2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define L1 "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L2 "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define D1 "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define D2 "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static json_t *desc(const char *mt, const char *digest, long long size)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", digest, "size", (json_int_t)size);
}

int main(void)
{
	struct reuse_prev p;
	struct layer l;
	char dir[] = "/tmp/test-reuse-XXXXXX";

	ok(reuse_names_registry("ghcr.io/acme/app:main"), "a host with a dot is a registry");
	ok(reuse_names_registry("127.0.0.1:5000/app@" L1), "host:port is a registry");
	ok(reuse_names_registry("localhost/app:1"), "localhost is a registry");
	ok(!reuse_names_registry("oci:ghcr.io/acme/app"), "oci: is always a layout");
	ok(!reuse_names_registry("prev"), "a word is a layout");
	ok(!reuse_names_registry("acme/app:main"), "no registry named: a layout path");
	ok(!reuse_names_registry("./x.y/app"), "./ is a path");
	ok(!reuse_names_registry("../x.y/app"), "../ is a path");
	ok(!reuse_names_registry("/abs/x.y:1"), "an absolute path");
	if (ok(mkdtemp(dir) != NULL, "a temporary directory")) {
		struct strbuf d = STRBUF_INIT;

		strbuf_addf(&d, "%s/a.b", dir);
		mkdir(d.buf, 0700);
		strbuf_addstr(&d, "/c");
		mkdir(d.buf, 0700);
		ok(chdir(dir) == 0, "into it");
		ok(!reuse_names_registry("a.b/c"), "an existing directory is a layout");
		rmdir(d.buf);
		strbuf_setlen(&d, d.len - 2);
		rmdir(d.buf);
		rmdir(dir);
		strbuf_release(&d);
	}

	/* a registry image with two layers: gzip, and one with another media type */
	reuse_prev_init(&p);
	p.active = 1;
	p.source = xstrdup("ghcr.io/acme/app@" L1);
	p.layers = json_pack("[o, o]", desc(MT_OCI_LAYER_GZIP, L1, 10), desc(MT_OCI_LAYER_ZSTD, L2, 20));
	p.diff_ids = json_pack("[s, s]", D1, D2);
	p.keys = xcalloc(3, sizeof(*p.keys));
	p.keys[0] = xstrdup(K1);
	p.keys[1] = xstrdup(K2);
	p.keys_nr = 2;
	layer_init(&l);
	ok(reuse_find(&p, K1, LAYER_GZIP, NULL, &l) == 1, "a matching key is reused");
	is_str(l.digest, L1, "its digest");
	is_str(l.diff_id, D1, "its diff_id");
	ok(l.size == 10, "its size");
	is_int((int)p.remote.nr, 1, "noted as a blob the layout lacks");
	is_str(p.remote.nr ? p.remote.items[0] : "", L1, "that blob");
	ok(reuse_find(&p, K1, LAYER_GZIP, NULL, &l) == 1 && p.remote.nr == 1, "twice: noted once");
	ok(reuse_find(&p, K2, LAYER_GZIP, NULL, &l) == 0, "a layer of another compression is not reused");
	ok(reuse_find(&p, K2, LAYER_ZSTD, NULL, &l) == 1, "but is with its own");
	ok(reuse_find(&p, "sha256:0", LAYER_GZIP, NULL, &l) == 0, "an unknown key is not");
	p.active = 0;
	ok(reuse_find(&p, K1, LAYER_GZIP, NULL, &l) == 0, "nothing when inactive");
	reuse_prev_release(&p);

	/* a hostile image: one blob with two sizes (the download stops at a descriptor's size) */
	p.active = 1;
	p.source = xstrdup("ghcr.io/acme/app@" L1);
	p.layers = json_pack("[o, o]", desc(MT_OCI_LAYER_GZIP, L1, 10), desc(MT_OCI_LAYER_GZIP, L1, 1LL << 40));
	p.diff_ids = json_pack("[s, s]", D1, D1);
	p.keys = xcalloc(3, sizeof(*p.keys));
	p.keys[0] = xstrdup(K1);
	p.keys[1] = xstrdup(K2);
	p.keys_nr = 2;
	ok(reuse_find(&p, K1, LAYER_GZIP, NULL, &l) == 0 && reuse_find(&p, K2, LAYER_GZIP, NULL, &l) == 0,
	   "a blob its layers give two sizes is not reused");
	reuse_note_base(&p, L1);
	is_int((int)p.remote.nr, 0, "nor fetched (as a base layer either)");
	layer_release(&l);
	reuse_prev_release(&p);
	ok(p.source == NULL && p.keys == NULL && !p.active, "released");
	return tap_done();
}
