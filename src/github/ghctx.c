/*
 * ghctx.c: see ghctx.h.  All the I/O of `publish meta` except writing
 * the outputs: environment, event payload, git repository, GitHub API.
 */
#include "lib/common.h"
#include "github/ghctx.h"
#include "git/gitchanged.h"
#include "git/githistory.h"
#include "registry/http.h"
#include <ctype.h>
#include <errno.h>
#include <time.h>
#include <sys/time.h>
#include <git2.h>

#define PAYLOAD_CAP (64u << 20)

void ghctx_init(struct ghctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->event_name = xstrdup("");
	ctx->ref = xstrdup("");
	ctx->sha = xstrdup("");
	ctx->payload = json_object();
	ctx->api_url = xstrdup("");
}

void ghrepo_release(struct ghrepo *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->description);
	free(r->html_url);
	free(r->default_branch);
	free(r->license);
	memset(r, 0, sizeof(*r));
}

void ghctx_release(struct ghctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->event_name);
	free(ctx->ref);
	free(ctx->sha);
	free(ctx->repository);
	json_decref(ctx->payload);
	ghrepo_release(&ctx->repo);
	free(ctx->api_url);
	if (ctx->token)
		memset(ctx->token, 0, strlen(ctx->token));
	free(ctx->token);
	memset(ctx, 0, sizeof(*ctx));
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v ? v : "");
}

static void fill(char **dst, const json_t *v)
{
	if (!*dst && json_is_string(v))
		*dst = xstrdup(json_string_value(v));
}

void ghrepo_from_json(struct ghrepo *out, const json_t *repo)
{
	if (!json_is_object(repo))
		return;
	fill(&out->name, json_object_get(repo, "name"));
	fill(&out->description, json_object_get(repo, "description"));
	fill(&out->html_url, json_object_get(repo, "html_url"));
	fill(&out->default_branch, json_object_get(repo, "default_branch"));
	fill(&out->license, json_object_get(json_object_get(repo, "license"), "spdx_id"));
}

/* ---- time ------------------------------------------------------------ */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char **pp, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

int ghctx_parse_time(const char *s, int64_t *out_ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off = 0;
	const char *p = s;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
			if (*p == '.') {
				int scale = 100;

				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				for (; isdigit((unsigned char)*p); p++) {
					ms += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;

			if (digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om))
				return -1;
			off = sign * (oh * 60 + om);
		}
	}
	if (*p || h > 24 || mi > 59 || sec > 59)
		return -1;
	*out_ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - off * 60) * 1000 + ms;
	return 0;
}

