/*
 * meta.c: see meta.h.  The steps follow metadata-action's Meta class:
 * images, tag rules and flavor are parsed; every enabled rule (in
 * priority order) may yield a version, the first one becoming the main
 * version and deciding `latest` (with flavor latest=auto); tags are the
 * versions for each image; labels and annotations are the OCI defaults
 * overridden by the user's, sorted by key.
 */
#include "lib/common.h"
#include "meta/meta.h"
#include "github/ghctx.h"
#include "meta/metainput.h"
#include "meta/tagrule.h"
#include "meta/flavor.h"
#include "meta/csvrec.h"
#include "meta/expr.h"
#include "meta/semver.h"
#include "meta/pep440.h"
#include "meta/datefmt.h"
#include "meta/jsstr.h"
#include "meta/jsregex.h"
#include "meta/describe.h"
#include "meta/conventional.h"
#include <ctype.h>
#include <math.h>
#include <jansson.h>

const char *const meta_output_names[] = {
	"version", "tags", "tag-names", "labels", "annotations", "json", NULL
};

/* ---- inputs ---------------------------------------------------------- */

int meta_inputs_set(struct meta_inputs *in, const char *name, const char *text)
{
	struct strlist *list = NULL;
	char **sep = NULL;

	if (!strcmp(name, "images"))
		list = &in->images;
	else if (!strcmp(name, "tags"))
		list = &in->tags;
	else if (!strcmp(name, "flavor"))
		list = &in->flavor;
	else if (!strcmp(name, "labels"))
		list = &in->labels;
	else if (!strcmp(name, "annotations"))
		list = &in->annotations;
	else if (!strcmp(name, "sep-tags"))
		sep = &in->sep_tags;
	else if (!strcmp(name, "sep-labels"))
		sep = &in->sep_labels;
	else if (!strcmp(name, "sep-annotations"))
		sep = &in->sep_annotations;
	else
		return -1;
	if (sep) {
		free(*sep);
		*sep = *text ? xstrdup(text) : NULL;
		return 0;
	}
	{
		struct strbuf err = STRBUF_INIT;
		struct strbuf trimmed = STRBUF_INIT;
		int rc = 0;

		strlist_release(list);
		metainput_trim(text, &trimmed);
		if (metainput_list(trimmed.buf, list, &err) < 0)
			rc = error_as(EXIT_INPUT, "invalid %s input: %s", name, err.buf);
		strbuf_release(&err);
		strbuf_release(&trimmed);
		return rc;
	}
}

void meta_inputs_release(struct meta_inputs *in)
{
	if (!in)
		return;
	strlist_release(&in->images);
	strlist_release(&in->tags);
	strlist_release(&in->flavor);
	strlist_release(&in->labels);
	strlist_release(&in->annotations);
	free(in->sep_tags);
	free(in->sep_labels);
	free(in->sep_annotations);
	free(in->annotation_levels);
	free(in->short_sha_length);
	for (size_t i = 0; i < in->history_nr; i++)
		describe_history_release(&in->history[i]);
	free(in->history);
	in->history = NULL;
	in->history_nr = in->history_alloc = 0;
	in->sep_tags = in->sep_labels = in->sep_annotations = NULL;
	in->annotation_levels = in->short_sha_length = NULL;
}

void meta_result_release(struct meta_result *r)
{
	if (!r)
		return;
	free(r->version);
	free(r->json);
	strlist_release(&r->partial);
	strlist_release(&r->images);
	strlist_release(&r->tags);
	strlist_release(&r->tag_names);
	strlist_release(&r->labels);
	strlist_release(&r->annotations);
	strlist_release(&r->annotation_levels);
	r->version = r->json = NULL;
	r->latest = 0;
}

/* ---- derivation state ------------------------------------------------ */

struct deriver {
	const struct meta_inputs *in;
	const struct ghctx *ctx;
	struct flavor flavor;
	struct tagrule_list rules;
	struct strlist images;
	/* version being built */
	char *main;
	struct strlist partial;
	int latest;		/* -1 undecided */
	/* on error: the input being read and the reason */
	const char *what;
	struct strbuf err;
};

