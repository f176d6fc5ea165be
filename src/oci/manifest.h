/*
 * manifest.h: the OCI content model, read and written in one place:
 * descriptors, image manifests and indexes (OCI image-spec, and Docker
 * schema 2, whose JSON has the same shape).
 *
 * A struct oci_descriptor is what a manifest or index says of a blob or
 * child manifest: media type, digest, size, and for an index entry its
 * platform and annotations.  oci_manifest_parse() and oci_index_parse()
 * read a document (bytes as the registry or a layout gave them) into
 * those, checking every digest; oci_descriptor_json() writes one back.
 * The image being built serialises its manifest in image.c, with these
 * descriptors.
 *
 * Errors name the document (where) and carry the caller's exit code:
 * EXIT_REGISTRY for what a registry served, EXIT_CONTEXT for a layout.
 * Pure: no I/O.
 */
#ifndef OCI_MANIFEST_H
#define OCI_MANIFEST_H

#include <jansson.h>

#include "lib/digest.h"
#include "lib/strbuf.h"
#include "oci/mediatype.h"
#include "oci/platform.h"

struct oci_descriptor {
	char *media_type;		/* owned; "" when the JSON has none */
	char digest[DIGEST_HEX_LEN + 1];
	long long size;
	struct platform platform;	/* os NULL: none given */
	json_t *annotations;		/* owned reference, or NULL */
};

#define OCI_DESCRIPTOR_INIT { NULL, "", 0, PLATFORM_INIT, NULL }

/*
 * Read a descriptor object: a well-formed sha256 digest and a size >= 0
 * are required, else -code naming where.
 */
int oci_descriptor_parse(const json_t *j, struct oci_descriptor *out, int code, const char *where);
/* The descriptor as JSON (mediaType, digest, size[, platform][, annotations]): a new reference. */
json_t *oci_descriptor_json(const struct oci_descriptor *d);
/* A deep copy of src into out. */
void oci_descriptor_copy(const struct oci_descriptor *src, struct oci_descriptor *out);
/* The annotation key of d (borrowed), or NULL. */
const char *oci_descriptor_annotation(const struct oci_descriptor *d, const char *key);
void oci_descriptor_release(struct oci_descriptor *d);
/* Release nr descriptors and free the array (NULL ok). */
void oci_descriptors_free(struct oci_descriptor *d, size_t nr);

struct oci_manifest {
	struct oci_descriptor config;
	struct oci_descriptor *layers;	/* owned array */
	size_t nr_layers;
	json_t *annotations;		/* owned reference, or NULL */
};

#define OCI_MANIFEST_INIT { OCI_DESCRIPTOR_INIT, NULL, 0, NULL }

/* An image manifest (config and layers); -code naming where otherwise. */
int oci_manifest_parse(const char *buf, size_t len, int code, const char *where,
		       struct oci_manifest *out);
/* The annotation key of the manifest (borrowed), or NULL. */
const char *oci_manifest_annotation(const struct oci_manifest *m, const char *key);
void oci_manifest_release(struct oci_manifest *m);

struct oci_index {
	struct oci_descriptor *manifests;	/* owned array, platforms read */
	size_t nr_manifests;
	json_t *json;				/* the whole document (owned reference) */
};

#define OCI_INDEX_INIT { NULL, 0, NULL }

/* An index or manifest list (its "manifests"); -code naming where otherwise. */
int oci_index_parse(const char *buf, size_t len, int code, const char *where, struct oci_index *out);
/* The same from a parsed document (root is borrowed; out->json takes a reference). */
int oci_index_from_json(json_t *root, int code, const char *where, struct oci_index *out);
/*
 * The first entry of idx for want that is not itself an index: its
 * position, or -1.
 */
long oci_index_find(const struct oci_index *idx, const struct platform *want);
void oci_index_release(struct oci_index *idx);

/* 1 if media_type is an OCI index or a Docker manifest list. */
int oci_is_index(const char *media_type);
/*
 * The media type of a manifest or index document: its "mediaType", else
 * by shape (manifests: an OCI index; config: an OCI manifest).  NULL
 * when neither; the caller frees.
 */
char *oci_media_type(const char *buf, size_t len);

#endif
