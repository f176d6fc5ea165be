/*
 * test-context.c: COPY/ADD source resolution against a small context on
 * disk: directory contents, file destinations, globs, symlinks clamped to
 * the context, an ignore callback, errors.
 */
#include "lib/common.h"
#include "build/context.h"
#include "tap.h"

#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/publish-test-context.XXXXXX";

static void mk(const char *path, const char *content)
{
	struct strbuf p = STRBUF_INIT;
	FILE *f;

	strbuf_addf(&p, "%s/%s", root, path);
	f = fopen(p.buf, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
	strbuf_release(&p);
}

static void mkd(const char *path)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", root, path);
	mkdir(p.buf, 0755);
	strbuf_release(&p);
}

static void mkl(const char *target, const char *path)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", root, path);
	if (symlink(target, p.buf) < 0)
		printf("# symlink %s failed\n", p.buf);
	strbuf_release(&p);
}

/* "path type" lines of the finished entries */
static int copy(const char *const *srcs, size_t n, const char *dest, const char *workdir,
		const struct context_ignore *ign, struct strbuf *out)
{
	struct layer_entries le = LAYER_ENTRIES_INIT;
	struct context_copy_opts o = { 0 };
	int rc;

	o.sources = srcs;
	o.sources_nr = n;
	o.dest = dest;
	o.workdir = workdir;
	o.uid = o.gid = -1;
	o.chmod = -1;
	o.what = "Dockerfile:1: COPY";
	rc = context_copy(root, ign, &o, &le);
	if (!rc) {
		layer_entries_finish(&le, 0755);
		for (size_t i = 0; i < le.nr; i++)
			strbuf_addf(out, "%s%s%s%s ", le.v[i].path, le.v[i].type == LAYER_DIR ? "/" : "",
				    le.v[i].type == LAYER_SYMLINK ? "@" : "",
				    le.v[i].type == LAYER_HARDLINK ? "=" : "");
	}
	layer_entries_release(&le);
	return rc;
}

static int ignore_secret(void *ctx, const char *path, int is_dir)
{
	return !strcmp(path, "secret") || !strcmp(path, "d/secret");
}

#define COPY_IS(srcs, dest, workdir, want, ...) do { \
	struct strbuf got_ = STRBUF_INIT; \
	ok(copy(srcs, ARRAY_SIZE(srcs), dest, workdir, NULL, &got_) == 0, __VA_ARGS__); \
	is_str(got_.buf, want, __VA_ARGS__); \
	strbuf_release(&got_); \
} while (0)

