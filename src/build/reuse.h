/*
 * reuse.h: the previous image whose unchanged layers a build reuses.
 *
 * A layer whose reuse key (layer_reuse_key(): its entries, and the git
 * blob ids of its files when all are tracked and clean) equals one the
 * previous image records is not written: its descriptor (digest, size)
 * and diff_id are taken from the previous image, so no file is read,
 * tarred or compressed.  The keys are recorded on each image's manifest
 * as the annotation REUSE_ANN_LAYER_KEYS, one per manifest layer
 * (REUSE_KEY_BASE for the base's, "-" for one of ours without a key),
 * space-separated (an SBOM reads which layers are ours there too), so that the next build can read them.
 *
 * The previous image is either
 *   - an OCI layout (an oci: output of an earlier build: "oci:DIR", or a
 *     DIR that exists): a reused blob is linked into the new layout;
 *   - an image in a registry ("REGISTRY/REPO:TAG" or "@sha256:...", the
 *     registry named explicitly: a host with a '.' or ':', or localhost):
 *     its manifest (one GET; an index gives the build's platform) and its
 *     config (for the diff_ids) are read, never a layer.  A reused blob
 *     is then not in the new layout: reuse_record() writes on the layout's
 *     index.json descriptor where it is (REUSE_ANN_FROM, REUSE_ANN_BLOBS,
 *     ocilayout.h), and `publish push` HEADs it in the destination (the
 *     same repository: nothing to send), mounts it, or streams it from
 *     there, as it does for the base image's layers.
 *
 * Any doubt builds the layer: a previous image that is missing (a first
 * publish: a notice), cannot be read, records no keys or keys that do
 * not match its layers (a warning), a key that matches no layer (another
 * base's parent directories, other build args, other contents, another
 * compression or publish version: the key covers them all).  Equal keys
 * give equal blobs, so the result is byte for byte a full build's.
 */
#ifndef BUILD_REUSE_H
#define BUILD_REUSE_H

#include "build/layer.h"
#include "lib/strlist.h"
#include "oci/ocilayout.h"

#include <jansson.h>

struct registry_client;
struct oci_descriptor;

#define REUSE_ANN_LAYER_KEYS "dev.publish-action.layer-keys"
/*
 * What the build looked up in its base's file tree (basetree.h: a lazy
 * tree's record), on the manifest: a build on the same base starts from
 * it and reads no base layer unless a lookup needs one.
 */
#define REUSE_ANN_BASE_TREE "dev.publish-action.base-tree"
/* the key of a base image's layer (never reused: it is the base's), "-" one of ours without a key */
#define REUSE_KEY_BASE "base"

struct reuse_prev {
	int active;		/* 0: nothing to reuse, every layer is built */
	char *blob_dir;		/* a layout's blobs/sha256, owned; NULL for a registry image */
	char *source;		/* a registry image: "REGISTRY/REPO@sha256:...", owned */
	json_t *layers;		/* the manifest's layer descriptors (a reference held) */
	json_t *diff_ids;	/* the config's (a reference held) */
	char **keys;		/* aligned with layers, owned */
	size_t keys_nr;
	struct strlist remote;	/* digests reused from source: the new layout lacks them */
	int missing;		/* no image named exists (a first publish): nothing to reuse */
	char *base_tree;	/* its REUSE_ANN_BASE_TREE, owned, or NULL */
};

void reuse_prev_init(struct reuse_prev *p);
void reuse_prev_release(struct reuse_prev *p);

/* 1 when from names an image in a registry rather than an OCI layout (see above). */
int reuse_names_registry(const char *from);

/*
 * Read the previous image for a build of platform ("os/arch[/variant]";
 * picks from an index): the first of from[0..nr) (each an image as
 * above) that exists and can be used, so that a first publish of a new
 * tag reuses from the image's older tags; client is for a registry image
 * (NULL: none can be read).  Never fails: when none can be used p stays
 * inactive, with a warning naming the first that exists but cannot be
 * used, or with notice(msg) (NULL: "notice: " on stderr) and p->missing
 * when none of them exists.
 */
void reuse_load(struct reuse_prev *p, const char *const *from, size_t nr, struct registry_client *client,
		const char *platform, void (*notice)(const char *msg));

/*
 * The previous layer with this key as a layer of ours (digest, diff_id,
 * size, compression c), a layout's blob linked into layout, a registry
 * image's noted in p->remote.  1 when reused, 0 when not.
 */
int reuse_find(struct reuse_prev *p, const char *key, enum layer_compression c, const struct ocilayout *layout,
	       struct layer *out);

/*
 * The previous image's record of its base's file tree when its base's
 * layers (those keyed REUSE_KEY_BASE, first) are base_layers, in this
 * order; else NULL (borrowed from p).
 */
const char *reuse_base_tree(const struct reuse_prev *p, const struct oci_descriptor *base_layers, size_t nr);

/*
 * A base layer (digest) the layout lacks: noted in p->remote too when
 * the previous registry image has it, so that push knows it is in that
 * repository without asking.
 */
void reuse_note_base(struct reuse_prev *p, const char *digest);

/* Name, on layout's index.json descriptor of manifest_digest, where the blobs it lacks are (nothing if none). */
int reuse_record(const struct reuse_prev *p, const struct ocilayout *layout, const char *manifest_digest);

/*
 * An ocilayout_fetch_fn (a docker archive's missing blobs): a blob reused
 * from a registry image comes from there, any other goes to base_fetch
 * (with base_ctx).
 */
struct reuse_fetch {
	const struct reuse_prev *prev;
	struct registry_client *client;
	int (*base_fetch)(void *ctx, const char *base_name, const char *digest, int fd);
	void *base_ctx;
};

int reuse_fetch_blob(void *ctx, const char *base_name, const char *digest, int fd);

#endif