void ghctx_format_iso(int64_t ms, struct strbuf *out)
{
	int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	int64_t rem = ms - days * 86400000;
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	strbuf_addf(out, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
		    (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}

static int64_t wall_clock_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- git ------------------------------------------------------------- */

static int git_err(const char *what)
{
	const git_error *e = git_error_last();

	return error_as(EXIT_CONTEXT, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

/* libgit2 is initialised by ghctx_load() for the whole gathering */
static int open_repo(git_repository **out, const char *dir)
{
	return git_repository_open_ext(out, dir ? dir : ".", 0, NULL);
}

/* A ref for a detached HEAD: a tag, a remote or local branch, a pull ref pointing at it. */
static int detached_ref(git_repository *repo, const git_oid *head, char **out)
{
	static const char *const prefixes[] = { "refs/tags/", "refs/remotes/", "refs/heads/", "refs/pull/" };
	git_reference_iterator *it = NULL;
	git_reference *ref;
	char *best[4] = { NULL, NULL, NULL, NULL };
	int rc = -1;

	if (git_reference_iterator_new(&it, repo) < 0)
		return git_err("cannot list references");
	while (git_reference_next(&ref, it) == 0) {
		const char *name = git_reference_name(ref);
		git_object *obj = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
			if (strncmp(name, prefixes[i], strlen(prefixes[i])) || best[i])
				continue;
			if (i == 1 && strstr(name, "/HEAD"))
				continue;
			if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0 &&
			    git_oid_equal(git_object_id(obj), head))
				best[i] = xstrdup(name);
			git_object_free(obj);
			obj = NULL;
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (best[0]) {
		*out = xstrdup(best[0]);
	} else if (best[1]) {
		const char *b = strchr(best[1] + strlen("refs/remotes/"), '/');
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "refs/heads/%s", b ? b + 1 : best[1] + strlen("refs/remotes/"));
		*out = strbuf_detach(&sb, NULL);
	} else if (best[2]) {
		*out = xstrdup(best[2]);
	} else if (best[3]) {
		*out = xstrdup(best[3]);
	} else {
		rc = error_as(EXIT_CONTEXT, "cannot find a tag or branch for the detached HEAD of the repository");
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < ARRAY_SIZE(best); i++)
		free(best[i]);
	return rc;
}

static int git_context(struct ghctx *ctx, const char *dir, int64_t *commit_ms)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	const git_oid *oid;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = -EXIT_CONTEXT;

	if (open_repo(&repo, dir) < 0)
		return git_err("cannot open the git repository for the git context");
	if (git_repository_head(&head, repo) < 0) {
		rc = git_err("cannot read HEAD of the git repository");
		goto out;
	}
	oid = git_reference_target(head);
	if (!oid || git_commit_lookup(&commit, repo, oid) < 0) {
		rc = git_err("cannot read the HEAD commit");
		goto out;
	}
	if (git_repository_head_detached(repo) == 1) {
		char *ref = NULL;

		if ((rc = detached_ref(repo, oid, &ref)) < 0)
			goto out;
		free(ctx->ref);
		ctx->ref = ref;
	} else {
		set_str(&ctx->ref, git_reference_name(head));
	}
	git_oid_tostr(hex, sizeof(hex), oid);
	set_str(&ctx->sha, hex);
	*commit_ms = (int64_t)git_commit_committer(commit)->when.time * 1000;
	rc = 0;
out:
	git_commit_free(commit);
	git_reference_free(head);
	git_repository_free(repo);
	return rc;
}

/* The committer date of commit sha in the repository at dir, if it is there. */
static int git_commit_date(const char *dir, const char *sha, int64_t *out)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	int rc = -1;

	if (strlen(sha) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, sha) < 0)
		return -1;
	if (open_repo(&repo, dir) < 0)
		return -1;
	if (git_commit_lookup(&commit, repo, &oid) == 0) {
		*out = (int64_t)git_commit_committer(commit)->when.time * 1000;
		rc = 0;
	}
	git_commit_free(commit);
	git_repository_free(repo);
	return rc;
}

/* ---- GitHub API ------------------------------------------------------ */

static int api_get_json(const char *api, const char *path, const char *token, int want_array,
			size_t *bytes, json_t **out, struct strbuf *why, long *status);

/* GET {api}/{path}: 0 and the parsed object in *out, or -1 with a reason in why. */
static int api_get(const char *api, const char *path, const char *token, json_t **out, struct strbuf *why)
{
	return api_get_json(api, path, token, 0, NULL, out, why, NULL);
}

/*
 * The same for an object or (want_array) an array; the body's size is
 * added to *bytes; the HTTP status (0: none) into *status when not NULL.
 */
static int api_get_json(const char *api, const char *path, const char *token, int want_array,
			size_t *bytes, json_t **out, struct strbuf *why, long *status)
{
	static const char *const headers[] = {
		"Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28", NULL
	};
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request req;
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	json_error_t jerr;
	int rc = -1, quiet_rc;

	strbuf_addstr(&url, api);
	while (url.len && url.buf[url.len - 1] == '/')
		strbuf_setlen(&url, url.len - 1);
	strbuf_addf(&url, "/%s", path);
	memset(&req, 0, sizeof(req));
	req.url = url.buf;
	req.headers = headers;
	req.timeout_s = 10;
	req.follow = 1;
	if (token && *token) {
		/* the HTTP layer holds it to the API's host: a redirect elsewhere goes without */
		strbuf_addf(&auth, "Bearer %s", token);
		req.authorization = auth.buf;
	}
	error_set_quiet(1);
	quiet_rc = http_request(&req, &resp);
	error_set_quiet(0);
	if (quiet_rc < 0) {
		strbuf_addstr(why, error_last());
		goto out;
	}
	if (status)
		*status = resp.status;
	if (resp.status != 200) {
		strbuf_addf(why, "GET '%s' answered HTTP %ld", url.buf, resp.status);
		goto out;
	}
	if (bytes)
		*bytes += resp.body.len;
	*out = json_loadb(resp.body.buf, resp.body.len, 0, &jerr);
	if (!*out || !(want_array ? json_is_array(*out) : json_is_object(*out))) {
		json_decref(*out);
		*out = NULL;
		strbuf_addf(why, "GET '%s' did not answer a JSON %s", url.buf, want_array ? "array" : "object");
		goto out;
	}
	rc = 0;
out:
	http_response_release(&resp);
	strbuf_release(&url);
	if (auth.len)
		memset(auth.buf, 0, auth.len);
	strbuf_release(&auth);
	return rc;
}

