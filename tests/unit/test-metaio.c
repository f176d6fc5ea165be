/*
 * test-metaio.c: the pieces of metaio.c that `publish meta` and
 * `publish action` share: the inputs from their texts, the context
 * input, and meta's labels and annotations handed over as pairs.
 */
#include "lib/common.h"
#include "lib/kvlist.h"
#include "github/metaio.h"
#include "meta/meta.h"
#include "oci/image.h"
#include "tap.h"

static void test_inputs(void)
{
	struct meta_inputs in = META_INPUTS_INIT;
	const char *values[METAIO_INPUT_NR] = { NULL };

	values[METAIO_IMAGES] = "  user/app\n ghcr.io/o/app \n";
	values[METAIO_TAGS] = "type=ref,event=branch\n# a comment\ntype=sha";
	values[METAIO_SEP_TAGS] = " ";
	values[METAIO_SEP_LABELS] = "";
	ok(!metaio_set_inputs(&in, values, "manifest,index", "12"), "inputs set");
	is_int((int)in.images.nr, 2, "two images, trimmed");
	is_str(in.images.nr > 1 ? in.images.items[1] : "", "ghcr.io/o/app", "second image");
	is_int((int)in.tags.nr, 2, "comments left out");
	is_str(in.sep_tags, " ", "a separator is kept as given");
	ok(in.sep_labels == NULL, "an empty separator is the default");
	is_str(in.annotation_levels, "manifest,index", "annotation levels");
	is_str(in.short_sha_length, "12", "short sha length");

	values[METAIO_TAGS] = "type=raw,\"value=unterminated";
	ok(metaio_set_inputs(&in, values, "", NULL) == -EXIT_INPUT, "bad CSV is bad input");
	meta_inputs_release(&in);

	values[METAIO_TAGS] = NULL;
	ok(!metaio_set_inputs(&in, values, "", NULL), "knobs empty");
	ok(!in.annotation_levels && !in.short_sha_length, "empty knobs are unset");
	meta_inputs_release(&in);
}

static void test_context(void)
{
	enum ghctx_source s = GHCTX_GIT;

	ok(!metaio_context_source(NULL, EXIT_INPUT, &s) && s == GHCTX_WORKFLOW, "none: workflow");
	ok(!metaio_context_source(" git\n", EXIT_INPUT, &s) && s == GHCTX_GIT, "git, trimmed");
	ok(!metaio_context_source("workflow", EXIT_INPUT, &s) && s == GHCTX_WORKFLOW, "workflow");
	ok(metaio_context_source("event", EXIT_INPUT, &s) == -EXIT_INPUT, "another is bad input");
	ok(metaio_context_source("event", EXIT_USAGE, &s) == -EXIT_USAGE, "or a usage error for a flag");
}

static void test_kv(void)
{
	struct meta_result r = META_RESULT_INIT;
	struct kvlist kv = KVLIST_INIT;

	strlist_push(&r.labels, "org.opencontainers.image.title=app");
	strlist_push(&r.labels, "x=a=b");
	strlist_push(&r.labels, "no-value");
	strlist_push(&r.annotations, "manifest:org.opencontainers.image.title=app");
	strlist_push(&r.annotations, "index:org.opencontainers.image.version=1.0");
	strlist_push(&r.annotations, "manifest:url=http://x:1/");

	metaio_labels(&r, &kv);
	is_int((int)kv.nr, 2, "labels: an item without '=' is left out");
	is_str(kv.items[1].key, "x", "key up to the first '='");
	is_str(kv.items[1].value, "a=b", "value after it");
	metaio_annotations(&r, "manifest", &kv);
	is_int((int)kv.nr, 2, "manifest annotations only");
	is_str(kv.items[0].key, "org.opencontainers.image.title", "level taken off the key");
	is_str(kv.items[1].value, "http://x:1/", "a ':' in the value is kept");
	metaio_annotations(&r, "index", &kv);
	is_int((int)kv.nr, 1, "index annotations");
	is_str(kv.items[0].value, "1.0", "index value");
	is_str(r.annotations.items[1], "index:org.opencontainers.image.version=1.0", "meta's strings untouched");
	kvlist_release(&kv);
	ok(kv.items == NULL && kv.nr == 0, "released");
	meta_result_release(&r);
}

/* Where the tags came from: the history, the API, a cut history, the event. */
static void test_versions_from(void)
{
	struct meta_inputs in = META_INPUTS_INIT;
	struct describe_history h[2];

	memset(h, 0, sizeof(h));
	ok(metaio_versions_from(&in, 0) == METAIO_FROM_EVENT, "no rule reads the history: the event");
	ok(metaio_versions_from(&in, 1) == METAIO_FROM_CHECKOUT, "context git: the checkout");
	in.history = h;
	in.history_nr = 1;
	h[0].loaded = 1;
	ok(metaio_versions_from(&in, 0) == METAIO_FROM_HISTORY, "a rule answered from git: the history");
	h[0].shallow = 1;
	ok(metaio_versions_from(&in, 0) == METAIO_FROM_CUT, "a shallow clone, no API: cut");
	h[0].tag = "v1.0.0";
	ok(metaio_versions_from(&in, 0) == METAIO_FROM_HISTORY, "a shallow clone of a tagged commit: the history");
	h[0].distance = 2;
	h[0].from_api = 1;
	ok(metaio_versions_from(&in, 0) == METAIO_FROM_API, "answered by the API");
	in.history_nr = 2;
	h[1].loaded = 1;
	ok(metaio_versions_from(&in, 1) == METAIO_FROM_API, "the API and the history: the API is said");
	h[1].shallow = 1;
	ok(metaio_versions_from(&in, 1) == METAIO_FROM_CUT, "one rule cut: cut");
	h[1].loaded = 0;
	ok(metaio_versions_from(&in, 1) == METAIO_FROM_CUT, "a question not answered: cut");
}

int main(void)
{
	error_set_quiet(1);
	test_inputs();
	test_context();
	test_kv();
	test_versions_from();
	return tap_done();
}
