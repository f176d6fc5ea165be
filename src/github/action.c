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
#include "lib/kvlist.h"
#include "lib/tempfile.h"
#include "github/action.h"
#include "build/multibuild.h"
#include "build/buildpush.h"
#include "attest/provenance.h"
#include "registry/credentials.h"
#include "github/ghctx.h"
#include "github/metaio.h"
#include "github/ghcommand.h"
#include "github/report.h"
#include "github/registryauth.h"
#include "github/imageoutput.h"
#include "github/ghoutput.h"
#include "github/ghchanged.h"
#include "github/wspath.h"
#include "meta/meta.h"
#include "oci/ocilayout.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "registry/registry.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

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

/* NULL, or nothing but white space (the runner's inputs are untrimmed). */
static int is_blank(const char *s)
{
	while (s && isspace((unsigned char)*s))
		s++;
	return !s || !*s;
}

int action_push_enabled(const char *push, const char *event_name, int *out)
{
	return input_bool("push", push, !(event_name && (!strcmp(event_name, "pull_request") ||
							  !strcmp(event_name, "pull_request_target"))), out);
}

int action_tag_kind(const char *line)
{
	const char *slash = strrchr(line, '/'), *colon = strrchr(line, ':');
	int has_tag = colon && (!slash || colon > slash);
	struct reference ref = REFERENCE_INIT;
	int ret;

	if (!*line || line[strcspn(line, "=,{} \t")])
		return ACTION_TAG_RULE;
	if (!slash)
		return has_tag ? ACTION_TAG_LOOKALIKE : ACTION_TAG_RULE;
	if (!has_tag && !strchr(line, '@'))
		return ACTION_TAG_LOOKALIKE;
	error_set_quiet(1);
	ret = reference_parse(line, &ref);
	error_set_quiet(0);
	if (ret < 0)
		return error_as(EXIT_INPUT, "input 'tags': '%s' is not an image reference: %s", line, error_last());
	ret = ref.digest ? error_as(EXIT_INPUT, "input 'tags': '%s' has a digest: a tag names an image by tag only",
				    line) : ACTION_TAG_REFERENCE;
	reference_release(&ref);
	return ret;
}

/* A relative path that stays inside the directory it is relative to. */
static int path_inside(const char *p)
{
	size_t n = strlen(p);

	return p[0] != '/' && strcmp(p, "..") && strncmp(p, "../", 3) && !strstr(p, "/../") &&
	       !(n >= 3 && !strcmp(p + n - 3, "/.."));
}

int action_context_parse(const char *text, enum ghctx_source *source, struct strbuf *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int ret = 0;

	strbuf_reset(path);
	strbuf_addstr(&sb, text ? text : "");
	strbuf_trim(&sb);
	*source = GHCTX_WORKFLOW;
	if (!sb.len || !strcmp(sb.buf, "workflow"))
		goto out;
	if (!strcmp(sb.buf, "git")) {
		*source = GHCTX_GIT;
		goto out;
	}
	if (strstr(sb.buf, "://") || !strncmp(sb.buf, "git@", 4)) {
		ret = error_as(EXIT_INPUT, "input 'context': '%s' is a Git URL: check the repository out "
			       "(actions/checkout) and give the directory", sb.buf);
		goto out;
	}
	p = sb.buf;
	if (!strncmp(p, "{{defaultContext}}", 18)) {
		p += 18;
		if (*p == ':')
			p++;
	}
	while (!strncmp(p, "./", 2))
		p += 2 + strspn(p + 2, "/");
	if (!strcmp(p, "."))
		p = "";
	if (!path_inside(p)) {
		ret = error_as(EXIT_INPUT, "input 'context': '%s' is not a path inside the workspace", sb.buf);
		goto out;
	}
	strbuf_addstr(path, p);
	while (path->len && path->buf[path->len - 1] == '/')
		strbuf_setlen(path, path->len - 1);
	if (!strcmp(path->buf, "."))
		strbuf_reset(path);
out:
	strbuf_release(&sb);
	return ret;
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
	int reuse;			/* input reuse-layers */
	struct strlist reuse_from;	/* the previous images the build may reuse layers from, the first that exists */
	struct registry_options reg_opts;	/* client's (open_registry()), for the prepush thread's */
	struct build_push bp;		/* layers uploaded while the build goes on (buildpush.h) */
	struct reference *pre_refs;	/* its destinations: the tags */
	size_t nr_pre_refs;
	int token_warned;		/* warn_token_elsewhere() spoke */
	struct strlist platforms;	/* the platforms asked for (none: the base's) */
	int owner_check_lifted;		/* we turned libgit2's owner validation off */
	int saved_owner_check;
	struct build_platforms_result built;	/* the image (or index) in layout, its configs */
	struct meta_inputs meta_in;
	struct meta_result meta;	/* meta's result, for the build's labels and annotations */
	struct strbuf registry_host;	/* the registry input as references name it (ghcr.io, docker.io...) */
	const char *cred_hosts[2];	/* registry_host.buf, NULL: where the token goes */
	struct registry_client *client;	/* for the base image and the push, with the token (open_registry()) */
	struct strlist insecure;	/* input insecure-registries: hosts allowed plain http */
	struct credential_set creds;	/* input registry-auth: each registry's own (open_registry()) */
	struct imageoutput outs;	/* input outputs: the image into the workspace too */
	const char **insecure_hosts;	/* insecure's items, NULL-terminated, for the client */
	struct strlist tag_refs;	/* the tags input's full references (action_tag_kind()) */
	enum ghctx_source source;	/* where meta reads from (the context input) */
	int export_env;			/* DOCKER_METADATA_OUTPUT_* to $GITHUB_ENV */
	int push_by_digest, merge;	/* a matrix job; the merge job (resolve_matrix_inputs()) */
	int sbom, provenance;		/* attestations to attach after the push */
	struct strlist digests;		/* input digests, for merge */
	struct wspath wsp;		/* the workspace, also as the runner names it (absolute paths in inputs) */
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
	build_push_release(&r->bp);	/* before what its options point at */
	for (size_t i = 0; i < r->nr_pre_refs; i++)
		reference_release(&r->pre_refs[i]);
	free(r->pre_refs);
	r->pre_refs = NULL;
	r->nr_pre_refs = 0;
	remove_tree(r->tmp.buf);
	strbuf_release(&r->tmp);
	strbuf_release(&r->workdir);
	strbuf_release(&r->layout);
	strlist_release(&r->reuse_from);
	meta_inputs_release(&r->meta_in);
	meta_result_release(&r->meta);
	strlist_release(&r->platforms);
	build_platforms_result_release(&r->built);
	if (r->owner_check_lifted)
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, r->saved_owner_check);
	registry_client_free(r->client);	/* before registry_host: its cred_registries */
	r->client = NULL;
	strbuf_release(&r->registry_host);
	credential_set_release(&r->creds);
	imageoutput_release(&r->outs);
	free(r->insecure_hosts);
	r->insecure_hosts = NULL;
	strlist_release(&r->insecure);
	strlist_release(&r->tag_refs);
	strlist_release(&r->digests);
	wspath_release(&r->wsp);
}

