/*
 * build.c: see build.h.  libgit2's errors are read here (git_error_last)
 * for the commit time.
 */
#include "lib/common.h"
#include "lib/tempfile.h"
#include "lib/digest.h"
#include "build/base.h"
#include "build/basetree.h"
#include "build/build.h"
#include "build/context.h"
#include "build/dockerfile.h"
#include "build/dockerignore.h"
#include "build/gopath.h"
#include "build/imagefs.h"
#include "build/reuse.h"
#include "git/worktree.h"
#include "oci/ocilayout.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "registry/registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#define DOCKERFILE_CAP (4u << 20)
#define DOCKERIGNORE_CAP (4u << 20)
#define GIT_CONFIG_CAP (4u << 20)

void build_result_init(struct build_result *r)
{
	memset(r, 0, sizeof(*r));
}

void build_result_release(struct build_result *r)
{
	if (!r)
		return;
	free(r->layout);
	free(r->platform);
	free(r->base_name);
	free(r->base_digest);
	for (size_t i = 0; i < r->layers_nr; i++)
		layer_release(&r->layers[i]);
	free(r->layers);
	build_result_init(r);
}

/* ---- the fixed time ------------------------------------------------ */

int build_epoch(const char *dir, long long *out)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	int rc = 0;

	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);

		if (*end || v < 0)
			return error_as(EXIT_INPUT, "invalid SOURCE_DATE_EPOCH '%s': want seconds since 1970", sde);
		*out = v;
		return 0;
	}
	git_libgit2_init();
	rc = git_repository_open_ext(&repo, dir, 0, NULL);
	/* libgit2 1.5 reports a repository of another owner as not found, naming safe.directory */
	if (rc == GIT_ENOTFOUND && git_error_last() && git_error_last()->message &&
	    strstr(git_error_last()->message, "safe.directory"))
		rc = GIT_EOWNER;
	if (rc == GIT_ENOTFOUND) {
		warning("'%s' is not in a git repository and SOURCE_DATE_EPOCH is not set: using time 0", dir);
		*out = 0;
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		const git_error *e = git_error_last();

		/* an unsafe owner, say: the time must not silently change */
		if (rc == GIT_EOWNER)
			rc = error_as(EXIT_CONTEXT, "the repository holding '%s' belongs to another user, so its commit "
				      "time is not read; set SOURCE_DATE_EPOCH, or run as its owner", dir);
		else
			rc = error_as(EXIT_CONTEXT, "cannot open the repository holding '%s' for the commit time: %s "
				      "(or set SOURCE_DATE_EPOCH)", dir, e && e->message ? e->message : "unknown error");
		goto out;
	}
	if (git_reference_name_to_id(&oid, repo, "HEAD") < 0 || git_commit_lookup(&commit, repo, &oid) < 0) {
		const git_error *e = git_error_last();

		rc = error_as(EXIT_CONTEXT, "cannot read the HEAD commit of the repository holding '%s': %s",
			      dir, e && e->message ? e->message : "unknown error");
		goto out;
	}
	*out = (long long)git_commit_time(commit);
out:
	git_commit_free(commit);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/*
 * The files' mtime in the layers: SOURCE_DATE_EPOCH (or the caller's
 * epoch) when set, else 0, never the commit time, so that a commit that
 * leaves a layer's files alone leaves its bytes alone too.  Not the time
 * of the last commit touching the layer's sources: a shallow clone (CI's
 * default) cannot know it, and it costs a walk of the history.
 */
static long long layer_time(const struct build_opts *opts, long long epoch)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	return opts->epoch >= 0 ? opts->epoch : sde && *sde ? epoch : 0;
}

/* PUBLISH_THREADS: compression threads (1 to 8; unset: the online CPUs); the bytes never depend on it */
static int compression_threads(int *out)
{
	const char *v = getenv("PUBLISH_THREADS");
	char *end;
	long n;

	*out = 0;
	if (!v || !*v)
		return 0;
	n = strtol(v, &end, 10);
	if (*end || n < 1 || n > 8)
		return error_as(EXIT_INPUT, "invalid PUBLISH_THREADS '%s': want 1 to 8", v);
	*out = (int)n;
	return 0;
}

/* ---- reuse of a previous image's layers: reuse.h ------------------ */

#define BUILD_ANN_LAYER_KEYS REUSE_ANN_LAYER_KEYS

/* ---- helpers ------------------------------------------------------- */

static json_t *strv_json(const struct strlist *v)
{
	json_t *a = json_array();

	for (size_t i = 0; i < v->nr; i++)
		json_array_append_new(a, json_string(v->items[i]));	/* steals */
	return a;
}

static json_t *health_json(const struct dockerfile_health *h)
{
	json_t *j = json_object();

	json_object_set_new(j, "Test", strv_json(&h->test));	/* steals */
	if (h->interval)
		json_object_set_new(j, "Interval", json_integer(h->interval));	/* steals */
	if (h->timeout)
		json_object_set_new(j, "Timeout", json_integer(h->timeout));	/* steals */
	if (h->start_period)
		json_object_set_new(j, "StartPeriod", json_integer(h->start_period));	/* steals */
	if (h->start_interval)
		json_object_set_new(j, "StartInterval", json_integer(h->start_interval));	/* steals */
	if (h->retries)
		json_object_set_new(j, "Retries", json_integer(h->retries));	/* steals */
	return j;
}

