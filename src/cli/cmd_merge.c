/*
 * cmd_merge.c: `publish merge --image NAME --digest D [--digest D...]
 * [--tag T...]`: the last job of a matrix.  Each job pushed one platform
 * with `publish push --by-digest`; merge makes one OCI index over those
 * digests (each entry's platform from its image's config, sorted by
 * platform so the order of --digest does not change the index), PUTs it
 * by digest to NAME's repository and moves the tags, all or none.  Prints
 * the index's digest.  The work is registry_merge().
 *
 * A --tag is a tag of NAME ("1.2") or a whole reference
 * ("ghcr.io/o/app:1.2", as `publish meta` lists them); a reference in
 * another repository gets the index and what it lists copied there.
 */
#include "lib/common.h"
#include "lib/kvlist.h"
#include "lib/strlist.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"
#include "registry/registry.h"


static const char *const usage_str[] = {
	"publish merge [<options>] --image NAME --digest sha256:... [--digest ...] [--tag T...]",
	"",
	"One multi-platform image (an OCI index) from images pushed by digest to",
	"NAME's repository (`publish push --by-digest`), each listed with the",
	"platform of its config; a digest of an index gives its images.  The",
	"index is pushed by digest, then the tags move, all or none.  Prints the",
	"index's digest.",
	NULL
};

struct merge_cli {
	struct registry_cli reg;
	const char *image;
	const char *digest_file;
	struct strlist digest_args;	/* --digest as given: each may be a list */
	struct strlist digests;		/* one a digest */
	struct strlist tags;
	struct kvlist annotations;
};

/* parse_opt_cb of --annotation: opt->value is the struct kvlist */
static int add_annotation(const struct option *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (!eq || eq == arg)
		return error_as(EXIT_USAGE, "--annotation '%s': want KEY=VALUE", arg);
	key = xstrndup(arg, (size_t)(eq - arg));
	kvlist_push(opt->value, key, eq + 1);
	free(key);
	return 0;
}

/* A --digest value split at commas and white space (job outputs join them so). */
static void split_digests(const char *arg, struct strlist *out)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ", \t\r\n");

		if (n) {
			char *one = xstrndup(p, n);

			strlist_push_nodup(out, one);
		}
		p += n;
		if (*p)
			p++;
	}
}

/*
 * Each --tag as a reference: a bare tag is NAME's, anything with a '/'
 * a whole reference.  dsts (nr of them) are set only on success.
 */
static int parse_tags(const struct merge_cli *m, const struct reference *name,
		      struct reference **dsts, size_t *nr)
{
	struct reference *d = xcalloc(m->tags.nr + 1, sizeof(*d));
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; i < m->tags.nr; i++) {
		const char *t = m->tags.items[i];

		if (strchr(t, '/')) {
			if ((ret = reference_parse(t, &d[n])))
				goto out;
			n++;
			continue;
		}
		if ((ret = reference_check_tag(t)))
			goto out;
		reference_copy(name, &d[n]);
		free(d[n].tag);
		free(d[n].digest);
		d[n].digest = NULL;
		d[n].tag = xstrdup(t);
		n++;
	}
out:
	if (ret) {
		for (size_t i = 0; i < n; i++)
			reference_release(&d[i]);
		free(d);
		return ret;
	}
	*dsts = d;
	*nr = n;
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	struct merge_cli m = { REGISTRY_CLI_INIT, NULL, NULL, STRLIST_INIT, STRLIST_INIT, STRLIST_INIT,
			       KVLIST_INIT };
	struct reference name = REFERENCE_INIT, *dsts = NULL;
	struct push_report rep = PUSH_REPORT_INIT;
	struct registry_client *c = NULL;
	const char **hosts = NULL;
	size_t nr_dsts = 0;
	int ret;
	struct option options[] = {
		OPT_STRING(0, "image", &m.image, "<name>", "the repository the images were pushed to\n"
			   "(REGISTRY/REPO, no tag)"),
		OPT_STRING_LIST(0, "digest", &m.digest_args, "<digest>",
				"an image (or index) to list, sha256:...; repeatable,\n"
				"or several separated by commas or spaces"),
		OPT_STRING_LIST('t', "tag", &m.tags, "<tag>", "a tag of NAME, or a whole reference (repeatable)"),
		OPT_CALLBACK(0, "annotation", &m.annotations, "<k=v>", "an annotation of the index (repeatable)",
			     add_annotation),
		OPT_STRING(0, "digest-file", &m.digest_file, "<file>", "write the index's digest to FILE"),
		REGISTRY_CLI_OPTIONS(&m.reg),
		OPT_END(),
	};

	if ((ret = parse_options(&argc, argv, options, usage_str, 0))) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	for (size_t i = 0; i < m.digest_args.nr; i++)
		split_digests(m.digest_args.items[i], &m.digests);
	if (argc || !m.image || !m.digests.nr) {
		if (argc)
			error_as(EXIT_USAGE, "merge takes no argument ('%s'): the image is --image", argv[0]);
		else
			error_as(EXIT_USAGE, "merge needs --image and at least one --digest");
		parse_options_usage(stderr, usage_str, options);
		ret = -EXIT_USAGE;
		goto out;
	}
	if (registry_cli_names_tag(m.image) || strchr(m.image, '@')) {
		ret = error_as(EXIT_USAGE, "--image '%s' names a tag or digest: give the repository, the tags with --tag",
			       m.image);
		goto out;
	}
	if ((ret = reference_parse(m.image, &name)) || (ret = parse_tags(&m, &name, &dsts, &nr_dsts)) ||
	    (ret = registry_cli_finish(&m.reg)))
		goto out;
	/* --username is for the registries written to: NAME's and the tags' */
	hosts = xcalloc(nr_dsts + 2, sizeof(*hosts));
	hosts[0] = name.registry;
	for (size_t i = 0; i < nr_dsts; i++)
		hosts[i + 1] = dsts[i].registry;
	m.reg.opts.cred_registries = hosts;
	c = registry_client_new(&m.reg.opts);
	if ((ret = registry_merge(c, &name, (const char *const *)m.digests.items, m.digests.nr,
				  m.annotations.items, m.annotations.nr, dsts, nr_dsts, &rep)))
		goto out;
	ret = registry_cli_report(&m.reg, &rep, m.digest_file);
out:
	registry_client_free(c);
	push_report_release(&rep);
	for (size_t i = 0; i < nr_dsts; i++)
		reference_release(&dsts[i]);
	free(dsts);
	free(hosts);
	reference_release(&name);
	strlist_release(&m.digest_args);
	strlist_release(&m.digests);
	strlist_release(&m.tags);
	kvlist_release(&m.annotations);
	registry_cli_release(&m.reg);
	return error_exit_code(ret);
}