static int fail(struct deriver *d)
{
	return error_as(EXIT_INPUT, "%s: %s", d->what, d->err.buf);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ref with a leading prefix removed (a copy of the rest), or NULL when it does not start so */
static const char *ref_rest(const struct ghctx *ctx, const char *prefix)
{
	return starts_with(ctx->ref, prefix) ? ctx->ref + strlen(prefix) : NULL;
}

static int short_sha(struct deriver *d, const char *sha, struct strbuf *out)
{
	double n = 7;
	size_t len = strlen(sha);

	if (d->in->short_sha_length && *d->in->short_sha_length) {
		if (tagrule_js_number(d->in->short_sha_length, &n) < 0) {
			strbuf_addf(&d->err, "DOCKER_METADATA_SHORT_SHA_LENGTH is not a valid number: %s",
				    d->in->short_sha_length);
			return -1;
		}
	}
	if (n >= (double)len) {
		strbuf_addstr(out, sha);
		return 0;
	}
	if (n > 0)
		strbuf_add(out, sha, (size_t)n);
	return 0;
}

/* ---- handlebars contexts --------------------------------------------- */

static const char *json_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void add_json_scalar(const json_t *v, struct strbuf *out)
{
	if (json_is_string(v))
		strbuf_addstr(out, json_string_value(v));
	else if (json_is_integer(v))
		strbuf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		jsstr_add_number(out, json_real_value(v));
	else if (json_is_true(v))
		strbuf_addstr(out, "true");
	else if (json_is_false(v))
		strbuf_addstr(out, "false");
}

/* {{date ...}} and {{commit_date ...}}: moment(t).tz(tz).format(fmt) */
static int render_date(struct deriver *d, int64_t ms, const struct expr_call *c,
		       struct strbuf *out, struct strbuf *err)
{
	const char *fmt = NULL, *tz = "UTC";
	int rc;

	if (!c->params_nr) {
		strbuf_addf(err, "{{%s}} needs a format, as in {{%s 'YYYYMMDD'}}", c->name, c->name);
		return -1;
	}
	if (c->params_nr > 1) {
		strbuf_addf(err, "{{%s}} takes one format", c->name);
		return -1;
	}
	switch (c->params[0].kind) {
	case EXPR_ARG_STRING:
		fmt = c->params[0].text;
		break;
	case EXPR_ARG_NUMBER:
	case EXPR_ARG_BOOLEAN:
		strbuf_addf(err, "{{%s}} format must be a string, not %s", c->name, c->params[0].text);
		return -1;
	default:
		fmt = NULL;	/* undefined: moment's default format */
	}
	for (size_t i = 0; i < c->hash_nr; i++) {
		if (strcmp(c->hash[i].key, "tz")) {
			strbuf_addf(err, "unknown %s attribute in {{%s}}", c->hash[i].key, c->name);
			return -1;
		}
		if (c->hash[i].kind != EXPR_ARG_STRING) {
			strbuf_addf(err, "tz of {{%s}} must be a string", c->name);
			return -1;
		}
		tz = c->hash[i].text;
	}
	error_set_quiet(1);
	rc = datefmt_format(ms, fmt, tz, out);
	error_set_quiet(0);
	if (rc < 0) {
		strbuf_addstr(err, error_last());
		return -1;
	}
	return 0;
}

static int is_default_branch(const struct ghctx *ctx)
{
	const char *branch = ref_rest(ctx, "refs/heads/");
	const json_t *repo;
	const char *def;

	if (!branch)
		branch = ctx->ref;
	if (!*branch)
		return 0;
	repo = json_object_get(ctx->payload, "repository");
	def = json_str(repo, "default_branch");
	if (def && !strcmp(def, branch))
		return 1;
	return strstr(ctx->event_name, "create") || strstr(ctx->event_name, "discussion") ||
	       strstr(ctx->event_name, "issues") || strstr(ctx->event_name, "schedule");
}

/* The global expressions of setGlobalExp(). */
static int global_resolve(void *data, const struct expr_call *c, struct strbuf *out, struct strbuf *err)
{
	struct deriver *d = data;
	const struct ghctx *ctx = d->ctx;
	const char *rest;

	if (c->nparts != 1)
		return 1;
	if (!strcmp(c->name, "branch")) {
		if ((rest = ref_rest(ctx, "refs/heads/")))
			strbuf_addstr(out, rest);
	} else if (!strcmp(c->name, "tag")) {
		if ((rest = ref_rest(ctx, "refs/tags/")))
			strbuf_addstr(out, rest);
	} else if (!strcmp(c->name, "sha")) {
		if (short_sha(d, ctx->sha, out) < 0) {
			strbuf_addbuf(err, &d->err);
			strbuf_reset(&d->err);
			return -1;
		}
	} else if (!strcmp(c->name, "base_ref")) {
		const json_t *v;

		if (ref_rest(ctx, "refs/tags/") && (v = json_object_get(ctx->payload, "base_ref")) && !json_is_null(v)) {
			const char *s = json_is_string(v) ? json_string_value(v) : "";
			strbuf_addstr(out, starts_with(s, "refs/heads/") ? s + 11 : s);
		} else if (ref_rest(ctx, "refs/pull/") &&
			   (v = json_object_get(json_object_get(json_object_get(ctx->payload, "pull_request"), "base"), "ref")) &&
			   !json_is_null(v)) {
			add_json_scalar(v, out);
		}
	} else if (!strcmp(c->name, "is_default_branch")) {
		strbuf_addstr(out, is_default_branch(ctx) ? "true" : "false");
	} else if (!strcmp(c->name, "is_not_default_branch")) {
		strbuf_addstr(out, is_default_branch(ctx) ? "false" : "true");
	} else if (!strcmp(c->name, "date")) {
		return render_date(d, ctx->now_ms, c, out, err);
	} else if (!strcmp(c->name, "commit_date")) {
		return render_date(d, ctx->commit_date_ms, c, out, err);
	} else {
		return 1;
	}
	return 0;
}

/* The schedule pattern's context: only date and commit_date. */
static int schedule_resolve(void *data, const struct expr_call *c, struct strbuf *out, struct strbuf *err)
{
	struct deriver *d = data;

	if (c->nparts == 1 && !strcmp(c->name, "date"))
		return render_date(d, d->ctx->now_ms, c, out, err);
	if (c->nparts == 1 && !strcmp(c->name, "commit_date"))
		return render_date(d, d->ctx->commit_date_ms, c, out, err);
	return 1;
}

static int semver_resolve(void *data, const struct expr_call *c, struct strbuf *out, struct strbuf *err)
{
	const struct semver *v = data;

	if (semver_field(v, c->name, out) < 0)
		return 1;
	if (c->params_nr || c->hash_nr) {
		strbuf_addf(err, "{{%s}} is not a helper and takes no arguments", c->name);
		return -1;
	}
	return 0;
}

static int pep440_resolve(void *data, const struct expr_call *c, struct strbuf *out, struct strbuf *err)
{
	const struct pep440 *v = data;

	if (c->nparts != 1 || pep440_field(v, c->name, out) < 0)
		return 1;
	return 0;
}

/* setGlobalExp(text) into out; on error d->err holds the reason. */
static int global_exp(struct deriver *d, const char *text, struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	int rc = expr_render(text, global_resolve, d, out, &err);

	if (rc < 0)
		strbuf_addf(&d->err, "invalid expression '%s': %s", text, err.buf);
	strbuf_release(&err);
	return rc;
}

static int render_with(struct deriver *d, const char *tmpl, expr_resolve_fn fn, void *data, struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	int rc = expr_render(tmpl, fn, data, out, &err);

	if (rc < 0)
		strbuf_addf(&d->err, "invalid pattern '%s': %s", tmpl, err.buf);
	strbuf_release(&err);
	return rc;
}

/* ---- JavaScript regular expressions ---------------------------------- */

/*
 * vraw.match(new RegExp(src, flags)): *matched 0 for null; else groups
 * holds the array (for a 'g' flag every match, else the match and its
 * groups, NULL items for groups that did not take part).
 */
struct jsmatch {
	char **items;
	size_t nr;
};

static void jsmatch_release(struct jsmatch *m)
{
	for (size_t i = 0; i < m->nr; i++)
		free(m->items[i]);
	free(m->items);
	m->items = NULL;
	m->nr = 0;
}

static int js_match(const char *src, const char *flags, const char *subject,
		    struct jsmatch *out, int *matched, struct strbuf *err)
{
	struct jsregex re;
	struct jsregex_match m = { 0, 0, NULL, 0 };
	int rc;

	error_set_quiet(1);
	rc = jsregex_compile(&re, src, flags);
	if (!rc) {
		rc = jsregex_match(&re, subject, &m);
		jsregex_release(&re);
	}
	error_set_quiet(0);
	if (rc < 0) {
		strbuf_addstr(err, error_last());
		return -1;
	}
	*matched = m.matched;
	out->items = m.values;
	out->nr = m.nr;
	m.values = NULL;
	m.nr = 0;
	jsregex_match_release(&m);
	return 0;
}

/* ---- versions -------------------------------------------------------- */

static void sanitize_tag(const char *s, struct strbuf *out)
{
	int in_bad = 0;

	for (; *s; s++) {
		int good = isalnum((unsigned char)*s) || *s == '.' || *s == '_' || *s == '-';

		if (good) {
			strbuf_addch(out, *s);
			in_bad = 0;
		} else if (!in_bad) {
			strbuf_addch(out, '-');
			in_bad = 1;
		}
	}
}

static void set_version(struct deriver *d, const char *val, int latest)
{
	struct strbuf s = STRBUF_INIT;

	if (!*val)
		return;
	sanitize_tag(val, &s);
	if (!d->main)
		d->main = strbuf_detach(&s, NULL);
	else if (strcmp(s.buf, d->main))
		strlist_push(&d->partial, s.buf);
	if (d->latest < 0)
		d->latest = latest;
	strbuf_release(&s);
}

static int latest_for(struct deriver *d, int automatic)
{
	if (!strcmp(d->flavor.latest, "auto"))
		return automatic;
	return !strcmp(d->flavor.latest, "true");
}

/* setValue(): prefix and suffix, the rule's own or the flavor's. */
static int set_value(struct deriver *d, const struct tagrule *r, const char *val, struct strbuf *out)
{
	const char *p = tagrule_get(r, "prefix"), *s = tagrule_get(r, "suffix");

	if (p) {
		if (global_exp(d, p, out) < 0)
			return -1;
	} else if (*d->flavor.prefix && global_exp(d, d->flavor.prefix, out) < 0) {
		return -1;
	}
	strbuf_addstr(out, val);
	if (s) {
		if (global_exp(d, s, out) < 0)
			return -1;
	} else if (*d->flavor.suffix && global_exp(d, d->flavor.suffix, out) < 0) {
		return -1;
	}
	return 0;
}

/* value= rendered, or the tag name; then match= applied (semver, pep440). */
static int version_source(struct deriver *d, const struct tagrule *r, struct strbuf *vraw, int *skip)
{
	const char *value = tagrule_get(r, "value");
	const char *match = tagrule_get(r, "match");
	const char *tag = ref_rest(d->ctx, "refs/tags/");

	*skip = 0;
	if (tag && r->type == TAGRULE_SEMVER && tagrule_get(r, "tag-prefix") && !*value) {
		const char *tp = tagrule_get(r, "tag-prefix");

		tag = starts_with(tag, tp) ? tag + strlen(tp) : NULL;
	}
	if (!tag && !*value) {
		*skip = 1;
		return 0;
	}
	if (*value) {
		if (global_exp(d, value, vraw) < 0)
			return -1;
	} else {
		strbuf_addstr(vraw, tag);
	}
	if (match && *match) {
		struct jsmatch m = { NULL, 0 };
		int matched;

		if (js_match(match, "", vraw->buf, &m, &matched, &d->err) < 0)
			return -1;
		if (!matched) {
			warning("%s does not match %s", match, vraw->buf);
		} else if (m.nr < 2 || !m.items[1]) {
			strbuf_addf(&d->err, "match '%s' has no group 1 matching '%s'", match, vraw->buf);
			jsmatch_release(&m);
			return -1;
		} else {
			strbuf_reset(vraw);
			strbuf_addstr(vraw, m.items[1]);
		}
		jsmatch_release(&m);
	}
	for (size_t i = 0; i < vraw->len; i++)
		if (vraw->buf[i] == '/')
			vraw->buf[i] = '-';
	return 0;
}

/*
 * The tag of a semver rule (type=semver, type=conventional), as
 * metadata-action's procSemver makes it: a pre-release renders
 * {{version}} unless the pattern is a raw statement, a release renders
 * the pattern and may be latest; then prefix/suffix and the version.
 */
static int semver_tag(struct deriver *d, const struct tagrule *r, const struct semver *v,
		      expr_resolve_fn fn, void *data)
{
	const char *pattern = tagrule_get(r, "pattern");
	struct strbuf out = STRBUF_INIT, val = STRBUF_INIT;
	int pre = semver_is_prerelease(v), rc = -1;

	if (render_with(d, pre && !expr_is_raw_statement(pattern) ? "{{version}}" : pattern, fn, data, &out) < 0)
		goto out;
	if (set_value(d, r, out.buf, &val) < 0)
		goto out;
	set_version(d, val.buf, latest_for(d, !pre));
	rc = 0;
out:
	strbuf_release(&out);
	strbuf_release(&val);
	return rc;
}

static const struct describe_history *rule_history(struct deriver *d, const struct tagrule *r, int *fatal);

/*
 * paths= on type=semver: the rule applies only when a commit since the
 * release before this one (the nearest version tag with the tag-prefix
 * behind the commit's own tags) changes one of the paths.  *skip 1 when
 * it does not apply (or the history cannot say: a warning).
 */
static int semver_paths_changed(struct deriver *d, const struct tagrule *r, int *skip)
{
	const char *paths = tagrule_get(r, "paths");
	const struct describe_history *h;
	int fatal;

	*skip = 0;
	if (!paths || !*paths)
		return 0;
	if (!(h = rule_history(d, r, &fatal))) {
		*skip = 1;
		return fatal ? -1 : 0;
	}
	if (!h->counted) {
		note("%s: no commit since %s changes %s, the rule is skipped", r->source,
		     h->tag ? h->tag : "the first commit", paths);
		*skip = 1;
	}
	return 0;
}

static int proc_semver(struct deriver *d, const struct tagrule *r)
{
	struct strbuf vraw = STRBUF_INIT;
	struct semver v;
	int skip, rc = -1, parsed = 0;

	if (version_source(d, r, &vraw, &skip) < 0)
		goto out;
	if (skip) {
		rc = 0;
		goto out;
	}
	if (semver_parse(&v, vraw.buf) < 0) {
		warning("%s is not a valid semver. More info: https://semver.org/", vraw.buf);
		rc = 0;
		goto out;
	}
	parsed = 1;
	if ((rc = semver_paths_changed(d, r, &skip)) < 0 || skip)
		goto out;
	rc = semver_tag(d, r, &v, semver_resolve, &v);
out:
	if (parsed)
		semver_release(&v);
	strbuf_release(&vraw);
	return rc;
}

static int proc_pep440(struct deriver *d, const struct tagrule *r)
{
	struct strbuf vraw = STRBUF_INIT, out = STRBUF_INIT, val = STRBUF_INIT;
	struct pep440 v;
	const char *pattern = tagrule_get(r, "pattern");
	int skip, latest = 0, rc = -1, parsed = 0;

	if (version_source(d, r, &vraw, &skip) < 0)
		goto out;
	if (skip) {
		rc = 0;
		goto out;
	}
	if (pep440_parse(&v, vraw.buf) < 0) {
		warning("%s does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440",
			vraw.buf);
		rc = 0;
		goto out;
	}
	parsed = 1;
	if (v.is_prerelease || v.is_postrelease || v.is_devrelease) {
		strbuf_addstr(&out, expr_is_raw_statement(pattern) ? vraw.buf : v.clean);
	} else {
		if (render_with(d, pattern, pep440_resolve, &v, &out) < 0)
			goto out;
		latest = 1;
	}
	if (set_value(d, r, out.buf, &val) < 0)
		goto out;
	set_version(d, val.buf, latest_for(d, latest));
	rc = 0;
out:
	if (parsed)
		pep440_release(&v);
	strbuf_release(&vraw);
	strbuf_release(&out);
	strbuf_release(&val);
	return rc;
}

/* "0", "1", ... without leading zeros: a JS array index written canonically */
static int canonical_index(const char *s, size_t *out)
{
	size_t n = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || n > 100000000)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*out = n;
	return 0;
}