struct builder {
	const struct build_opts *opts;
	struct basetree tree;	/* the image's files so far: the base's, then our layers' */
	int tree_ready;		/* the base's part is in tree (read at the first COPY, ADD or WORKDIR) */
	struct registry_client *client;	/* for the base's layers, may be NULL (borrowed) */
	const struct image_base *base;	/* borrowed */
	const char *root;	/* the context, absolute */
	struct ocilayout layout;
	struct image img;
	struct layer_write_opts lw;
	struct dockerignore ign;
	struct build_result *res;
	int git_left_out;	/* a COPY or ADD would have taken a .git but for the default rule */
	int git_noticed;	/* the notice saying so is out */
	struct worktree wt;	/* git's modes for the context's files */
	struct reuse_prev prev;	/* the previous image's layers by reuse key (reuse_from) */
	struct reuse_prev sibling;	/* an earlier platform's layout (reuse_sibling) */
	char **keys;	/* the reuse key of each layer of the image, base ones "-" */
	/* the layer being keyed: its files' blob ids found ahead (prehash_layer), by entry; NULL: none */
	const struct layer_entries *pre_le;
	char (*pre_ids)[48];
	size_t keys_nr, keys_alloc;
	size_t reused;
};

/* context_copy_opts.known_dir: a directory of the image (the base's or ours) */
static int known_dir(void *ctx, const char *ipath)
{
	struct builder *b = ctx;

	return imagefs_is_dir(&b->tree, ipath);
}
/*
 * The .dockerignore test, plus the default rule: every ".git" is
 * excluded unless include_git_dir, and no '!' exception re-includes
 * anything below one.
 */
static int ign_excluded(void *ctx, const char *path, int is_dir)
{
	struct builder *b = ctx;

	if (dockerignore_match(&b->ign, path, is_dir) == 1)
		return 1;
	if (b->opts->include_git_dir || !context_in_git_dir(path))
		return 0;
	b->git_left_out = 1;
	return 1;
}

static int ign_may_hold(void *ctx, const char *dir)
{
	struct builder *b = ctx;
	int may = !dockerignore_can_skip_dir(&b->ign, dir);

	if (may && !b->opts->include_git_dir && context_in_git_dir(dir)) {
		b->git_left_out = 1;	/* a '!' exception below .git that we override */
		return 0;
	}
	return may;
}

static void notice_git_left_out(struct builder *b)
{
	static const char msg[] = "'.git' is left out of the build context: it may hold a checkout token "
		"(actions/checkout keeps one in .git/config)";
	struct strbuf m = STRBUF_INIT;

	if (!b->git_left_out || b->git_noticed)
		return;
	b->git_noticed = 1;
	strbuf_addf(&m, "%s; %s", msg, b->opts->include_git_hint ? b->opts->include_git_hint : "--include-git-dir copies it");
	if (b->opts->notice) {
		b->opts->notice(m.buf);
	} else {
		fflush(stdout);
		fprintf(stderr, "notice: %s\n", m.buf);
	}
	strbuf_release(&m);
}

/* context_copy's check_file: a git config taken into the image must hold no credential. */
static int check_git_file(void *ctx, const char *rel, const char *host)
{
	const char *base = strrchr(rel, '/');
	struct strbuf buf = STRBUF_INIT, what = STRBUF_INIT;
	int rc = 0;

	(void)ctx;
	base = base ? base + 1 : rel;
	if (!context_in_git_dir(rel) || (strcmp(base, "config") && strcmp(base, "config.worktree")))
		return 0;
	if (strbuf_read_file(&buf, host, GIT_CONFIG_CAP) < 0)
		rc = error_as(EXIT_CONTEXT, "cannot read '%s' to check it for credentials: %s", host,
			      errno ? strerror(errno) : "too large");
	else if (context_git_config_secret(buf.buf, buf.len, &what))
		rc = error_as(EXIT_CONTEXT, "'%s' holds %s, which would be published in the image: "
			      "check out without persisting credentials (actions/checkout: persist-credentials: false) "
			      "or leave .git out", host, what.buf);
	if (buf.len)
		memset(buf.buf, 0, buf.len);
	strbuf_release(&buf);
	strbuf_release(&what);
	return rc;
}

/* basetree_load_fn: the whole base's tree */
static int tree_load(void *ctx, struct basetree *t)
{
	struct builder *b = ctx;

	return base_tree_load(t, b->client, b->base);
}

/*
 * The base's part of the tree, from when an instruction first needs it: a
 * Dockerfile that only sets config (ENV, LABEL, CMD...) reads no layer.
 * In a git work tree, on a base with layers, a lazy tree (basetree.h):
 * from the previous image's record when it was built on the same base,
 * else read now, its lookups recorded for the next build.
 */
static int tree_need(struct builder *b)
{
	struct strbuf p = STRBUF_INIT;
	const char *wd;
	int rc;

	if (b->tree_ready)
		return 0;
	if (b->base->layers_nr && b->wt.repo)	/* the record is kept in a git work tree alone (build_run) */
		rc = basetree_lazy_begin(&b->tree, tree_load, b,
					 reuse_base_tree(&b->prev, b->base->layers, b->base->layers_nr));
	else
		rc = base_tree_load(&b->tree, b->client, b->base);
	if (rc < 0)
		return rc;
	b->tree_ready = 1;
	wd = image_get_workdir(&b->img);
	if (!wd)
		return 0;
	/* the base's WORKDIR is a directory, even when no layer made it */
	context_image_path(NULL, wd, &p);
	if (p.len > 1 && !basetree_get(&b->tree, p.buf + 1)) {
		struct basetree_layer l;

		basetree_layer_init(&l);
		rc = basetree_layer_add(&l, p.buf, BASETREE_DIR, 0755, 0, 0, NULL);
		if (!rc)
			rc = basetree_apply(&b->tree, &l);
		basetree_layer_release(&l);
	}
	strbuf_release(&p);
	return rc < 0 ? rc : basetree_lazy_error(&b->tree);
}


