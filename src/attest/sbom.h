/*
 * sbom.h: an SPDX 2.3 JSON document for an image publish built.
 *
 * publish knows exactly what it put in an image: the files of the
 * layers it wrote (each file's path and content) and the base image
 * they sit on.  That is what the SBOM says, nothing guessed: no package
 * manager database is read (the base is one package, by name and
 * digest; what is inside it is its own SBOM's business).
 *
 * Deterministic: the same image gives the same bytes.  created is the
 * image's own time (its config's "created", the commit time or
 * SOURCE_DATE_EPOCH), the namespace is derived from the image's
 * manifest digest, files are sorted by path, the JSON has sorted keys
 * (image_json_dump()).  Pure: no I/O; the caller reads the layers
 * (build/layer.c's layer_read_files()).
 */
#ifndef SBOM_H
#define SBOM_H

#include "lib/digest.h"
#include "lib/strbuf.h"

struct sbom_file {
	char *path;				/* in the image, no leading '/'; owned */
	char sha256[DIGEST_HEX_LEN + 1];	/* "sha256:<hex>" */
	char sha1[41];				/* 40 hex digits (SPDX 2.3 requires SHA1) */
	size_t seq;				/* order of addition */
};

struct sbom {
	const char *image_digest;	/* the image manifest's, "sha256:<hex>" */
	const char *created;		/* RFC 3339 time, e.g. "2020-09-13T12:26:40Z" (its seconds are kept) */
	const char *base_name;		/* the base image's reference, NULL: FROM scratch */
	const char *base_digest;	/* its manifest digest, may be NULL */
	const char *tool_version;	/* publish's version, for creators */
	struct sbom_file *files;	/* owned array (sbom_add_file()) */
	size_t nr_files, alloc_files;
	void *by_path;			/* owned: path -> its last index in files (a json object), for links */
};

#define SBOM_INIT { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }

/*
 * Record a file; of a path recorded twice the document keeps the last
 * (a later layer overwrites an earlier one).  link non-NULL: a hard link to the file
 * recorded at link, whose digests it takes (-EXIT_CONTEXT when there
 * is none).
 */
int sbom_add_file(struct sbom *s, const char *path, const char *link, const char *sha256, const char *sha1);
void sbom_release(struct sbom *s);

/* The SPDX 2.3 JSON document, appended to out. */
int sbom_spdx_json(struct sbom *s, struct strbuf *out);

#define SBOM_MEDIA_TYPE "application/spdx+json"

#endif