/* ---- history from the API (a shallow clone) --------------------------- */

#define API_PAGES	30		/* of commits, and of tags: 3,000 each */
#define API_FILE_READS	200		/* commits whose files paths= reads */
#define API_BYTES	(64u << 20)	/* everything read, together */
#define API_FILES_PAGE	300		/* the API lists at most this many files of a commit */

struct api_history {
	const struct ghctx *ctx;
	const char *head;
	json_t *commits;		/* sha -> the API's commit object */
	int pages, listed_all, reads;
	size_t bytes;
	struct strbuf *why;
};

/* GET one page into *out, within the byte budget; -1 with why set. */
static int api_page(struct api_history *a, const char *path, int want_array, json_t **out)
{
	if (a->bytes > API_BYTES) {
		strbuf_addf(a->why, "more than %u MiB read from the GitHub API", API_BYTES >> 20);
		return -1;
	}
	return api_get_json(a->ctx->api_url, path, a->ctx->token, want_array, &a->bytes, out, a->why, NULL);
}

static int api_commit(void *data, const char *sha, struct githistory_commit *out)
{
	struct api_history *a = data;
	const json_t *c, *parents, *p, *date;
	size_t i;
	int64_t ms;

	while (!(c = json_object_get(a->commits, sha))) {
		struct strbuf path = STRBUF_INIT;
		json_t *page = NULL, *item;
		int rc;

		if (a->listed_all || a->pages >= API_PAGES) {
			if (a->listed_all)
				strbuf_addf(a->why, "commit %s is not in the history the GitHub API lists for %s",
					    sha, a->head);
			else
				strbuf_addf(a->why, "the rule needs more than the %d commits read from the GitHub API",
					    API_PAGES * 100);
			return -1;
		}
		strbuf_addf(&path, "repos/%s/commits?sha=%s&per_page=100&page=%d", a->ctx->repository,
			    a->head, ++a->pages);
		rc = api_page(a, path.buf, 1, &page);
		strbuf_release(&path);
		if (rc < 0)
			return -1;
		json_array_foreach(page, i, item) {
			const json_t *s = json_object_get(item, "sha");

			if (json_is_string(s))
				json_object_set(a->commits, json_string_value(s), item);
		}
		if (json_array_size(page) < 100)
			a->listed_all = 1;
		json_decref(page);
	}
	parents = json_object_get(c, "parents");
	date = json_object_get(json_object_get(json_object_get(c, "commit"), "committer"), "date");
	if (!json_is_array(parents) || !json_is_string(date) || ghctx_parse_time(json_string_value(date), &ms) < 0) {
		strbuf_addf(a->why, "the GitHub API's commit %s has no parents or committer date", sha);
		return -1;
	}
	json_array_foreach(parents, i, p) {
		const json_t *s = json_object_get(p, "sha");

		if (!json_is_string(s)) {
			strbuf_addf(a->why, "the GitHub API's commit %s has a parent without a sha", sha);
			return -1;
		}
		strlist_push(&out->parents, json_string_value(s));
	}
	out->date = ms / 1000;
	p = json_object_get(json_object_get(c, "commit"), "message");
	if (json_is_string(p))
		out->message = xstrdup(json_string_value(p));
	return 0;
}

/* path is f or a directory holding f */
static int path_covers(const char *path, const char *f)
{
	size_t n = strlen(path);

	return !strncmp(f, path, n) && (!f[n] || f[n] == '/');
}

