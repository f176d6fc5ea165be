/*
 * action.c: see action.h.  The order of a run, and why:
 *
 *   1. mask the token first, before any line could echo it;
 *   2. resolve the inputs: default image, push default, working directory;
 *   3. open the workspace as the runner mounts it: owned by another uid,
 *      which libgit2 refuses like git does ("dubious ownership"); we
 *      lift the owner check for exactly that directory, as a
 *      safe.directory entry for it would, and restore it afterwards;
 *   4. meta, build, push, each inside ::group::, each timed;
 *   5. outputs and summary, also after a failure (as far as it went).
 *
 * Temporary files (the OCI layout) live in one private directory under
 * $TMPDIR, never in the workspace, and are removed on every path out.
 * Credentials live in memory only (open_registry()): no file, no
 * environment variable holds the token.
 */
#include "lib/common.h"
#include "github/action.h"
#include "build/build.h"
#include "registry/credentials.h"
#include "github/ghcommand.h"
#include "github/ghctx.h"
#include "github/ghoutput.h"
#include "meta/meta.h"
#include "oci/ocilayout.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "registry/registry.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <jansson.h>

void action_result_init(struct action_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < ACTION_NR_PHASES; i++)
		r->seconds[i] = -1;
}

void action_result_release(struct action_result *r)
{
	if (!r)
		return;
	free(r->version);
	for (size_t i = 0; i < r->nr_tags; i++)
		free(r->tags[i]);
	free(r->tags);
	free(r->media_type);
	free(r->image);
	action_result_init(r);
}

int action_default_image(const char *repository, struct strbuf *out)
{
	const char *slash = repository ? strchr(repository, '/') : NULL;

	if (!slash || slash == repository || !slash[1] || strchr(slash + 1, '/'))
		return error_as(EXIT_INPUT, "GITHUB_REPOSITORY '%s' is not owner/name: give the images input",
				repository ? repository : "");
	strbuf_addstr(out, "ghcr.io/");
	for (const char *p = repository; *p; p++)
		strbuf_addch(out, tolower((unsigned char)*p));
	return 0;
}

/* A boolean input as core.getBooleanInput reads it; def when empty. */
static int input_bool(const char *name, const char *v, int def, int *out)
{
	if (!v || !*v) {
		*out = def;
		return 0;
	}
	if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")) {
		*out = 0;
		return 0;
	}
	return error_as(EXIT_INPUT, "input '%s': '%s' is not a boolean (true or false)", name, v);
}

int action_push_enabled(const char *push, const char *event_name, int *out)
{
	return input_bool("push", push, !(event_name && (!strcmp(event_name, "pull_request") ||
							  !strcmp(event_name, "pull_request_target"))), out);
}

/* A table cell: no '|' or newline may break the row. */
static void add_cell_code(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '`');
	for (; *s; s++)
		if (*s == '|' || *s == '\n' || *s == '`')
			strbuf_addch(out, ' ');
		else
			strbuf_addch(out, *s);
	strbuf_addch(out, '`');
}

static const char *const phase_names[ACTION_NR_PHASES] = { "meta", "build", "push" };

void action_summary(const struct action_result *r, const char *error_message,
		    struct strbuf *out)
{
	int first;

	if (error_message && *error_message)
		strbuf_addstr(out, "### :x: publish failed\n\n");
	else if (r->pushed)
		strbuf_addstr(out, "### :rocket: Image published\n\n");
	else
		strbuf_addstr(out, "### :package: Image built, not pushed\n\n");

	strbuf_addstr(out, "| | |\n| --- | --- |\n");
	if (r->image) {
		strbuf_addstr(out, "| image | ");
		add_cell_code(out, r->image);
		strbuf_addstr(out, " |\n");
	}
	strbuf_addstr(out, "| tags | ");
	for (size_t i = 0; i < r->nr_tags; i++) {
		if (i)
			strbuf_addstr(out, "<br>");
		add_cell_code(out, r->tags[i]);
	}
	if (!r->nr_tags)
		strbuf_addstr(out, "(none)");
	strbuf_addstr(out, " |\n");
	if (r->digest[0]) {
		strbuf_addstr(out, "| digest | ");
		add_cell_code(out, r->digest);
		strbuf_addstr(out, " |\n");
		strbuf_addstr(out, "| size | ");
		strbuf_humanise_bytes(out, r->size);
		strbuf_addstr(out, " |\n");
	}
	if (r->pushed)
		strbuf_addf(out, "| layers | %zu pushed, %zu mounted, %zu skipped (already there) |\n",
			    r->layers_pushed, r->layers_mounted, r->layers_skipped);
	else if (r->digest[0])
		strbuf_addstr(out, "| layers | not pushed |\n");
	strbuf_addstr(out, "| time | ");
	first = 1;
	for (int i = 0; i < ACTION_NR_PHASES; i++) {
		if (r->seconds[i] < 0)
			continue;
		strbuf_addf(out, "%s%s %.2f s", first ? "" : ", ", phase_names[i], r->seconds[i]);
		first = 0;
	}
	if (first)
		strbuf_addstr(out, "-");
	strbuf_addstr(out, " |\n");

