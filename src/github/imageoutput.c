/*
 * imageoutput.c: see imageoutput.h.  Each line is split at commas into
 * key=value fields (build-push-action's CSV without quotes: a PATH with
 * a comma is not taken).
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "github/imageoutput.h"
#include "github/wspath.h"

#include <sys/stat.h>

#define INPUT "input 'outputs'"

void imageoutput_release(struct imageoutput *o)
{
	if (!o)
		return;
	free(o->oci);
	free(o->docker);
	o->oci = o->docker = NULL;
}

/* dest made relative to the workspace into out (wspath.h); an error naming line when it leaves it. */
static int dest_path(const char *dest, const struct wspath *w, const char *line, struct strbuf *out)
{
	struct wspath none = WSPATH_INIT;
	struct strbuf rel = STRBUF_INIT;
	const char *p;
	size_t n;
	int ret;

	if ((ret = wspath_relative(w ? w : &none, "outputs", dest, &rel)) < 0)
		goto out;
	p = rel.buf;
	while (!strncmp(p, "./", 2))
		p += 2 + strspn(p + 2, "/");
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	strbuf_add(out, p, n);
	if (!out->len || !strcmp(out->buf, ".") || !strcmp(out->buf, "..") || !strncmp(out->buf, "../", 3) ||
	    strstr(out->buf, "/../") || (out->len >= 3 && !strcmp(out->buf + out->len - 3, "/..")))
		ret = error_as(EXIT_INPUT, INPUT ": '%s': '%s' is not a path inside the workspace", line, dest);
out:
	strbuf_release(&rel);
	return ret;
}

/* One line into kind ("oci"/"docker") and its path. */
static int parse_line(const char *line, const struct wspath *workspace, const char **kind, struct strbuf *path)
{
	struct strlist fields = STRLIST_INIT;
	const char *type = NULL, *dest = NULL, *tar = NULL;
	int ret = 0;

	if (!strncmp(line, "oci:", 4) || !strncmp(line, "docker:", 7)) {
		*kind = line[0] == 'o' ? "oci" : "docker";
		return dest_path(line + (line[0] == 'o' ? 4 : 7), workspace, line, path);
	}
	strlist_split(&fields, line, ',');
	for (size_t i = 0; i < fields.nr; i++) {
		char *f = fields.items[i], *eq = strchr(f, '=');

		if (!eq) {
			ret = error_as(EXIT_INPUT, INPUT ": '%s': '%s' is not key=value "
				       "(type=docker,dest=PATH or type=oci,dest=PATH,tar=false)", line, f);
			goto out;
		}
		*eq = '\0';
		if (!strcmp(f, "type"))
			type = eq + 1;
		else if (!strcmp(f, "dest"))
			dest = eq + 1;
		else if (!strcmp(f, "tar"))
			tar = eq + 1;
		else if (strcmp(f, "name")) {
			ret = error_as(EXIT_INPUT, INPUT ": '%s': '%s' is not supported (type, dest, tar, name)", line, f);
			goto out;
		}
	}
	if (!type) {
		ret = error_as(EXIT_INPUT, INPUT ": '%s' has no type (type=docker or type=oci)", line);
	} else if (!strcmp(type, "registry") || !strcmp(type, "image")) {
		ret = error_as(EXIT_INPUT, INPUT ": '%s': type=%s is not supported: the push input pushes to the tags",
			       line, type);
	} else if (!strcmp(type, "local") || !strcmp(type, "tar") || !strcmp(type, "cacheonly")) {
		ret = error_as(EXIT_INPUT, INPUT ": '%s': type=%s is not supported: write type=oci,dest=PATH,tar=false "
			       "or type=docker,dest=PATH", line, type);
	} else if (strcmp(type, "oci") && strcmp(type, "docker")) {
		ret = error_as(EXIT_INPUT, INPUT ": '%s': unknown type '%s' (docker or oci)", line, type);
	} else if (!dest || !*dest) {
		ret = error_as(EXIT_INPUT, INPUT ": '%s' has no dest (a path in the workspace)", line);
	} else if (!strcmp(type, "oci") && (!tar || strcmp(tar, "false"))) {
		ret = error_as(EXIT_INPUT, INPUT ": '%s': an OCI tar archive is not supported: add tar=false "
			       "for an OCI layout directory", line);
	} else if (!strcmp(type, "docker") && tar && strcmp(tar, "true")) {
		ret = error_as(EXIT_INPUT, INPUT ": '%s': type=docker is a tar archive (tar=%s is not supported)",
			       line, tar);
	} else {
		*kind = !strcmp(type, "oci") ? "oci" : "docker";
		ret = dest_path(dest, workspace, line, path);
	}
out:
	strlist_release(&fields);
	return ret;
}

int imageoutput_parse(const char *text, const struct wspath *workspace, struct imageoutput *out)
{
	struct imageoutput o = IMAGEOUTPUT_INIT;
	struct strbuf line = STRBUF_INIT, path = STRBUF_INIT;
	int ret = 0;

	for (const char *p = text; p && *p && !ret; ) {
		size_t n = strcspn(p, "\n");
		const char *kind = NULL;
		char **slot;

		strbuf_reset(&line);
		strbuf_add(&line, p, n);
		strbuf_trim(&line);
		p += n + (p[n] == '\n');
		if (!line.len)
			continue;
		strbuf_reset(&path);
		if ((ret = parse_line(line.buf, workspace, &kind, &path)) < 0)
			break;
		slot = !strcmp(kind, "oci") ? &o.oci : &o.docker;
		if (*slot)
			ret = error_as(EXIT_INPUT, INPUT ": a second %s output ('%s'): give one of each type",
				       kind, line.buf);
		else
			*slot = xstrdup(path.buf);
	}
	strbuf_release(&line);
	strbuf_release(&path);
	if (ret < 0) {
		imageoutput_release(&o);
		return ret;
	}
	*out = o;
	return 0;
}

/* One relative path: no component is a symbolic link, none but the last is other than a directory. */
static int check_one(const char *rel, const char *workspace)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	strbuf_addstr(&p, workspace && *workspace ? workspace : ".");
	for (const char *c = rel; *c && !ret; ) {
		size_t n = strcspn(c, "/");
		int upto = (int)(c + n - rel);

		strbuf_addch(&p, '/');
		strbuf_add(&p, c, n);
		c += n + strspn(c + n, "/");
		if (lstat(p.buf, &st) < 0)
			break;	/* made by the build: nothing further exists */
		if (S_ISLNK(st.st_mode))
			ret = error_as(EXIT_INPUT, INPUT ": '%s' goes through the symbolic link '%.*s': give a path "
				       "of real directories in the workspace", rel, upto, rel);
		else if (*c && !S_ISDIR(st.st_mode))
			ret = error_as(EXIT_INPUT, INPUT ": '%s': '%.*s' is not a directory", rel, upto, rel);
	}
	strbuf_release(&p);
	return ret;
}

int imageoutput_check_links(const struct imageoutput *o, const char *workspace)
{
	int ret = 0;

	if (o->oci)
		ret = check_one(o->oci, workspace);
	if (!ret && o->docker)
		ret = check_one(o->docker, workspace);
	return ret;
}