static int proc_match(struct deriver *d, const struct tagrule *r)
{
	struct strbuf vraw = STRBUF_INIT, src = STRBUF_INIT, flags = STRBUF_INIT, val = STRBUF_INIT;
	struct jsmatch m = { NULL, 0 };
	const char *pattern = tagrule_get(r, "pattern");
	const char *value = tagrule_get(r, "value");
	const char *group = tagrule_get(r, "group");
	const char *tag = ref_rest(d->ctx, "refs/tags/");
	size_t g;
	int matched, rc = -1;

	if (!tag && !*value)
		return 0;
	if (*value) {
		if (global_exp(d, value, &vraw) < 0)
			goto out;
	} else {
		strbuf_addstr(&vraw, tag);
	}
	if (!jsregex_split_literal(pattern, &src, &flags))
		strbuf_addstr(&src, pattern);
	if (js_match(src.buf, flags.buf, vraw.buf, &m, &matched, &d->err) < 0)
		goto out;
	rc = 0;
	if (!matched) {
		warning("%s does not match %s.", pattern, vraw.buf);
		goto out;
	}
	if (canonical_index(group, &g) < 0 || g >= m.nr || !m.items[g]) {
		warning("Group %s does not exist for %s pattern.", group, pattern);
		goto out;
	}
	rc = -1;
	if (set_value(d, r, m.items[g], &val) < 0)
		goto out;
	set_version(d, val.buf, latest_for(d, 1));
	rc = 0;
out:
	jsmatch_release(&m);
	strbuf_release(&vraw);
	strbuf_release(&src);
	strbuf_release(&flags);
	strbuf_release(&val);
	return rc;
}