/*
 * layer_reuse_key's content_id: the git blob id of a clean tracked file
 * of the context, from git's index (no file read).  When there is an
 * image to reuse from (a re-publish, or an earlier platform's layout),
 * a file git does not know (untracked like an `npm ci`'s node_modules,
 * or modified) is hashed: one read of its bytes, instead of building its
 * layer again (tar, compression) when the previous image has it.  The
 * key is the one layer_write() would compute from those bytes, so the
 * hash is not made twice when the layer is built after all.  Those
 * hashes are made ahead, on the build's threads (prehash_layer).
 */
static int index_blob_id(struct builder *b, const struct layer_entry *e, char *out)
{
	size_t n = strlen(b->root);

	if (!e->src || strncmp(e->src, b->root, n) || e->src[n] != '/')
		return 1;
	return worktree_blob_id(&b->wt, e->src + n + 1, out);
}

static int blob_id(void *ctx, const struct layer_entry *e, char *out)
{
	struct builder *b = ctx;

	if (b->pre_le && e >= b->pre_le->v && e < b->pre_le->v + b->pre_le->nr) {
		const char *id = b->pre_ids[e - b->pre_le->v];

		if (!*id)
			return 1;
		memcpy(out, id, strlen(id) + 1);
		return 0;
	}
	return index_blob_id(b, e, out);
}

struct prehash {
	const struct layer_entries *le;
	char (*ids)[48];
	size_t *todo, todo_nr, next;	/* indices into le->v to hash; the next to take */
	pthread_mutex_t lock;
};

static void *prehash_run(void *arg)
{
	struct prehash *ph = arg;

	for (;;) {
		size_t i = SIZE_MAX;

		pthread_mutex_lock(&ph->lock);
		if (ph->next < ph->todo_nr)
			i = ph->todo[ph->next++];
		pthread_mutex_unlock(&ph->lock);
		if (i == SIZE_MAX)
			return NULL;
		if (layer_file_blob_id(&ph->le->v[i], ph->ids[i]))
			ph->ids[i][0] = '\0';
	}
}

/*
 * The blob ids of le's files for blob_id(): git's where it knows them
 * (here, on this thread: libgit2's index and attributes), the others
 * hashed from their bytes on up to threads threads (reading and hashing
 * is most of a re-publish whose node_modules is untracked).  Only with
 * an image to reuse from; released by prehash_release().
 */
static void prehash_layer(struct builder *b, const struct layer_entries *le, int threads)
{
	struct prehash ph = { le, NULL, NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t th[8];
	int started = 0;

	if (b->lw.no_key || (!b->prev.active && !b->sibling.active) || !le->nr)
		return;
	ph.ids = xcalloc(le->nr, sizeof(*ph.ids));
	ph.todo = xcalloc(le->nr, sizeof(*ph.todo));
	for (size_t i = 0; i < le->nr; i++) {
		const struct layer_entry *e = &le->v[i];

		if (e->type == LAYER_FILE && e->src && index_blob_id(b, e, ph.ids[i]))
			ph.todo[ph.todo_nr++] = i;
	}
	threads = layer_thread_count(threads);
	for (int t = 1; t < threads && t <= (int)ARRAY_SIZE(th) && (size_t)t < ph.todo_nr; t++)
		if (!pthread_create(&th[started], NULL, prehash_run, &ph))
			started++;
	prehash_run(&ph);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&ph.lock);
	free(ph.todo);
	b->pre_le = le;
	b->pre_ids = ph.ids;
}

static void prehash_release(struct builder *b)
{
	free(b->pre_ids);
	b->pre_ids = NULL;
	b->pre_le = NULL;
}

/*
 * Stream this layer's upload while it is written (build_opts.layer_stream)?
 * Its digest is not known before the end, so the upload cannot first ask
 * whether the registry has the blob: stream only a layer the registry is
 * unlikely to have, as far as can be told before: the previous image
 * named (reuse_from) does not exist (a first publish), or it was read
 * and has no layer of this key (the files changed; untracked files are
 * hashed for theirs when there is a previous image: blob_id()).  A layer
 * without a key (files outside git: their bytes may be those of the
 * last publish) or with no previous image named waits for its end, and
 * the upload's HEAD skips a blob the registry has.  Below
 * LAYER_STREAM_MIN bytes of content the layer is written before the
 * session could start.
 */
#define LAYER_STREAM_MIN (1024 * 1024)

static int layer_streams(const struct builder *b, const struct layer_entries *le, int have_key)
{
	uint64_t bytes = 0;

	if (!b->opts->layer_stream || !(b->prev.missing || (have_key && b->prev.active)))
		return 0;
	for (size_t i = 0; i < le->nr && bytes < LAYER_STREAM_MIN; i++)
		bytes += le->v[i].size;
	return bytes >= LAYER_STREAM_MIN;
}