	if (error_message && *error_message) {
		strbuf_addstr(out, "\n```\nerror: ");
		strbuf_addstr(out, error_message);
		strbuf_addstr(out, "\n```\n");
	}
	if (r->shallow)
		strbuf_addstr(out, "\nThe checkout is shallow: tags and versions came from the event. "
			      "Give actions/checkout `fetch-depth: 0` for versions derived from the "
			      "repository's history.\n");
}

void action_metadata_json(const struct action_result *r, struct strbuf *out)
{
	json_t *o = json_object(), *desc, *layers, *secs;
	struct strbuf names = STRBUF_INIT;
	char *s;

	for (size_t i = 0; i < r->nr_tags; i++) {
		if (i)
			strbuf_addch(&names, ',');
		strbuf_addstr(&names, r->tags[i]);
	}
	json_object_set_new(o, "image.name", json_string(names.buf));	/* steals */
	if (r->digest[0]) {
		json_object_set_new(o, "containerimage.digest", json_string(r->digest));	/* steals */
		desc = json_object();
		json_object_set_new(desc, "mediaType", json_string(r->media_type ? r->media_type : ""));	/* steals */
		json_object_set_new(desc, "digest", json_string(r->digest));	/* steals */
		json_object_set_new(desc, "size", json_integer(r->size));	/* steals */
		json_object_set_new(o, "containerimage.descriptor", desc);	/* steals desc */
	}
	if (r->image)
		json_object_set_new(o, "image", json_string(r->image));	/* steals */
	json_object_set_new(o, "pushed", json_boolean(r->pushed));	/* steals */
	layers = json_object();
	json_object_set_new(layers, "pushed", json_integer((json_int_t)r->layers_pushed));	/* steals */
	json_object_set_new(layers, "mounted", json_integer((json_int_t)r->layers_mounted));	/* steals */
	json_object_set_new(layers, "skipped", json_integer((json_int_t)r->layers_skipped));	/* steals */
	json_object_set_new(o, "layers", layers);	/* steals layers */
	json_object_set_new(o, "bytes_pushed", json_integer(r->bytes_pushed));	/* steals */
	secs = json_object();
	for (int i = 0; i < ACTION_NR_PHASES; i++)
		if (r->seconds[i] >= 0)
			json_object_set_new(secs, phase_names[i],
					    json_real((long long)(r->seconds[i] * 1000 + 0.5) / 1000.0));	/* steals */
	json_object_set_new(o, "seconds", secs);	/* steals secs */

	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (s)
		strbuf_addstr(out, s);
	free(s);
	json_decref(o);
	strbuf_release(&names);
}

int action_error_location(const char *msg, const char *workspace,
			  struct strbuf *file, int *line, struct strbuf *message)
{
	const char *p, *colon = NULL;
	char *end;
	long n;
	size_t wlen;

	/* The last ":DIGITS: " in the message's first part (a path may hold ':'). */
	for (p = msg; (p = strchr(p, ':')); p++) {
		if (!isdigit((unsigned char)p[1]))
			continue;
		n = strtol(p + 1, &end, 10);
		if (*end == ':' && end[1] == ' ' && n > 0 && n < 10000000) {
			colon = p;
			break;
		}
	}
	/* A location starts the message: no space before it (a registry's host:port does not qualify). */
	if (!colon || colon == msg || memchr(msg, ' ', colon - msg))
		return -1;
	n = strtol(colon + 1, &end, 10);
	strbuf_reset(file);
	wlen = workspace ? strlen(workspace) : 0;
	while (wlen && workspace[wlen - 1] == '/')
		wlen--;
	if (wlen && (size_t)(colon - msg) > wlen && !strncmp(msg, workspace, wlen) && msg[wlen] == '/')
		strbuf_add(file, msg + wlen + 1, colon - msg - wlen - 1);
	else if (!strncmp(msg, "./", 2))
		strbuf_add(file, msg + 2, colon - msg - 2);
	else
		strbuf_add(file, msg, colon - msg);
	*line = (int)n;
	strbuf_reset(message);
	strbuf_addstr(message, end + 2);
	return 0;
}

/* --- the run ------------------------------------------------------------ */

