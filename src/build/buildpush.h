/*
 * buildpush.h: build an image and push it in one process, each layer
 * uploaded while the next one is built.
 *
 * `publish build --push` and the action's build and push phases are the
 * same sequence: tell the client the repositories it will push to (one
 * token a repository serves the base, the uploads and the push), start
 * the upload thread (registry_prepush_start()), hand it each layer as
 * the build finishes it (build_opts.layer_done), wait for it when the
 * build ends (or drop it when the build fails: blobs only were sent, no
 * manifest, no tag), then push the layout, sending only what the thread
 * did not (registry_push_layout_sent()), the manifest and the tags, all
 * or none.  This module owns that sequence so that both callers run it
 * the same way.
 *
 * A large layer the registry is unlikely to have (build.c's
 * layer_streams(): a first publish, or changed tracked files) does not
 * wait for its end: its upload follows the file as it is written
 * (registry_prepush_stream(), build_opts.layer_stream).
 *
 * Several platforms overlap the same way: each platform's layers go up
 * as they are written (into its scratch layout: the upload thread holds
 * each blob open), a layer the platforms share once; the push then sends
 * the platforms' manifests and configs, the base's layers and the index.
 */
#ifndef BUILDPUSH_H
#define BUILDPUSH_H

#include "build/build.h"
#include "build/multibuild.h"
#include "registry/registry.h"

struct build_push {
	const struct registry_options *reg_opts;	/* the client's, for the upload thread (borrowed,
							 * its pointers must outlive the build_push) */
	struct registry_client *client;	/* the build's and the push's (borrowed), may be NULL */
	const struct reference *dsts;	/* the tags pushed to (borrowed); nr_dsts 0: no overlap */
	size_t nr_dsts;
	struct registry_prepush *prepush;	/* owned: the uploads during the build, or NULL */
};

#define BUILD_PUSH_INIT { NULL, NULL, NULL, 0, NULL }

/*
 * build_run_platforms() (multibuild.h, same arguments) while the layers
 * go up to bp->dsts (every platform's; opts->layer_done is bp's
 * then).  On failure the uploads are stopped: nothing but blobs was sent.
 * 0 or a negative exit code, the error printed.
 */
int build_push_build(struct build_push *bp, const struct build_opts *opts,
		     const char *const *platforms, size_t nr,
		     const struct kvlist_item *index_annotations, size_t index_annotations_nr,
		     struct build_platforms_result *out);

/*
 * Push the layout at dir to dsts with client c, as registry_push_layout()
 * does but for the blobs bp's uploads sent.  built (may be NULL or ""):
 * the digest the build printed; the registry must end up with it
 * (-EXIT_REGISTRY otherwise).  out as registry_push_layout()'s.
 */
int build_push_send(const struct build_push *bp, struct registry_client *c, const char *dir,
		    const struct reference *dsts, size_t nr_dsts, const char *built,
		    struct push_report *out);

/* Stop the uploads (if any are still going) and free them; bp's borrowed fields stay. */
void build_push_release(struct build_push *bp);

#endif