static int proc_simple(struct deriver *d, const struct tagrule *r, const char *v, int latest)
{
	struct strbuf val = STRBUF_INIT;
	int rc = set_value(d, r, v, &val);

	if (!rc)
		set_version(d, val.buf, latest_for(d, latest));
	strbuf_release(&val);
	return rc;
}

/* ---- versions from the git history ---------------------------------- */

static const struct describe_history *find_history(const struct meta_inputs *in, const char *prefix,
						   const char *paths, int previous)
{
	for (size_t i = 0; i < in->history_nr; i++)
		if (!strcmp(in->history[i].tag_prefix, prefix) && !strcmp(in->history[i].paths, paths) &&
		    in->history[i].previous == previous)
			return &in->history[i];
	return NULL;
}

void meta_history_wanted(struct meta_inputs *in)
{
	struct tagrule_list rules = TAGRULE_LIST_INIT;
	struct strbuf err = STRBUF_INIT;

	if (tagrule_list_parse(&rules, &in->tags, &err) < 0)
		goto out;
	for (size_t i = 0; i < rules.nr; i++) {
		const struct tagrule *r = &rules.rules[i];
		const char *prefix = tagrule_get(r, "tag-prefix"), *paths = tagrule_get(r, "paths");
		struct describe_history *h;
		int previous = r->type == TAGRULE_SEMVER;

		if (r->type != TAGRULE_DESCRIBE && r->type != TAGRULE_CONVENTIONAL &&
		    !(previous && paths && *paths))
			continue;
		prefix = prefix ? prefix : "";
		paths = paths ? paths : "";
		if (!(h = (struct describe_history *)find_history(in, prefix, paths, previous))) {
			ALLOC_GROW(in->history, in->history_nr + 1, in->history_alloc);
			h = &in->history[in->history_nr++];
			memset(h, 0, sizeof(*h));
			h->tag_prefix = xstrdup(prefix);
			h->paths = xstrdup(paths);
			h->previous = previous;
		}
		if (r->type == TAGRULE_CONVENTIONAL)
			h->want_messages = 1;
	}
out:
	tagrule_list_release(&rules);
	strbuf_release(&err);
}