static int resolve_matrix_inputs(struct run *r);

/*
 * The file input is relative to the workspace (build-push-action's), not
 * to the context (docker build -f's habit): when the workspace has no
 * such file and the context has, say which is read.
 */
static int file_in_context_only(const char *ws, const struct strbuf *file, const struct strbuf *ctxdir)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	if (!file->len || !ctxdir->len)
		return 0;
	strbuf_addf(&a, "%s/%s", ws, file->buf);
	strbuf_addf(&b, "%s/%s/%s", ws, ctxdir->buf, file->buf);
	if (stat(a.buf, &st) < 0 && errno == ENOENT && !stat(b.buf, &st) && S_ISREG(st.st_mode))
		ret = error_as(EXIT_CONTEXT, "input 'file': '%s' is not in the workspace, '%s/%s' is: the file is "
			       "relative to the workspace, as build-push-action's, not to the context", file->buf,
			       ctxdir->buf, file->buf);
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/*
 * The context input into r->source and dir (action_context_parse()); an
 * absolute path, ${{ github.workspace }}/app as the runner passes it or
 * as it names it, is made relative to the workspace first (wspath.h).
 */
static int context_input(struct run *r, struct strbuf *dir, int *is_path)
{
	const char *text = r->in->meta[METAIO_CONTEXT];
	struct strbuf t = STRBUF_INIT, rel = STRBUF_INIT;
	int ret;

	strbuf_addstr(&t, text ? text : "");
	strbuf_trim(&t);
	/* a path, also when it names the workspace itself (".", "{{defaultContext}}") */
	*is_path = t.len && strcmp(t.buf, "workflow") && strcmp(t.buf, "git");
	if (t.buf[0] == '/') {
		strbuf_addstr(&rel, "./");	/* a path, also when it is the workspace or its git directory */
		if ((ret = wspath_relative(&r->wsp, "context", t.buf, &rel)) < 0)
			goto out;
		text = rel.buf;
	}
	ret = action_context_parse(text, &r->source, dir);
out:
	strbuf_release(&t);
	strbuf_release(&rel);
	return ret;
}

static int resolve_inputs(struct run *r)
{
	const struct action_inputs *in = r->in;
	const struct action_github *gh = r->gh;
	const char *ws = gh->workspace && *gh->workspace ? gh->workspace : ".";
	const char *wd;
	struct strbuf ctxdir = STRBUF_INIT, wdrel = STRBUF_INIT, file = STRBUF_INIT;
	struct stat st;
	int ret, ctx_is_path;

	credentials_registry_host(in->registry && *in->registry ? in->registry : "ghcr.io", &r->registry_host);
	if (!r->registry_host.len)
		return error_as(EXIT_INPUT, "input 'registry': '%s' names no registry host", in->registry);
	if ((ret = action_push_enabled(in->push, gh->event_name, &r->push)) < 0 ||
	    (ret = metaio_output_env_enabled(gh->set_output_env, &r->export_env)) < 0 ||
	    (ret = input_bool("include-git-dir", in->include_git_dir, 0, &r->include_git_dir)) < 0 ||
	    (ret = resolve_matrix_inputs(r)) < 0 ||
	    (ret = input_bool("reuse-layers", in->reuse_layers, 1, &r->reuse)) < 0)
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

	if ((ret = imageoutput_parse(in->outputs, &r->wsp, &r->outs)) < 0 ||
	    (ret = imageoutput_check_links(&r->outs, ws)) < 0)
		return ret;
	if (r->outs.docker && r->platforms.nr > 1)
		return error_as(EXIT_INPUT, "input 'outputs': a docker archive holds one platform, not the %zu of "
				"the platforms input (write type=oci,dest=PATH,tar=false)", r->platforms.nr);

	/*
	 * Registries that speak plain http (loopback ones need not be named:
	 * they are tried over https, then http); comma- or newline-separated.
	 */
	for (const char *p = in->insecure_registries; p && *p; ) {
		size_t n = strcspn(p, ",\n");
		struct strbuf one = STRBUF_INIT;

		strbuf_add(&one, p, n);
		strbuf_trim(&one);
		if (one.len && strcspn(one.buf, "/ \t") != one.len) {
			ret = error_as(EXIT_INPUT, "input 'insecure-registries': '%s' is not a registry host[:port] (no scheme, no path)",
				       one.buf);
			strbuf_release(&one);
			return ret;
		}
		if (one.len && !strlist_has(&r->insecure, one.buf))
			strlist_push(&r->insecure, one.buf);
		strbuf_release(&one);
		p += n;
		if (*p)
			p++;
	}

	/*
	 * The build context: the context input when it is a path, else
	 * working-directory (its older name); inside the workspace only: it
	 * is the one directory trusted whoever owns it (trust_workspace()),
	 * and the one the runner mounts.
	 */
	if ((ret = context_input(r, &ctxdir, &ctx_is_path)) < 0)
		goto out;
	if (r->source == GHCTX_WORKFLOW || r->source == GHCTX_GIT) {
		const char *word = r->source == GHCTX_GIT ? "git" : "workflow";
		struct strbuf dir = STRBUF_INIT;

		strbuf_addf(&dir, "%s/%s", ws, word);
		if (!is_blank(in->meta[METAIO_CONTEXT]) && !stat(dir.buf, &st) && S_ISDIR(st.st_mode))
			warning("input 'context': '%s' is read as metadata-action's (metadata from %s), not as the "
				"directory '%s' of the workspace: write './%s' for the build context", word,
				r->source == GHCTX_GIT ? "the git repository" : "the event", word, word);
		strbuf_release(&dir);
	}
	wd = in->working_directory && *in->working_directory ? in->working_directory : NULL;
	if (wd && *wd == '/') {
		if ((ret = wspath_relative(&r->wsp, "working-directory", wd, &wdrel)) < 0)
			goto out;
		wd = wdrel.len ? wdrel.buf : NULL;	/* the workspace itself */
	}
	if (wd && !path_inside(wd)) {
		ret = error_as(EXIT_INPUT, "input 'working-directory': '%s' is not a path inside the workspace", wd);
		goto out;
	}
	if (ctx_is_path && wd) {
		/* "context: ." beside a working-directory too: which one is meant is not ours to guess */
		struct strbuf w = STRBUF_INIT, t = STRBUF_INIT;
		enum ghctx_source ignored;
		int same;

		strbuf_addf(&t, "./%s", wd);	/* a directory named git is a directory here */
		action_context_parse(t.buf, &ignored, &w);
		same = !strcmp(w.buf, ctxdir.buf);
		strbuf_release(&w);
		strbuf_release(&t);
		if (!same) {
			ret = error_as(EXIT_INPUT, "inputs 'context' ('%s') and 'working-directory' ('%s') both name "
				       "the build context: give context only", ctxdir.len ? ctxdir.buf : ".", wd);
			goto out;
		}
	}
	if (!ctxdir.len && wd)
		strbuf_addstr(&ctxdir, wd);
	/* the file too (run_build() maps it), refused before anything is done */
	if (in->file && (ret = wspath_relative(&r->wsp, "file", in->file, &file)) < 0)
		goto out;
	strbuf_addstr(&r->workdir, ws);
	if (ctxdir.len) {
		strbuf_addch(&r->workdir, '/');
		strbuf_addbuf(&r->workdir, &ctxdir);
	}
	if (stat(r->workdir.buf, &st) || !S_ISDIR(st.st_mode)) {
		ret = error_as(EXIT_CONTEXT, "%s '%s' is not a directory in the workspace",
			       wd && !strcmp(ctxdir.buf, wd) ? "working-directory" : "context",
			       ctxdir.len ? ctxdir.buf : ws);
		goto out;
	}
	if ((ret = file_in_context_only(ws, &file, &ctxdir)) < 0)
		goto out;

	if ((ret = tempfile_mkdir("action", &r->tmp)) < 0) {
		strbuf_reset(&r->tmp);
		goto out;
	}
	strbuf_addf(&r->layout, "%s/oci", r->tmp.buf);
out:
	strbuf_release(&ctxdir);
	strbuf_release(&wdrel);
	strbuf_release(&file);
	return ret;
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
		note("the checkout is shallow: tags and versions come from the event, and the history "
		     "describe, conventional and paths= read from the GitHub API (or give actions/checkout "
		     "'fetch-depth: 0')");
	}
	strbuf_release(&path);
}

