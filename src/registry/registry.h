/*
 * registry.h: talking to OCI / Docker distribution registries.
 *
 * Pull: manifests with the full Accept list (OCI and Docker schema 2,
 * images and indexes), a platform picked from an index, blobs verified
 * byte for byte against their digest.
 *
 * Push: per blob HEAD, then POST (with mount=&from= when the blob lives in
 * another repository of the same registry, falling back when refused), one
 * whole-body PUT ?digest= (monolithic; ghcr.io refuses chunked PATCHes over
 * 4 MiB), Location relative or absolute, restart from POST on
 * BLOB_UPLOAD_UNKNOWN.  Several blobs at once (default 4, ghcr.io answers
 * too many concurrent uploads with 403): each blob is a conversation of
 * requests, and up to opts.jobs conversations share one curl multi handle
 * on one thread; the first blob goes alone so that a refusal is met, and
 * reported, once.  Blobs
 * from another registry are spooled to a temporary file (never held in
 * memory), verified, then uploaded.  Manifests are PUT with the exact bytes
 * hashed and Content-Type = their mediaType, Docker-Content-Digest checked;
 * an index's children go first, by digest; tags are PUT last, only after
 * everything else is in, and all or none: what each tag named is recorded
 * first, a tag already at the digest is left alone, and when a tag PUT
 * fails the tags moved before it are put back (best effort, reported; a
 * new tag only where the registry deletes tags).  The tags are looked up
 * (HEAD) before anything is sent: a repository where one already names
 * the digest has the manifest and its blobs, and gets nothing more.
 * Re-runs upload only what is missing (HEAD).
 *
 * Every request retries transport errors, 408, 429 and 5xx with exponential
 * backoff and jitter, honouring Retry-After (and a retry hint in the error
 * body), bounded in tries and total time.  401 refreshes the token and
 * replays once; 401/403/404 are explained and give EXIT_AUTH/EXIT_NOT_FOUND.
 *
 * Progress (stderr, unless opts.quiet): one line per blob when it ends,
 * "pushed|mounted|exists DIGEST REGISTRY/REPO SIZE TIMEs", one "tagged"
 * line per tag (" (unchanged)" when it was there already); on a terminal
 * also a live line (bytes, rate).  Stdout is
 * left to the caller (and to ::add-mask:: lines in GitHub Actions).
 *
 * Ownership: a struct registry_client owns its token cache and credentials;
 * every out struct is owned by the caller and released with its _release.
 * Out-parameters are set only on success.
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include "lib/strbuf.h"
#include "lib/digest.h"
#include "oci/mediatype.h"
#include "oci/manifest.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "registry/credentials.h"

struct registry_options {
	const char *const *insecure_registries;	/* NULL-terminated hosts allowed plain http, may be NULL */
	struct credential cred;	/* explicit credentials (borrowed pointers; username NULL: none) */
	const char *const *cred_registries; /* NULL-terminated hosts cred is for (borrowed,
					      * must outlive the client); NULL: every host */
	int jobs;		/* blobs at once; 0: 4 */
	int max_tries;		/* per request; 0: 6 */
	long max_retry_seconds;	/* total time spent retrying one request; 0: 120 */
	int quiet;		/* no progress lines */
	const struct credential_set *creds; /* per-registry credentials (borrowed, must outlive
					     * the client): a registry it names gets that one, before cred */
};

struct registry_client;

/* A new client (caller frees with registry_client_free). Never fails. */
struct registry_client *registry_client_new(const struct registry_options *opts);
void registry_client_free(struct registry_client *c);

/*
 * The repositories a run will push to: a token to pull from one of them
 * asks for push too (repository:NAME:pull,push), so one token serves the
 * build's reads there (the previous image), the push, and the uploads of
 * the prepush thread (whose client shares c's tokens).  A token service that grants less
 * than asked gives a token that still pulls; the push then meets the
 * refusal it would have met anyway.
 */
void registry_client_push_to(struct registry_client *c, const struct reference *refs, size_t nr);

/* A manifest as the registry served it: exact bytes, their digest, media type. */
struct registry_manifest {
	struct strbuf bytes;
	char digest[DIGEST_HEX_LEN + 1];
	char *media_type;	/* owned */
};