/* The history a rule asks for; NULL (and a warning) when there is none to use. */
static const struct describe_history *rule_history(struct deriver *d, const struct tagrule *r, int *fatal)
{
	const char *prefix = tagrule_get(r, "tag-prefix"), *paths = tagrule_get(r, "paths");
	const struct describe_history *h = find_history(d->in, prefix ? prefix : "", paths ? paths : "",
							r->type == TAGRULE_SEMVER);

	*fatal = 0;
	if (!h || !h->loaded) {
		warning("%s: no git history was read, the rule is skipped", r->source);
		return NULL;
	}
	if (h->empty) {
		warning("%s: the git repository has no commit yet, the rule is skipped", r->source);
		return NULL;
	}
	if (h->shallow && !(h->tag && !h->distance)) {
		warning("%s needs the whole history, and this is a shallow clone: the rule is skipped "
			"(give actions/checkout 'fetch-depth: 0')", r->source);
		return NULL;
	}
	if (*h->tag_prefix && !h->prefix_tags) {
		strbuf_addf(&d->err, "tag-prefix '%s' matches no tag of the repository", h->tag_prefix);
		*fatal = 1;
		return NULL;
	}
	return h;
}

struct history_fields {
	const struct semver *v;		/* major, minor... */
	const char *raw, *version;
	size_t distance;
	const char *short_sha;
};

static int history_resolve(void *data, const struct expr_call *c, struct strbuf *out, struct strbuf *err)
{
	const struct history_fields *f = data;

	if (c->nparts != 1)
		return 1;
	if (!strcmp(c->name, "raw"))
		strbuf_addstr(out, f->raw);
	else if (!strcmp(c->name, "version"))
		strbuf_addstr(out, f->version);
	else if (!strcmp(c->name, "distance"))
		strbuf_addf(out, "%zu", f->distance);
	else if (!strcmp(c->name, "short_sha"))
		strbuf_addstr(out, f->short_sha ? f->short_sha : "");
	else if (semver_field(f->v, c->name, out) < 0)
		return 1;
	if (c->params_nr || c->hash_nr) {
		strbuf_addf(err, "{{%s}} is not a helper and takes no arguments", c->name);
		return -1;
	}
	return 0;
}

/*
 * The history of rule r resolved as describe finds it, into *v (the
 * caller releases it); NULL with *rc 0 when the rule is skipped (no
 * history to read, or none to resolve: a warning says why), NULL with
 * *rc -1 on a fatal error; *rc is left alone when h is returned.
 */
static const struct describe_history *rule_described(struct deriver *d, const struct tagrule *r,
						     struct describe_version *v, int *rc)
{
	const struct describe_history *h;
	struct strbuf why = STRBUF_INIT;
	int fatal;

	if (!(h = rule_history(d, r, &fatal))) {
		*rc = fatal ? -1 : 0;
		return NULL;
	}
	if (describe_resolve(h, v, &why) < 0) {
		warning("%s: %s, the rule is skipped", r->source, why.buf);
		*rc = 0;
		h = NULL;
	}
	strbuf_release(&why);
	return h;
}

static int proc_describe(struct deriver *d, const struct tagrule *r)
{
	const struct describe_history *h;
	struct describe_version v;
	struct history_fields f;
	struct strbuf out = STRBUF_INIT, val = STRBUF_INIT;
	int rc = -1, latest;

	if (!(h = rule_described(d, r, &v, &rc)))
		return rc;
	f.v = &v.base;
	f.raw = v.raw;
	f.version = v.version;
	f.distance = v.distance;
	f.short_sha = h->short_sha;
	latest = v.have_tag && !v.distance && !semver_is_prerelease(&v.base);
	if (render_with(d, tagrule_get(r, "pattern"), history_resolve, &f, &out) < 0)
		goto out;
	if (set_value(d, r, out.buf, &val) < 0)
		goto out;
	set_version(d, val.buf, latest_for(d, latest));
	rc = 0;
out:
	describe_version_release(&v);
	strbuf_release(&out);
	strbuf_release(&val);
	return rc;
}

static int proc_conventional(struct deriver *d, const struct tagrule *r)
{
	const struct describe_history *h;
	struct describe_version v;
	struct history_fields f;
	struct semver next;
	struct strbuf ver = STRBUF_INIT;
	int rc = -1, parsed = 0;

	if (!(h = rule_described(d, r, &v, &rc)))
		return rc;
	conventional_version(&v.base, &h->messages, v.have_tag ? v.distance : v.distance ? v.distance : 1,
			     tagrule_get(r, "pre"), &ver);
	if (semver_parse(&next, ver.buf) < 0) {
		strbuf_addf(&d->err, "the next version '%s' is not a valid semver (check the pre attribute)", ver.buf);
		goto out;
	}
	parsed = 1;
	f.v = &next;
	f.raw = next.version;
	f.version = next.version;
	f.distance = v.distance;
	f.short_sha = h->short_sha;
	rc = semver_tag(d, r, &next, history_resolve, &f);
out:
	if (parsed)
		semver_release(&next);
	describe_version_release(&v);
	strbuf_release(&ver);
	return rc;
}