/*
 * The registry client of the whole run (the base image, the push).  The
 * token input is the credential of the registry input and of no other
 * registry (Docker Hub has no use for a GITHUB_TOKEN; a base image's
 * registry gets what a Docker config holds for it, or nothing).  It goes
 * to the client in memory, as --username/--password-stdin do on the
 * command line: no Docker config is written, no DOCKER_CONFIG is set.
 *
 * The registry-auth input's entries come first: a registry it names gets
 * that entry's credentials and nothing else (not the token input, even
 * for the registry input's host); the token input then serves the
 * registry input; GITHUB_TOKEN (ghcr.io) and the Docker config the rest
 * (credentials_lookup()).
 */
static void open_registry(struct run *r)
{
	const struct action_inputs *in = r->in;
	const char *user = in->username && *in->username ? in->username : "x-access-token";
	struct registry_options opts = { 0 };

	for (size_t i = 0; i < r->creds.nr; i++)
		note("credentials for %s: %s from the registry-auth input", r->creds.items[i].registry,
		     r->creds.items[i].cred.username);
	opts.creds = &r->creds;
	if (in->token && *in->token && credential_set_find(&r->creds, r->registry_host.buf)) {
		note("the token input is not used: the registry-auth input names %s", r->registry_host.buf);
	} else if (in->token && *in->token) {
		opts.cred.username = (char *)user;	/* copied by registry_client_new() */
		opts.cred.password = (char *)in->token;
		opts.cred.source = "the token input";
		r->cred_hosts[0] = r->registry_host.buf;
		r->cred_hosts[1] = NULL;
		opts.cred_registries = r->cred_hosts;
		note("credentials for %s: %s and the token input", r->registry_host.buf, user);
	}
	if (r->insecure.nr) {
		r->insecure_hosts = xcalloc(r->insecure.nr + 1, sizeof(*r->insecure_hosts));
		for (size_t i = 0; i < r->insecure.nr; i++)
			r->insecure_hosts[i] = r->insecure.items[i];
		opts.insecure_registries = r->insecure_hosts;
	}
	r->reg_opts = opts;
	r->client = registry_client_new(&opts);
}

static int run_meta(struct run *r, struct action_result *out);
/* build_opts.notice: a ::notice:: workflow command, shown in the run's summary */
static void notice_command(const char *msg)
{
	ghcommand_print("notice", NULL, msg);
}

static int run_build(struct run *r, struct action_result *out);
static int run_push(struct run *r, struct action_result *out);
static int run_merge(struct run *r, struct action_result *out);

/* One phase inside its log group, its time into out->seconds[phase]. */
static int run_phase(struct run *r, struct action_result *out, enum action_phase phase,
		     const char *title, int (*fn)(struct run *, struct action_result *))
{
	double t0;
	int ret;

	report_group_begin(title);
	t0 = now_seconds();
	ret = fn(r, out);
	out->seconds[phase] = now_seconds() - t0;
	report_group_end();
	return ret;
}

/* The workspace, for the warning hook's file= (a path relative to it). */
static const char *warning_workspace;