#define REGISTRY_MANIFEST_INIT { STRBUF_INIT, "", NULL }
void registry_manifest_release(struct registry_manifest *m);

/*
 * GET the manifest ref names (by its tag or digest), bytes verified
 * against the digest when ref has one.
 */
int registry_get_manifest(struct registry_client *c, const struct reference *ref,
			  struct registry_manifest *out);

/*
 * What the build needs of a base image: its manifest and config, never
 * its layers.  When ref names an index, want picks the platform (NULL:
 * linux/amd64); -EXIT_NOT_FOUND when the index has no such platform.
 */
struct remote_image {
	struct registry_manifest manifest;	/* the image manifest (not the index) */
	char index_digest[DIGEST_HEX_LEN + 1];	/* digest of the index it came from, "" if none */
	struct strbuf config;			/* config bytes, verified */
	struct oci_descriptor config_desc;
	struct oci_descriptor *layers;		/* owned array of nr_layers */
	size_t nr_layers;
};

#define REMOTE_IMAGE_INIT { REGISTRY_MANIFEST_INIT, "", STRBUF_INIT, OCI_DESCRIPTOR_INIT, NULL, 0 }

int registry_fetch_image(struct registry_client *c, const struct reference *ref,
			 const struct platform *want, struct remote_image *out);
void remote_image_release(struct remote_image *img);

/*
 * Download blob digest of ref's repository to the file open at fd (from
 * its current offset; fd stays open), verifying the digest; a blob longer
 * than size stops there (-EXIT_REGISTRY; size -1: unknown, no cap).
 * Never held in memory whole.
 */
int registry_get_blob(struct registry_client *c, const struct reference *ref,
		      const char *digest, long long size, int fd);

/* What happened to each blob and manifest of a push or copy. */
enum blob_outcome { BLOB_PUSHED, BLOB_MOUNTED, BLOB_EXISTED };

struct blob_stat {
	char digest[DIGEST_HEX_LEN + 1];
	long long size;
	enum blob_outcome outcome;
	double seconds;
};

struct push_report {
	char digest[DIGEST_HEX_LEN + 1];	/* the digest the tags now point at */
	char *media_type;			/* owned: of that manifest */
	struct blob_stat *blobs;		/* owned array */
	size_t nr_blobs;
	size_t nr_manifests;			/* manifests PUT (children and top) */
	long long bytes_pushed;			/* sum of the sizes of BLOB_PUSHED blobs */
};

#define PUSH_REPORT_INIT { "", NULL, NULL, 0, 0, 0 }
void push_report_release(struct push_report *r);

/*
 * Push the image or index in the OCI layout directory dir (index.json must
 * list exactly one manifest) to every reference in dsts (their tags; a
 * reference's digest, if any, must equal the pushed one).  Blobs the
 * manifest names but the layout lacks are taken from the base image named
 * by the "org.opencontainers.image.base.name" annotation (on the index.json
 * descriptor or on the manifest): mounted when the base is on the same
 * registry, otherwise streamed from the base's registry.  All content to
 * every repository first, then the tags.
 */
int registry_push_layout(struct registry_client *c, const char *dir,
			 const struct reference *dsts, size_t nr_dsts,
			 struct push_report *out);

/*
 * Overlap: layer blobs uploaded while the build writes the next ones.
 * registry_prepush_start() starts a thread with a client of its own
 * (opts, copied: the pointers in it must outlive the prepush; it takes
 * and adds to the tokens of share, when not NULL, which must outlive the
 * prepush and may be used meanwhile by the calling thread) that
 * uploads each finished blob file given to registry_prepush_add() to
 * every repository of dsts (borrowed), in the order queued, each as
 * soon as one of opts.jobs slots is free.
 * After the first failure add() returns that error (the build stops);
 * registry_prepush_finish() waits for the queue and returns it too.
 * registry_push_layout_sent() then pushes the layout as
 * registry_push_layout() does, but for the blobs sent (in its report as
 * sent).  Nothing but blobs is sent before: no manifest, no tag.
 * registry_prepush_free() stops the thread (the blob in flight ends) and
 * drops the queue.
 */