/* What one run holds besides its result (freed by run_release). */
struct run {
	const struct action_inputs *in;
	const struct action_github *gh;
	struct strbuf workdir;		/* the build context: workspace/working-directory */
	struct strbuf tmp;		/* private temporary directory, removed at the end */
	struct strbuf layout;		/* tmp/oci: the built image */
	int push;
	int include_git_dir;		/* input include-git-dir: copy .git (build.h) */
	int zstd;			/* compression: zstd (else gzip) */
	struct strlist platforms;	/* the platforms asked for (none: the base's) */
	int owner_check_lifted;		/* we turned libgit2's owner validation off */
	int saved_owner_check;
	struct strbuf labels, annotations, json;	/* meta's outputs, joined with their separators */
	struct strlist configs;		/* the built configs' digests: blobs, not layers */
	struct meta_inputs meta_in;
	struct meta_result meta;	/* meta's result, for the build's labels and annotations */
	const char *annotation_levels;	/* DOCKER_METADATA_ANNOTATIONS_LEVELS, borrowed */
	const char *short_sha_length;	/* DOCKER_METADATA_SHORT_SHA_LENGTH, borrowed */
	struct strbuf registry_host;	/* the registry input as references name it (ghcr.io, docker.io...) */
	const char *cred_hosts[2];	/* registry_host.buf, NULL: where the token goes */
	struct registry_client *client;	/* for the base image and the push, with the token (open_registry()) */
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) && errno != ENOENT)
		warning("cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

/* rm -rf path (a directory we made); quiet when it does not exist. */
static void remove_tree(const char *path)
{
	if (path && *path)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void run_release(struct run *r)
{
	remove_tree(r->tmp.buf);
	strbuf_release(&r->tmp);
	strbuf_release(&r->workdir);
	strbuf_release(&r->layout);
	strbuf_release(&r->labels);
	strbuf_release(&r->annotations);
	strbuf_release(&r->json);
	meta_inputs_release(&r->meta_in);
	meta_result_release(&r->meta);
	strlist_release(&r->platforms);
	strlist_release(&r->configs);
	if (r->owner_check_lifted)
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, r->saved_owner_check);
	registry_client_free(r->client);	/* before registry_host: its cred_registries */
	r->client = NULL;
	strbuf_release(&r->registry_host);
}

static int resolve_inputs(struct run *r)
{
	const struct action_inputs *in = r->in;
	const struct action_github *gh = r->gh;
	const char *ws = gh->workspace && *gh->workspace ? gh->workspace : ".";
	struct stat st;
	const char *tmpdir = getenv("TMPDIR");
	int ret;

	credentials_registry_host(in->registry && *in->registry ? in->registry : "ghcr.io", &r->registry_host);
	if (!r->registry_host.len)
		return error_as(EXIT_INPUT, "input 'registry': '%s' names no registry host", in->registry);
	if ((ret = action_push_enabled(in->push, gh->event_name, &r->push)) < 0 ||
	    (ret = input_bool("include-git-dir", in->include_git_dir, 0, &r->include_git_dir)) < 0)
		return ret;
	if (in->compression && *in->compression && strcmp(in->compression, "gzip")) {
		if (strcmp(in->compression, "zstd"))
			return error_as(EXIT_INPUT, "input 'compression': '%s' is not gzip or zstd",
					in->compression);
		r->zstd = 1;
	}
	/* comma- or newline-separated, as build-push-action takes them */
	for (const char *p = in->platforms; p && *p; ) {
		size_t n = strcspn(p, ",\n");
		struct strbuf one = STRBUF_INIT;

		strbuf_add(&one, p, n);
		strbuf_trim(&one);
		if (one.len) {
			/* normalised, so linux/x86_64 and linux/amd64 are one */
			struct platform pl = PLATFORM_INIT;

			if ((ret = platform_parse(one.buf, &pl)) < 0) {
				strbuf_release(&one);
				return ret;
			}
			strbuf_reset(&one);
			platform_format(&pl, &one);
			platform_release(&pl);
		}
		if (one.len && !strlist_has(&r->platforms, one.buf))
			strlist_push(&r->platforms, one.buf);
		strbuf_release(&one);
		p += n;
		if (*p)
			p++;
	}

	/*
	 * Inside the workspace only: it is the one directory trusted whoever
	 * owns it (trust_workspace()), and the one the runner mounts.
	 */
	strbuf_addstr(&r->workdir, ws);
	if (in->working_directory && *in->working_directory) {
		const char *wd = in->working_directory;

		if (wd[0] == '/' || !strcmp(wd, "..") || !strncmp(wd, "../", 3) ||
		    strstr(wd, "/../") || (strlen(wd) >= 3 && !strcmp(wd + strlen(wd) - 3, "/..")))
			return error_as(EXIT_INPUT, "input 'working-directory': '%s' is not a path inside the workspace",
					wd);
		strbuf_addch(&r->workdir, '/');
		strbuf_addstr(&r->workdir, wd);
	}
	if (stat(r->workdir.buf, &st) || !S_ISDIR(st.st_mode))
		return error_as(EXIT_CONTEXT, "working-directory '%s' is not a directory in the workspace",
				in->working_directory && *in->working_directory ? in->working_directory : ws);

	strbuf_addf(&r->tmp, "%s/publish-action.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(r->tmp.buf)) {
		ret = error("cannot create a temporary directory in '%s': %s",
			    tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
		strbuf_reset(&r->tmp);
		return ret;
	}
	strbuf_addf(&r->layout, "%s/oci", r->tmp.buf);
	return 0;
}

/*
 * The workspace the runner mounts belongs to the runner's user; we run as
 * root in the container.  git (and libgit2 >= 1.5) refuse such a
 * repository unless safe.directory names it.  The workspace is the one
 * directory the runner hands us to read, so, like a safe.directory entry
 * for it, lift the owner check when (and only when) the workspace is owned
 * by someone else; run_release() restores it.
 */
static void trust_workspace(struct run *r, struct action_result *out)
{
	const char *ws = r->gh->workspace;
	struct stat st;
	struct strbuf path = STRBUF_INIT;
	int enabled = 1;

	if (!ws || !*ws || stat(ws, &st))
		return;
	if (st.st_uid != geteuid() &&
	    !git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &enabled) && enabled) {
		r->saved_owner_check = enabled;
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
		r->owner_check_lifted = 1;
		note("workspace '%s' belongs to uid %u: trusted as git's safe.directory would",
		     ws, (unsigned)st.st_uid);
	}
	strbuf_addf(&path, "%s/.git/shallow", ws);
	if (!access(path.buf, F_OK)) {
		out->shallow = 1;
		note("the checkout is shallow: tags and versions come from the event; "
		     "give actions/checkout 'fetch-depth: 0' for versions derived from git history");
	}
	strbuf_release(&path);
}

/* One step output, in the runner's heredoc form (src/github/ghoutput.c). */
static int write_output(const char *path, const char *name, const char *value)
{
	if (!path || !*path)
		return 0;
	return ghoutput_append(path, name, value);
}

static int write_summary(const char *path, const struct action_result *res, const char *err)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f;
	int ret = 0;

	if (!path || !*path)
		return 0;
	action_summary(res, err, &sb);
	f = fopen(path, "a");
	if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len)
		ret = error("cannot write GITHUB_STEP_SUMMARY '%s': %s", path, strerror(errno));
	if (f && fclose(f) && !ret)
		ret = error("cannot write GITHUB_STEP_SUMMARY '%s': %s", path, strerror(errno));
	strbuf_release(&sb);
	return ret;
}

