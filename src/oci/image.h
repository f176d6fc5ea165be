/*
 * image.h: an image's config, manifest and index, as JSON built with
 * jansson and serialised once.
 *
 * struct image starts from a base (struct image_base: what the registry or
 * a local layout told us about the FROM image, never its layers' bytes)
 * and takes the Dockerfile's instructions one by one: image_set_env(),
 * image_set_cmd(), image_add_layer(), image_add_history()...  Then
 * image_finish() serialises the config and the manifest: sorted keys,
 * compact, so the same inputs give the same bytes, and those bytes are
 * what gets hashed, written and pushed.
 *
 * Precedence of labels: the base's, then the Dockerfile's (image_set_label),
 * then those given by the caller (meta) in struct image_finish_opts.
 * Manifest annotations: the caller's plus org.opencontainers.image.base.name
 * and org.opencontainers.image.base.digest.
 *
 * Pure: no I/O.
 */
#ifndef IMAGE_H
#define IMAGE_H

#include <stdint.h>
#include <jansson.h>

#include "lib/kvlist.h"
#include "lib/strbuf.h"
#include "oci/manifest.h"
#include "oci/mediatype.h"

struct layer;

/*
 * The FROM image.  name NULL means scratch.  The registry client (or a
 * local OCI layout) fills it with image_base_set(); layers are the base
 * manifest's layer descriptors, which we reference but never download.
 */
struct image_base {
	char *name;	/* the reference as given in FROM (expanded), owned; NULL: scratch */
	char *digest;	/* the base manifest's digest, owned, may be NULL */
	json_t *config;	/* the base image config (reference owned) or NULL */
	struct oci_descriptor *layers;	/* owned */
	size_t layers_nr;
	char *blob_dir;	/* a local OCI layout's blobs/sha256 directory holding the base blobs, or NULL; owned */
};

void image_base_init(struct image_base *b);
void image_base_release(struct image_base *b);

/*
 * Fill b from a manifest and a config (raw bytes).  name and digest are
 * copied.  A manifest whose media type we do not know, or which does not
 * parse, is an error (-EXIT_REGISTRY).
 */
int image_base_set(struct image_base *b, const char *name, const char *digest,
		   const char *manifest, size_t manifest_len,
		   const char *config, size_t config_len);

/*
 * From an index (OCI index or Docker manifest list), the descriptor of
 * the manifest for os/arch[/variant]; -EXIT_NOT_FOUND naming the platform
 * when none matches.  out gets the digest (DIGEST_HEX_LEN + 1 bytes).
 */
int image_index_select(const char *index, size_t len, const char *platform, char *out);


struct image {
	json_t *config;	/* the whole config document being built (owned) */
	json_t *layers;	/* manifest "layers" array (owned) */
	char *created;	/* RFC 3339, owned */
	const struct image_base *base;	/* borrowed */
	int docker;	/* Docker schema 2 media types */
	int cmd_set;	/* CMD given in this Dockerfile (ENTRYPOINT then keeps it) */
};

/*
 * Start from base (scratch when base->name is NULL).  platform is
 * "os/arch[/variant]" or NULL for the base's (linux/amd64 for scratch);
 * a base of another platform is an error.  created is seconds since the
 * epoch, used for "created" and every history entry.
 */
int image_init(struct image *img, const struct image_base *base, const char *platform,
	       long long created, int docker);
void image_release(struct image *img);

/* config setters (the "config" object of the image config) */
void image_set_env(struct image *img, const char *key, const char *value);
/* value of an ENV variable or NULL (borrowed) */
const char *image_get_env(const struct image *img, const char *key);
/* argv: an array of strings; the reference is stolen */
void image_set_cmd(struct image *img, json_t *argv);
/* sets Entrypoint and drops a Cmd inherited from the base or set before */
void image_set_entrypoint(struct image *img, json_t *argv);
void image_set_shell(struct image *img, json_t *argv);
void image_set_workdir(struct image *img, const char *dir);
const char *image_get_workdir(const struct image *img);
void image_set_user(struct image *img, const char *user);
/* "80", "80/tcp", "53/udp": stored as "80/tcp" etc */
void image_add_port(struct image *img, const char *port);
void image_add_volume(struct image *img, const char *path);
void image_set_label(struct image *img, const char *key, const char *value);
/* MAINTAINER: the config's "author" */
void image_set_author(struct image *img, const char *author);
void image_set_stopsignal(struct image *img, const char *sig);
/* healthcheck: the Healthcheck object ({"Test": [...], "Interval": ns...}), stolen */
void image_set_healthcheck(struct image *img, json_t *healthcheck);

/* Add a layer (diff_id to rootfs, descriptor to the manifest). */
void image_add_layer(struct image *img, const struct layer *l);
/* One history entry: created_by is the instruction; empty_layer for non-layer ones. */
void image_add_history(struct image *img, const char *created_by, int empty_layer);

struct image_finish_opts {
	const struct kvlist_item *labels;	/* from meta: override the Dockerfile's */
	size_t labels_nr;
	const struct kvlist_item *annotations;	/* manifest annotations */
	size_t annotations_nr;
};

/* The largest image config image_finish() writes (16 MiB). */
#define IMAGE_CONFIG_MAX ((size_t)16 << 20)

/*
 * Serialise: config_out gets the config bytes, manifest_out the manifest
 * bytes (both appended), digests in config_digest / manifest_digest
 * (DIGEST_HEX_LEN + 1 bytes each).  A config over IMAGE_CONFIG_MAX is
 * -EXIT_DOCKERFILE (its size comes from the Dockerfile's ENV and LABEL).
 */
int image_finish(struct image *img, const struct image_finish_opts *opts,
		 struct strbuf *config_out, char *config_digest,
		 struct strbuf *manifest_out, char *manifest_digest);

/* "os/arch[/variant]" of the image being built, appended to out. */
void image_platform(const struct image *img, struct strbuf *out);

/* The one serialisation of publish: sorted keys, compact. Appends to out. */
int image_json_dump(const json_t *j, struct strbuf *out);

/* An index (for multi-platform) over manifests, serialised into out. */
struct image_index_entry {
	const char *digest;
	uint64_t size;
	const char *media_type;
	const char *platform;	/* "os/arch[/variant]" */
};
int image_index_build(const struct image_index_entry *m, size_t nr, int docker,
		      const struct kvlist_item *annotations, size_t annotations_nr,
		      struct strbuf *out, char *digest);

#endif
