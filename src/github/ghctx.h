/*
 * ghctx.h: the GitHub context that `publish meta` derives image metadata
 * from, gathered the way docker/metadata-action gathers it.
 *
 * From the environment: GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA,
 * GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the event payload, JSON),
 * GITHUB_SERVER_URL and GITHUB_API_URL.  Then metadata-action's fix-ups:
 * for pull_request_target the ref becomes refs/pull/<number>/merge, and
 * when DOCKER_METADATA_PR_HEAD_SHA contains "true" a pull request's head
 * sha replaces GITHUB_SHA.  With the git source (INPUT_CONTEXT=git) ref
 * and sha come from the repository in the current directory (libgit2):
 * the checked-out branch, or for a detached HEAD a tag or remote branch
 * pointing at it.
 *
 * Time: SOURCE_DATE_EPOCH, when set, is both "now" and the commit date.
 * Otherwise the commit date is the payload's commits[]/head_commit
 * timestamp for the sha, else the HEAD commit of the repository in the
 * current directory when it is that sha, else the API's commit, else now.
 *
 * Repository facts (name, description, html_url, default_branch,
 * license) come from GET {GITHUB_API_URL}/repos/{owner}/{repo} (owner and
 * repo from GITHUB_REPOSITORY, the payload, or for local runs the
 * "origin" remote of the repository), with the
 * token when one is given; when that fails the payload's `repository`
 * object is used, and an unreachable API is only a warning.
 *
 * ghctx_load() does all the I/O; the struct is plain data afterwards, so
 * tests can also fill one by hand and give it to meta_derive().
 */
#ifndef GHCTX_H
#define GHCTX_H

#include <stdint.h>
#include <jansson.h>

struct ghrepo {
	char *name;		/* NULL when unknown, for each field */
	char *description;
	char *html_url;
	char *default_branch;
	char *license;		/* license.spdx_id */
};

struct ghctx {
	char *event_name;	/* never NULL ("" when unset) */
	char *ref;		/* never NULL */
	char *sha;		/* never NULL */
	char *repository;	/* "owner/name", or NULL when unknown */
	json_t *payload;	/* the event payload, an object ({} when none); owned */
	int64_t now_ms;		/* "now" for {{date}} */
	int64_t commit_date_ms;	/* {{commit_date}} and image.created */
	struct ghrepo repo;
	char *api_url;		/* GITHUB_API_URL, "" when unset */
	char *token;		/* the API token (secret), NULL when none */
};

enum ghctx_source {
	GHCTX_WORKFLOW,		/* the GitHub event (default) */
	GHCTX_GIT		/* ref and sha from the git repository */
};

struct ghctx_options {
	enum ghctx_source source;
	const char *token;	/* GitHub token for the API, or NULL */
	const char *repo_dir;	/* git repository for the git source and commit dates; NULL: "." */
};

/*
 * Gather the context into out (see above).  Returns 0, -EXIT_INPUT when
 * the event payload is not JSON or larger than 64 MiB (an unreadable one
 * is only a warning), -EXIT_CONTEXT when the git source was
 * asked for and the repository cannot be read; the error is printed.
 */
int ghctx_load(struct ghctx *out, const struct ghctx_options *opts);

struct githistory_query;
struct githistory;
struct strbuf;
struct strlist;

/*
 * The history a shallow clone lacks, from the GitHub API with ctx's
 * token: GET /repos/{repo}/tags and /repos/{repo}/commits?sha=HEAD
 * (pages of 100, at most 30 of each), and for paths= the files of each
 * counted commit (GET .../commits/{sha}, at most 200), 64 MiB in all.
 * The walks are githistory_read_from()'s, so the answer is the one the
 * whole clone gives.  0 and out set; -1 when the API cannot answer (no
 * API URL, token or repository: why left empty; an HTTP error or a
 * cap: why says it), nothing printed.
 */
int ghctx_history(const struct ghctx *ctx, const char *head, const struct githistory_query *q,
		  struct githistory *out, struct strbuf *why);

/*
 * The files that differ between base and head (a commit, tag or branch
 * name) from the GitHub API with ctx's token, for a shallow clone that
 * lacks base: GET /repos/{repo}/compare/{base}...{head} in pages of 100
 * commits (at most 30, 64 MiB), each file's name and a rename's previous
 * name pushed on out once.  The API lists the files with the first page,
 * at most 300 for a comparison.  0: all of them; 1: the API does not know
 * base (HTTP 404); 2: 300 files, the list may be cut (why says so);
 * -1: the API cannot answer (no API URL, token or repository: why left
 * empty; an HTTP error or a cap: why says it).  Nothing printed.
 */
int ghctx_compare_files(const struct ghctx *ctx, const char *base, const char *head,
			struct strlist *out, struct strbuf *why);

/* The GitHub API's URL for a run outside ghctx_load() (GITHUB_API_URL), "" when unset. */
const char *ghctx_api_url(void);

/* An empty context: "" strings, {} payload, times 0. */
void ghctx_init(struct ghctx *ctx);
void ghctx_release(struct ghctx *ctx);
void ghrepo_release(struct ghrepo *r);

/*
 * Fill out from a GitHub API repository object (or the payload's
 * `repository`), keeping what is already set in out.
 */
void ghrepo_from_json(struct ghrepo *out, const json_t *repo);

/*
 * Parse an ISO 8601 / RFC 3339 timestamp as JavaScript's Date does
 * ("2020-01-10T00:30:00Z", "...+01:00", "...123Z", a bare date is UTC);
 * 0 and *out_ms set, or -1.
 */
int ghctx_parse_time(const char *s, int64_t *out_ms);

/* Append the time as Date.prototype.toISOString() prints it ("2020-01-10T00:30:00.000Z"). */
void ghctx_format_iso(int64_t ms, struct strbuf *out);

#endif
