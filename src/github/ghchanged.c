/*
 * ghchanged.c: see ghchanged.h.
 */
#include "lib/common.h"
#include "github/ghchanged.h"
#include "git/gitchanged.h"
#include "git/githistory.h"
#include "github/ghctx.h"
#include <ctype.h>
#include <errno.h>

/* "NAME=PATH[,PATH...]" into l; -EXIT_INPUT naming the text when it is not so. */
static int add_service(struct gitservice_list *l, const char *text)
{
	const char *eq = strchr(text, '=');
	struct strlist parts = STRLIST_INIT, paths = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *name = NULL;
	int rc = -EXIT_INPUT;

	if (!eq || eq == text || !eq[1])
		goto bad;
	name = xstrndup(text, eq - text);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			goto bad;
	strlist_split(&parts, eq + 1, ',');
	for (size_t i = 0; i < parts.nr; i++) {
		const char *p = parts.items[i];

		strbuf_reset(&sb);
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		strbuf_addstr(&sb, p);
		while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
		if (!sb.len || sb.buf[0] == '/' || strstr(sb.buf, ".."))
			goto bad;
		strlist_push(&paths, sb.buf);
	}
	gitservice_list_add(l, name, &paths);
	rc = 0;
	goto out;
bad:
	rc = error_as(EXIT_INPUT, "invalid --service '%s' (NAME=PATH[,PATH...], relative paths)", text);
out:
	free(name);
	strlist_release(&parts);
	strlist_release(&paths);
	strbuf_release(&sb);
	return rc;
}

#define PAYLOAD_CAP (64u << 20)	/* as ghctx.c's */

/*
 * The push event's `before` into *out (caller frees; NULL when there is
 * none, or it is not a commit id: a payload is read, not obeyed).  An
 * event payload over PAYLOAD_CAP is -EXIT_INPUT.
 */
static int push_before(const struct ghchanged_opts *o, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *payload;
	const char *before;
	size_t n;

	*out = NULL;
	if (!o->event_name || strcmp(o->event_name, "push") || !o->event_path || !*o->event_path)
		return 0;
	if (strbuf_read_file(&sb, o->event_path, PAYLOAD_CAP) < 0) {
		int too_big = errno == EFBIG;

		strbuf_release(&sb);
		if (too_big)
			return error_as(EXIT_INPUT, "event payload '%s' (GITHUB_EVENT_PATH) is larger than %u MiB",
					o->event_path, PAYLOAD_CAP >> 20);
		return 0;
	}
	payload = json_loadb(sb.buf, sb.len, 0, NULL);
	strbuf_release(&sb);
	before = json_string_value(json_object_get(payload, "before"));	/* borrowed */
	n = before ? strlen(before) : 0;
	if ((n == 40 || n == 64) && strspn(before, "0123456789abcdef") == n && strspn(before, "0") != n)
		*out = xstrdup(before);
	json_decref(payload);
	return 0;
}

/* path (relative, no trailing '/'; "." the whole tree) is f or a directory holding f */
static int path_covers(const char *path, const char *f)
{
	size_t n = strlen(path);

	return !strcmp(path, ".") || (!strncmp(f, path, n) && (!f[n] || f[n] == '/'));
}

/* What a shallow clone lacks, from the API: the context ghctx.c's readers need. */
struct shallow {
	struct ghctx ctx;
	char *head;
};

static void every_service(struct gitservice_list *l, size_t from, size_t to, const char *since)
{
	for (size_t i = from; i < to; i++) {
		l->items[i].changed = 1;
		free(l->items[i].since);
		l->items[i].since = since ? xstrdup(since) : NULL;
	}
}

/*
 * Services [from, to) compared with base, which this shallow clone
 * lacks, through the API's comparison.  0 (a warning and every one of
 * them changed when the API cannot tell); -EXIT_INPUT when explicit (the
 * user's --since) and the API does not know base either.
 */
static int shallow_compare(struct shallow *sh, const char *base, const char *what, int explicit,
			   struct gitservice_list *l, size_t from, size_t to)
{
	struct strlist files = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT;
	int rc = ghctx_compare_files(&sh->ctx, base, sh->head, &files, &why);

	if (rc == 1 && explicit) {
		rc = error_as(EXIT_INPUT, "%s '%s' names no commit of the repository (this shallow checkout "
			      "lacks it, and the GitHub API does not know it)", what, base);
		goto out;
	}
	if (rc != 0) {
		warning("cannot tell which services changed since %s %s: the checkout is shallow and %s: "
			"listing every service (give actions/checkout 'fetch-depth: 0')", what, base,
			why.len ? why.buf : "there is no GitHub API URL or token to ask");
		every_service(l, from, to, base);
		rc = 0;
		goto out;
	}
	for (size_t i = from; i < to; i++) {
		struct gitservice *s = &l->items[i];

		s->changed = 0;
		for (size_t j = 0; j < s->paths.nr && !s->changed; j++)
			for (size_t k = 0; k < files.nr && !s->changed; k++)
				s->changed = path_covers(s->paths.items[j], files.items[k]);
		free(s->since);
		s->since = xstrdup(base);
	}
out:
	strlist_release(&files);
	strbuf_release(&why);
	return rc;
}

/*
 * Each service of this shallow clone that found no release tag in it
 * (its tags may be behind the cut): its last NAME/v* tag from the API's
 * tags and history, then the comparison with it; never released: changed.
 */