int main(void)
{
	struct strbuf got = STRBUF_INIT, p = STRBUF_INIT;
	struct context_ignore ign = { ignore_secret, NULL, NULL };

	if (!mkdtemp(root)) {
		printf("Bail out! no temporary directory\n");
		return 1;
	}
	mkd("d");
	mkd("d/sub");
	mk("d/a.txt", "a");
	mk("d/b.md", "b");
	mk("d/sub/c.txt", "c");
	mk("d/secret", "s");
	mk("secret", "s");
	mk("top.txt", "t");
	mkl("d", "dlink");
	mkl("/d/a.txt", "abs");
	mkl("../../../../../etc/passwd", "escape");
	mkl("a.txt", "d/rel");

	{
		const char *s[] = { "d" };
		COPY_IS(s, "/app", NULL, "app/ app/a.txt app/b.md app/rel@ app/secret app/sub/ app/sub/c.txt ",
			"a directory copies its contents");
	}
	{
		const char *s[] = { "/d/a.txt" };
		COPY_IS(s, "/x/y", NULL, "x/ x/y ", "a file to a new name, parents added");
	}
	{
		const char *s[] = { "d/a.txt" };
		COPY_IS(s, "rel/", "/w", "w/ w/rel/ w/rel/a.txt ", "relative destination under WORKDIR, trailing slash");
	}
	{
		const char *s[] = { "d/*.txt", "top.txt" };
		COPY_IS(s, "/o/", NULL, "o/ o/a.txt o/top.txt ", "a glob and a file into a directory");
	}
	{
		const char *s[] = { "d/*/c.txt" };
		COPY_IS(s, "/o/", NULL, "o/ o/c.txt ", "a glob in a middle component");
	}
	{
		const char *s[] = { "dlink/a.txt" };
		COPY_IS(s, "/f", NULL, "f ", "a symlinked directory on the way is followed");
	}
	{
		const char *s[] = { "abs" };
		COPY_IS(s, "/f", NULL, "f ", "an absolute link target is read inside the context");
	}
	{
		const char *s[] = { "d/a.txt" };
		COPY_IS(s, "/usr/local/bin", NULL, "usr/ usr/local/ usr/local/bin/ usr/local/bin/a.txt ",
			"a system directory is a directory without its slash");
	}

	error_set_quiet(1);
	{
		const char *s[] = { "escape" };

		is_int(copy(s, 1, "/e", NULL, NULL, &got), -EXIT_CONTEXT, "a link out of the context is clamped to it: not found");
		ok(strstr(error_last(), "Dockerfile:1: COPY") && strstr(error_last(), "escape"), "the message names the source");
	}
	{
		const char *s[] = { "nothing*" };

		is_int(copy(s, 1, "/e/", NULL, NULL, &got), -EXIT_CONTEXT, "a glob matching nothing");
	}
	{
		const char *s[] = { "d/a.txt", "top.txt" };

		is_int(copy(s, 2, "/notdir", NULL, NULL, &got), -EXIT_DOCKERFILE, "several sources need a directory");
	}
	{
		const char *s[] = { "d/*.*" };

		is_int(copy(s, 1, "/notdir", NULL, NULL, &got), -EXIT_DOCKERFILE, "a glob matching several needs a directory");
	}
	{
		const char *s[] = { "secret" };

		is_int(copy(s, 1, "/s", NULL, &ign, &got), -EXIT_CONTEXT, "an ignored source does not exist");
	}
	error_set_quiet(0);
	strbuf_reset(&got);
	{
		const char *s[] = { "d" };

		ok(copy(s, 1, "/i", NULL, &ign, &got) == 0 && !strstr(got.buf, "secret"),
		   "ignored files are left out of a directory copy");
	}

	/* .git, at any depth, as a whole component */
	ok(context_in_git_dir(".git"), ".git is a git dir");
	ok(context_in_git_dir(".git/config"), "below .git");
	ok(context_in_git_dir("vendor/lib/.git"), "a submodule's .git");
	ok(context_in_git_dir("a/.git/modules/x/config"), "below a nested .git");
	ok(!context_in_git_dir(".github/workflows/x.yml"), ".github is not");
	ok(!context_in_git_dir(".gitignore"), ".gitignore is not");
	ok(!context_in_git_dir("a.git/b"), "a.git is not");
	ok(!context_in_git_dir("x/.git2"), ".git2 is not");
	{
		static const struct { const char *text; const char *want; } cfg[] = {
			{ "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://github.com/o/r\n", NULL },
			{ "[remote \"origin\"]\n\turl = ssh://git@github.com/o/r\n", NULL },
			{ "[remote \"origin\"]\n\turl = git@github.com:o/r.git\n", NULL },
			{ "[url \"https://github.com/\"]\n\tinsteadOf = git@github.com:\n", NULL },
			{ "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic eA==\n",
			  "an http extraheader (line 2)" },
			{ "[core]\n[http]\n\textraHeader = Authorization: bearer x\n",
			  "an http extraheader (line 3)" },
			{ "# extraheader = AUTHORIZATION: basic eA==\n", "an http extraheader (line 1)" },
			{ "[http \"https://github.com/\"] EXTRAHEADER = x\n", "an http extraheader (line 1)" },
			{ "[remote \"o\"]\n\turl = https://x-access-token:ghs_x@github.com/o/r\n",
			  "credentials in a URL (line 2)" },
			{ "[remote \"o\"]\n\turl = https://ghp_token@github.com/o/r\n", "credentials in a URL (line 2)" },
			{ "[remote \"o\"]\n\turl = \"HTTP://tok@host:8080\"\n", "credentials in a URL (line 2)" },
			{ "[remote \"o\"]\n\turl = ssh://user:pw@host/r\n", "credentials in a URL (line 2)" },
			{ "[remote \"o\"]\n\turl = https://github.com/o/r@v1\n", NULL },
			{ "[remote \"o\"]\n\turl = https://@github.com/o/r\n", NULL },
		};

		for (size_t i = 0; i < ARRAY_SIZE(cfg); i++) {
			int r;

			strbuf_reset(&got);
			r = context_git_config_secret(cfg[i].text, strlen(cfg[i].text), &got);
			if (cfg[i].want)
				ok(r == 1 && !strcmp(got.buf, cfg[i].want), "git config %zu: %s (got '%s')", i,
				   cfg[i].want, got.buf);
			else
				ok(r == 0 && !got.len, "git config %zu: clean", i);
		}
		strbuf_reset(&got);
		ok(context_git_config_secret("url = https://tok@h", 11, &got) == 0,
		   "only len bytes are read");
	}

	strbuf_addf(&p, "rm -rf '%s'", root);
	if (system(p.buf) != 0)
		printf("# could not remove %s\n", root);
	strbuf_release(&p);
	strbuf_release(&got);
	return tap_done();
}