static int proc_rule(struct deriver *d, const struct tagrule *r)
{
	const struct ghctx *ctx = d->ctx;
	const char *rest;

	switch (r->type) {
	case TAGRULE_SCHEDULE: {
		struct strbuf out = STRBUF_INIT;
		int rc;

		if (!strstr(ctx->event_name, "schedule"))
			return 0;
		rc = render_with(d, tagrule_get(r, "pattern"), schedule_resolve, d, &out);
		if (!rc)
			rc = proc_simple(d, r, out.buf, 0);
		strbuf_release(&out);
		return rc;
	}
	case TAGRULE_SEMVER:
		return proc_semver(d, r);
	case TAGRULE_DESCRIBE:
		return proc_describe(d, r);
	case TAGRULE_CONVENTIONAL:
		return proc_conventional(d, r);
	case TAGRULE_PEP440:
		return proc_pep440(d, r);
	case TAGRULE_MATCH:
		return proc_match(d, r);
	case TAGRULE_REF: {
		const char *event = tagrule_get(r, "event");

		if (!strcmp(event, "branch")) {
			if (!(rest = ref_rest(ctx, "refs/heads/")))
				return 0;
			return proc_simple(d, r, rest, 0);
		}
		if (!strcmp(event, "tag")) {
			if (!(rest = ref_rest(ctx, "refs/tags/")))
				return 0;
			return proc_simple(d, r, rest, 1);
		}
		if (!(rest = ref_rest(ctx, "refs/pull/")))
			return 0;
		{
			struct strbuf pr = STRBUF_INIT;
			int rc;

			strbuf_addstr(&pr, rest);
			if (pr.len >= 6 && !strcmp(pr.buf + pr.len - 6, "/merge"))
				strbuf_setlen(&pr, pr.len - 6);
			rc = proc_simple(d, r, pr.buf, 0);
			strbuf_release(&pr);
			return rc;
		}
	}
	case TAGRULE_EDGE: {
		const char *branch = tagrule_get(r, "branch");

		if (!(rest = ref_rest(ctx, "refs/heads/")))
			return 0;
		if (!*branch)
			branch = ctx->repo.default_branch;
		if (!branch || strcmp(branch, rest))
			return 0;
		return proc_simple(d, r, "edge", 0);
	}
	case TAGRULE_RAW: {
		struct strbuf v = STRBUF_INIT;
		int rc = global_exp(d, tagrule_get(r, "value"), &v);

		if (!rc)
			rc = proc_simple(d, r, v.buf, 0);
		strbuf_release(&v);
		return rc;
	}
	case TAGRULE_SHA: {
		struct strbuf v = STRBUF_INIT;
		int rc = 0;

		if (!*ctx->sha)
			return 0;
		if (!strcmp(tagrule_get(r, "format"), "short"))
			rc = short_sha(d, ctx->sha, &v);
		else
			strbuf_addstr(&v, ctx->sha);
		if (!rc)
			rc = proc_simple(d, r, v.buf, 0);
		strbuf_release(&v);
		return rc;
	}
	}
	return 0;
}

/* ---- images ---------------------------------------------------------- */

static int parse_images(struct deriver *d)
{
	const struct strlist *in = &d->in->images;
	struct strlist fields = STRLIST_INIT, parts = STRLIST_INIT;
	struct strbuf key = STRBUF_INIT, val = STRBUF_INIT, name = STRBUF_INIT;
	int rc = -1;

	d->what = "images";
	if (in->nr == 1) {
		int newformat = 0;

		if (csvrec_split(in->items[0], 0, &fields, &d->err) < 0) {
			strbuf_addf(&d->err, " in '%s'", in->items[0]);
			goto out;
		}
		for (size_t i = 0; i < fields.nr; i++) {
			if (strchr(fields.items[i], '=')) {
				newformat = 1;
				break;
			}
		}
		if (!newformat) {
			for (size_t i = 0; i < fields.nr; i++) {
				strbuf_reset(&name);
				metainput_trim(fields.items[i], &name);
				strbuf_tolower(&name);
				strlist_push(&d->images, name.buf);
			}
			rc = 0;
			goto out;
		}
	}
	for (size_t i = 0; i < in->nr; i++) {
		int enable = 1;

		strlist_release(&fields);
		strbuf_reset(&name);
		if (csvrec_split(in->items[i], 0, &fields, &d->err) < 0) {
			strbuf_addf(&d->err, " in '%s'", in->items[i]);
			goto out;
		}
		for (size_t f = 0; f < fields.nr; f++) {
			strlist_release(&parts);
			strlist_split(&parts, fields.items[f], '=');
			strbuf_reset(&key);
			strbuf_reset(&val);
			metainput_trim(parts.items[0], &key);
			if (parts.nr == 1) {
				strbuf_reset(&name);
				strbuf_addbuf(&name, &key);
				continue;
			}
			metainput_trim(parts.items[1], &val);
			strbuf_tolower(&key);
			if (!strcmp(key.buf, "name")) {
				strbuf_reset(&name);
				strbuf_addbuf(&name, &val);
			} else if (!strcmp(key.buf, "enable")) {
				if (strcmp(val.buf, "true") && strcmp(val.buf, "false")) {
					strbuf_addf(&d->err, "invalid enable attribute value in '%s'", in->items[i]);
					goto out;
				}
				enable = !strcmp(val.buf, "true");
			} else {
				strbuf_addf(&d->err, "unknown image attribute '%s' in '%s'", key.buf, in->items[i]);
				goto out;
			}
		}
		if (!name.len) {
			strbuf_addf(&d->err, "image name attribute empty in '%s'", in->items[i]);
			goto out;
		}
		if (enable) {
			strbuf_tolower(&name);
			strlist_push(&d->images, name.buf);
		}
	}
	rc = 0;
out:
	strlist_release(&fields);
	strlist_release(&parts);
	strbuf_release(&key);
	strbuf_release(&val);
	strbuf_release(&name);
	return rc;
}

/* ---- labels and annotations ------------------------------------------ */

/* ICU root collation, primary weights for ASCII (non-ignorable punctuation). */
static int primary_weight(unsigned char c)
{
	static const char order[] = "\t\n\v\f\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";
	const char *p;

	if (c >= 'A' && c <= 'Z')
		c = c - 'A' + 'a';
	if (c && (p = strchr(order, c)))
		return 1 + (int)(p - order);
	return 1000 + c;
}

