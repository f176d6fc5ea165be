/*
 * artifact.h: an attestation as an OCI artifact that refers to its image.
 *
 * image-spec 1.1: an artifact is an image manifest with an artifactType,
 * the empty config ("{}", application/vnd.oci.empty.v1+json), its
 * document as the one layer, and a subject: the descriptor of the image
 * manifest it speaks of.  A registry with the referrers API (GET
 * /v2/NAME/referrers/DIGEST) lists it there by itself; for the others
 * distribution-spec 1.1 keeps the list in an index under the fallback
 * tag "sha256-<hex of the subject>", which the client reads, extends and
 * writes back (artifact_referrers_index()).  Pure: bytes in, bytes out;
 * registry/registry_referrers.c does the talking.
 *
 * An artifact is never a platform: these manifests go in no image index
 * publish writes (merge leaves out what it finds of them), only in the
 * referrers list.
 */
#ifndef ARTIFACT_H
#define ARTIFACT_H

#include "lib/digest.h"
#include "lib/strbuf.h"

#define ARTIFACT_EMPTY_MEDIA_TYPE "application/vnd.oci.empty.v1+json"
#define ARTIFACT_EMPTY_CONFIG "{}"

struct artifact_subject {
	const char *media_type;		/* the image manifest's */
	const char *digest;
	long long size;
};

/*
 * The artifact manifest for a document (doc_digest, doc_size) of
 * artifact_type about subject; created (may be NULL) becomes the
 * annotation org.opencontainers.image.created.  Bytes appended to out,
 * their digest into digest (DIGEST_HEX_LEN + 1).
 */
int artifact_manifest(const char *artifact_type, const char *doc_digest, long long doc_size,
		      const struct artifact_subject *subject, const char *created,
		      struct strbuf *out, char *digest);

/*
 * The fallback tag's index: old (len bytes of an index, or len 0: none
 * yet) with the artifact manifest (its bytes) added, every entry it
 * had kept (read-modify-write).  *changed is 0 when it was listed
 * already (nothing to write).  A malformed old index is -EXIT_REGISTRY
 * naming where.  The old index is read from the registry: an entry
 * that is not a descriptor (an object with a string mediaType, a valid
 * digest and a size >= 0) and the second entry of a digest are dropped;
 * more than ARTIFACT_REFERRERS_MAX entries is -EXIT_REGISTRY, and so is
 * a new index of more than ARTIFACT_INDEX_MAX_BYTES (a registry's cap
 * on a manifest: it would refuse it).
 */
#define ARTIFACT_REFERRERS_MAX 4096
#define ARTIFACT_INDEX_MAX_BYTES (4u << 20)
int artifact_referrers_index(const char *old, size_t len, const char *where,
			     const struct strbuf *manifest, const char *manifest_digest,
			     struct strbuf *out, int *changed);

/* The fallback tag of a subject digest: "sha256-<hex>", appended to out. */
void artifact_fallback_tag(const char *digest, struct strbuf *out);

#endif