struct registry_prepush;
int registry_prepush_start(const struct registry_options *opts, struct registry_client *share,
			   const struct reference *dsts, size_t nr_dsts,
			   struct registry_prepush **out);
int registry_prepush_add(struct registry_prepush *p, const char *media_type, const char *digest,
			 long long size, const char *path);
/*
 * The same for a blob that is in another repository (source: an image
 * reference, the base's): mounted from there when it is on the same
 * registry, else streamed through.  A base's layers go up this way while
 * the build runs, instead of after it.
 */
int registry_prepush_add_remote(struct registry_prepush *p, const char *media_type, const char *digest,
				long long size, const char *source);
/*
 * A blob still being written, its upload streamed as it grows: the file
 * at path (opened now: a rename later does not matter) goes up to every
 * repository of dsts in an upload session each: POST, a chunked PATCH
 * fed as registry_prepush_grow() says more of the file is written, then
 * PUT ?digest= once registry_prepush_end() gives the digest.  No HEAD
 * can come first (there is no digest yet): the caller streams a blob
 * only when the registry is unlikely to have it.  A stream that fails
 * (or a registry that refuses it) falls back, once the blob is complete,
 * to the upload of the whole file as registry_prepush_add() does, with
 * its retries.  The writer's thread calls grow (bytes: the file's length
 * so far) and end (digest NULL: abandoned, nothing is committed); the
 * handle is p's, valid until registry_prepush_free().
 */
struct registry_growing;
int registry_prepush_stream(struct registry_prepush *p, const char *media_type, const char *path,
			    struct registry_growing **out);
void registry_prepush_grow(struct registry_growing *g, unsigned long long bytes);
void registry_prepush_end(struct registry_growing *g, const char *digest, long long size);
int registry_prepush_finish(struct registry_prepush *p);
void registry_prepush_free(struct registry_prepush *p);
/* The blobs sent (one per blob and repository), nr of them; p may be NULL. */
const struct blob_stat *registry_prepush_sent(const struct registry_prepush *p, size_t *nr);
int registry_push_layout_sent(struct registry_client *c, const char *dir,
			      const struct reference *dsts, size_t nr_dsts,
			      const struct blob_stat *sent, size_t nr_sent, struct push_report *out);

/*
 * Copy src (image or index, every platform) to each of dsts, same digest
 * (the manifest bytes are copied unchanged).  Tags last.
 */
int registry_copy(struct registry_client *c, const struct reference *src,
		  const struct reference *dsts, size_t nr_dsts,
		  struct push_report *out);

/*
 * Merge: one OCI index over the images digests[nr] ("sha256:<hex>") of
 * name's repository (its tag and digest ignored), as a matrix of
 * push-by-digest jobs leaves them.  Each entry gets the platform of its
 * image's config; a digest naming an index gives its images (attestations
 * left out).  Entries are sorted by platform (os, architecture, variant),
 * so the same digests in any order give the same index; annotations (nr
 * of them, may be 0) go on the index.  The index is PUT by digest to
 * name's repository, then pushed to each of dsts as a copy would (what a
 * repository lacks is mounted or copied from name's), then dsts' tags
 * move, all or none.  A malformed digest, two images of one platform, no
 * digest: -EXIT_INPUT; a digest not in the repository: -EXIT_NOT_FOUND.
 * out (the index's digest) is set on success.
 */
struct kvlist_item;
int registry_merge(struct registry_client *c, const struct reference *name,
		   const char *const *digests, size_t nr,
		   const struct kvlist_item *annotations, size_t nr_annotations,
		   const struct reference *dsts, size_t nr_dsts, struct push_report *out);

/*
 * Attach the artifact that the OCI layout dir holds alone (an image
 * manifest with a subject: an SBOM, a provenance statement) to the
 * image subject ("sha256:<hex>") of repo's repository (its tag and
 * digest ignored): pushed by digest, then listed among subject's
 * referrers, by the registry itself where it offers the referrers API,
 * else in the index under the fallback tag "sha256-<hex>" (read,
 * extended, written back; the entries it had are kept).  *fallback says
 * which (1: the tag).  registry_referrers.c.
 */
int registry_attach(struct registry_client *c, const struct reference *repo, const char *dir,
		    const char *subject, int *fallback);

#endif