static int api_touches(void *data, const char *sha, const struct strlist *paths)
{
	struct api_history *a = data;
	struct strbuf path = STRBUF_INIT;
	json_t *obj = NULL, *files, *f;
	size_t i;
	int hit = 0, rc = -1;

	if (++a->reads > API_FILE_READS) {
		strbuf_addf(a->why, "paths= needs the files of more than %d commits from the GitHub API",
			    API_FILE_READS);
		return -1;
	}
	strbuf_addf(&path, "repos/%s/commits/%s", a->ctx->repository, sha);
	if (api_page(a, path.buf, 0, &obj) < 0)
		goto out;
	files = json_object_get(obj, "files");
	if (!json_is_array(files)) {
		strbuf_addf(a->why, "the GitHub API's commit %s lists no files", sha);
		goto out;
	}
	json_array_foreach(files, i, f) {
		const json_t *name = json_object_get(f, "filename"), *prev = json_object_get(f, "previous_filename");

		for (size_t k = 0; k < paths->nr && !hit; k++)
			hit = (json_is_string(name) && path_covers(paths->items[k], json_string_value(name))) ||
			      (json_is_string(prev) && path_covers(paths->items[k], json_string_value(prev)));
	}
	if (!hit && json_array_size(files) >= API_FILES_PAGE) {
		strbuf_addf(a->why, "commit %s changes more files than the GitHub API lists", sha);
		goto out;
	}
	rc = hit;
out:
	json_decref(obj);
	strbuf_release(&path);
	return rc;
}

static int api_tags(struct api_history *a, struct githistory_source *src)
{
	for (int page = 1;; page++) {
		struct strbuf path = STRBUF_INIT;
		json_t *arr = NULL, *t;
		size_t i, n;
		int rc;

		if (page > API_PAGES) {
			strbuf_addf(a->why, "the repository has more than %d tags", API_PAGES * 100);
			return -1;
		}
		strbuf_addf(&path, "repos/%s/tags?per_page=100&page=%d", a->ctx->repository, page);
		rc = api_page(a, path.buf, 1, &arr);
		strbuf_release(&path);
		if (rc < 0)
			return -1;
		json_array_foreach(arr, i, t) {
			const json_t *name = json_object_get(t, "name");
			const json_t *sha = json_object_get(json_object_get(t, "commit"), "sha");

			if (json_is_string(name) && json_is_string(sha)) {
				strlist_push(&src->tag_names, json_string_value(name));
				strlist_push(&src->tag_shas, json_string_value(sha));
			}
		}
		n = json_array_size(arr);
		json_decref(arr);
		if (n < 100)
			return 0;
	}
}

int ghctx_history(const struct ghctx *ctx, const char *head, const struct githistory_query *q,
		  struct githistory *out, struct strbuf *why)
{
	struct api_history a;
	struct githistory_source src = { api_commit, api_touches, STRLIST_INIT, STRLIST_INIT, NULL };
	int rc = -1;

	if (!ctx || !ctx->api_url || !*ctx->api_url || !ctx->token || !ctx->repository ||
	    !strchr(ctx->repository, '/'))
		return -1;
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.head = head;
	a.commits = json_object();
	a.why = why;
	src.data = &a;
	if (api_tags(&a, &src) < 0)
		goto out;
	error_set_quiet(1);
	rc = githistory_read_from(&src, head, q, out);
	error_set_quiet(0);
	if (rc < 0 && !why->len)
		strbuf_addstr(why, error_last());
	rc = rc < 0 ? -1 : 0;
out:
	json_decref(a.commits);
	strlist_release(&src.tag_names);
	strlist_release(&src.tag_shas);
	return rc;
}

int ghctx_compare_files(const struct ghctx *ctx, const char *base, const char *head,
			struct strlist *out, struct strbuf *why)
{
	size_t bytes = 0, before = out->nr;
	int rc = -1;

