/*
 * base.h: the FROM image of a build: its manifest and config, from its
 * registry or a local OCI layout (build_fetch_base() in build.h), and its
 * layers, fetched only to read their file tree (basetree.h, cached by
 * layer digest) or to fill a docker-archive output.  A layer download
 * stops at its descriptor's size.
 */
#ifndef BUILD_BASE_H
#define BUILD_BASE_H

#include "build/basetree.h"
#include "oci/image.h"
#include "registry/registry.h"

/* A manifest, index or config in the OCI layout dir, verified; absent is exit 7. */
int base_read_blob(const char *dir, const char *digest, struct strbuf *out);

/* The manifest digest index.json of layout dir gives image (full name, tag, or its only entry). */
int base_layout_pick(const char *dir, const char *image, char *out);

/* ocilayout_fetch_fn's context: the client, and the base whose layer sizes cap each download (may be NULL). */
struct base_fetch {
	struct registry_client *client;
	const struct image_base *base;
};

/* ocilayout_fetch_fn: a base layer from its registry, streamed to fd (ctx: struct base_fetch). */
int base_fetch_blob(void *ctx, const char *base_name, const char *digest, int fd);

/*
 * The base's file tree into t, from its layers' tar headers (cached by
 * layer digest), read from the base's layout or its registry.
 */
int base_tree_load(struct basetree *t, struct registry_client *client, const struct image_base *base);

#endif
