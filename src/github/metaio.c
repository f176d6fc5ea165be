/*
 * metaio.c: see metaio.h.
 */
#include "lib/common.h"
#include "lib/kvlist.h"
#include "github/metaio.h"
#include "meta/meta.h"
#include "github/ghctx.h"
#include "github/ghoutput.h"
#include "meta/metainput.h"
#include "oci/image.h"
#include "git/githistory.h"
#include <ctype.h>
#include <jansson.h>
#include <strings.h>

const char *const metaio_input_names[] = {
	"images", "tags", "flavor", "labels", "annotations",
	"sep-tags", "sep-labels", "sep-annotations", "context", "github-token", NULL
};

const char *metaio_env_input(const char *name)
{
	struct strbuf var = STRBUF_INIT;
	const char *v;

	strbuf_addstr(&var, "INPUT_");
	for (const char *p = name; *p; p++)
		strbuf_addch(&var, *p == ' ' ? '_' : toupper((unsigned char)*p));
	v = getenv(var.buf);
	strbuf_release(&var);
	return v ? v : "";
}

int metaio_set_inputs(struct meta_inputs *in, const char *const *values,
		      const char *annotation_levels, const char *short_sha_length)
{
	int rc;

	for (size_t i = METAIO_IMAGES; i <= METAIO_SEP_ANNOTATIONS; i++)
		if ((rc = meta_inputs_set(in, metaio_input_names[i], values[i] ? values[i] : "")) < 0)
			return rc;
	free(in->annotation_levels);
	free(in->short_sha_length);
	in->annotation_levels = annotation_levels && *annotation_levels ? xstrdup(annotation_levels) : NULL;
	in->short_sha_length = short_sha_length && *short_sha_length ? xstrdup(short_sha_length) : NULL;
	return 0;
}

int metaio_load_inputs(struct meta_inputs *in, char *const *overrides)
{
	const char *values[METAIO_INPUT_NR];

	for (size_t i = 0; i < METAIO_INPUT_NR; i++)
		values[i] = overrides && overrides[i] ? overrides[i] : metaio_env_input(metaio_input_names[i]);
	return metaio_set_inputs(in, values, getenv("DOCKER_METADATA_ANNOTATIONS_LEVELS"),
				 getenv("DOCKER_METADATA_SHORT_SHA_LENGTH"));
}

int metaio_context_source(const char *text, int code, enum ghctx_source *out)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	metainput_trim(text ? text : "", &sb);
	if (!sb.len || !strcmp(sb.buf, "workflow"))
		*out = GHCTX_WORKFLOW;
	else if (!strcmp(sb.buf, "git"))
		*out = GHCTX_GIT;
	else
		rc = error_as(code, "invalid context input '%s' (workflow or git)", sb.buf);
	strbuf_release(&sb);
	return rc;
}

int metaio_context_options(struct ghctx_options *out, const char *context, const char *token)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = metaio_context_source(context ? context : metaio_env_input("context"),
				   context ? EXIT_USAGE : EXIT_INPUT, &out->source);
	if (!token || !*token)
		token = metaio_env_input("github-token");
	if (!*token)
		token = getenv("GITHUB_TOKEN");
	out->token = token && *token ? token : NULL;
	return rc;
}

static int parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "1") || !strcasecmp(s, "true"))
		*out = 1;
	else if (!strcmp(s, "0") || !strcasecmp(s, "false"))
		*out = 0;
	else
		return -1;
	return 0;
}

void metaio_env_name(const char *output, struct strbuf *out)
{
	strbuf_addstr(out, "DOCKER_METADATA_OUTPUT_");
	for (const char *p = output; *p; p++)
		strbuf_addch(out, isalnum((unsigned char)*p) ? toupper((unsigned char)*p) : '_');
}