/*
 * The registry client of the whole run (the base image, the push).  The
 * token input is the credential of the registry input and of no other
 * registry (Docker Hub has no use for a GITHUB_TOKEN; a base image's
 * registry gets what a Docker config holds for it, or nothing).  It goes
 * to the client in memory, as --username/--password-stdin do on the
 * command line: no Docker config is written, no DOCKER_CONFIG is set.
 */
static void open_registry(struct run *r)
{
	const struct action_inputs *in = r->in;
	const char *user = in->username && *in->username ? in->username : "x-access-token";
	struct registry_options opts = { 0 };

	if (in->token && *in->token) {
		opts.cred.username = (char *)user;	/* copied by registry_client_new() */
		opts.cred.password = (char *)in->token;
		opts.cred.source = "the token input";
		r->cred_hosts[0] = r->registry_host.buf;
		r->cred_hosts[1] = NULL;
		opts.cred_registries = r->cred_hosts;
		note("credentials for %s: %s and the token input", r->registry_host.buf, user);
	}
	r->client = registry_client_new(&opts);
}

static void group_begin(const char *title)
{
	ghcommand_print("group", NULL, title);
}

static void group_end(void)
{
	fflush(stderr);
	ghcommand_print("endgroup", NULL, NULL);
}

/*
 * An error from the user's Dockerfile or .dockerignore ("FILE:LINE:
 * message") becomes an annotation on that line; any other error an
 * annotation on the step.
 */
static void annotate_error(int rc, const char *workspace)
{
	struct strbuf file = STRBUF_INIT, msg = STRBUF_INIT;
	struct ghcommand_props props = GHCOMMAND_PROPS_INIT;
	int line = 0;

	/* the Dockerfile's errors, and the .dockerignore's (a context error) */
	if ((rc == -EXIT_DOCKERFILE || rc == -EXIT_CONTEXT) &&
	    !action_error_location(error_last(), workspace, &file, &line, &msg)) {
		const char *base = strrchr(file.buf, '/');

		props.file = file.buf;
		props.line = line;
		props.title = rc == -EXIT_DOCKERFILE ? "Dockerfile" : base ? base + 1 : file.buf;
		ghcommand_print("error", &props, msg.buf);
	} else {
		ghcommand_print("error", NULL, error_last());
	}
	strbuf_release(&file);
	strbuf_release(&msg);
}

static int run_meta(struct run *r, struct action_result *out);
static int run_build(struct run *r, struct action_result *out);
static int run_push(struct run *r, struct action_result *out);

