/*
 * multibuild.h: one image for one platform or several, as one call.
 *
 * build_run() builds the Dockerfile for one platform.  An image for
 * several platforms is that build once for each (the base image's index
 * gives each its base) and then one OCI image index over their
 * manifests: this module owns that step, so that every caller (the
 * action's platforms input, `publish build --platform a,b`) builds a
 * multi-platform image the same way and gets the same layout.
 *
 * The layout at opts->output is written like build_run()'s oci:DIR
 * (staged beside DIR, moved in when complete).  With several platforms
 * it holds every platform's blobs and an index whose index.json
 * descriptor is named by the first tag (one descriptor, as push wants
 * it; no tag: "latest", as build_run() names its manifest) and names
 * the base, so that push can mount or copy the base's
 * layers, which are in no layout.  With one platform or none it is
 * build_run()'s output itself (size: the manifest's alone when that is
 * not an oci: layout).
 */
#ifndef MULTIBUILD_H
#define MULTIBUILD_H

#include "lib/digest.h"
#include "lib/strlist.h"
#include "build/build.h"
#include "attest/provenance.h"

struct build_platforms_result {
	char digest[DIGEST_HEX_LEN + 1];	/* the manifest's (one platform) or the index's */
	char *media_type;			/* owned: of that manifest or index */
	long long size;				/* index + manifests + configs + layers, bytes */
	struct strlist configs;			/* the configs' digests: blobs that are not layers */
};

void build_platforms_result_init(struct build_platforms_result *r);
void build_platforms_result_release(struct build_platforms_result *r);

/*
 * Build opts for each of platforms[nr] ("os/arch[/variant]"); nr 0
 * builds opts->platform alone.  More than one needs output_kind
 * BUILD_OUTPUT_OCI (-EXIT_USAGE otherwise), and index_annotations go on
 * the index.  out
 * (build_platforms_result_init()ed) is filled only on success; 0 or a
 * negative exit code, the error printed.
 */
int build_run_platforms(const struct build_opts *opts, const char *const *platforms, size_t nr,
			const struct kvlist_item *index_annotations, size_t index_annotations_nr,
			struct build_platforms_result *out);

/*
 * Attestations of a built image, after its push (issue 12): for each
 * image manifest of the layout at dir (the one, or each one its index
 * lists), an SPDX 2.3 SBOM of the files of the layers publish wrote
 * (read back from the layout's blobs: a layer reused from an earlier
 * build is listed as well as one written now; the base's layers are in
 * no layout and the base is one package) and an in-toto SLSA provenance
 * statement whose subjects are all those manifests, each attached as an
 * artifact whose subject is that manifest, in each repository of repos
 * (registry_attach(); several tags of one repository: once).  opts->prov is filled by the caller but for
 * subjects and image.  Never added to an image index.  0 or a negative
 * exit code, the error printed; one note a document attached.
 */
struct registry_client;
struct reference;
struct build_attest_opts {
	int sbom, provenance;
	struct provenance prov;
	const char *tool_version;
};

int build_attest(struct registry_client *c, const char *dir, const struct reference *repos, size_t nr,
		 const struct build_attest_opts *opts);

/* The SBOM of image manifest digest of the layout at dir, appended to out (build_attest()'s). */
int build_sbom(const char *dir, const char *digest, const char *tool_version, struct strbuf *out);

#endif