static int write_layer(struct builder *b, struct layer_entries *le, const struct dockerfile_instr *in)
{
	struct strbuf tmp = STRBUF_INIT;
	struct layer l;
	char key[72];
	int rc, have_key, reused = 0;	/* 1: from the previous image (prev), 2: from the sibling's layout */

	layer_init(&l);
	layer_entries_finish(le, 0755);
	rc = imagefs_add_layer(&b->tree, le);
	if (rc < 0)
		goto out;
	b->lw.what = in->text;
	/*
	 * The key from git's ids when every file is tracked and clean (no file
	 * read): what a reuse looks up, and what the layer records, so that
	 * layer_write() need not hash the files again for it.
	 */
	prehash_layer(b, le, b->lw.threads);
	have_key = !b->lw.no_key && layer_reuse_key(le, &b->lw, blob_id, b, key);
	prehash_release(b);
	if (have_key && b->prev.active && reuse_find(&b->prev, key, b->lw.compression, &b->layout, &l)) {
		/* no temporary file made for it: each costs an inode created and freed */
		reused = 1;
		b->reused++;
	} else if (have_key && b->sibling.active &&
		   reuse_find(&b->sibling, key, b->lw.compression, &b->layout, &l)) {
		reused = 2;	/* imported into the layout, as from a previous layout */
		b->reused++;
	} else {
		struct layer_write_opts lw = b->lw;
		void *stream = NULL;

		lw.no_key = lw.no_key || have_key;
		rc = ocilayout_blob_tmp(&b->layout, &tmp);
		if (rc < 0)
			goto out;
		if (layer_streams(b, le, have_key)) {
			stream = b->opts->layer_stream(b->opts->layer_done_ctx, tmp.buf,
						       layer_media_type(lw.compression, b->img.docker), &rc);
			if (rc < 0)
				goto out;
			if (stream) {
				lw.progress = b->opts->layer_grow;
				lw.progress_ctx = stream;
			}
		}
		rc = layer_write(le, &lw, tmp.buf, &l);
		if (stream)
			b->opts->layer_stream_end(stream, rc < 0 ? NULL : &l);
		if (rc < 0)
			goto out;
		rc = ocilayout_blob_commit(&b->layout, tmp.buf, l.digest);
		if (rc < 0)
			goto out;
	}
	if (have_key)
		memcpy(l.reuse_key, key, sizeof(key));
	free(l.path);
	l.path = NULL;
	{
		struct strbuf p = STRBUF_INIT;

		ocilayout_blob_path(&b->layout, l.digest, &p);
		l.path = strbuf_detach(&p, NULL);
	}
	if (b->opts->layer_done && !(reused == 1 && !b->prev.blob_dir)) {
		rc = b->opts->layer_done(b->opts->layer_done_ctx, &l, layer_media_type(l.compression, b->img.docker));
		if (rc < 0)
			goto out;
	}
	ALLOC_GROW(b->keys, b->keys_nr + 1, b->keys_alloc);
	b->keys[b->keys_nr++] = xstrdup(l.reuse_key[0] ? l.reuse_key : "-");
	l.instruction = xstrdup(in->text);
	if (in->cmd == DOCKERFILE_COPY || in->cmd == DOCKERFILE_ADD) {
		l.sources = xcalloc(in->copy.sources.nr + 1, sizeof(char *));
		for (size_t i = 0; i < in->copy.sources.nr; i++)
			l.sources[i] = xstrdup(in->copy.sources.items[i]);
		l.sources_nr = in->copy.sources.nr;
	}
	image_add_layer(&b->img, &l);
	image_add_history(&b->img, in->text, 0);
	if (!b->opts->quiet)
		note("%s:%d %s: %s, %llu bytes%s", b->opts->dockerfile ? b->opts->dockerfile : "Dockerfile", in->line,
		     dockerfile_cmd_name(in->cmd), l.digest, (unsigned long long)l.size, reused ? ", reused" : "");
	ALLOC_GROW(b->res->layers, b->res->layers_nr + 1, b->res->layers_alloc);
	b->res->layers[b->res->layers_nr++] = l;
	layer_init(&l);
out:
	if (rc < 0 && tmp.len)
		unlink(tmp.buf);
	layer_release(&l);
	strbuf_release(&tmp);
	return rc;
}

/* context_copy's host_mode: the mode git records for a tracked path (worktree.h) */
static unsigned int git_mode(void *ctx, const char *rel, unsigned int st_mode)
{
	struct builder *b = ctx;

	return worktree_mode(&b->wt, rel, st_mode);
}

static int do_copy(struct builder *b, const struct dockerfile_instr *in)
{
	struct layer_entries le = LAYER_ENTRIES_INIT;
	struct context_ignore ign = { ign_excluded, ign_may_hold, b };
	struct context_copy_opts co = { 0 };
	struct strbuf what = STRBUF_INIT, dest = STRBUF_INIT;
	long long uid = in->copy.uid, gid = in->copy.gid;
	int rc;

	strbuf_addf(&what, "%s:%d: %s", b->opts->dockerfile ? b->opts->dockerfile : "Dockerfile", in->line,
		    dockerfile_cmd_name(in->cmd));
	rc = tree_need(b);
	if (rc < 0)
		goto out;
	if (in->copy.chown && (uid == DOCKERFILE_ID_NAME || gid == DOCKERFILE_ID_NAME)) {
		rc = imagefs_user_ids(&b->tree, in->copy.chown, what.buf, &uid, &gid);
		if (rc < 0)
			goto out;
	}
	rc = imagefs_resolve_dest(&b->tree, in->copy.dest_path, what.buf, &dest);
	if (!rc)
		rc = basetree_lazy_error(&b->tree);
	if (rc < 0)
		goto out;
	co.sources = (const char *const *)in->copy.sources.items;
	co.sources_nr = in->copy.sources.nr;
	co.dest = dest.buf;
	co.workdir = NULL;
	co.uid = uid;
	co.gid = gid;
	co.chmod = in->copy.mode;
	co.is_add = in->cmd == DOCKERFILE_ADD && in->copy.unpack != 0;
	co.what = what.buf;
	co.known_dir = known_dir;
	co.known_dir_ctx = b;
	co.check_file = check_git_file;
	co.host_mode = git_mode;
	co.host_mode_ctx = b;
	rc = context_copy(b->root, &ign, &co, &le);
	notice_git_left_out(b);
	if (!rc) {
		imagefs_fix_dirs(&b->tree, &le, uid, gid);
		rc = basetree_lazy_error(&b->tree);
	}
	if (!rc)
		rc = write_layer(b, &le, in);
out:
	layer_entries_release(&le);
	strbuf_release(&what);
	strbuf_release(&dest);
	return rc;
}