static int write_outputs(struct run *r, const struct action_result *res)
{
	const char *path = r->gh->output;
	struct strbuf tags = STRBUF_INIT, meta = STRBUF_INIT;
	const char *sep = r->in->sep_tags && *r->in->sep_tags ? r->in->sep_tags : "\n";
	int ret = 0;

	for (size_t i = 0; i < res->nr_tags; i++) {
		if (i)
			strbuf_addstr(&tags, sep);
		strbuf_addstr(&tags, res->tags[i]);
	}
	action_metadata_json(res, &meta);
	if (write_output(path, "version", res->version ? res->version : "") < 0 ||
	    write_output(path, "tags", tags.buf) < 0 ||
	    write_output(path, "labels", r->labels.buf) < 0 ||
	    write_output(path, "annotations", r->annotations.buf) < 0 ||
	    write_output(path, "json", r->json.buf) < 0 ||
	    write_output(path, "digest", res->digest) < 0 ||
	    write_output(path, "image", res->image ? res->image : "") < 0 ||
	    write_output(path, "metadata", meta.buf) < 0)
		ret = -EXIT_FAIL;
	strbuf_release(&tags);
	strbuf_release(&meta);
	return ret;
}

int action_run(const struct action_inputs *in, const struct action_github *gh,
	       struct action_result *out)
{
	struct run r = { 0 };
	struct meta_inputs mi = META_INPUTS_INIT;
	struct meta_result mr = META_RESULT_INIT;
	double t0;
	int ret, wret;

	r.meta_in = mi;
	r.meta = mr;
	r.annotation_levels = gh->annotation_levels;
	r.short_sha_length = gh->short_sha_length;
	r.in = in;
	r.gh = gh;
	strbuf_init(&r.workdir, 0);
	strbuf_init(&r.tmp, 0);
	strbuf_init(&r.layout, 0);
	strbuf_init(&r.labels, 0);
	strbuf_init(&r.annotations, 0);
	strbuf_init(&r.json, 0);
	strbuf_init(&r.registry_host, 0);

	/* First, before anything could echo it (GITHUB_ACTIONS=true only). */
	credentials_mask(in->token);

	if ((ret = resolve_inputs(&r)) < 0)
		goto out;
	trust_workspace(&r, out);
	open_registry(&r);

	group_begin("meta: tags, labels and annotations");
	t0 = now_seconds();
	ret = run_meta(&r, out);
	out->seconds[ACTION_META] = now_seconds() - t0;
	group_end();
	if (ret < 0)
		goto out;

	group_begin("build: the image from the Dockerfile");
	t0 = now_seconds();
	ret = run_build(&r, out);
	out->seconds[ACTION_BUILD] = now_seconds() - t0;
	group_end();
	if (ret < 0)
		goto out;

	if (!r.push) {
		note("not pushing: %s", in->push && *in->push ? "push is false" :
		     "pull requests build without pushing (set push: true to push)");
	} else if (!out->nr_tags) {
		note("not pushing: no tag rule gave a tag for this event");
	} else {
		group_begin("push: to the registry");
		t0 = now_seconds();
		ret = run_push(&r, out);
		out->seconds[ACTION_PUSH] = now_seconds() - t0;
		group_end();
		if (ret < 0)
			goto out;
	}

out:
	if (ret < 0)
		annotate_error(ret, gh->workspace);
	wret = write_outputs(&r, out);
	if (write_summary(gh->step_summary, out, ret < 0 ? error_last() : NULL) < 0 && !wret)
		wret = -EXIT_FAIL;
	run_release(&r);
	return ret < 0 ? ret : wret;
}

/* --- the phases (the other modules' domain APIs) ------------------------ */

/*
 * The token goes to the GitHub API (repository facts for the labels)
 * only when it is a GitHub token, that is when the registry is ghcr.io;
 * another registry's password is never sent to GitHub.
 */
