/*
 * metaio.c: see metaio.h.
 */
#include "lib/common.h"
#include "github/metaio.h"
#include "meta/meta.h"
#include "github/ghctx.h"
#include "github/ghoutput.h"
#include "meta/metainput.h"
#include "git/githistory.h"
#include <ctype.h>
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
		strbuf_addch(&var, toupper((unsigned char)*p));
	v = getenv(var.buf);
	strbuf_release(&var);
	return v ? v : "";
}

int metaio_load_inputs(struct meta_inputs *in, char *const *overrides)
{
	const char *v;
	int rc;

	for (size_t i = 0; i < 8; i++) {
		const char *name = metaio_input_names[i];

		v = overrides && overrides[i] ? overrides[i] : metaio_env_input(name);
		if ((rc = meta_inputs_set(in, name, v)) < 0)
			return rc;
	}
	free(in->annotation_levels);
	free(in->short_sha_length);
	in->annotation_levels = in->short_sha_length = NULL;
	if ((v = getenv("DOCKER_METADATA_ANNOTATIONS_LEVELS")) && *v)
		in->annotation_levels = xstrdup(v);
	if ((v = getenv("DOCKER_METADATA_SHORT_SHA_LENGTH")) && *v)
		in->short_sha_length = xstrdup(v);
	return 0;
}

int metaio_context_options(struct ghctx_options *out, const char *context, const char *token)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	metainput_trim(context ? context : metaio_env_input("context"), &sb);
	if (!sb.len || !strcmp(sb.buf, "workflow"))
		out->source = GHCTX_WORKFLOW;
	else if (!strcmp(sb.buf, "git"))
		out->source = GHCTX_GIT;
	else
		rc = error_as(context ? EXIT_USAGE : EXIT_INPUT, "invalid context input '%s' (workflow or git)", sb.buf);
	strbuf_release(&sb);
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

int metaio_write_outputs(const struct meta_result *r, const struct meta_inputs *in)
{
	struct strbuf val = STRBUF_INIT, var = STRBUF_INIT;
	const char *set_env = getenv("DOCKER_METADATA_SET_OUTPUT_ENV");
	int export_env = 1, rc = 0;

	if (set_env && *set_env && parse_bool(set_env, &export_env) < 0)
		return error_as(EXIT_INPUT, "DOCKER_METADATA_SET_OUTPUT_ENV is not a boolean: '%s'", set_env);
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
		strbuf_addstr(&var, "DOCKER_METADATA_OUTPUT_");
		for (const char *p = *n; *p; p++)
			strbuf_addch(&var, isalnum((unsigned char)*p) ? toupper((unsigned char)*p) : '_');
		if (ghoutput_export(var.buf, val.buf) < 0) {
			rc = -1;
			break;
		}
	}
	strbuf_release(&val);
	strbuf_release(&var);
	return rc;
}

int metaio_load_history(struct meta_inputs *in, const struct ghctx *ctx, const char *repo_dir)
{
	meta_history_wanted(in);
	for (size_t i = 0; i < in->history_nr; i++) {
		struct describe_history *d = &in->history[i];
		struct githistory h = GITHISTORY_INIT;
		struct strlist paths = STRLIST_INIT, split = STRLIST_INIT;
		struct githistory_query q = { repo_dir, ctx ? ctx->sha : NULL, d->tag_prefix, &paths, d->want_messages };
		struct strbuf sb = STRBUF_INIT;
		int rc;

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
		strbuf_release(&sb);
		strlist_release(&split);
		strlist_release(&paths);
		if (rc < 0)
			return rc;
		/* plain data into meta's struct: the strings and lists move */
		d->loaded = 1;
		d->empty = h.empty;
		d->shallow = h.shallow;
		d->head = h.head;
		d->short_sha = h.short_sha;
		d->tag = h.tag;
		d->tags_at = h.tags_at;
		d->prefix_tags = h.prefix_tags;
		d->distance = h.distance;
		d->counted = h.counted;
		d->messages = h.messages;
	}
	return 0;
}