static int do_workdir(struct builder *b, const struct dockerfile_instr *in)
{
	struct layer_entries le = LAYER_ENTRIES_INIT;
	struct layer_entry e = { 0 };
	struct strbuf p = STRBUF_INIT, what = STRBUF_INIT, res = STRBUF_INIT;
	const char *user = json_string_value(json_object_get(json_object_get(b->img.config, "config"), "User"));
	long long uid = 0, gid = 0;
	int rc = 0;

	/* the tree first: it takes the base's WORKDIR, not this one, as a directory that exists */
	rc = tree_need(b);
	if (rc < 0)
		goto out;
	image_set_workdir(&b->img, in->value);
	strbuf_addf(&what, "%s:%d: WORKDIR", b->opts->dockerfile ? b->opts->dockerfile : "Dockerfile", in->line);
	context_image_path(NULL, in->value, &p);
	rc = basetree_resolve(&b->tree, p.buf, 1, what.buf, &res);
	if (!rc)
		rc = basetree_lazy_error(&b->tree);
	if (rc < 0)
		goto out;
	/* nothing to make: the root, or a directory the image has */
	if (!res.len || known_dir(b, res.buf)) {
		image_add_history(&b->img, in->text, 1);
		goto out;
	}
	/* BuildKit makes it, and its missing parents, as USER (an unknown name: root) */
	if (user && *user && imagefs_user_ids(&b->tree, user, NULL, &uid, &gid))
		uid = gid = 0;
	e.path = res.buf;
	e.type = LAYER_DIR;
	e.mode = 0755;
	e.uid = uid;
	e.gid = gid;
	layer_entries_add(&le, &e);
	imagefs_fix_dirs(&b->tree, &le, uid, gid);
	rc = basetree_lazy_error(&b->tree);
	if (!rc)
		rc = write_layer(b, &le, in);
out:
	layer_entries_release(&le);
	strbuf_release(&p);
	strbuf_release(&what);
	strbuf_release(&res);
	return rc;
}

static int apply(struct builder *b, const struct dockerfile_instr *in)
{
	switch (in->cmd) {
	case DOCKERFILE_COPY:
	case DOCKERFILE_ADD:
		return do_copy(b, in);
	case DOCKERFILE_WORKDIR:
		return do_workdir(b, in);
	case DOCKERFILE_FROM:
		return 0;
	case DOCKERFILE_ARG:	/* in the history only, as BuildKit does */
		break;
	case DOCKERFILE_ENV:
		for (size_t i = 0; i < in->kv.nr; i++)
			image_set_env(&b->img, in->kv.items[i].key, in->kv.items[i].value ? in->kv.items[i].value : "");
		break;
	case DOCKERFILE_LABEL:
		for (size_t i = 0; i < in->kv.nr; i++)
			image_set_label(&b->img, in->kv.items[i].key, in->kv.items[i].value ? in->kv.items[i].value : "");
		break;
	case DOCKERFILE_CMD:
		image_set_cmd(&b->img, strv_json(&in->args));
		break;
	case DOCKERFILE_ENTRYPOINT:
		image_set_entrypoint(&b->img, in->args_null ? json_null() : strv_json(&in->args));
		break;
	case DOCKERFILE_SHELL:
		image_set_shell(&b->img, strv_json(&in->args));
		break;
	case DOCKERFILE_EXPOSE:
		for (size_t i = 0; i < in->args.nr; i++)
			image_add_port(&b->img, in->args.items[i]);
		break;
	case DOCKERFILE_VOLUME:
		for (size_t i = 0; i < in->args.nr; i++)
			image_add_volume(&b->img, in->args.items[i]);
		break;
	case DOCKERFILE_USER:
		image_set_user(&b->img, in->value);
		break;
	case DOCKERFILE_STOPSIGNAL:
		image_set_stopsignal(&b->img, in->value);
		break;
	case DOCKERFILE_HEALTHCHECK:
		image_set_healthcheck(&b->img, health_json(&in->health));
		break;
	case DOCKERFILE_MAINTAINER:
		image_set_author(&b->img, in->value);
		break;
	}
	image_add_history(&b->img, in->text, 1);
	return 0;
}

static int check_onbuild(const struct image_base *base)
{
	json_t *ob = json_object_get(json_object_get(base->config, "config"), "OnBuild");

	if (json_is_array(ob) && json_array_size(ob))
		return error_as(EXIT_DOCKERFILE, "base image '%s' has ONBUILD triggers (%s...), which a build "
				"without a container runtime cannot run; use a base image without them",
				base->name, json_string_value(json_array_get(ob, 0)));
	return 0;
}

/* A previous image to reuse from is in a registry (a client is needed). */
static int reuse_any_registry(const struct build_opts *opts)
{
	for (size_t i = 0; i < opts->reuse_from_nr; i++)
		if (reuse_names_registry(opts->reuse_from[i]))
			return 1;
	return 0;
}