static int run_meta(struct run *r, struct action_result *out)
{
	const struct action_inputs *in = r->in;
	struct ghctx_options copts = { GHCTX_WORKFLOW, NULL, NULL };
	struct ghctx ctx;
	struct strbuf def = STRBUF_INIT;
	const char *images = in->images;
	const char *v;
	int ret, have_ctx = 0;
	static const struct { const char *name; size_t off; } lists[] = {
		{ "tags", offsetof(struct action_inputs, tags) },
		{ "flavor", offsetof(struct action_inputs, flavor) },
		{ "labels", offsetof(struct action_inputs, labels) },
		{ "annotations", offsetof(struct action_inputs, annotations) },
		{ "sep-tags", offsetof(struct action_inputs, sep_tags) },
		{ "sep-labels", offsetof(struct action_inputs, sep_labels) },
		{ "sep-annotations", offsetof(struct action_inputs, sep_annotations) },
	};

	if (!images || !*images) {
		if ((ret = action_default_image(r->gh->repository, &def)) < 0)
			goto out;
		images = def.buf;
		note("no images input: publishing to %s", images);
	}
	if ((ret = meta_inputs_set(&r->meta_in, "images", images)) < 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		v = *(const char *const *)((const char *)in + lists[i].off);
		if (v && *v && (ret = meta_inputs_set(&r->meta_in, lists[i].name, v)) < 0)
			goto out;
	}
	if (r->annotation_levels)
		r->meta_in.annotation_levels = xstrdup(r->annotation_levels);
	if (r->short_sha_length)
		r->meta_in.short_sha_length = xstrdup(r->short_sha_length);

	if (!in->context || !*in->context || !strcmp(in->context, "workflow")) {
		copts.source = GHCTX_WORKFLOW;
	} else if (!strcmp(in->context, "git")) {
		copts.source = GHCTX_GIT;
	} else {
		ret = error_as(EXIT_INPUT, "input 'context': '%s' is not workflow or git", in->context);
		goto out;
	}
	if (!strcmp(r->registry_host.buf, "ghcr.io") && in->token && *in->token)
		copts.token = in->token;
	copts.repo_dir = r->gh->workspace && *r->gh->workspace ? r->gh->workspace : NULL;
	if (copts.source == GHCTX_GIT && out->shallow) {
		/* the error is ours to tell, once we know whether the event can stand in */
		error_set_quiet(1);
		ret = ghctx_load(&ctx, &copts);
		error_set_quiet(0);
		if (ret < 0 && ret != -EXIT_CONTEXT)
			ret = error_as(-ret, "%s", error_last());
	} else {
		ret = ghctx_load(&ctx, &copts);
	}
	if (ret == -EXIT_CONTEXT && copts.source == GHCTX_GIT && out->shallow) {
		/* what the shallow clone lacks, the event still has */
		warning("context: git cannot be read from this shallow checkout (%s): using the event; "
			"give actions/checkout 'fetch-depth: 0' for git-derived versions", error_last());
		copts.source = GHCTX_WORKFLOW;
		ret = ghctx_load(&ctx, &copts);
	}
	if (ret < 0)
		goto out;
	have_ctx = 1;
	if ((ret = meta_derive(&r->meta_in, &ctx, &r->meta)) < 0)
		goto out;
	if (!*r->meta.version)
		warning("no Docker image version has been generated, check the tags input");

	out->version = xstrdup(r->meta.version);
	out->tags = xcalloc(r->meta.tags.nr ? r->meta.tags.nr : 1, sizeof(char *));
	for (size_t i = 0; i < r->meta.tags.nr; i++)
		out->tags[out->nr_tags++] = xstrdup(r->meta.tags.items[i]);
	meta_output(&r->meta, &r->meta_in, "labels", &r->labels);
	meta_output(&r->meta, &r->meta_in, "annotations", &r->annotations);
	meta_output(&r->meta, &r->meta_in, "json", &r->json);
	printf("version: %s\n", r->meta.version);
	for (size_t i = 0; i < r->meta.tags.nr; i++)
		printf("tag: %s\n", r->meta.tags.items[i]);
	for (size_t i = 0; i < r->meta.labels.nr; i++)
		printf("label: %s\n", r->meta.labels.items[i]);
	fflush(stdout);
out:
	if (have_ctx)
		ghctx_release(&ctx);
	strbuf_release(&def);
	return ret;
}

/* "repo" of "repo:tag" (the tag after the last '/'), appended to out. */
static void strip_tag(const char *ref, struct strbuf *out)
{
	const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');

	if (colon && (!slash || colon > slash))
		strbuf_add(out, ref, colon - ref);
	else
		strbuf_addstr(out, ref);
}

/* Lines of a list input (newline-separated, trimmed, empty ones dropped) into l. */
static void input_lines(const char *text, struct strlist *l)
{
	struct strbuf item = STRBUF_INIT;

	for (const char *p = text; p && *p; ) {
		size_t n = strcspn(p, "\n");

		strbuf_reset(&item);
		strbuf_add(&item, p, n);
		strbuf_trim(&item);
		if (item.len)
			strlist_push(l, item.buf);
		p += n;
		if (*p)
			p++;
	}
	strbuf_release(&item);
}

/* "key=value" items into image_kv pairs pointing into them; the items are split in place. */
static struct image_kv *kv_pairs(struct strlist *items, const char *level, size_t *nr)
{
	struct image_kv *kv = xcalloc(items->nr ? items->nr : 1, sizeof(*kv));
	size_t n = 0, llen = level ? strlen(level) : 0;

	for (size_t i = 0; i < items->nr; i++) {
		char *s = items->items[i], *eq;

		if (level) {
			/* meta's annotations are "level:key=value"; the manifest's are ours */
			char *colon = strchr(s, ':');

			eq = strchr(s, '=');
			if (colon && (!eq || colon < eq)) {
				if ((size_t)(colon - s) != llen || strncmp(s, level, llen))
					continue;
				s = colon + 1;
			}
		}
		eq = strchr(s, '=');
		if (!eq)
			continue;
		*eq = '\0';
		kv[n].key = s;
		kv[n].value = eq + 1;
		n++;
	}
	*nr = n;
	return kv;
}