int meta_key_compare(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	size_t i;

	for (i = 0; x[i] && y[i]; i++) {
		int wx = primary_weight(x[i]), wy = primary_weight(y[i]);
		if (wx != wy)
			return wx < wy ? -1 : 1;
	}
	if (x[i] || y[i])
		return x[i] ? 1 : -1;
	for (i = 0; x[i]; i++) {
		int lx = isupper(x[i]), ly = isupper(y[i]);
		if (lx != ly)
			return lx ? 1 : -1;
	}
	return strcmp(a, b);
}

struct kv {
	char *key, *value;
};

static int kv_cmp(const void *a, const void *b)
{
	return meta_key_compare(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static int oci_with_customs(struct deriver *d, const struct strlist *extra, struct strlist *out)
{
	const struct ghctx *ctx = d->ctx;
	const struct ghrepo *repo = &ctx->repo;
	struct strlist all = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct kv *kvs = NULL;
	size_t nr = 0, alloc = 0;
	int rc = -1;

#define BASE(k, v) do { strbuf_reset(&sb); strbuf_addf(&sb, "org.opencontainers.image." k "=%s", (v) ? (v) : ""); \
		strlist_push(&all, sb.buf); } while (0)
	BASE("title", repo->name);
	BASE("description", repo->description);
	BASE("url", repo->html_url);
	BASE("source", repo->html_url);
	BASE("version", d->main);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "org.opencontainers.image.created=");
	ghctx_format_iso(ctx->commit_date_ms, &sb);
	strlist_push(&all, sb.buf);
	BASE("revision", ctx->sha);
	BASE("licenses", repo->license);
#undef BASE
	for (size_t i = 0; i < extra->nr; i++) {
		strbuf_reset(&sb);
		if (global_exp(d, extra->items[i], &sb) < 0)
			goto out;
		strlist_push(&all, sb.buf);
	}
	for (size_t i = 0; i < all.nr; i++) {
		char *eq = strchr(all.items[i], '=');
		size_t j;

		if (!eq)
			continue;
		*eq = '\0';
		for (j = 0; j < nr; j++)
			if (!strcmp(kvs[j].key, all.items[i]))
				break;
		if (j < nr) {
			free(kvs[j].value);
			kvs[j].value = xstrdup(eq + 1);
			continue;
		}
		ALLOC_GROW(kvs, nr + 1, alloc);
		kvs[nr].key = xstrdup(all.items[i]);
		kvs[nr].value = xstrdup(eq + 1);
		nr++;
	}
	if (nr)
		qsort(kvs, nr, sizeof(*kvs), kv_cmp);
	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s=%s", kvs[i].key, kvs[i].value);
		strlist_push(out, sb.buf);
	}
	rc = 0;
out:
	for (size_t i = 0; i < nr; i++) {
		free(kvs[i].key);
		free(kvs[i].value);
	}
	free(kvs);
	strlist_release(&all);
	strbuf_release(&sb);
	return rc;
}

/* ---- tags and json --------------------------------------------------- */

static void generate_tags(struct deriver *d, const char *image, struct strlist *out)
{
	struct strbuf sb = STRBUF_INIT, latest = STRBUF_INIT;
	const char *prefix = image && *image ? image : NULL;

#define PUSH(v) do { strbuf_reset(&sb); if (prefix) strbuf_addf(&sb, "%s:", prefix); \
		strbuf_addstr(&sb, (v)); strlist_push(out, sb.buf); } while (0)
	PUSH(d->main);
	for (size_t i = 0; i < d->partial.nr; i++)
		PUSH(d->partial.items[i]);
	if (d->latest > 0) {
		struct strbuf raw = STRBUF_INIT;

		strbuf_addf(&raw, "%slatest%s", d->flavor.prefix_latest ? d->flavor.prefix : "",
			    d->flavor.suffix_latest ? d->flavor.suffix : "");
		sanitize_tag(raw.buf, &latest);
		PUSH(latest.buf);
		strbuf_release(&raw);
	}
#undef PUSH
	strbuf_release(&sb);
	strbuf_release(&latest);
}

/* A JS object puts integer-like keys first, ascending: so does the json output. */
static int array_index_key(const char *k, unsigned long *out)
{
	unsigned long n = 0;

	if (!*k || (k[0] == '0' && k[1]) || strlen(k) > 10)
		return 0;
	for (const char *p = k; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n >= 4294967295UL)
		return 0;
	*out = n;
	return 1;
}

static json_t *strlist_json(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->nr; i++)
		json_array_append_new(a, json_string(l->items[i]));	/* steals */
	return a;
}

static int idx_cmp(const void *a, const void *b)
{
	unsigned long x = 0, y = 0;

	array_index_key(*(char *const *)a, &x);
	array_index_key(*(char *const *)b, &y);
	return x < y ? -1 : x > y;
}

static char *build_json(const struct meta_result *r)
{
	json_t *root = json_object(), *labels = json_object();
	struct strlist idx = STRLIST_INIT;
	unsigned long n;
	char *s;

	json_object_set_new(root, "tags", strlist_json(&r->tags));		/* steals */
	json_object_set_new(root, "tag-names", strlist_json(&r->tag_names));	/* steals */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (idx.nr)
				qsort(idx.items, idx.nr, sizeof(char *), idx_cmp);
			for (size_t i = 0; i < idx.nr; i++) {
				const char *eq = strchr(idx.items[i], '=');
				char *k = xstrndup(idx.items[i], eq - idx.items[i]);
				json_object_set_new(labels, k, json_string(eq + 1));	/* steals */
				free(k);
			}
		}
		for (size_t i = 0; i < r->labels.nr; i++) {
			const char *l = r->labels.items[i], *eq = strchr(l, '=');
			char *k = xstrndup(l, eq - l);
			const char *nl = strpbrk(eq + 1, "\n\r");
			char *v = nl ? xstrndup(eq + 1, nl - eq - 1) : xstrdup(eq + 1);

			if (pass == 0 && array_index_key(k, &n))
				strlist_push(&idx, l);
			else if (pass == 1 && !array_index_key(k, &n))
				json_object_set_new(labels, k, json_string(v));	/* steals */
			free(k);
			free(v);
		}
	}
	json_object_set_new(root, "labels", labels);			/* steals */
	json_object_set_new(root, "annotations", strlist_json(&r->annotations));	/* steals */
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	strlist_release(&idx);
	return s;
}