void action_warning_format(const char *message, const char *workspace, struct strbuf *out)
{
	struct strbuf file = STRBUF_INIT, msg = STRBUF_INIT;
	struct ghcommand_props props = GHCOMMAND_PROPS_INIT;
	int line = 0;

	if (!report_error_location(message, workspace, &file, &line, &msg)) {
		props.file = file.buf;
		props.line = line;
		ghcommand_format("warning", &props, msg.buf, out);
	} else {
		ghcommand_format("warning", NULL, message, out);
	}
	strbuf_release(&file);
	strbuf_release(&msg);
}

/* The warning hook while the action runs: each warning is an annotation too. */
static void annotate_warning(const char *message)
{
	struct strbuf cmd = STRBUF_INIT;

	fflush(stderr);
	action_warning_format(message, warning_workspace, &cmd);
	fwrite(cmd.buf, 1, cmd.len, stdout);
	fflush(stdout);
	strbuf_release(&cmd);
}

/*
 * changed: true: the services whose files changed, as the output
 * `services` (a JSON list for a matrix job's fromJSON), nothing built.
 */
static int run_changed(struct run *r)
{
	struct ghchanged_opts o;
	struct strlist lines = STRLIST_INIT, services = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	json_t *list = NULL, *item;
	char *dump = NULL;
	size_t i;
	int ret;

	strlist_split(&lines, r->in->services ? r->in->services : "", '\n');
	for (i = 0; i < lines.nr; i++) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, lines.items[i]);
		strbuf_trim(&sb);
		if (sb.len)
			strlist_push(&services, sb.buf);
	}
	memset(&o, 0, sizeof(o));
	o.dir = r->gh->workspace && *r->gh->workspace ? r->gh->workspace : NULL;
	o.since = r->in->changed_since;
	o.services = &services;
	o.repository = r->gh->repository;
	o.event_name = r->gh->event_name;
	o.event_path = r->gh->event_path;
	/*
	 * A shallow checkout asks the GitHub API with the github-token input
	 * (the job's token), as meta does; without it, the token input when
	 * it is GitHub's (ghcr.io's), never another registry's.
	 */
	o.token = r->in->meta[METAIO_GITHUB_TOKEN];
	strbuf_reset(&sb);
	credentials_registry_host(r->in->registry && *r->in->registry ? r->in->registry : "ghcr.io", &sb);
	if ((!o.token || !*o.token) && !strcmp(sb.buf, "ghcr.io"))
		o.token = r->in->token;
	if ((ret = ghchanged_list(&o, &list)) < 0)
		goto out;
	dump = json_dumps(list, JSON_COMPACT | JSON_PRESERVE_ORDER);
	strbuf_reset(&sb);
	json_array_foreach(list, i, item)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", json_string_value(json_object_get(item, "name")));
	note("changed services: %s", sb.len ? sb.buf : "none");
	if (r->gh->output && *r->gh->output && ghoutput_append(r->gh->output, "services", dump) < 0)
		ret = -EXIT_FAIL;
out:
	free(dump);
	json_decref(list);
	strlist_release(&lines);
	strlist_release(&services);
	strbuf_release(&sb);
	return ret;
}

int action_run(const struct action_inputs *in, const struct action_github *gh,
	       struct action_result *out)
{
	struct run r = { 0 };
	struct meta_inputs mi = META_INPUTS_INIT;
	struct meta_result mr = META_RESULT_INIT;
	int ret, wret;

	r.meta_in = mi;
	r.meta = mr;
	r.in = in;
	r.gh = gh;
	strbuf_init(&r.workdir, 0);
	strbuf_init(&r.tmp, 0);
	strbuf_init(&r.layout, 0);
	strbuf_init(&r.registry_host, 0);
	wspath_init(&r.wsp, gh->workspace, gh->runner_workspace, gh->repository);

	/* one libgit2 for the run: each init reads the CA bundle again (meta, build) */
	git_libgit2_init();
	/* First, before anything could echo it (GITHUB_ACTIONS=true only). */
	credentials_mask(in->token);
	credentials_mask(in->meta[METAIO_GITHUB_TOKEN]);
	warning_workspace = gh->workspace;
	error_set_warning_hook(annotate_warning);
	/* its passwords masked as they are read */
	if ((ret = registryauth_parse(in->registry_auth, credentials_mask, &r.creds)) < 0)
		goto out;

	/* changed: true lists the changed services and builds nothing: no build outputs, no summary */
	if ((ret = input_bool("changed", in->changed, 0, &wret)) < 0 || wret) {
		if (!ret) {
			trust_workspace(&r, out);
			ret = run_changed(&r);
		}
		if (ret < 0)
			report_annotate_error(ret, gh->workspace);
		run_release(&r);
		error_set_warning_hook(NULL);
		warning_workspace = NULL;
		return ret;
	}
	if ((ret = resolve_inputs(&r)) < 0)
		goto out;
	trust_workspace(&r, out);
	open_registry(&r);

	if ((ret = run_phase(&r, out, ACTION_META, "meta: tags, labels and annotations", run_meta)) < 0 ||
	    (!r.merge && (ret = run_phase(&r, out, ACTION_BUILD, "build: the image from the Dockerfile", run_build)) < 0))
		goto out;

	if (!r.push) {
		note("not pushing: %s", in->push && *in->push ? "push is false" :
		     "pull requests build without pushing (set push: true to push)");
	} else if (!out->nr_tags && !r.push_by_digest && !r.merge) {
		note("not pushing: no tag rule gave a tag for this event");
	} else {
		if ((ret = run_phase(&r, out, ACTION_PUSH, r.merge ? "merge: one index over the digests" :
				     "push: to the registry", r.merge ? run_merge : run_push)) < 0)
			goto out;
	}

out:
	if (ret < 0)
		report_annotate_error(ret, gh->workspace);
	/* meta's outputs once it has derived them (version is set only then) */
	wret = report_write_outputs(gh->output, out, r.meta.version ? &r.meta : NULL, &r.meta_in);
	/* and as metadata-action exports them, unless DOCKER_METADATA_SET_OUTPUT_ENV says not to */
	if (!wret && r.meta.version && r.export_env)
		wret = report_write_env(gh->env, &r.meta, &r.meta_in);
	if (report_write_summary(gh->step_summary, out, ret < 0 ? error_last() : NULL) < 0 && !wret)
		wret = -EXIT_FAIL;
	run_release(&r);
	git_libgit2_shutdown();
	error_set_warning_hook(NULL);
	warning_workspace = NULL;
	return ret < 0 ? ret : wret;
}

