/*
 * test-basetree-lazy.c: a lazy tree (basetree.h) answers every lookup as
 * the whole tree does, from a record or from the base read when the
 * record cannot answer, replaying the layers applied before; its record
 * is the same whichever tree served the lookups; a bad record is
 * ignored (the base read), an oversized one not written, a failed load
 * is the lookups' error.
 */
#include "lib/common.h"
#include "build/basetree.h"
#include "tap.h"

struct ent {
	const char *path;
	enum basetree_type type;
	unsigned int mode;
	int uid, gid;
	const char *link;
};

static const struct ent base_ents[] = {
	{ "bin", BASETREE_SYMLINK, 0777, 0, 0, "usr/bin" },
	{ "usr", BASETREE_DIR, 0755, 0, 0, NULL },
	{ "usr/bin", BASETREE_DIR, 0755, 0, 0, NULL },
	{ "usr/bin/sh", BASETREE_FILE, 0755, 0, 0, NULL },
	{ "usr/lib", BASETREE_DIR, 0700, 0, 0, NULL },
	{ "home", BASETREE_DIR, 0755, 0, 0, NULL },
	{ "home/app", BASETREE_DIR, 0750, 1000, 1000, NULL },
	{ "home/odd name\xc3\xa9%", BASETREE_DIR, 0711, 7, 8, NULL },
	{ "etc", BASETREE_DIR, 0755, 0, 0, NULL },
	{ "etc/passwd", BASETREE_FILE, 0644, 0, 0, NULL },
	{ "etc/group", BASETREE_FILE, 0644, 0, 0, NULL },
	{ "etc/empty", BASETREE_SYMLINK, 0777, 0, 0, "" },
};

struct loader {
	int calls;
	int fail;
};

/* basetree_load_fn: the base above, as one layer */
static int load(void *ctx, struct basetree *t)
{
	struct loader *ld = ctx;
	struct basetree_layer l;
	int rc = 0;

	ld->calls++;
	if (ld->fail)
		return error("cannot read the base (test)");
	basetree_layer_init(&l);
	for (size_t i = 0; i < ARRAY_SIZE(base_ents) && !rc; i++)
		rc = basetree_layer_add(&l, base_ents[i].path, base_ents[i].type, base_ents[i].mode,
					base_ents[i].uid, base_ents[i].gid, base_ents[i].link);
	strbuf_addstr(&l.passwd, "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
	strbuf_addstr(&l.group, "root:x:0:\nstaff:x:50:app\n");
	l.has_passwd = l.has_group = 1;
	if (!rc)
		rc = basetree_apply(t, &l);
	basetree_layer_release(&l);
	return rc;
}

/* A layer of ours: one file, or /etc/passwd with content when passwd is set. */
static void ours(struct basetree *t, const char *path, const char *passwd)
{
	struct basetree_layer l;

	basetree_layer_init(&l);
	basetree_layer_add(&l, path, BASETREE_FILE, 0644, 0, 0, NULL);
	if (passwd) {
		strbuf_addstr(&l.passwd, passwd);
		l.has_passwd = 1;
	}
	basetree_apply(t, &l);
	basetree_layer_release(&l);
}

/* The lookups of a build, their answers as one string (compared between trees). */
static void lookups(struct basetree *t, struct strbuf *out)
{
	static const char *paths[] = { "home/app", "home/app/x/y", "srv/new/file", "usr/bin", "home/odd name\xc3\xa9%",
				       "etc/empty", "etc/passwd" };
	struct strbuf r = STRBUF_INIT;
	long long id = -5, gid = -5;

	strbuf_reset(out);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		const struct basetree_entry *e = basetree_get(t, paths[i]);

		if (e)
			strbuf_addf(out, "%s=%d/%o/%lld/%lld/%s;", paths[i], e->type, e->mode, e->uid, e->gid,
				    e->link ? e->link : "");
		else
			strbuf_addf(out, "%s=none;", paths[i]);
	}
	basetree_resolve(t, "/bin/tool", 1, NULL, &r);
	strbuf_addf(out, "resolve=%s;", r.buf);
	strbuf_addf(out, "app=%d", basetree_user(t, "app", &id, &gid));
	strbuf_addf(out, ":%lld:%lld;", id, gid);
	strbuf_addf(out, "nobody=%d;", basetree_user(t, "nobody", &id, NULL));
	strbuf_addf(out, "staff=%d", basetree_group(t, "staff", &gid));
	strbuf_addf(out, ":%lld;", gid);
	strbuf_release(&r);
}