	if (!ctx || !ctx->api_url || !*ctx->api_url || !ctx->token || !ctx->repository ||
	    !strchr(ctx->repository, '/'))
		return -1;
	for (int page = 1;; page++) {
		struct strbuf path = STRBUF_INIT;
		json_t *obj = NULL, *files, *commits, *f;
		long status = 0;
		size_t i, had = out->nr, ncommits;
		int got;

		if (page > API_PAGES) {
			strbuf_addf(why, "the comparison has more than %d commits", API_PAGES * 100);
			return -1;
		}
		if (bytes > API_BYTES) {
			strbuf_addf(why, "more than %u MiB read from the GitHub API", API_BYTES >> 20);
			return -1;
		}
		strbuf_addf(&path, "repos/%s/compare/%s...%s?per_page=100&page=%d", ctx->repository, base, head, page);
		got = api_get_json(ctx->api_url, path.buf, ctx->token, 0, &bytes, &obj, why, &status);
		strbuf_release(&path);
		if (got < 0)
			return status == 404 ? 1 : -1;
		files = json_object_get(obj, "files");
		commits = json_object_get(obj, "commits");
		if (page == 1 && !json_is_array(files)) {
			strbuf_addf(why, "the GitHub API's comparison of %s and %s lists no files", base, head);
			json_decref(obj);
			return -1;
		}
		json_array_foreach(files, i, f) {
			const json_t *name = json_object_get(f, "filename"), *prev = json_object_get(f, "previous_filename");

			if (json_is_string(name) && !strlist_has(out, json_string_value(name)))
				strlist_push(out, json_string_value(name));
			if (json_is_string(prev) && !strlist_has(out, json_string_value(prev)))
				strlist_push(out, json_string_value(prev));
		}
		ncommits = json_array_size(commits);
		json_decref(obj);
		/* the files come with the first page; a page that brings none new ends the reading */
		if (ncommits < 100 || out->nr == had)
			break;
	}
	rc = 0;
	if (out->nr - before >= API_FILES_PAGE) {
		strbuf_addf(why, "the GitHub API lists at most %d files of a comparison", API_FILES_PAGE);
		rc = 2;
	}
	return rc;
}

/* ---- the whole ------------------------------------------------------- */

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

const char *ghctx_api_url(void)
{
	return env("GITHUB_API_URL");
}

static int load_payload(struct ghctx *ctx)
{
	const char *path = env("GITHUB_EVENT_PATH");
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *p;
	int rc = 0;

	if (!*path)
		return 0;
	if (strbuf_read_file(&sb, path, PAYLOAD_CAP) < 0) {
		if (errno == EFBIG)
			rc = error_as(EXIT_INPUT, "event payload '%s' (GITHUB_EVENT_PATH) is larger than %u MiB",
				      path, PAYLOAD_CAP >> 20);
		else
			warning("GITHUB_EVENT_PATH '%s' cannot be read: %s", path, strerror(errno));
		goto out;
	}
	p = json_loadb(sb.buf, sb.len, 0, &jerr);
	if (!p || !json_is_object(p)) {
		json_decref(p);
		rc = error_as(EXIT_INPUT, "event payload '%s' is not a JSON object: %s (line %d)", path,
			      p ? "not an object" : jerr.text, jerr.line);
		goto out;
	}
	json_decref(ctx->payload);
	ctx->payload = p;
out:
	strbuf_release(&sb);
	return rc;
}

static int commit_date_from_payload(const struct ghctx *ctx, int64_t *out)
{
	const json_t *commits = json_object_get(ctx->payload, "commits");
	const json_t *head = json_object_get(ctx->payload, "head_commit");
	size_t i;
	json_t *c;

	if (json_is_array(commits)) {
		json_array_foreach(commits, i, c) {
			const json_t *id = json_object_get(c, "id"), *ts = json_object_get(c, "timestamp");

			if (json_is_string(id) && !strcmp(json_string_value(id), ctx->sha) && json_is_string(ts) &&
			    ghctx_parse_time(json_string_value(ts), out) == 0)
				return 0;
		}
	}
	if (json_is_object(head)) {
		const json_t *id = json_object_get(head, "id"), *ts = json_object_get(head, "timestamp");

		if (json_is_string(id) && !strcmp(json_string_value(id), ctx->sha) && json_is_string(ts) &&
		    ghctx_parse_time(json_string_value(ts), out) == 0)
			return 0;
	}
	return -1;
}