/* --- the phases (the other modules' domain APIs) ------------------------ */

/* "repo" of "repo:tag" (the tag after the last '/'), appended to out. */
static void strip_tag(const char *ref, struct strbuf *out)
{
	const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');

	if (colon && (!slash || colon > slash))
		strbuf_add(out, ref, colon - ref);
	else
		strbuf_addstr(out, ref);
}

/*
 * The tags input's full references move from meta's tag rules to
 * r->tag_refs (action_tag_kind()); meta derives tags from the rest.
 * When only references were given, one disabled rule stands in for the
 * rules, so that meta does not fall back to its four default rules.
 */
static int split_tag_references(struct run *r)
{
	struct strlist *rules = &r->meta_in.tags, keep = STRLIST_INIT;
	int kind;

	for (size_t i = 0; i < rules->nr; i++) {
		const char *line = rules->items[i];

		if ((kind = action_tag_kind(line)) < 0) {
			strlist_release(&keep);
			return kind;
		}
		if (kind == ACTION_TAG_REFERENCE) {
			if (!strlist_has(&r->tag_refs, line))
				strlist_push(&r->tag_refs, line);
			continue;
		}
		if (kind == ACTION_TAG_LOOKALIKE)
			warning("input 'tags': '%s' is read as a metadata-action raw tag, not as an image reference "
				"(a full reference has a '/' and a ':tag', e.g. docker.io/library/app:1.0)", line);
		strlist_push(&keep, line);
	}
	if (r->tag_refs.nr && !keep.nr)
		strlist_push(&keep, "type=raw,value=none,enable=false");
	strlist_release(rules);
	*rules = keep;
	return 0;
}

/* The images the full references name, once each, newline-separated, into out. */
static void images_of_refs(const struct strlist *refs, struct strbuf *out)
{
	struct strlist names = STRLIST_INIT;
	struct strbuf name = STRBUF_INIT;

	for (size_t i = 0; i < refs->nr; i++) {
		strbuf_reset(&name);
		strip_tag(refs->items[i], &name);
		if (!strlist_has(&names, name.buf))
			strlist_push(&names, name.buf);
	}
	strlist_join(&names, "\n", out);
	strlist_release(&names);
	strbuf_release(&name);
}

/* registry/repository of a reference, into out; -1 when it does not parse. */
static int reference_name_of(const char *s, struct strbuf *out)
{
	struct reference ref = REFERENCE_INIT;
	int ret;

	error_set_quiet(1);
	ret = reference_parse(s, &ref);
	error_set_quiet(0);
	if (ret < 0)
		return -1;
	strbuf_reset(out);
	reference_format_name(&ref, out);
	reference_release(&ref);
	return 0;
}

/* Each full reference is of an image the (explicit) images input enables, or bad input. */
static int check_refs_listed(struct run *r)
{
	struct strbuf want = STRBUF_INIT, have = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; !ret && i < r->tag_refs.nr; i++) {
		int found = 0;

		if (reference_name_of(r->tag_refs.items[i], &want) < 0)
			continue;	/* action_tag_kind() parsed it */
		for (size_t j = 0; !found && j < r->meta.images.nr; j++)
			found = !reference_name_of(r->meta.images.items[j], &have) && !strcmp(want.buf, have.buf);
		if (!found)
			ret = error_as(EXIT_INPUT, "input 'tags': '%s' is for the image '%s', which the images input does not list",
				       r->tag_refs.items[i], want.buf);
	}
	strbuf_release(&want);
	strbuf_release(&have);
	return ret;
}

/*
 * The GitHub API (repository facts for the labels, a shallow checkout's
 * history) gets the github-token input (metadata-action's, default the
 * job's token), else the token input only when it is a GitHub token, that
 * is when the registry is ghcr.io; another registry's password is never
 * sent to GitHub.
 */
