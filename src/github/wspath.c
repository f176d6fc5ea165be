/*
 * wspath.c: see wspath.h.
 */
#include "lib/common.h"
#include "github/wspath.h"

void wspath_init(struct wspath *w, const char *workspace, const char *runner_workspace,
		 const char *repository)
{
	const char *name = repository ? strrchr(repository, '/') : NULL;

	w->workspace = workspace && *workspace ? workspace : NULL;
	strbuf_init(&w->host, 0);
	name = name ? name + 1 : repository;
	if (runner_workspace && *runner_workspace == '/' && name && *name) {
		strbuf_addstr(&w->host, runner_workspace);
		while (w->host.len && w->host.buf[w->host.len - 1] == '/')
			strbuf_setlen(&w->host, w->host.len - 1);
		strbuf_addf(&w->host, "/%s", name);
	}
}

void wspath_release(struct wspath *w)
{
	if (w)
		strbuf_release(&w->host);
}

/* The rest of path after root (a directory, trailing slashes ignored), or NULL when path is not below it. */
static const char *below(const char *path, const char *root)
{
	size_t n = root ? strlen(root) : 0;

	if (!root || *root != '/')
		return NULL;
	while (n && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path + n + strspn(path + n, "/");
}

/* Whether rel has a ".." component. */
static int has_dotdot(const char *rel)
{
	for (const char *c = rel; *c; ) {
		size_t n = strcspn(c, "/");

		if (n == 2 && !strncmp(c, "..", 2))
			return 1;
		c += n + strspn(c + n, "/");
	}
	return 0;
}

int wspath_relative(const struct wspath *w, const char *input, const char *path, struct strbuf *out)
{
	const char *rest;

	if (*path != '/') {
		strbuf_addstr(out, path);
		return 0;
	}
	rest = below(path, w->workspace);
	if (!rest && w->host.len)
		rest = below(path, w->host.buf);
	if (!rest)
		return error_as(EXIT_INPUT, "input '%s': '%s' is outside the workspace ('%s'%s%s%s): "
				"give a path in it, relative or under ${{ github.workspace }}", input, path,
				w->workspace ? w->workspace : ".", w->host.len ? ", on the runner '" : "",
				w->host.buf, w->host.len ? "'" : "");
	if (has_dotdot(rest))
		return error_as(EXIT_INPUT, "input '%s': '%s' leaves the workspace through '..'", input, path);
	strbuf_addstr(out, rest);
	return 0;
}