int main(void)
{
	struct basetree full, part, t;
	struct loader lf = { 0, 0 }, lp = { 0, 0 }, lt = { 0, 0 };
	struct strbuf rec = STRBUF_INIT, rec2 = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	const struct basetree_entry *e;
	long long id = -1, gid = -1;

	error_set_quiet(1);

	/* the whole tree: read at the start, the record written */
	basetree_init(&full);
	is_int(basetree_lazy_begin(&full, load, &lf, NULL), 0, "without a record the base is read at once");
	is_int(lf.calls, 1, "once");
	ours(&full, "srv/new/file", NULL);
	lookups(&full, &a);
	ok(strstr(a.buf, "home/app=0/750/1000/1000/;") && strstr(a.buf, "srv/new/file=1/") &&
	   strstr(a.buf, "resolve=usr/bin/tool;") && strstr(a.buf, "app=0:1000:1001;") &&
	   strstr(a.buf, "staff=0:50;"), "the whole tree answers");
	is_int(basetree_lazy_record(&full, &rec), 0, "a record");
	ok(!strncmp(rec.buf, "publish-basetree 1\nn 12\n", 24) && strstr(rec.buf, "\na home/app/x\n") &&
	   strstr(rec.buf, "\na srv\n") && strstr(rec.buf, "\nu nobody -\n") &&
	   strstr(rec.buf, "\np home/odd%20name%C3%A9%25 d 711 7 8\n") && strstr(rec.buf, "\np etc/empty l 777 0 0 %00\n") &&
	   !strstr(rec.buf, "usr/lib"), "of what was looked up, escaped");

	/* from the record: the same answers, nothing read, the same record */
	basetree_init(&part);
	is_int(basetree_lazy_begin(&part, load, &lp, rec.buf), 1, "a record is taken");
	ours(&part, "srv/new/file", NULL);
	lookups(&part, &b);
	is_str(b.buf, a.buf, "the same answers from the record");
	is_int(lp.calls, 0, "without reading the base");
	ok(!basetree_lazy_loaded(&part), "loaded says so");
	basetree_lazy_record(&part, &rec2);
	is_str(rec2.buf, rec.buf, "and the same record");

	/* a lookup the record cannot answer: the base read, our layer replayed */
	e = basetree_get(&part, "usr/lib");
	ok(e && e->type == BASETREE_DIR && e->mode == 0700, "a path outside the record: the whole tree's answer");
	is_int(lp.calls, 1, "the base read for it");
	ok(basetree_get(&part, "srv/new/file") && basetree_lazy_loaded(&part), "the layer applied before is still there");
	is_int(basetree_user(&part, "app", &id, NULL), 0, "users from the whole base");
	basetree_get(&full, "usr/lib");
	basetree_lazy_record(&full, &rec);
	basetree_lazy_record(&part, &rec2);
	is_str(rec2.buf, rec.buf, "the record is the same as the whole tree's for the same lookups");
	basetree_release(&part);

	/* our own /etc/passwd on a partial tree */
	basetree_lazy_record(&full, &rec);
	basetree_init(&t);
	basetree_lazy_begin(&t, load, &lt, rec.buf);
	ours(&t, "etc/passwd", "app:x:2000:2001::/:/bin/sh\n");
	is_int(basetree_user(&t, "app", &id, &gid), 0, "a user from the passwd a layer wrote");
	is_int(id, 2000, "its uid, not the base's");
	is_int(basetree_group(&t, "staff", &gid), 0, "the base's group file still answers");
	is_int(lt.calls, 0, "nothing read");
	ours(&t, "etc", NULL);	/* a file replaces /etc */
	is_int(basetree_group(&t, "staff", &gid), 1, "a layer that removes /etc/group: no group");
	is_int(lt.calls, 0, "still nothing read");
	basetree_release(&t);

	/* a lookup the record cannot answer, and the base cannot be read */
	lt.calls = 0;
	lt.fail = 1;
	basetree_init(&t);
	basetree_lazy_begin(&t, load, &lt, rec.buf);
	ok(basetree_get(&t, "home/app") && !basetree_lazy_error(&t), "known: no read");
	ok(!basetree_get(&t, "opt") && basetree_lazy_error(&t) < 0, "unknown and unreadable: the lookups' error");
	is_int(lt.calls, 1, "one attempt");
	ok(basetree_lazy_record(&t, &rec2) < 0, "no record then");
	basetree_release(&t);
	lt.fail = 0;

	/* records that are not taken: the base read instead */
	{
		static const char *bad[] = {
			"", "junk", "publish-basetree 2\nn 20\n", "publish-basetree 1\nn 20\nx y\n",
			"publish-basetree 1\np usr d 755 0 0\n",			/* no entry count */
			"publish-basetree 1\nn 0\np usr d 755 0 0\n",		/* a count below its entries' */
			"publish-basetree 1\nn x\n", "publish-basetree 1\nn 99999999999\n",
			"publish-basetree 1\nn 20\np usr/bin d 755 0 0\n",		/* without its parent */
			"publish-basetree 1\nn 20\np usr d 755 0 0\np usr d 755 0 0\n",	/* twice */
			"publish-basetree 1\nn 20\np usr q 755 0 0\n", "publish-basetree 1\nn 20\np usr d 99999 0 0\n",
			"publish-basetree 1\nn 20\np usr d 755 -1 0\n", "publish-basetree 1\nn 20\np bin l 777 0 0\n",
			"publish-basetree 1\nn 20\np u%0 d 755 0 0\n", "publish-basetree 1\nn 20\np u%00 d 755 0 0\n",
			"publish-basetree 1\nn 20\np ./usr d 755 0 0\n", "publish-basetree 1\nn 20\na usr\np usr d 755 0 0\n",
			"publish-basetree 1\nn 20\nu app 1 x\n", "publish-basetree 1\nn 20\ng staff\n",
		};


		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			lt.calls = 0;
			basetree_init(&t);
			ok(basetree_lazy_begin(&t, load, &lt, bad[i]) == 0 && lt.calls == 1 &&
			   basetree_get(&t, "usr/lib"), "a bad record is ignored (%zu)", i);
			basetree_release(&t);
		}
	}

	/* a base near the entry cap: the whole base is read before a layer is added, the cap checked on it */
	{
		char big[128];

		lt.calls = 0;
		snprintf(big, sizeof(big), "publish-basetree 1\nn %u\np home d 755 0 0\n", BASETREE_ENTRIES_CAP - 1);
		basetree_init(&t);
		is_int(basetree_lazy_begin(&t, load, &lt, big), 1, "a record of a large base is taken");
		ok(basetree_get(&t, "home") && lt.calls == 0, "and answers");
		ours(&t, "srv/x", NULL);
		ok(lt.calls == 1 && basetree_lazy_loaded(&t) && basetree_get(&t, "srv/x") && basetree_get(&t, "usr/lib"),
		   "a layer that may pass the cap reads the whole base first");
		basetree_release(&t);
	}

	/* a build that looks up too much records nothing */
	{
		char p[64];

		basetree_init(&t);
		basetree_lazy_begin(&t, load, &lt, NULL);
		for (int i = 0; i < 5000; i++) {
			snprintf(p, sizeof(p), "a-rather-long-name-looked-up-%06d", i);
			basetree_get(&t, p);
		}
		is_int(basetree_lazy_record(&t, &rec2), 0, "over the cap");
		is_int(rec2.len, 0, "no record");
		basetree_release(&t);
	}

	basetree_release(&full);
	strbuf_release(&rec);
	strbuf_release(&rec2);
	strbuf_release(&a);
	strbuf_release(&b);
	return tap_done();
}
