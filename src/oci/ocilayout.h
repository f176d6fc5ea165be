/*
 * ocilayout.h: where a built image goes on disk.
 *
 * An OCI image layout (image-spec "image-layout.md"): DIR/oci-layout,
 * DIR/index.json, DIR/blobs/sha256/<hex>.  Blobs are written under a
 * temporary name and renamed to their digest once complete, so a blob
 * file that exists is whole.
 *
 * A layout `publish build --output oci:DIR` writes is complete: the base
 * image's layers are streamed in from its registry
 * (ocilayout_fetch_blob()) or linked from a local layout, so any OCI tool
 * (umoci, skopeo, scanners) reads it alone.  A thin layout (--thin-layout,
 * the action's private one) leaves them out.  Either way the manifest's
 * descriptor in index.json carries the annotation
 * org.opencontainers.image.base.name (and .base.digest), and the manifest
 * itself has them too: `publish push` fetches, mounts or streams every
 * blob a thin layout lacks from that base repository.
 *
 * A second output, a `docker load` archive (manifest.json, the config and
 * every layer, base ones included), is written from a layout by
 * ocilayout_write_docker_archive(); missing base blobs come from a
 * caller-supplied fetcher (the registry client), streamed into the tar.
 */
#ifndef OCILAYOUT_H
#define OCILAYOUT_H

#include <stdint.h>

#include "lib/strbuf.h"
#include "oci/manifest.h"
#include "oci/mediatype.h"

struct ocilayout {
	char *dir;	/* owned */
};

/* Create (or reuse) the layout at dir: directories, oci-layout file. */
int ocilayout_open(struct ocilayout *l, const char *dir);
void ocilayout_release(struct ocilayout *l);
/* Remove dir and everything in it (a temporary layout); errors ignored. */
void ocilayout_remove(const char *dir);

/*
 * `build --output oci:DIR`: the layout is written in a fresh directory
 * beside DIR (DIR.tmp-XXXXXX) and moved into place only when the build
 * is complete, so DIR never holds a half-written image.  Beginning
 * removes DIR/index.json at once: a build that then fails leaves no
 * image that `publish push oci:DIR` would take for this build's.
 */
struct ocilayout_stage {
	char *dir;	/* owned: DIR, where the layout ends up */
	char *tmp;	/* owned: the directory written first; NULL once committed */
};

/*
 * Check dir (absent, empty, or an OCI layout: anything else is refused,
 * since it is replaced whole), remove its index.json, create s->tmp.
 */
int ocilayout_stage_begin(struct ocilayout_stage *s, const char *dir);
/*
 * Put s->tmp in place of s->dir: an atomic exchange of the two
 * directories (renameat2), then the old one is removed.  Where DIR
 * cannot be renamed (a mount point), the blobs are linked or copied
 * into it and index.json is written last.
 */
int ocilayout_stage_commit(struct ocilayout_stage *s);
/* Remove s->tmp if it was not committed; free the paths. */
void ocilayout_stage_release(struct ocilayout_stage *s);

/*
 * Before a layout is pushed or copied: every digest in index.json, and
 * in the manifests and indexes it names that the layout holds, is a
 * well-formed "sha256:<64 hex>".  Otherwise -EXIT_CONTEXT, naming the
 * layout, the file and the digest.
 */
int ocilayout_check(const char *dir);

/*
 * The one reader of a layout's index.json (build's --base-layout, push,
 * the check before it, adding a manifest): its entries as descriptors,
 * platforms and annotations read, and the document.  An absent
 * index.json is -missing_code (0: an empty index); one that cannot be
 * read or is not an index is -code; each error names the file.
 */
int ocilayout_read_index(const char *dir, int code, int missing_code, struct oci_index *out);

/*
 * Read the blob digest of the layout at dir (a manifest, an index, a
 * config: at most cap bytes) into out, verified against its digest.  A
 * malformed digest or one that does not match is -code, an absent blob
 * -missing_code; each error names the file.
 */
int ocilayout_read_blob(const char *dir, const char *digest, size_t cap, int code, int missing_code,
			struct strbuf *out);

/* DIR/blobs/sha256/<hex> for digest, appended to out. */
void ocilayout_blob_path(const struct ocilayout *l, const char *digest, struct strbuf *out);
/* 1 if the blob is present. */
int ocilayout_has_blob(const struct ocilayout *l, const char *digest);
/* A fresh temporary path in the blob directory, appended to out (the file is created empty). */
int ocilayout_blob_tmp(const struct ocilayout *l, struct strbuf *out);
/* Rename a finished temporary blob file to its digest. */
int ocilayout_blob_commit(const struct ocilayout *l, const char *tmp, const char *digest);
/* Write bytes as a blob named by digest (computed by the caller). */
int ocilayout_put_blob(const struct ocilayout *l, const char *digest, const void *buf, size_t len);
/* Link (or copy) the blob file src_dir/<hex> into the layout. */
int ocilayout_import_blob(const struct ocilayout *l, const char *src_dir, const char *digest);

/*
 * Name a manifest in index.json.  Each ref_name (a tag, or a full
 * reference) gets one descriptor with org.opencontainers.image.ref.name;
 * an existing descriptor with the same name is replaced, others kept.
 * base_name/base_digest (may be NULL) become annotations too.
 * platform "os/arch[/variant]" or NULL.
 */
int ocilayout_add_manifest(const struct ocilayout *l, const char *media_type,
			   const char *digest, uint64_t size, const char *platform,
			   const char *const *ref_names, size_t ref_names_nr,
			   const char *base_name, const char *base_digest);

/*
 * Set the annotation key=value on index.json's descriptors of digest.
 * build (reuse.h) names this way the layers it reused from a registry
 * image without copying them: OCILAYOUT_ANN_REUSED_FROM, the image
 * ("REGISTRY/REPO@sha256:..."), and OCILAYOUT_ANN_REUSED_BLOBS, the
 * digests (space-separated) the layout lacks that push takes from there
 * rather than from the base.
 */
#define OCILAYOUT_ANN_REUSED_FROM "dev.publish-action.reused-from"
#define OCILAYOUT_ANN_REUSED_BLOBS "dev.publish-action.reused-blobs"
int ocilayout_annotate_manifest(const struct ocilayout *l, const char *digest, const char *key, const char *value);

/*
 * Fetch a blob the layout lacks, writing its bytes to fd (the registry
 * client streams it).  Returns 0 or negative.
 */
typedef int (*ocilayout_fetch_fn)(void *ctx, const char *base_name, const char *digest, int fd);

/*
 * Fetch the blob digest into the layout when it lacks it (a temporary
 * file, renamed to its digest once whole; removed on failure).  fetch
 * checks size and digest (registry_get_blob()); NULL fetch is an error
 * naming the blob and base_name.
 */
int ocilayout_fetch_blob(const struct ocilayout *l, const char *digest, const char *base_name,
			 ocilayout_fetch_fn fetch, void *ctx);

/*
 * Write a `docker load` / `podman load` archive of the manifest (by
 * digest) in the layout to path: manifest.json (RepoTags = tags), the
 * config, each layer (compressed, as docker load accepts them).  Blobs
 * missing from the layout are fetched with fetch (NULL: an error naming
 * the blob), each spooled to a temporary file, never held in memory.
 */
int ocilayout_write_docker_archive(const struct ocilayout *l, const char *manifest_digest,
				   const char *const *tags, size_t tags_nr, const char *path,
				   const char *base_name, ocilayout_fetch_fn fetch, void *fetch_ctx);

#endif