/* ---- the whole ------------------------------------------------------- */

/*
 * Compile every regular expression of the rules before any is used, so
 * a broken one is an error even when its rule would not apply to this
 * event (metadata-action only notices when the rule runs).
 */
static int check_patterns(struct deriver *d)
{
	for (size_t i = 0; i < d->rules.nr; i++) {
		const struct tagrule *t = &d->rules.rules[i];
		struct strbuf src = STRBUF_INIT, flags = STRBUF_INIT;
		struct jsregex re;
		int rc;

		if (t->type == TAGRULE_MATCH) {
			if (!jsregex_split_literal(tagrule_get(t, "pattern"), &src, &flags))
				strbuf_addstr(&src, tagrule_get(t, "pattern"));
		} else if ((t->type == TAGRULE_SEMVER || t->type == TAGRULE_PEP440) && *tagrule_get(t, "match")) {
			strbuf_addstr(&src, tagrule_get(t, "match"));
		} else {
			continue;
		}
		error_set_quiet(1);
		rc = jsregex_compile(&re, src.buf, flags.buf);
		error_set_quiet(0);
		if (rc == 0)
			jsregex_release(&re);
		else
			strbuf_addf(&d->err, "%s (in '%s')", error_last(), t->source);
		strbuf_release(&src);
		strbuf_release(&flags);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int meta_derive(const struct meta_inputs *in, const struct ghctx *ctx, struct meta_result *out)
{
	struct deriver d;
	struct meta_result r = META_RESULT_INIT;
	struct strlist annotations = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	int rc = -EXIT_INPUT;

	memset(&d, 0, sizeof(d));
	d.in = in;
	d.ctx = ctx;
	d.latest = -1;
	strbuf_init(&d.err, 0);

	if (parse_images(&d) < 0)
		goto fail;
	d.what = "tags";
	if (tagrule_list_parse(&d.rules, &in->tags, &d.err) < 0)
		goto fail;
	d.what = "flavor";
	if (flavor_parse(&d.flavor, &in->flavor, &d.err) < 0)
		goto fail;

	d.what = "tags";
	if (check_patterns(&d) < 0)
		goto fail;
	for (size_t i = 0; i < d.rules.nr; i++) {
		const struct tagrule *t = &d.rules.rules[i];

		strbuf_reset(&sb);
		if (global_exp(&d, tagrule_get(t, "enable"), &sb) < 0)
			goto fail;
		if (strcmp(sb.buf, "true") && strcmp(sb.buf, "false")) {
			strbuf_addf(&d.err, "invalid value for enable attribute: '%s' in '%s'", sb.buf, t->source);
			goto fail;
		}
		if (strcmp(sb.buf, "true"))
			continue;
		if (proc_rule(&d, t) < 0) {
			if (!strstr(d.err.buf, t->source))
				strbuf_addf(&d.err, " (in '%s')", t->source);
			goto fail;
		}
	}

	r.version = xstrdup(d.main ? d.main : "");
	for (size_t i = 0; i < d.partial.nr; i++)
		if (!strlist_has(&r.partial, d.partial.items[i]))
			strlist_push(&r.partial, d.partial.items[i]);
	strlist_release(&d.partial);
	for (size_t i = 0; i < r.partial.nr; i++)
		strlist_push(&d.partial, r.partial.items[i]);
	r.latest = d.latest > 0;
	for (size_t i = 0; i < d.images.nr; i++)
		strlist_push(&r.images, d.images.items[i]);

	if (d.main && *d.main) {
		if (d.images.nr)
			for (size_t i = 0; i < d.images.nr; i++)
				generate_tags(&d, d.images.items[i], &r.tags);
		else
			generate_tags(&d, NULL, &r.tags);
		generate_tags(&d, NULL, &r.tag_names);
	}

	d.what = "labels";
	if (oci_with_customs(&d, &in->labels, &r.labels) < 0)
		goto fail;
	d.what = "annotations";
	if (oci_with_customs(&d, &in->annotations, &annotations) < 0)
		goto fail;
	strlist_split(&r.annotation_levels, in->annotation_levels && *in->annotation_levels ?
		      in->annotation_levels : "manifest", ',');
	for (size_t l = 0; l < r.annotation_levels.nr; l++) {
		for (size_t i = 0; i < annotations.nr; i++) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s:%s", r.annotation_levels.items[l], annotations.items[i]);
			strlist_push(&r.annotations, sb.buf);
		}
	}
	r.json = build_json(&r);
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
	goto out;
fail:
	rc = fail(&d);
out:
	meta_result_release(&r);
	strlist_release(&annotations);
	strbuf_release(&sb);
	free(d.main);
	strlist_release(&d.partial);
	strlist_release(&d.images);
	tagrule_list_release(&d.rules);
	flavor_release(&d.flavor);
	strbuf_release(&d.err);
	return rc;
}

int meta_output(const struct meta_result *r, const struct meta_inputs *in,
		const char *name, struct strbuf *out)
{
	const char *st = in->sep_tags ? in->sep_tags : "\n";

	if (!strcmp(name, "version"))
		strbuf_addstr(out, r->version);
	else if (!strcmp(name, "tags"))
		strlist_join(&r->tags, st, out);
	else if (!strcmp(name, "tag-names"))
		strlist_join(&r->tag_names, st, out);
	else if (!strcmp(name, "labels"))
		strlist_join(&r->labels, in->sep_labels ? in->sep_labels : "\n", out);
	else if (!strcmp(name, "annotations"))
		strlist_join(&r->annotations, in->sep_annotations ? in->sep_annotations : "\n", out);
	else if (!strcmp(name, "json"))
		strbuf_addstr(out, r->json);
	else
		return -1;
	return 0;
}