int metaio_output_env_enabled(const char *value, int *out)
{
	*out = 1;
	if (value && *value && parse_bool(value, out) < 0)
		return error_as(EXIT_INPUT, "DOCKER_METADATA_SET_OUTPUT_ENV is not a boolean: '%s'", value);
	return 0;
}

int metaio_write_outputs(const struct meta_result *r, const struct meta_inputs *in)
{
	struct strbuf val = STRBUF_INIT, var = STRBUF_INIT;
	int export_env = 1, rc = 0;

	if ((rc = metaio_output_env_enabled(getenv("DOCKER_METADATA_SET_OUTPUT_ENV"), &export_env)) < 0)
		return rc;
	for (const char *const *n = meta_output_names; *n; n++) {
		strbuf_reset(&val);
		meta_output(r, in, *n, &val);
		if (ghoutput_set(*n, val.buf) < 0) {
			rc = -1;
			break;
		}
		if (!export_env)
			continue;
		strbuf_reset(&var);
		metaio_env_name(*n, &var);
		if (ghoutput_export(var.buf, val.buf) < 0) {
			rc = -1;
			break;
		}
	}
	strbuf_release(&val);
	strbuf_release(&var);
	return rc;
}

/* items "key=value" (or "level:key=value" of level, when level is not NULL) as pairs into kv. */
static void kv_split(const struct strlist *items, const char *level, struct kvlist *kv)
{
	size_t llen = level ? strlen(level) : 0;

	kvlist_release(kv);
	for (size_t i = 0; i < items->nr; i++) {
		const char *s = items->items[i], *eq = strchr(s, '=');
		char *key;

		if (level) {
			/* meta's annotations are "level:key=value"; the manifest's are ours */
			const char *colon = strchr(s, ':');

			if (colon && (!eq || colon < eq)) {
				if ((size_t)(colon - s) != llen || strncmp(s, level, llen))
					continue;
				s = colon + 1;
			}
		}
		eq = strchr(s, '=');
		if (!eq)
			continue;
		key = xstrndup(s, eq - s);
		kvlist_push(kv, key, eq + 1);
		free(key);
	}
}

void metaio_labels(const struct meta_result *r, struct kvlist *out)
{
	kv_split(&r->labels, NULL, out);
}

void metaio_annotations(const struct meta_result *r, const char *level, struct kvlist *out)
{
	kv_split(&r->annotations, level, out);
}

int metaio_load_history(struct meta_inputs *in, const struct ghctx *ctx, const char *repo_dir)
{
	meta_history_wanted(in);
	for (size_t i = 0; i < in->history_nr; i++) {
		struct describe_history *d = &in->history[i];
		struct githistory h = GITHISTORY_INIT;
		struct strlist paths = STRLIST_INIT, split = STRLIST_INIT;
		struct githistory_query q = { repo_dir, ctx ? ctx->sha : NULL, d->tag_prefix, &paths, d->want_messages,
					       d->previous };
		struct strbuf sb = STRBUF_INIT;
		int rc, from_api = 0;

		if (*d->paths)
			strlist_split(&split, d->paths, ',');
		for (size_t j = 0; j < split.nr; j++) {
			strbuf_reset(&sb);
			metainput_trim(split.items[j], &sb);
			while (sb.len && sb.buf[sb.len - 1] == '/')
				strbuf_setlen(&sb, sb.len - 1);
			if (sb.len)
				strlist_push(&paths, sb.buf);
		}
		rc = githistory_read(&q, &h);
		if (rc == 0 && h.shallow && !h.tags_at.nr) {
			/* the clone is cut: the API may have the history (ghctx.h) */
			struct githistory api = GITHISTORY_INIT;

			strbuf_reset(&sb);
			if (ghctx_history(ctx, h.head, &q, &api, &sb) == 0) {
				githistory_release(&h);
				h = api;
				from_api = 1;
			} else if (sb.len) {
				note("the GitHub API cannot give the history of this shallow clone: %s", sb.buf);
			}
		}
		strbuf_release(&sb);
		strlist_release(&split);
		strlist_release(&paths);
		if (rc < 0)
			return rc;
		/* plain data into meta's struct: the strings and lists move */
		d->loaded = 1;
		d->empty = h.empty;
		d->shallow = h.shallow;
		d->from_api = from_api;
		d->head = h.head;
		d->short_sha = h.short_sha;
		d->tag = h.tag;
		d->tags_at = h.tags_at;
		d->prefix_tags = h.prefix_tags;
		d->distance = h.distance;
		d->counted = h.counted;
		d->messages = h.messages;
		free(h.tag_commit);	/* the one string meta has no use for */
	}
	return 0;
}

