/*
 * imagefs.c: see imagefs.h.
 */
#include "lib/common.h"
#include "build/imagefs.h"

int imagefs_is_dir(struct basetree *t, const char *ipath)
{
	const struct basetree_entry *e = basetree_get(t, ipath);

	return e && e->type == BASETREE_DIR;
}

int imagefs_add_layer(struct basetree *t, const struct layer_entries *le)
{
	static const enum basetree_type types[] = {
		[LAYER_DIR] = BASETREE_DIR, [LAYER_FILE] = BASETREE_FILE,
		[LAYER_SYMLINK] = BASETREE_SYMLINK, [LAYER_HARDLINK] = BASETREE_HARDLINK,
	};
	struct basetree_layer l;
	int rc = 0;

	basetree_layer_init(&l);
	for (size_t i = 0; i < le->nr && !rc; i++) {
		const struct layer_entry *e = &le->v[i];

		rc = basetree_layer_add(&l, e->path, types[e->type], e->mode, e->uid, e->gid, e->link);
	}
	if (!rc)
		rc = basetree_apply(t, &l);
	basetree_layer_release(&l);
	return rc;
}


/*
 * A COPY destination as Docker resolves it in the image: its parents
 * through the tree's symlinks; the last part too when it ends with '/'
 * or names a directory (then the result ends with '/': copy into it).
 * dest is absolute and clean (dockerfile.c), out gets the same form.
 */
int imagefs_resolve_dest(struct basetree *t, const char *dest, const char *what, struct strbuf *out)
{
	struct strbuf clean = STRBUF_INIT, parent = STRBUF_INIT, full = STRBUF_INIT;
	size_t n = strlen(dest);
	int slash = n && dest[n - 1] == '/';
	const char *last;
	int rc;

	basetree_clean(dest, &clean);
	strbuf_reset(out);
	if (!clean.len) {
		strbuf_addch(out, '/');
		goto out_ok;
	}
	last = strrchr(clean.buf, '/');
	if (last) {
		strbuf_add(&parent, clean.buf, last - clean.buf);
		last++;
	} else {
		last = clean.buf;
	}
	rc = basetree_resolve(t, parent.buf, 1, what, &parent);
	if (rc < 0)
		goto out;
	strbuf_addf(&full, "%s%s%s", parent.buf, parent.len ? "/" : "", last);
	{
		struct strbuf followed = STRBUF_INIT;

		rc = basetree_resolve(t, full.buf, 1, what, &followed);
		if (rc < 0) {
			strbuf_release(&followed);
			goto out;
		}
		if (slash || imagefs_is_dir(t, followed.buf))
			strbuf_addf(out, "/%s/", followed.buf);
		else
			strbuf_addf(out, "/%s", full.buf);
		strbuf_release(&followed);
	}
out_ok:
	rc = 0;
out:
	strbuf_release(&clean);
	strbuf_release(&parent);
	strbuf_release(&full);
	return rc;
}

/*
 * Directories as Docker leaves them: one that exists in the image keeps
 * its owner and mode (a COPY into it, --chown or not, changes neither);
 * a parent that does not exist yet is made 0755 and owned by uid:gid (the
 * --chown's, or root).  Every parent gets an entry here, so the layer
 * never invents one.
 */
static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void imagefs_fix_dirs(struct basetree *tree, struct layer_entries *le, long long uid, long long gid)
{
	size_t nr = le->nr;
	char **have = xcalloc(nr ? nr : 1, sizeof(char *));	/* the entries' paths, sorted (borrowed) */

	for (size_t i = 0; i < nr; i++) {
		const struct basetree_entry *t = basetree_get(tree, le->v[i].path);

		if (le->v[i].type == LAYER_DIR && t && t->type == BASETREE_DIR) {
			le->v[i].mode = t->mode;
			le->v[i].uid = t->uid;
			le->v[i].gid = t->gid;
		}
	}
	for (size_t i = 0; i < nr; i++)
		have[i] = le->v[i].path;
	qsort(have, nr, sizeof(char *), cmp_strp);
	for (size_t i = 0; i < nr; i++) {
		char *p = xstrdup(have[i]), *slash;

		while ((slash = strrchr(p, '/'))) {
			struct layer_entry d = { 0 };
			const struct basetree_entry *t;
			const char *key = p;

			*slash = '\0';
			if (bsearch(&key, have, nr, sizeof(char *), cmp_strp))
				break;
			t = basetree_get(tree, p);
			d.path = p;
			d.type = LAYER_DIR;
			if (t && t->type == BASETREE_DIR) {
				d.mode = t->mode;
				d.uid = t->uid;
				d.gid = t->gid;
			} else {
				d.mode = layer_dir_mode(p, 0755);
				d.uid = uid < 0 ? 0 : uid;
				d.gid = gid < 0 ? 0 : gid;
			}
			layer_entries_add(le, &d);
			le->v[le->nr - 1].seq = 0;	/* never over an entry of the layer's own */
		}
		free(p);
	}
	free(have);
}

/*
 * uid and gid of a user[:group] spec, names looked up in the image's
 * /etc/passwd and /etc/group.  An unknown name is -EXIT_DOCKERFILE (what
 * starts the message), or 1 in silence when what is NULL.
 */
int imagefs_user_ids(struct basetree *t, const char *spec, const char *what, long long *uid, long long *gid)
{
	char *user = xstrdup(spec), *group = strchr(user, ':'), *end;
	long long u = 0, g = -1;
	int rc = 0;

	if (group)
		*group++ = '\0';
	if (!strcmp(user, "root")) {
		u = 0;
	} else if (*user && (u = strtoll(user, &end, 10), !*end) && u >= 0) {
		/* numeric */
	} else if (basetree_user(t, user, &u, &g)) {
		rc = basetree_lazy_error(t);	/* the base could not be read: said already */
		if (rc < 0)
			goto out;
		rc = !what ? 1 : error_as(EXIT_DOCKERFILE, "%s: --chown=%s: no user '%s' in the base image's /etc/passwd",
			      what, spec, user);
		goto out;
	}
	if (!group) {
		if (g < 0)
			g = u;
	} else if (!strcmp(group, "root")) {
		g = 0;
	} else if (*group && (g = strtoll(group, &end, 10), !*end) && g >= 0) {
		/* numeric */
	} else if (basetree_group(t, group, &g)) {
		rc = basetree_lazy_error(t);
		if (rc < 0)
			goto out;
		rc = !what ? 1 : error_as(EXIT_DOCKERFILE, "%s: --chown=%s: no group '%s' in the base image's /etc/group",
			      what, spec, group);
		goto out;
	}
	*uid = u;
	*gid = g;
out:
	free(user);
	return rc;
}