static int shallow_release_tags(struct shallow *sh, struct gitservice_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		struct gitservice *s = &l->items[i];
		struct githistory h = GITHISTORY_INIT;
		struct strbuf prefix = STRBUF_INIT, why = STRBUF_INIT;
		struct githistory_query q = { NULL, NULL, NULL, NULL, 0, 0 };
		int rc = 0;

		if (s->since)
			continue;	/* a release tag on the commit itself */
		strbuf_addf(&prefix, "%s/v", s->name);
		q.tag_prefix = prefix.buf;
		if (ghctx_history(&sh->ctx, sh->head, &q, &h, &why) < 0) {
			warning("cannot find the last release tag %s* of service '%s': the checkout is shallow and %s: "
				"listed as changed (give actions/checkout 'fetch-depth: 0')", prefix.buf, s->name,
				why.len ? why.buf : "there is no GitHub API URL or token to ask");
			every_service(l, i, i + 1, NULL);
		} else if (h.tag) {
			/* the commit's sha: a tag name may hold a '/' the URL cannot */
			rc = shallow_compare(sh, h.tag_commit, "release tag", 0, l, i, i + 1);
			free(s->since);
			s->since = xstrdup(h.tag);
		}
		githistory_release(&h);
		strbuf_release(&prefix);
		strbuf_release(&why);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void image_name(const char *repository, const char *name, struct strbuf *out)
{
	if (repository && *repository)
		strbuf_addf(out, "ghcr.io/%s/%s", repository, name);
	else
		strbuf_addstr(out, name);
	strbuf_tolower(out);
}

/*
 * Set changed and since of the services: with since, the push event's
 * before, or the release tags; what a shallow clone lacks from the API.
 * sh (initialised) gets the API's context when it is needed.
 */
static int compare(const struct ghchanged_opts *o, struct shallow *sh, struct gitservice_list *l,
		   const char *since, char **before)
{
	int rc, shallow = 0;
	const char *base = since, *what = "--since";

	sh->head = gitchanged_head(o->dir, &shallow);
	if (shallow) {
		const char *api = o->api_url ? o->api_url : ghctx_api_url();

		free(sh->ctx.api_url);
		sh->ctx.api_url = xstrdup(api ? api : "");
		if (o->token && *o->token)
			sh->ctx.token = xstrdup(o->token);
		if (o->repository && *o->repository)
			sh->ctx.repository = xstrdup(o->repository);
		else
			sh->ctx.repository = gitchanged_origin(o->dir);
	}
	if (!base && (rc = push_before(o, before)) < 0)
		return rc;
	if (!base && *before) {
		base = *before;
		what = "the push event's before commit";
	}
	if (!base) {
		if ((rc = gitchanged_compare(o->dir, NULL, l)) < 0 || !shallow || !sh->head)
			return rc;
		return shallow_release_tags(sh, l);
	}
	error_set_quiet(1);
	rc = gitchanged_compare(o->dir, base, l);
	error_set_quiet(0);
	if (rc != -EXIT_INPUT || !strstr(error_last(), base))
		return rc < 0 ? error_as(-rc, "%s", error_last()) : rc;
	/* base is not in this checkout */
	if (shallow && sh->head)
		return shallow_compare(sh, base, what, base == since, l, 0, l->nr);
	if (base == since)
		return error_as(-rc, "%s", error_last());
	warning("the push event's before commit %s is not in this checkout (after a force push?): "
		"comparing with each service's last release tag", base);
	return gitchanged_compare(o->dir, NULL, l);
}

int ghchanged_list(const struct ghchanged_opts *o, json_t **out)
{
	struct gitservice_list l = GITSERVICE_LIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	const char *since = o->since && *o->since ? o->since : NULL;
	const char *repository = o->repository;
	char *before = NULL, *origin = NULL;
	struct shallow sh;
	json_t *list = NULL;
	int rc = 0;

	ghctx_init(&sh.ctx);
	sh.head = NULL;
	for (size_t i = 0; o->services && i < o->services->nr; i++)
		if ((rc = add_service(&l, o->services->items[i])) < 0)
			goto out;
	if ((!o->services || !o->services->nr) && (rc = gitchanged_find_services(o->dir, &l)) < 0)
		goto out;
	if ((rc = compare(o, &sh, &l, since, &before)) < 0)
		goto out;
	if (!repository || !*repository)
		repository = origin = gitchanged_origin(o->dir);

	list = json_array();
	for (size_t i = 0; i < l.nr; i++) {
		const struct gitservice *s = &l.items[i];
		json_t *obj, *paths;

		if (!s->changed && !o->all)
			continue;
		obj = json_object();
		paths = json_array();
		for (size_t j = 0; j < s->paths.nr; j++)
			json_array_append_new(paths, json_string(s->paths.items[j]));	/* steals */
		strbuf_reset(&sb);
		image_name(repository, s->name, &sb);
		json_object_set_new(obj, "name", json_string(s->name));		/* steals */
		json_object_set_new(obj, "path", json_string(s->paths.items[0]));	/* steals */
		json_object_set_new(obj, "paths", paths);				/* steals */
		json_object_set_new(obj, "dockerfile", json_string(s->dockerfile));	/* steals */
		json_object_set_new(obj, "image", json_string(sb.buf));		/* steals */
		json_object_set_new(obj, "since", s->since ? json_string(s->since) : json_null());	/* steals */
		if (o->all)
			json_object_set_new(obj, "changed", json_boolean(s->changed));	/* steals */
		json_array_append_new(list, obj);					/* steals */
	}
	*out = list;
	list = NULL;
out:
	json_decref(list);
	free(before);
	free(origin);
	free(sh.head);
	ghctx_release(&sh.ctx);
	strbuf_release(&sb);
	gitservice_list_release(&l);
	return rc;
}