/* manifest + config + every layer, from the manifest in the layout. */
static long long image_size(const char *layout, const char *digest, long long manifest_size)
{
	struct ocilayout l = { (char *)layout };
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	json_t *m = NULL, *layers;
	long long size = manifest_size;
	size_t i;
	json_t *d;

	ocilayout_blob_path(&l, digest, &path);
	if (strbuf_read_file(&buf, path.buf, 16u << 20) < 0 ||
	    !(m = json_loadb(buf.buf, buf.len, 0, NULL)))
		goto out;
	size += json_integer_value(json_object_get(json_object_get(m, "config"), "size"));
	layers = json_object_get(m, "layers");
	json_array_foreach(layers, i, d)
		size += json_integer_value(json_object_get(d, "size"));
out:
	json_decref(m);
	strbuf_release(&buf);
	strbuf_release(&path);
	return size;
}

/* Every blob of the layout src (a directory) linked or copied into l. */
static int import_blobs(const struct ocilayout *l, const char *src)
{
	struct strbuf dir = STRBUF_INIT, digest = STRBUF_INIT;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	strbuf_addf(&dir, "%s/blobs/sha256", src);
	if (!(d = opendir(dir.buf))) {
		ret = error("cannot read '%s': %s", dir.buf, strerror(errno));
		goto out;
	}
	while (!ret && (e = readdir(d))) {
		if (strlen(e->d_name) != 64)
			continue;
		strbuf_reset(&digest);
		strbuf_addf(&digest, "sha256:%s", e->d_name);
		if (!ocilayout_has_blob(l, digest.buf))
			ret = ocilayout_import_blob(l, dir.buf, digest.buf);
	}
	closedir(d);
out:
	strbuf_release(&dir);
	strbuf_release(&digest);
	return ret;
}

/*
 * Several platforms: one build each (the base image's index gives each
 * its base), each into its own layout, then one layout holding all their
 * blobs and an OCI index over their manifests, named (index.json, one
 * descriptor, as push wants) by the first tag.  The index gets meta's
 * "index:" annotations.
 */
static int build_platforms(struct run *r, struct build_opts *opts, struct strlist *annotations,
			   struct action_result *out)
{
	size_t nr = r->platforms.nr;
	/*
	 * The base's layers are in none of the layouts: the index.json
	 * descriptor names the base (FROM, the same for every platform) so
	 * push can mount or copy them from its repository.
	 */
	struct image_index_entry *entries = xcalloc(nr, sizeof(*entries));
	struct build_result *res = xcalloc(nr, sizeof(*res));
	struct strbuf dir = STRBUF_INIT, index = STRBUF_INIT;
	struct ocilayout l = { NULL };
	struct image_kv *index_kv = NULL;
	size_t index_kv_nr = 0, done = 0;
	char digest[DIGEST_HEX_LEN + 1];
	long long size = 0;
	int ret = 0;

	for (; done < nr; done++) {
		build_result_init(&res[done]);
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/oci-%zu", r->tmp.buf, done);
		opts->platform = r->platforms.items[done];
		opts->output = dir.buf;
		note("platform %s", opts->platform);
		if ((ret = build_run(opts, &res[done])) < 0)
			goto out;
		entries[done].digest = res[done].manifest_digest;
		entries[done].size = res[done].manifest_size;
		entries[done].media_type = res[done].media_type;
		entries[done].platform = res[done].platform ? res[done].platform : opts->platform;
		strlist_push(&r->configs, res[done].config_digest);
		size += image_size(dir.buf, res[done].manifest_digest, (long long)res[done].manifest_size);
	}
	if ((ret = ocilayout_open(&l, r->layout.buf)) < 0)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/oci-%zu", r->tmp.buf, i);
		if ((ret = import_blobs(&l, dir.buf)) < 0)
			goto out;
	}
	index_kv = kv_pairs(annotations, "index", &index_kv_nr);
	if ((ret = image_index_build(entries, nr, 0, index_kv, index_kv_nr, &index, digest)) < 0 ||
	    (ret = ocilayout_put_blob(&l, digest, index.buf, index.len)) < 0 ||
	    (ret = ocilayout_add_manifest(&l, MT_OCI_INDEX, digest, index.len, NULL,
					  (const char *const *)r->meta.tags.items, r->meta.tags.nr ? 1 : 0,
					  res[0].base_name, NULL)) < 0)
		goto out;
	snprintf(out->digest, sizeof(out->digest), "%s", digest);
	out->media_type = xstrdup(MT_OCI_INDEX);
	out->size = size + (long long)index.len;
out:
	for (size_t i = 0; i < done + (done < nr); i++)
		build_result_release(&res[i]);
	free(res);
	free(entries);
	free(index_kv);
	if (l.dir)
		ocilayout_release(&l);
	strbuf_release(&dir);
	strbuf_release(&index);
	return ret;
}

