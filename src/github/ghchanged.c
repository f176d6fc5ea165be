/*
 * ghchanged.c: see ghchanged.h.
 */
#include "lib/common.h"
#include "github/ghchanged.h"
#include "git/gitchanged.h"
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

static void image_name(const char *repository, const char *name, struct strbuf *out)
{
	if (repository && *repository)
		strbuf_addf(out, "ghcr.io/%s/%s", repository, name);
	else
		strbuf_addstr(out, name);
	strbuf_tolower(out);
}

int ghchanged_list(const struct ghchanged_opts *o, json_t **out)
{
	struct gitservice_list l = GITSERVICE_LIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	const char *since = o->since && *o->since ? o->since : NULL;
	const char *repository = o->repository;
	char *before = NULL, *origin = NULL;
	json_t *list = NULL;
	int rc = 0;

	for (size_t i = 0; o->services && i < o->services->nr; i++)
		if ((rc = add_service(&l, o->services->items[i])) < 0)
			goto out;
	if ((!o->services || !o->services->nr) && (rc = gitchanged_find_services(o->dir, &l)) < 0)
		goto out;
	if (!since && (rc = push_before(o, &before)) < 0)
		goto out;
	if (!since && before) {
		error_set_quiet(1);
		rc = gitchanged_compare(o->dir, before, &l);
		error_set_quiet(0);
		if (rc == -EXIT_INPUT && strstr(error_last(), before)) {
			warning("the push event's before commit %s is not in this checkout (give actions/checkout "
				"'fetch-depth: 0'): comparing with each service's last release tag", before);
			rc = gitchanged_compare(o->dir, NULL, &l);
		} else if (rc < 0) {
			rc = error_as(-rc, "%s", error_last());
		}
	} else {
		rc = gitchanged_compare(o->dir, since, &l);
	}
	if (rc < 0)
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
	strbuf_release(&sb);
	gitservice_list_release(&l);
	return rc;
}
