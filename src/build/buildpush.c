/*
 * buildpush.c: see buildpush.h.
 */
#include "lib/common.h"
#include "build/buildpush.h"

/* build_opts.layer_done: the layer goes up while the next is built (ctx: the prepush) */
static int prepush_layer(void *ctx, const struct layer *l, const char *media_type)
{
	return registry_prepush_add(ctx, media_type, l->digest, (long long)l->size, l->path);
}

/* build_opts.layer_stream: the layer's upload follows its file as it is written */
static void *prepush_stream(void *ctx, const char *path, const char *media_type, int *rc)
{
	struct registry_growing *g = NULL;

	*rc = registry_prepush_stream(ctx, media_type, path, &g);
	return *rc < 0 ? NULL : g;
}

static void prepush_grow(void *handle, unsigned long long bytes)
{
	registry_prepush_grow(handle, bytes);
}

static void prepush_stream_end(void *handle, const struct layer *l)
{
	registry_prepush_end(handle, l ? l->digest : NULL, l ? (long long)l->size : 0);
}

/* build_opts.base_ready: the base's layers go up (mounted or streamed) while the build runs */
static int prepush_base(void *ctx, const char *base_name, const struct oci_descriptor *layers, size_t nr)
{
	int rc = 0;

	for (size_t i = 0; i < nr && !rc; i++)
		rc = registry_prepush_add_remote(ctx, layers[i].media_type, layers[i].digest,
						 layers[i].size, base_name);
	return rc;
}

int build_push_build(struct build_push *bp, const struct build_opts *opts,
		     const char *const *platforms, size_t nr,
		     const struct kvlist_item *index_annotations, size_t index_annotations_nr,
		     struct build_platforms_result *out)
{
	struct build_opts o = *opts;
	int ret;

	/* one token a repository for the build's reads, the uploads and the push (registry.h) */
	if (bp->nr_dsts && bp->client)
		registry_client_push_to(bp->client, bp->dsts, bp->nr_dsts);
	if (bp->nr_dsts && !bp->prepush &&
	    registry_prepush_start(bp->reg_opts, bp->client, bp->dsts, bp->nr_dsts, &bp->prepush) < 0)
		bp->prepush = NULL;	/* said why; the push sends every layer */
	if (bp->prepush) {
		o.layer_done = prepush_layer;
		o.layer_stream = prepush_stream;
		o.layer_grow = prepush_grow;
		o.layer_stream_end = prepush_stream_end;
		o.base_ready = prepush_base;
		o.layer_done_ctx = bp->prepush;
	}
	ret = build_run_platforms(&o, platforms, nr, index_annotations, index_annotations_nr, out);
	if (ret < 0 && bp->prepush) {
		/* nothing more goes up: no manifest, no tag */
		registry_prepush_free(bp->prepush);
		bp->prepush = NULL;
	} else if (bp->prepush) {
		ret = registry_prepush_finish(bp->prepush);
	}
	return ret;
}

int build_push_send(const struct build_push *bp, struct registry_client *c, const char *dir,
		    const struct reference *dsts, size_t nr_dsts, const char *built,
		    struct push_report *out)
{
	struct push_report rep = PUSH_REPORT_INIT;
	const struct blob_stat *sent;
	size_t nr_sent;
	int ret;

	sent = registry_prepush_sent(bp->prepush, &nr_sent);
	if ((ret = registry_push_layout_sent(c, dir, dsts, nr_dsts, sent, nr_sent, &rep)) < 0)
		goto out;
	if (built && *built && strcmp(built, rep.digest)) {
		ret = error_as(EXIT_REGISTRY, "the registry has %s for the image built as %s", rep.digest, built);
		goto out;
	}
	*out = rep;
	rep = (struct push_report)PUSH_REPORT_INIT;
out:
	push_report_release(&rep);
	return ret;
}

void build_push_release(struct build_push *bp)
{
	registry_prepush_free(bp->prepush);
	bp->prepush = NULL;
}