static int run_build(struct run *r, struct action_result *out)
{
	const struct action_inputs *in = r->in;
	struct build_opts opts = BUILD_OPTS_INIT;
	struct build_result res;
	struct strbuf dockerfile = STRBUF_INIT, name = STRBUF_INIT;
	struct strlist args = STRLIST_INIT, labels = STRLIST_INIT, annotations = STRLIST_INIT;
	struct image_kv *label_kv = NULL, *annotation_kv = NULL;
	int ret;

	build_result_init(&res);
	/* The file is relative to the working directory, as `docker build -f` in it. */
	if (in->file && *in->file && in->file[0] == '/')
		strbuf_addstr(&dockerfile, in->file);
	else
		strbuf_addf(&dockerfile, "%s/%s", r->workdir.buf, in->file && *in->file ? in->file : "Dockerfile");
	opts.dockerfile = dockerfile.buf;
	opts.context = r->workdir.buf;
	opts.include_git_dir = r->include_git_dir;
	opts.github_notices = 1;
	opts.registry = r->client;

	input_lines(in->build_args, &args);
	opts.build_args = (const char *const *)args.items;
	opts.build_args_nr = args.nr;

	opts.compression = r->zstd ? LAYER_ZSTD : LAYER_GZIP;
	opts.output_kind = BUILD_OUTPUT_OCI;
	opts.tags = (const char *const *)r->meta.tags.items;
	opts.tags_nr = r->meta.tags.nr;
	for (size_t i = 0; i < r->meta.labels.nr; i++)
		strlist_push(&labels, r->meta.labels.items[i]);
	for (size_t i = 0; i < r->meta.annotations.nr; i++)
		strlist_push(&annotations, r->meta.annotations.items[i]);
	label_kv = kv_pairs(&labels, NULL, &opts.labels_nr);
	annotation_kv = kv_pairs(&annotations, "manifest", &opts.annotations_nr);
	opts.labels = label_kv;
	opts.annotations = annotation_kv;

	if (r->platforms.nr <= 1) {
		opts.platform = r->platforms.nr ? r->platforms.items[0] : NULL;
		opts.output = r->layout.buf;
		if ((ret = build_run(&opts, &res)) < 0)
			goto out;
		snprintf(out->digest, sizeof(out->digest), "%s", res.manifest_digest);
		strlist_push(&r->configs, res.config_digest);
		out->media_type = xstrdup(res.media_type ? res.media_type : "");
		out->size = image_size(r->layout.buf, res.manifest_digest, (long long)res.manifest_size);
	} else if ((ret = build_platforms(r, &opts, &annotations, out)) < 0) {
		goto out;
	}
	if (out->nr_tags)
		strip_tag(out->tags[0], &name);
	else if (r->meta.images.nr)
		strbuf_addstr(&name, r->meta.images.items[0]);
	if (name.len) {
		strbuf_addf(&name, "@%s", out->digest);
		out->image = strbuf_detach(&name, NULL);
	}
	printf("digest: %s\n", out->digest);
	fflush(stdout);
out:
	build_result_release(&res);
	free(label_kv);
	free(annotation_kv);
	strlist_release(&args);
	strlist_release(&labels);
	strlist_release(&annotations);
	strbuf_release(&dockerfile);
	strbuf_release(&name);
	return ret;
}

static int run_push(struct run *r, struct action_result *out)
{
	struct reference *refs = xcalloc(out->nr_tags, sizeof(*refs));
	struct push_report rep = PUSH_REPORT_INIT;
	size_t nr = 0;
	int ret = 0;

	for (; nr < out->nr_tags; nr++)
		if ((ret = reference_parse(out->tags[nr], &refs[nr])) < 0)
			goto out;
	if (r->cred_hosts[0]) {
		size_t on = 0;

		for (size_t i = 0; i < nr; i++)
			on += !strcmp(refs[i].registry, r->registry_host.buf);
		if (!on)
			warning("no image is on '%s', the registry the token is for: "
				"set the registry input to the images' registry", r->registry_host.buf);
	}
	if ((ret = registry_push_layout(r->client, r->layout.buf, refs, nr, &rep)) < 0)
		goto out;
	if (out->digest[0] && strcmp(out->digest, rep.digest)) {
		ret = error_as(EXIT_REGISTRY, "the registry has %s for the image built as %s",
			       rep.digest, out->digest);
		goto out;
	}
	for (size_t i = 0; i < rep.nr_blobs; i++) {
		if (strlist_has(&r->configs, rep.blobs[i].digest))
			continue;
		switch (rep.blobs[i].outcome) {
		case BLOB_PUSHED: out->layers_pushed++; break;
		case BLOB_MOUNTED: out->layers_mounted++; break;
		case BLOB_EXISTED: out->layers_skipped++; break;
		}
	}
	out->bytes_pushed = rep.bytes_pushed;
	out->pushed = 1;
out:
	push_report_release(&rep);
	for (size_t i = 0; i < nr; i++)
		reference_release(&refs[i]);
	free(refs);
	return ret;
}