static int run_meta(struct run *r, struct action_result *out)
{
	const struct action_inputs *in = r->in;
	struct ghctx_options copts = { GHCTX_WORKFLOW, NULL, NULL };
	struct ghctx ctx;
	struct strbuf def = STRBUF_INIT;
	const char *values[METAIO_INPUT_NR];
	int ret, have_ctx = 0;

	memcpy(values, in->meta, sizeof(values));
	/* meta's inputs parsed as `publish meta` parses them */
	if ((ret = metaio_set_inputs(&r->meta_in, values, r->gh->annotation_levels,
				     r->gh->short_sha_length)) < 0 ||
	    (ret = split_tag_references(r)) < 0)
		goto out;
	copts.source = r->source;	/* the context input (resolve_inputs()) */
	if (is_blank(values[METAIO_IMAGES])) {
		/* build-push-action has no images: its tags name them */
		if (r->tag_refs.nr) {
			images_of_refs(&r->tag_refs, &def);
		} else {
			if ((ret = action_default_image(r->gh->repository, &def)) < 0)
				goto out;
			note("no images input: publishing to %s", def.buf);
		}
		if ((ret = meta_inputs_set(&r->meta_in, "images", def.buf)) < 0)
			goto out;
	}
	if (!is_blank(in->meta[METAIO_GITHUB_TOKEN]))
		copts.token = in->meta[METAIO_GITHUB_TOKEN];
	else if (!strcmp(r->registry_host.buf, "ghcr.io") && in->token && *in->token)
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
	if ((ret = metaio_load_history(&r->meta_in, &ctx, copts.repo_dir)) < 0)
		goto out;
	out->versions_from = metaio_versions_from(&r->meta_in, copts.source == GHCTX_GIT);
	if ((ret = meta_derive(&r->meta_in, &ctx, &r->meta)) < 0)
		goto out;
	if (r->tag_refs.nr) {
		if (!is_blank(values[METAIO_IMAGES]) && (ret = check_refs_listed(r)) < 0)
			goto out;
		metaio_add_tags(&r->meta, &r->tag_refs);
	}
	if (!*r->meta.version)
		warning("no Docker image version has been generated, check the tags input");

	out->version = xstrdup(r->meta.version);
	out->tags = xcalloc(r->meta.tags.nr ? r->meta.tags.nr : 1, sizeof(char *));
	for (size_t i = 0; i < r->meta.tags.nr; i++)
		out->tags[out->nr_tags++] = xstrdup(r->meta.tags.items[i]);
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

/* The outputs input: the layout is in the workspace already (run_build()); a docker archive from it. */
static int write_outputs(struct run *r)
{
	const char *ws = r->gh->workspace && *r->gh->workspace ? r->gh->workspace : ".";
	struct ocilayout l = { NULL };
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	if (r->outs.oci)
		note("image written to the workspace as an OCI layout: %s", r->outs.oci);
	if (!r->outs.docker)
		return 0;
	strbuf_addf(&path, "%s/%s", ws, r->outs.docker);
	if ((ret = ocilayout_open(&l, r->layout.buf)) < 0 ||
	    (ret = ocilayout_write_docker_archive(&l, r->built.digest, (const char *const *)r->meta.tags.items,
						  r->meta.tags.nr, path.buf, NULL, NULL, NULL)) < 0)
		goto out;
	note("image written to the workspace as a docker archive: %s (docker load -i %s)",
	     r->outs.docker, r->outs.docker);
out:
	if (l.dir)
		ocilayout_release(&l);
	strbuf_release(&path);
	return ret;
}

/* Add ref to r->reuse_from in its full form (docker.io named: never taken for a directory), once. */
static void reuse_add(struct run *r, const char *ref_text, const char *input)
{
	struct reference ref = REFERENCE_INIT;

	error_set_quiet(1);
	if (!reference_parse(ref_text, &ref)) {
		struct strbuf full = STRBUF_INIT;

		reference_format(&ref, &full);
		if (!strlist_has(&r->reuse_from, full.buf))
			strlist_push(&r->reuse_from, full.buf);
		strbuf_release(&full);
	} else {
		warning("input '%s': '%s' is not an image reference: not reused from", input, ref_text);
	}
	error_set_quiet(0);
	reference_release(&ref);
}

/*
 * The previous images whose unchanged layers the build reuses
 * (build/reuse.h: the first that exists), into r->reuse_from:
 * reuse-from's lines, else cache-from's (build-push-action's
 * type=registry,ref=REF lines; other types are ignored with a warning),
 * else every tag about to be pushed, in order: a release's new version
 * tag does not exist yet, and its :latest or :1 is the previous
 * publish.  None with reuse-layers false.  For several platforms each
 * platform reuses from its manifest in the previous index.
 */
static void reuse_source(struct run *r, const struct action_result *out)
{
	const struct action_inputs *in = r->in;
	int explicit = in->reuse_from && *in->reuse_from;
	const char *input = explicit ? "reuse-from" : "cache-from";
	struct strlist lines = STRLIST_INIT;

	strlist_release(&r->reuse_from);
	if (!r->reuse)
		return;
	if (in->cache_to && !is_blank(in->cache_to))
		note("input 'cache-to' is not needed: the image pushed is what the next run reuses unchanged layers "
		     "from (reuse-layers), so it is ignored");
	input_lines(explicit ? in->reuse_from : in->cache_from, &lines);
	for (size_t i = 0; i < lines.nr; i++) {
		struct strlist f = STRLIST_INIT;
		const char *type = NULL, *ref_value = NULL;

		if (strncmp(lines.items[i], "type=", 5) && !strchr(lines.items[i], ',')) {
			reuse_add(r, lines.items[i], input);
			continue;
		}
		strlist_split(&f, lines.items[i], ',');
		for (size_t k = 0; k < f.nr; k++) {
			if (!strncmp(f.items[k], "type=", 5))
				type = f.items[k] + 5;
			else if (!strncmp(f.items[k], "ref=", 4))
				ref_value = f.items[k] + 4;
		}
		if ((!type || !strcmp(type, "registry")) && ref_value && *ref_value)
			reuse_add(r, ref_value, input);
		else
			warning("input 'cache-from': '%s' is ignored: layers are reused from an image in a registry "
				"(type=registry,ref=REF) or, by default, from the tags pushed", lines.items[i]);
		strlist_release(&f);
	}
	if (!lines.nr)
		for (size_t i = 0; i < out->nr_tags; i++)
			reuse_add(r, out->tags[i], "tags");
	strlist_release(&lines);
}

/* The token input is for the registry input: say so when no image is there (once). */
static void warn_token_elsewhere(struct run *r, const struct reference *refs, size_t nr)
{
	size_t on = 0;

	if (!r->cred_hosts[0] || r->creds.nr || r->token_warned)
		return;
	for (size_t i = 0; i < nr; i++)
		on += !strcmp(refs[i].registry, r->registry_host.buf);
	if (!on)
		warning("no image is on '%s', the registry the token is for: "
			"set the registry input to the images' registry", r->registry_host.buf);
	r->token_warned = 1;
}

/*
 * Overlap: when the image is to be pushed (one platform or several), its
 * layers are uploaded to the tags' repositories as the build finishes
 * each (buildpush.h, the
 * sequence `publish build --push` runs too); the push then sends the
 * rest, then the manifest and the tags.  A tag that does not parse leaves it to the push to say.
 */
static void prepush_start(struct run *r, const struct action_result *out)
{
	if (!r->push || !out->nr_tags)
		return;
	r->pre_refs = xcalloc(out->nr_tags, sizeof(*r->pre_refs));
	error_set_quiet(1);
	for (; r->nr_pre_refs < out->nr_tags; r->nr_pre_refs++)
		if (reference_parse(out->tags[r->nr_pre_refs], &r->pre_refs[r->nr_pre_refs]) < 0)
			break;
	error_set_quiet(0);
	/* one token a repository for the build's reads, the uploads and the push (registry.h) */
	if (r->client)
		registry_client_push_to(r->client, r->pre_refs, r->nr_pre_refs);
	if (r->nr_pre_refs != out->nr_tags)
		return;
	warn_token_elsewhere(r, r->pre_refs, r->nr_pre_refs);
	r->bp.reg_opts = &r->reg_opts;
	r->bp.client = r->client;
	r->bp.dsts = r->pre_refs;
	r->bp.nr_dsts = r->nr_pre_refs;
}

static int run_build(struct run *r, struct action_result *out)
{
	const struct action_inputs *in = r->in;
	struct build_opts opts = BUILD_OPTS_INIT;
	struct strbuf dockerfile = STRBUF_INIT, name = STRBUF_INIT;
	struct strlist args = STRLIST_INIT;
	struct kvlist labels = KVLIST_INIT, annotations = KVLIST_INIT, index = KVLIST_INIT;
	int ret;

	/* The file is relative to the workspace, as build-push-action's; default <context>/Dockerfile. */
	if (in->file && *in->file) {
		strbuf_addf(&dockerfile, "%s/", r->gh->workspace && *r->gh->workspace ? r->gh->workspace : ".");
		if ((ret = wspath_relative(&r->wsp, "file", in->file, &dockerfile)) < 0)
			goto out;
	} else
		strbuf_addf(&dockerfile, "%s/Dockerfile", r->workdir.buf);
	opts.dockerfile = dockerfile.buf;
	opts.context = r->workdir.buf;
	opts.include_git_dir = r->include_git_dir;
	opts.notice = notice_command;
	opts.include_git_hint = "set the input include-git-dir: true to copy it";
	opts.registry = r->client;

	input_lines(in->build_args, &args);
	opts.build_args = (const char *const *)args.items;
	opts.build_args_nr = args.nr;

	opts.compression = r->zstd ? LAYER_ZSTD : LAYER_GZIP;
	if (r->outs.oci) {
		/* the layout itself goes to the workspace (and is pushed from there) */
		strbuf_reset(&r->layout);
		strbuf_addf(&r->layout, "%s/%s", r->gh->workspace && *r->gh->workspace ? r->gh->workspace : ".",
			    r->outs.oci);
	}
	reuse_source(r, out);
	opts.reuse_from = (const char *const *)r->reuse_from.items;
	opts.reuse_from_nr = r->reuse_from.nr;
	opts.output_kind = BUILD_OUTPUT_OCI;
	opts.output = r->layout.buf;
	/* pushed only: the registry mounts or streams the base's layers; an output holds them */
	opts.thin_layout = !r->outs.oci && !r->outs.docker && !r->sbom;	/* an SBOM reads every layer of ours */
	opts.tags = (const char *const *)r->meta.tags.items;
	opts.tags_nr = r->meta.tags.nr;
	metaio_labels(&r->meta, &labels);
	metaio_annotations(&r->meta, "manifest", &annotations);
	metaio_annotations(&r->meta, "index", &index);
	opts.labels = labels.items;
	opts.labels_nr = labels.nr;
	opts.annotations = annotations.items;
	opts.annotations_nr = annotations.nr;

	prepush_start(r, out);
	ret = build_push_build(&r->bp, &opts, (const char *const *)r->platforms.items, r->platforms.nr,
			       index.items, index.nr, &r->built);
	if (ret < 0)
		goto out;
	snprintf(out->digest, sizeof(out->digest), "%s", r->built.digest);
	if (r->built.configs.nr == 1)	/* one image, not an index */
		snprintf(out->config_digest, sizeof(out->config_digest), "%s", r->built.configs.items[0]);
	out->media_type = xstrdup(r->built.media_type);
	out->size = r->built.size;
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
	if ((ret = write_outputs(r)) < 0)
		goto out;
out:
	kvlist_release(&labels);
	kvlist_release(&annotations);
	kvlist_release(&index);
	strlist_release(&args);
	strbuf_release(&dockerfile);
	strbuf_release(&name);
	return ret;
}

static int matrix_image_refs(struct run *r, struct reference *refs, size_t *nr);
static int run_attest(struct run *r, const struct reference *refs, size_t nr);

static int run_push(struct run *r, struct action_result *out)
{
	struct reference *refs = xcalloc(out->nr_tags, sizeof(*refs));
	struct push_report rep = PUSH_REPORT_INIT;
	size_t nr = 0;
	int ret = 0;

	if (r->push_by_digest) {
		/* no tag: each image's repository gets the image by digest alone */
		free(refs);
		refs = xcalloc(r->meta.images.nr + 1, sizeof(*refs));
		if ((ret = matrix_image_refs(r, refs, &nr)) < 0)
			goto out;
	}
	for (; !r->push_by_digest && nr < out->nr_tags; nr++)
		if ((ret = reference_parse(out->tags[nr], &refs[nr])) < 0)
			goto out;
	warn_token_elsewhere(r, refs, nr);
	if ((ret = build_push_send(&r->bp, r->client, r->layout.buf, refs, nr, out->digest, &rep)) < 0)
		goto out;
	for (size_t i = 0; i < rep.nr_blobs; i++) {
		if (strlist_has(&r->built.configs, rep.blobs[i].digest))
			continue;
		switch (rep.blobs[i].outcome) {
		case BLOB_PUSHED: out->layers_pushed++; break;
		case BLOB_MOUNTED: out->layers_mounted++; break;
		case BLOB_EXISTED: out->layers_skipped++; break;
		}
	}
	out->bytes_pushed = rep.bytes_pushed;
	out->pushed = 1;
	if (r->sbom || r->provenance)
		ret = run_attest(r, refs, nr);
out:
	push_report_release(&rep);
	for (size_t i = 0; i < nr; i++)
		reference_release(&refs[i]);
	free(refs);
	return ret;
}

/* --- a matrix: push by digest, then merge -------------------------------- */

/*
 * push-by-digest (a matrix job) and merge + digests (the job after it).
 * The digests are one a line or comma-separated (job outputs joined
 * either way); each is checked here, so a typo fails before the build.
 */
static int resolve_matrix_inputs(struct run *r)
{
	const struct action_inputs *in = r->in;
	const char *prov = in->provenance;
	int ret;

	/* build-push-action's provenance: mode=min|max[,...] is the one provenance there is here */
	if (prov && (!strncmp(prov, "mode=min", 8) || !strncmp(prov, "mode=max", 8)) && (!prov[8] || prov[8] == ','))
		prov = "true";
	if ((ret = input_bool("push-by-digest", in->push_by_digest, 0, &r->push_by_digest)) < 0 ||
	    (ret = input_bool("merge", in->merge, 0, &r->merge)) < 0 ||
	    (ret = input_bool("sbom", in->sbom, 0, &r->sbom)) < 0 ||
	    (ret = input_bool("provenance", prov, 0, &r->provenance)) < 0)
		return ret;
	for (const char *p = in->digests; p && *p; ) {
		size_t n = strcspn(p, ", \t\r\n");

		if (n) {
			char *one = xstrndup(p, n);

			if (!digest_is_valid(one)) {
				ret = error_as(EXIT_INPUT, "input 'digests': '%s' is not a digest (sha256:<64 hex digits>)",
					       one);
				free(one);
				return ret;
			}
			if (!strlist_has(&r->digests, one))
				strlist_push(&r->digests, one);
			free(one);
		}
		p += n;
		if (*p)
			p++;
	}
	if (r->merge && r->push_by_digest)
		return error_as(EXIT_INPUT, "inputs 'merge' and 'push-by-digest' are both true: "
				"a job either pushes one platform by digest or merges the digests");
	if (r->merge && !r->digests.nr)
		return error_as(EXIT_INPUT, "input 'digests' is empty: merge: true needs the digests the "
				"push-by-digest jobs output");
	if (!r->merge && r->digests.nr)
		warning("input 'digests' is ignored: merge is not true");
	if (r->merge && (r->sbom || r->provenance))
		note("merge: the sbom and provenance are the push-by-digest jobs' (each attaches its platform's)");
	return 0;
}

/* Each image meta enabled, as a reference without tag, into refs (nr of them). */
static int matrix_image_refs(struct run *r, struct reference *refs, size_t *nr)
{
	int ret = 0;

	*nr = 0;
	if (!r->meta.images.nr)
		return error_as(EXIT_INPUT, "input 'images': no image is enabled to push to");
	for (size_t i = 0; i < r->meta.images.nr; i++) {
		if ((ret = reference_parse(r->meta.images.items[i], &refs[*nr])) < 0)
			return ret;
		free(refs[*nr].tag);	/* "latest", filled in by the parser */
		refs[*nr].tag = NULL;
		(*nr)++;
	}
	return 0;
}

/*
 * merge: one index over the digests, in the first image's repository
 * (where the push-by-digest jobs pushed them), the index annotations
 * meta gives (as a multi-platform build puts on its index, so both give
 * one digest), then meta's tags, all or none (registry_merge()).  Bad
 * digests are the digests input's fault: the error names it.
 */
static int run_merge(struct run *r, struct action_result *out)
{
	struct reference *name = xcalloc(r->meta.images.nr + 1, sizeof(*name));
	struct reference *refs = xcalloc(out->nr_tags + 1, sizeof(*refs));
	struct push_report rep = PUSH_REPORT_INIT;
	struct kvlist index = KVLIST_INIT;
	struct strbuf msg = STRBUF_INIT;
	size_t nr = 0, nr_name = 0;
	int ret;

	if ((ret = matrix_image_refs(r, name, &nr_name)) < 0)
		goto out;
	for (; nr < out->nr_tags; nr++)
		if ((ret = reference_parse(out->tags[nr], &refs[nr])) < 0)
			goto out;
	metaio_annotations(&r->meta, "index", &index);
	error_set_quiet(1);
	ret = registry_merge(r->client, &name[0], (const char *const *)r->digests.items, r->digests.nr,
			     index.items, index.nr, refs, nr, &rep);
	error_set_quiet(0);
	if (ret < 0) {
		const char *m = error_last();

		if (!strncmp(m, "merge: ", 7))
			m += 7;
		strbuf_addstr(&msg, m);
		if (ret == -EXIT_INPUT || ret == -EXIT_NOT_FOUND)
			ret = error_as(-ret, "input 'digests': %s", msg.buf);
		else
			ret = error_as(-ret, "%s", msg.buf);
		goto out;
	}
	snprintf(out->digest, sizeof(out->digest), "%s", rep.digest);
	free(out->media_type);
	out->media_type = xstrdup(rep.media_type ? rep.media_type : MT_OCI_INDEX);
	strbuf_reset(&msg);
	reference_format_name(&name[0], &msg);
	strbuf_addf(&msg, "@%s", rep.digest);
	free(out->image);
	out->image = strbuf_detach(&msg, NULL);
	out->bytes_pushed = rep.bytes_pushed;
	out->pushed = 1;
	printf("digest: %s\n", out->digest);
	fflush(stdout);
out:
	for (size_t i = 0; i < nr_name; i++)
		reference_release(&name[i]);
	free(name);
	for (size_t i = 0; i < nr; i++)
		reference_release(&refs[i]);
	free(refs);
	kvlist_release(&index);
	strbuf_release(&msg);
	push_report_release(&rep);
	return ret;
}

/* --- attestations ---------------------------------------------------------- */

/*
 * sbom, provenance: attached to each image pushed (each platform's
 * manifest) in each repository pushed to (build_attest()), the
 * provenance's facts from the runner's GITHUB_* variables.
 */
static int run_attest(struct run *r, const struct reference *refs, size_t nr)
{
	const struct action_github *gh = r->gh;
	struct build_attest_opts opts = { 0 };
	struct strbuf builder = STRBUF_INIT;
	int ret;

	opts.sbom = r->sbom;
	opts.provenance = r->provenance;
	opts.tool_version = PUBLISH_VERSION;
	opts.prov.server_url = gh->server_url;
	opts.prov.repository = gh->repository;
	opts.prov.commit = gh->sha;
	opts.prov.ref = gh->ref;
	opts.prov.workflow_ref = gh->workflow_ref;
	opts.prov.event_name = gh->event_name;
	opts.prov.run_id = gh->run_id;
	opts.prov.run_attempt = gh->run_attempt;
	provenance_builder_id(gh->server_url, gh->action_repository, gh->action_ref, &builder);
	opts.prov.builder_id = builder.buf;
	opts.prov.tool_version = PUBLISH_VERSION;
	ret = build_attest(r->client, r->layout.buf, refs, nr, &opts);
	strbuf_release(&builder);
	return ret;
}
