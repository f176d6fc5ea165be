/*
 * build.h: `publish build`, the daemonless image build, as one call.
 *
 * build_run() reads the Dockerfile (dockerfile.c) and .dockerignore
 * (dockerignore.c), gets the base image's manifest and config
 * (build_fetch_base(), the one place a base image comes from; its layers
 * only for a complete oci: output or a docker: one, streamed into the layout),
 * applies the instructions to an image config (image.c), writes one layer
 * per COPY/ADD from the context (context.c, layer.c) and one per WORKDIR
 * naming a directory not made yet,
 * and stores the result as an OCI image layout (ocilayout.c) whose
 * index.json names the tag and the base.  With a docker: output the
 * layout is temporary and a `docker load` archive is written from it.
 *
 * .git stays out: a ".git" (directory, or the file of a worktree or
 * submodule) at any depth of the context is never copied into a layer, as
 * if .dockerignore said so and whatever its '!' exceptions say, because
 * actions/checkout leaves the job's token in .git/config.  A notice says
 * so when a COPY or ADD would have taken it.  include_git_dir copies it,
 * but a .git/config (or config.worktree) that holds a credential (an
 * http.extraheader, a URL with a password or token) is then refused with
 * EXIT_CONTEXT naming the file, before any layer is written.
 *
 * Reproducible: the config's times ("created", history) are
 * SOURCE_DATE_EPOCH, else the commit time of HEAD in the git repository
 * holding the context (libgit2), else 0; the files' mtimes in the layers
 * are SOURCE_DATE_EPOCH, else 0, so a layer's bytes do not change with
 * the commit; a tracked file's mode is git's (worktree.h); file mtimes,
 * atimes, owners, the umask and the order of directory listings of the
 * work tree never matter.
 */
#ifndef BUILD_H
#define BUILD_H

#include <stdint.h>

#include "oci/image.h"
#include "build/layer.h"

struct registry_client;

enum build_output_kind {
	BUILD_OUTPUT_NONE = 0,	/* a temporary layout, removed: only the digest */
	BUILD_OUTPUT_OCI,	/* an OCI image layout directory */
	BUILD_OUTPUT_DOCKER	/* a `docker load` tar archive */
};

struct build_opts {
	const char *dockerfile;	/* path; NULL: CONTEXT/Dockerfile */
	const char *context;	/* directory; NULL: "." */
	const char *const *build_args;	/* "KEY=VALUE" */
	size_t build_args_nr;
	const char *platform;	/* "os/arch[/variant]" or NULL: FROM --platform, else the base's (an index: linux/amd64) */
	enum build_output_kind output_kind;
	const char *output;	/* the directory or the tar file */
	const char *const *tags;	/* names for index.json (ref.name) and RepoTags; none: "latest" */
	size_t tags_nr;
	const struct kvlist_item *labels;	/* meta's, override the Dockerfile's */
	size_t labels_nr;
	const struct kvlist_item *annotations;	/* meta's, on the manifest */
	size_t annotations_nr;
	enum layer_compression compression;
	int docker_media_types;	/* Docker schema 2 instead of OCI */
	const char *base_layout;	/* an OCI layout holding the FROM image (tests, offline), or NULL */
	struct registry_client *registry;	/* for the base image (borrowed); NULL: a client of our own */
	long long epoch;	/* -1: SOURCE_DATE_EPOCH, else the commit time */
	int quiet;	/* no progress on stderr */
	int include_git_dir;	/* copy .git too (still refused when its config holds a credential) */
	/*
	 * A notice for the user (the .git left out): NULL prints "notice: MSG"
	 * on stderr; the action passes one that prints a ::notice:: workflow
	 * command.  include_git_hint says how to opt in ("--include-git-dir copies
	 * it"; the action names its input), NULL for the CLI's.
	 */
	void (*notice)(const char *msg);
	const char *include_git_hint;
	/*
	 * The previous image whose unchanged layers are reused (reuse.h): the
	 * first of these that exists (a new tag's first publish reuses from
	 * the image's other tags); none when reuse_from_nr is 0.
	 */
	const char *const *reuse_from;
	size_t reuse_from_nr;
	/*
	 * An OCI layout whose layers are reused too, after reuse_from's (NULL:
	 * none): an earlier platform's of the same build (multibuild.c), so
	 * that a layer the platforms share is built once.
	 */
	const char *reuse_sibling;
	/*
	 * Called with each layer as soon as its blob is complete in the layout
	 * (not one reused from a registry image: the layout lacks it), in
	 * order, with its descriptor's media type; a negative return stops the
	 * build with that error.  The action uploads it meanwhile
	 * (registry_prepush_add()).  NULL: none.
	 */
	int (*layer_done)(void *ctx, const struct layer *l, const char *media_type);
	void *layer_done_ctx;
	/*
	 * A layer about to be written to path whose blob the registry is
	 * unlikely to have (build.c: layer_streams()): layer_stream() (ctx:
	 * layer_done_ctx) returns a handle whose upload follows the file as
	 * it grows (layer_write_opts.progress gets layer_grow, the handle
	 * its ctx), or NULL (an error, or no streaming: a negative *rc stops
	 * the build); layer_stream_end() closes the handle with the
	 * finished layer, or NULL when the layer failed.  layer_done() is
	 * still called for the layer.  NULL: none.
	 */
	void *(*layer_stream)(void *ctx, const char *path, const char *media_type, int *rc);
	void (*layer_grow)(void *handle, unsigned long long bytes);
	void (*layer_stream_end)(void *handle, const struct layer *l);
	/*
	 * Called once the base is known, with its layers, when they are in
	 * no local layout (a thin output) and no previous image reused from
	 * a registry holds them: the push needs them in the destination, so
	 * the caller may send them meanwhile (ctx: layer_done_ctx; a
	 * negative return stops the build).  NULL: none.
	 */
	int (*base_ready)(void *ctx, const char *base_name, const struct oci_descriptor *layers, size_t nr);
	int thin_layout;	/* oci: output without the base's layers (publish push fetches or mounts them); 0: complete */
};

#define BUILD_OPTS_INIT { .epoch = -1 }

struct build_result {
	char manifest_digest[72];
	char config_digest[72];
	uint64_t manifest_size;
	const char *media_type;	/* static: of the manifest */
	char *layout;	/* the OCI layout holding the image (NULL when removed); owned */
	char *platform;	/* "os/arch[/variant]", owned */
	char *base_name;	/* normalised FROM reference, NULL for scratch; owned */
	char *base_digest;	/* owned, may be NULL */
	long long epoch;	/* the time used */
	struct layer *layers;	/* our layers, in order, with how they were made (path set for an oci: output only); owned */
	size_t layers_nr, layers_alloc;
};

void build_result_init(struct build_result *r);
void build_result_release(struct build_result *r);

/* Build; out (build_result_init()ed) is filled only on success. */
int build_run(const struct build_opts *opts, struct build_result *out);

/*
 * The base image: FROM's reference (with --platform) to its manifest and
 * config, the only place a base image comes from.  scratch gives an empty
 * base; base_layout (may be NULL) is an OCI layout to take it from instead
 * of the registry; client NULL: a client of our own (anonymous or docker
 * config credentials).
 */
int build_fetch_base(struct registry_client *client, const char *image, const char *platform,
		     const char *base_layout, struct image_base *out);

/* The fixed time: SOURCE_DATE_EPOCH, else HEAD's commit time in the repository holding dir, else 0. */
int build_epoch(const char *dir, long long *out);

#endif