/* Labels and annotations given by the caller go into JSON: UTF-8 only (exit 3 naming the option). */
static int check_kv_utf8(const struct kvlist_item *kv, size_t nr, const char *option)
{
	for (size_t i = 0; i < nr; i++) {
		const char *k = kv[i].key, *v = kv[i].value ? kv[i].value : "";

		if (!gopath_utf8_valid(k, strlen(k)) || !gopath_utf8_valid(v, strlen(v)))
			return error_as(EXIT_INPUT, "%s: '%s' is not valid UTF-8", option,
					gopath_utf8_valid(k, strlen(k)) ? k : "(key)");
	}
	return 0;
}

static int make_tmpdir(const char *what, struct strbuf *out)
{
	return tempfile_mkdir(what, out);
}

int build_run(const struct build_opts *opts, struct build_result *out)
{
	struct builder b;
	struct dockerfile df;
	struct dockerfile_options dopts = { 0 };
	struct image_base base;
	struct image_finish_opts fo = { 0 };
	struct build_result res;
	struct strbuf dfpath = STRBUF_INIT, buf = STRBUF_INIT, layout_dir = STRBUF_INIT;
	struct strbuf config = STRBUF_INIT, manifest = STRBUF_INIT, plat = STRBUF_INIT;
	struct strbuf target = STRBUF_INIT;
	char root[PATH_MAX], cdig[DIGEST_HEX_LEN + 1], mdig[DIGEST_HEX_LEN + 1];
	const char *ctxdir = opts->context ? opts->context : ".";
	const char *platform;
	const char *default_tag = "latest";
	const char *const *tags = opts->tags_nr ? opts->tags : &default_tag;
	const char **env = NULL;
	int rc, temp_layout = opts->output_kind != BUILD_OUTPUT_OCI;
	struct registry_client *own_client = NULL, *client;
	struct base_fetch bf = { NULL, NULL };
	struct ocilayout_stage stage = { NULL, NULL };
	struct kvlist_item *anns = NULL;
	size_t anns_nr = 0;
	char *keys_value = NULL;
	struct strbuf tree_record = STRBUF_INIT;

	memset(&b, 0, sizeof(b));
	git_libgit2_init();	/* one for the build: each init reads the CA bundle (build_epoch, worktree) */
	basetree_init(&b.tree);
	dockerfile_init(&df);
	image_base_init(&base);
	dockerignore_init(&b.ign);
	build_result_init(&res);
	b.opts = opts;
	b.res = &res;

	if (!temp_layout) {
		/* oci:DIR: written beside DIR, moved in when complete (ocilayout.h) */
		rc = ocilayout_stage_begin(&stage, opts->output);
		if (rc < 0)
			goto out;
	}
	if (!realpath(ctxdir, root)) {
		rc = error_as(EXIT_CONTEXT, "cannot open the build context '%s': %s", ctxdir, strerror(errno));
		goto out;
	}
	b.root = root;
	rc = check_kv_utf8(opts->labels, opts->labels_nr, "--label");
	if (!rc)
		rc = check_kv_utf8(opts->annotations, opts->annotations_nr, "--annotation");
	if (rc < 0)
		goto out;
	{
		struct stat st;

		if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			rc = error_as(EXIT_CONTEXT, "the build context '%s' is not a directory", ctxdir);
			goto out;
		}
	}
	if (opts->dockerfile)
		strbuf_addstr(&dfpath, opts->dockerfile);
	else
		strbuf_addf(&dfpath, "%s/Dockerfile", root);
	if (strbuf_read_file(&buf, dfpath.buf, DOCKERFILE_CAP) < 0) {
		rc = error_as(EXIT_CONTEXT, "cannot read Dockerfile '%s': %s", dfpath.buf, strerror(errno));
		goto out;
	}
	dopts.build_args = opts->build_args;
	dopts.build_args_nr = opts->build_args_nr;
	if (opts->platform) {
		/* TARGETARCH... from the normalised platform ("x86_64" is amd64), a bad one exit 3 */
		struct platform tp = PLATFORM_INIT;

		if ((rc = platform_parse(opts->platform, &tp)) < 0)
			goto out;
		platform_format(&tp, &target);
		platform_release(&tp);
		dopts.target_platform = target.buf;
	}
	rc = dockerfile_parse(&df, buf.buf, buf.len, opts->dockerfile ? opts->dockerfile : "Dockerfile", &dopts);
	if (rc < 0)
		goto out;
	strbuf_reset(&buf);
	{
		/* BuildKit: DOCKERFILE.dockerignore next to the Dockerfile wins over the context's */
		struct strbuf ip = STRBUF_INIT;
		int found = 0;

		strbuf_addf(&ip, "%s.dockerignore", dfpath.buf);
		if (strbuf_read_file(&buf, ip.buf, DOCKERIGNORE_CAP) == 0) {
			found = 1;
		} else if (errno != ENOENT) {
			rc = error_as(EXIT_CONTEXT, "cannot read '%s': %s", ip.buf, strerror(errno));
		} else {
			strbuf_reset(&ip);
			strbuf_addf(&ip, "%s/.dockerignore", root);
			if (strbuf_read_file(&buf, ip.buf, DOCKERIGNORE_CAP) == 0)
				found = 1;
			else if (errno != ENOENT)
				rc = error_as(EXIT_CONTEXT, "cannot read '%s': %s", ip.buf, strerror(errno));
		}
		if (found)
			rc = dockerignore_load(&b.ign, buf.buf, buf.len, ip.buf);
		strbuf_release(&ip);
		if (rc < 0)
			goto out;
	}

	rc = build_epoch(root, &res.epoch);
	if (rc < 0)
		goto out;
	if (opts->epoch >= 0)
		res.epoch = opts->epoch;
	if (!df.from.scratch) {
		/* a bad reference names its FROM line, with the reference's own exit code */
		struct reference ref = REFERENCE_INIT;

		error_set_quiet(1);
		rc = reference_parse(df.from.image, &ref);
		error_set_quiet(0);
		reference_release(&ref);
		if (rc < 0) {
			df.error_line = df.from.line;
			rc = error_as(-rc, "%s:%d: FROM: %s", df.filename, df.from.line, error_last());
			goto out;
		}
	}
	platform = opts->platform ? opts->platform : df.from.platform;
	if (!opts->registry && ((!opts->base_layout && !df.from.scratch) || reuse_any_registry(opts))) {
		struct registry_options ro = { 0 };

		own_client = registry_client_new(&ro);
	}
	client = opts->registry ? opts->registry : own_client;
	rc = build_fetch_base(client, df.from.scratch ? NULL : df.from.image, platform, opts->base_layout, &base);
	if (rc < 0)
		goto out;
	if (base.config) {
		rc = check_onbuild(&base);
		if (rc < 0)
			goto out;
	}
	rc = image_init(&b.img, &base, platform, res.epoch, opts->docker_media_types);
	if (rc < 0)
		goto out;
	{
		json_t *inner = json_object_get(b.img.config, "config");
		json_t *e = json_object_get(inner, "Env"), *sh = json_object_get(inner, "Shell"), *v;
		struct dockerfile_base db = { 0 };
		size_t i, n = 0;

		env = xcalloc(json_array_size(e) + json_array_size(sh) + 2, sizeof(*env));
		json_array_foreach(e, i, v)
			if (json_string_value(v))
				env[n++] = json_string_value(v);
		db.env = env;
		db.env_nr = n;
		db.workdir = image_get_workdir(&b.img);
		if (json_array_size(sh)) {
			db.shell = env + n + 1;
			json_array_foreach(sh, i, v)
				if (json_string_value(v))
					env[n + 1 + db.shell_nr++] = json_string_value(v);
		}
		rc = dockerfile_expand(&df, &db);
		if (rc < 0)
			goto out;
	}

	b.client = client;
	b.base = &base;
	if (temp_layout)
		rc = make_tmpdir("layout", &layout_dir);
	else
		strbuf_addstr(&layout_dir, stage.tmp);
	if (rc < 0)
		goto out;
	rc = ocilayout_open(&b.layout, layout_dir.buf);
	if (rc < 0)
		goto out;
	if (base.blob_dir) {
		for (size_t i = 0; i < base.layers_nr && !rc; i++)
			rc = ocilayout_import_blob(&b.layout, base.blob_dir, base.layers[i].digest);
		if (rc < 0)
			goto out;
	}
	if (!base.blob_dir && base.layers_nr && (opts->output_kind == BUILD_OUTPUT_DOCKER ||
	    (opts->output_kind == BUILD_OUTPUT_OCI && !opts->thin_layout))) {
		/*
		 * A complete output: the base's layers streamed into the layout
		 * once; the tree and a docker archive read them from there.
		 */
		bf.client = client;
		bf.base = &base;
		for (size_t i = 0; i < base.layers_nr && !rc; i++)
			rc = ocilayout_fetch_blob(&b.layout, base.layers[i].digest, base.name,
						  client ? base_fetch_blob : NULL, &bf);
		if (rc < 0)
			goto out;
		strbuf_reset(&buf);
		strbuf_addf(&buf, "%s/blobs/sha256", layout_dir.buf);
		base.blob_dir = strbuf_detach(&buf, NULL);
	}
	b.lw.compression = opts->compression;
	b.lw.mtime = layer_time(opts, res.epoch);
	rc = compression_threads(&b.lw.threads);
	if (rc < 0)
		goto out;
	worktree_open(&b.wt, root);
	b.lw.no_key = !b.wt.repo;	/* outside git no later build knows a key without reading: none recorded */
	if (opts->reuse_from_nr) {
		image_platform(&b.img, &plat);
		reuse_load(&b.prev, opts->reuse_from, opts->reuse_from_nr, client, plat.buf, opts->notice);
		strbuf_reset(&plat);
	}
	if (opts->reuse_sibling && *opts->reuse_sibling) {
		image_platform(&b.img, &plat);
		reuse_load(&b.sibling, &opts->reuse_sibling, 1, NULL, plat.buf, opts->notice);
		strbuf_reset(&plat);
	}
	for (size_t i = 0; i < base.layers_nr; i++) {
		ALLOC_GROW(b.keys, b.keys_nr + 1, b.keys_alloc);
		b.keys[b.keys_nr++] = xstrdup(REUSE_KEY_BASE);
	}
	/* the base's layers go up while the build runs (a re-publish's previous image has them) */
	if (opts->base_ready && !base.blob_dir && base.name && base.layers_nr && !(b.prev.active && b.prev.source)) {
		rc = opts->base_ready(opts->layer_done_ctx, base.name, base.layers, base.layers_nr);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < df.nr; i++) {
		rc = apply(&b, &df.instrs[i]);
		if (rc < 0)
			goto out;
	}
	fo.labels = opts->labels;
	fo.labels_nr = opts->labels_nr;
	{
		/* the caller's annotations, then the layer keys */
		struct strbuf kv = STRBUF_INIT;

		for (size_t i = 0; i < b.keys_nr; i++)
			strbuf_addf(&kv, "%s%s", i ? " " : "", b.keys[i]);
		anns = xcalloc(opts->annotations_nr + 2, sizeof(*anns));
		for (size_t i = 0; i < opts->annotations_nr; i++)
			if (strcmp(opts->annotations[i].key, BUILD_ANN_LAYER_KEYS) &&
			    strcmp(opts->annotations[i].key, REUSE_ANN_BASE_TREE))
				anns[anns_nr++] = opts->annotations[i];
		keys_value = strbuf_detach(&kv, NULL);
		if (b.keys_nr) {
			anns[anns_nr].key = BUILD_ANN_LAYER_KEYS;
			anns[anns_nr++].value = keys_value;
		}
		/* a lazy tree (in a git work tree, where the next build may reuse from this image) */
		rc = basetree_lazy_record(&b.tree, &tree_record);
		if (rc < 0)
			goto out;
		if (tree_record.len) {
			anns[anns_nr].key = REUSE_ANN_BASE_TREE;
			anns[anns_nr++].value = tree_record.buf;
		}
	}
	fo.annotations = anns;
	fo.annotations_nr = anns_nr;
	rc = image_finish(&b.img, &fo, &config, cdig, &manifest, mdig);
	if (rc < 0)
		goto out;
	rc = ocilayout_put_blob(&b.layout, cdig, config.buf, config.len);
	if (!rc)
		rc = ocilayout_put_blob(&b.layout, mdig, manifest.buf, manifest.len);
	if (rc < 0)
		goto out;
	image_platform(&b.img, &plat);
	{
		/* the layout holds this image alone (publish push takes a layout of one image) */
		struct strbuf ip = STRBUF_INIT;

		strbuf_addf(&ip, "%s/index.json", layout_dir.buf);
		if (unlink(ip.buf) < 0 && errno != ENOENT)
			rc = error("cannot replace '%s': %s", ip.buf, strerror(errno));
		strbuf_release(&ip);
		if (rc < 0)
			goto out;
	}
	rc = ocilayout_add_manifest(&b.layout, b.img.docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST,
				    mdig, manifest.len, plat.buf, tags, 1, base.name, base.digest);
	for (size_t i = 0; i < base.layers_nr && !base.blob_dir; i++)
		reuse_note_base(&b.prev, base.layers[i].digest);
	if (!rc)
		rc = reuse_record(&b.prev, &b.layout, mdig);
	if (rc < 0)
		goto out;
	if (opts->output_kind == BUILD_OUTPUT_OCI && !opts->thin_layout && b.prev.remote.nr) {
		/* a complete layout: the layers reused from a registry image too */
		struct reuse_fetch rf = { &b.prev, client, client ? base_fetch_blob : NULL, &bf };

		bf.client = client;
		bf.base = &base;
		for (size_t i = 0; i < b.prev.remote.nr && !rc; i++)
			rc = ocilayout_fetch_blob(&b.layout, b.prev.remote.items[i], base.name, reuse_fetch_blob, &rf);
		if (rc < 0)
			goto out;
	}
	if (opts->output_kind == BUILD_OUTPUT_DOCKER) {
		struct reuse_fetch rf = { &b.prev, client, client ? base_fetch_blob : NULL, &bf };

		bf.client = client;
		bf.base = &base;
		rc = ocilayout_write_docker_archive(&b.layout, mdig, opts->tags, opts->tags_nr, opts->output,
						    base.name, client || b.prev.source ? reuse_fetch_blob : NULL, &rf);
		if (rc < 0)
			goto out;
	}
	if (!temp_layout) {
		rc = ocilayout_stage_commit(&stage);
		if (rc < 0)
			goto out;
		free(b.layout.dir);
		b.layout.dir = xstrdup(stage.dir);
		strbuf_reset(&layout_dir);
		strbuf_addstr(&layout_dir, stage.dir);
	}

	memcpy(res.manifest_digest, mdig, sizeof(mdig));
	memcpy(res.config_digest, cdig, sizeof(cdig));
	res.manifest_size = manifest.len;
	res.media_type = b.img.docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST;
	res.platform = strbuf_detach(&plat, NULL);
	res.base_name = base.name ? xstrdup(base.name) : NULL;
	res.base_digest = base.digest ? xstrdup(base.digest) : NULL;
	if (!temp_layout)
		res.layout = xstrdup(layout_dir.buf);
	for (size_t i = 0; i < res.layers_nr; i++) {
		free(res.layers[i].path);
		res.layers[i].path = NULL;
		if (!temp_layout) {
			struct strbuf p = STRBUF_INIT;

			ocilayout_blob_path(&b.layout, res.layers[i].digest, &p);
			res.layers[i].path = strbuf_detach(&p, NULL);
		}
	}
	build_result_release(out);
	*out = res;
	build_result_init(&res);
	rc = 0;
out:
	if (temp_layout && layout_dir.len)
		ocilayout_remove(layout_dir.buf);
	free(env);
	basetree_release(&b.tree);
	worktree_release(&b.wt);
	reuse_prev_release(&b.prev);
	reuse_prev_release(&b.sibling);
	for (size_t i = 0; i < b.keys_nr; i++)
		free(b.keys[i]);
	free(b.keys);
	free(anns);
	free(keys_value);
	strbuf_release(&tree_record);
	registry_client_free(own_client);
	build_result_release(&res);
	ocilayout_release(&b.layout);
	ocilayout_stage_release(&stage);
	image_release(&b.img);
	image_base_release(&base);
	dockerignore_release(&b.ign);
	dockerfile_release(&df);
	strbuf_release(&dfpath);
	strbuf_release(&buf);
	strbuf_release(&layout_dir);
	strbuf_release(&config);
	strbuf_release(&manifest);
	strbuf_release(&plat);
	strbuf_release(&target);
	git_libgit2_shutdown();
	return rc;
}