enum metaio_from metaio_versions_from(const struct meta_inputs *in, int from_checkout)
{
	enum metaio_from from = from_checkout ? METAIO_FROM_CHECKOUT : METAIO_FROM_EVENT;

	for (size_t i = 0; i < in->history_nr; i++) {
		const struct describe_history *d = &in->history[i];

		/* meta_derive() skips such a rule (a tag on the commit itself is enough) */
		if (!d->loaded || (d->shallow && !d->from_api && !(d->tag && !d->distance)))
			return METAIO_FROM_CUT;
		if (d->from_api)
			from = METAIO_FROM_API;
		else if (from != METAIO_FROM_API && !d->empty)
			from = METAIO_FROM_HISTORY;
	}
	return from;
}

#define VERSION_KEY "org.opencontainers.image.version="

/* An item "[level:]org.opencontainers.image.version=" with no value gets version. */
static void fill_version(struct strlist *l, const char *version)
{
	for (size_t i = 0; i < l->nr; i++) {
		const char *s = l->items[i], *colon = strchr(s, ':'), *eq = strchr(s, '=');
		size_t klen = strlen(VERSION_KEY);

		if (colon && eq && colon < eq)
			s = colon + 1;
		if (strlen(s) == klen && !strcmp(s, VERSION_KEY)) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "%s%s", l->items[i], version);
			free(l->items[i]);
			l->items[i] = strbuf_detach(&sb, NULL);
		}
	}
}

static json_t *list_json(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->nr; i++)
		json_array_append_new(a, json_string(l->items[i]));	/* steals */
	return a;
}

void metaio_add_tags(struct meta_result *r, const struct strlist *refs)
{
	json_t *root;
	int new_version = !*r->version && refs->nr;

	for (size_t i = 0; i < refs->nr; i++) {
		const char *ref = refs->items[i], *slash = strrchr(ref, '/');
		const char *colon = strrchr(slash ? slash : ref, ':');

		if (!strlist_has(&r->tags, ref))
			strlist_push(&r->tags, ref);
		if (colon && !strlist_has(&r->tag_names, colon + 1))
			strlist_push(&r->tag_names, colon + 1);
		if (new_version && colon && !*r->version) {
			free(r->version);
			r->version = xstrdup(colon + 1);
		}
	}
	if (new_version && *r->version) {
		fill_version(&r->labels, r->version);
		fill_version(&r->annotations, r->version);
	}

	/* meta's json, its keys in their order, with the new lists */
	root = r->json ? json_loads(r->json, 0, NULL) : NULL;
	if (!root)
		return;
	json_object_set_new(root, "tags", list_json(&r->tags));			/* steals */
	json_object_set_new(root, "tag-names", list_json(&r->tag_names));	/* steals */
	if (new_version && *r->version) {
		json_t *labels = json_object_get(root, "labels");		/* borrowed */
		json_t *v = json_object_get(labels, "org.opencontainers.image.version");

		if (json_is_string(v) && !*json_string_value(v))
			json_object_set_new(labels, "org.opencontainers.image.version", json_string(r->version));	/* steals */
		json_object_set_new(root, "annotations", list_json(&r->annotations));	/* steals */
	}
	free(r->json);
	r->json = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
}