int ghctx_load(struct ghctx *out, const struct ghctx_options *opts)
{
	struct ghctx ctx;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	const char *api = env("GITHUB_API_URL");
	const json_t *prepo;
	int64_t commit_ms = 0;
	int have_commit = 0, have_repo = 0, rc;

	git_libgit2_init();
	ghctx_init(&ctx);
	set_str(&ctx.event_name, env("GITHUB_EVENT_NAME"));
	set_str(&ctx.ref, env("GITHUB_REF"));
	set_str(&ctx.sha, env("GITHUB_SHA"));
	set_str(&ctx.api_url, api);
	if (opts->token && *opts->token)
		ctx.token = xstrdup(opts->token);
	if ((rc = load_payload(&ctx)) < 0)
		goto fail;

	prepo = json_object_get(ctx.payload, "repository");
	if (*env("GITHUB_REPOSITORY")) {
		ctx.repository = xstrdup(env("GITHUB_REPOSITORY"));
	} else if (json_is_string(json_object_get(prepo, "full_name"))) {
		ctx.repository = xstrdup(json_string_value(json_object_get(prepo, "full_name")));
	} else if (*env("GITHUB_API_URL")) {
		ctx.repository = gitchanged_origin(opts->repo_dir);	/* local runs: no GITHUB_REPOSITORY */
	}

	if (strstr(ctx.event_name, "pull_request_target")) {
		const json_t *num = json_object_get(ctx.payload, "number");
		struct strbuf sb = STRBUF_INIT;

		if (json_is_integer(num))
			strbuf_addf(&sb, "refs/pull/%" JSON_INTEGER_FORMAT "/merge", json_integer_value(num));
		else if (json_is_string(num))
			strbuf_addf(&sb, "refs/pull/%s/merge", json_string_value(num));
		else
			strbuf_addstr(&sb, "refs/pull/undefined/merge");
		free(ctx.ref);
		ctx.ref = strbuf_detach(&sb, NULL);
	}
	if (strcasestr(env("DOCKER_METADATA_PR_HEAD_SHA"), "true") && strstr(ctx.event_name, "pull_request")) {
		const json_t *hs = json_object_get(json_object_get(json_object_get(ctx.payload, "pull_request"),
								   "head"), "sha");
		if (json_is_string(hs))
			set_str(&ctx.sha, json_string_value(hs));
	}

	if (opts->source == GHCTX_GIT) {
		if ((rc = git_context(&ctx, opts->repo_dir, &commit_ms)) < 0)
			goto fail;
		have_commit = 1;
	}

	ctx.now_ms = wall_clock_ms();
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);

		if (*end || end == sde) {
			rc = error_as(EXIT_INPUT, "SOURCE_DATE_EPOCH is not a number of seconds: '%s'", sde);
			goto fail;
		}
		ctx.now_ms = commit_ms = (int64_t)v * 1000;
		have_commit = 1;
	}
	if (!have_commit && commit_date_from_payload(&ctx, &commit_ms) == 0)
		have_commit = 1;
	if (!have_commit && *ctx.sha && git_commit_date(opts->repo_dir, ctx.sha, &commit_ms) == 0)
		have_commit = 1;

	/* repository facts, and the commit date when still unknown, from the API */
	if (*api && ctx.repository && strchr(ctx.repository, '/')) {
		struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
		json_t *obj = NULL;

		strbuf_addf(&path, "repos/%s", ctx.repository);
		if (api_get(api, path.buf, opts->token, &obj, &why) == 0) {
			ghrepo_from_json(&ctx.repo, obj);
			json_decref(obj);
			have_repo = 1;
		} else {
			warning("cannot get repository facts, using the event payload: %s", why.buf);
		}
		if (!have_commit && *ctx.sha) {
			obj = NULL;
			strbuf_reset(&path);
			strbuf_reset(&why);
			strbuf_addf(&path, "repos/%s/commits/%s", ctx.repository, ctx.sha);
			if (api_get(api, path.buf, opts->token, &obj, &why) == 0) {
				const json_t *d = json_object_get(json_object_get(json_object_get(obj, "commit"),
										  "committer"), "date");
				if (json_is_string(d) && ghctx_parse_time(json_string_value(d), &commit_ms) == 0)
					have_commit = 1;
				json_decref(obj);
			}
		}
		strbuf_release(&path);
		strbuf_release(&why);
	}
	if (!have_repo)
		ghrepo_from_json(&ctx.repo, prepo);
	ctx.commit_date_ms = have_commit ? commit_ms : ctx.now_ms;
	*out = ctx;
	git_libgit2_shutdown();
	return 0;
fail:
	ghctx_release(&ctx);
	git_libgit2_shutdown();
	return rc;
}
