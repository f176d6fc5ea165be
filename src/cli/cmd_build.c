/*
 * cmd_build.c: `publish build`, options into struct build_opts, then
 * build_run_platforms().  An oci: output is complete unless --thin-layout.  Prints the manifest digest on stdout, or with
 * several platforms (--platform a,b or repeated) the index's.
 *
 * --push: the image goes to every --tag (each a full REGISTRY/REPO:TAG,
 * checked before anything is built) in the same process, each layer
 * uploaded while the next is built (buildpush.h, the action's sequence);
 * without --output the layout is a thin one in a temporary directory,
 * removed at the end.  The digest is printed as `publish push` prints it.
 */
#include "lib/common.h"
#include "lib/kvlist.h"
#include "cli/builtin.h"
#include "build/build.h"
#include "build/multibuild.h"
#include "oci/platform.h"
#include "registry/registry.h"
#include "cli/registry_opts.h"
#include "lib/strlist.h"
#include "lib/tempfile.h"
#include "build/buildpush.h"
#include "oci/ocilayout.h"

static const char *const usage_text[] = { "publish build [<options>]", NULL };

struct build_cli {
	struct build_opts opts;
	struct registry_cli reg;
	struct strlist build_args;
	struct strlist tags;
	struct strlist reuse_from;	/* --reuse-from, in order */
	struct strlist platform_args;	/* --platform as given, each may be a list */
	struct strlist platforms;	/* normalised, each once, in order */
	struct kvlist labels;		/* --label KEY=VALUE, in order */
	struct kvlist annotations;	/* --annotation KEY=VALUE, in order */
	int push;			/* --push: to the tags, in this process */
	struct reference *refs;		/* --push: the tags parsed, nr_refs of them (owned) */
	size_t nr_refs;
	const char **ref_hosts;		/* their registries, NULL-terminated: where --username goes (owned array) */
};

static int add_kv(struct kvlist *l, const char *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (!eq || eq == arg)
		return error_as(EXIT_USAGE, "%s '%s': want KEY=VALUE", opt, arg);
	key = xstrndup(arg, eq - arg);
	kvlist_push(l, key, eq + 1);
	free(key);
	return 0;
}

/* parse_opt_cb of --label and --annotation: opt->value is the struct build_cli */
static int add_label(const struct option *opt, const char *arg)
{
	struct build_cli *c = opt->value;

	return add_kv(&c->labels, "--label", arg);
}

static int add_annotation(const struct option *opt, const char *arg)
{
	struct build_cli *c = opt->value;

	return add_kv(&c->annotations, "--annotation", arg);
}

/* parse_opt_cb of --output, --compression, --media-types: opt->value is the struct build_opts */
static int set_output(const struct option *opt, const char *v)
{
	struct build_opts *o = opt->value;

	if (!strncmp(v, "oci:", 4) && v[4]) {
		o->output_kind = BUILD_OUTPUT_OCI;
		o->output = v + 4;
	} else if (!strncmp(v, "docker:", 7) && v[7]) {
		o->output_kind = BUILD_OUTPUT_DOCKER;
		o->output = v + 7;
	} else {
		return error_as(EXIT_USAGE, "--output '%s': want oci:DIR or docker:FILE.tar", v);
	}
	return 0;
}

static int set_compression(const struct option *opt, const char *v)
{
	struct build_opts *o = opt->value;

	if (!strcmp(v, "gzip"))
		o->compression = LAYER_GZIP;
	else if (!strcmp(v, "zstd"))
		o->compression = LAYER_ZSTD;
	else
		return error_as(EXIT_USAGE, "--compression '%s': want gzip or zstd", v);
	return 0;
}

static int set_media_types(const struct option *opt, const char *v)
{
	struct build_opts *o = opt->value;

	if (!strcmp(v, "oci"))
		o->docker_media_types = 0;
	else if (!strcmp(v, "docker"))
		o->docker_media_types = 1;
	else
		return error_as(EXIT_USAGE, "--media-types '%s': want oci or docker", v);
	return 0;
}

static void cli_release(struct build_cli *c)
{
	strlist_release(&c->build_args);
	strlist_release(&c->tags);
	strlist_release(&c->reuse_from);
	strlist_release(&c->platform_args);
	strlist_release(&c->platforms);
	kvlist_release(&c->labels);
	kvlist_release(&c->annotations);
	for (size_t i = 0; i < c->nr_refs; i++)
		reference_release(&c->refs[i]);
	free(c->refs);
	free(c->ref_hosts);
	registry_cli_release(&c->reg);
}

/*
 * --push: every --tag a full reference naming its registry, parsed into
 * c->refs; --username then goes to their registries only (as push's).
 * Before anything is read or sent.
 */
static int parse_push_tags(struct build_cli *c)
{
	if (c->opts.output_kind == BUILD_OUTPUT_DOCKER)
		return error_as(EXIT_INPUT, "--push with --output 'docker:%s': push an oci:DIR output, "
				"or docker load the archive and push it", c->opts.output);
	if (!c->tags.nr)
		return error_as(EXIT_INPUT, "--push needs a --tag naming where to push (REGISTRY/REPO:TAG)");
	c->refs = xcalloc(c->tags.nr, sizeof(*c->refs));
	c->ref_hosts = xcalloc(c->tags.nr + 1, sizeof(*c->ref_hosts));
	for (size_t i = 0; i < c->tags.nr; i++) {
		const char *t = c->tags.items[i];
		int r;

		if (!reference_names_registry(t))
			return error_as(EXIT_INPUT, "--push: tag '%s' names no registry (want REGISTRY/REPO:TAG)", t);
		if ((r = reference_parse(t, &c->refs[c->nr_refs])) < 0)
			return r;
		c->nr_refs++;
		if (c->refs[i].digest)
			return error_as(EXIT_INPUT, "--push: tag '%s' has a digest: a tag names an image by tag only", t);
		c->ref_hosts[i] = c->refs[i].registry;
	}
	c->reg.opts.cred_registries = c->ref_hosts;
	return 0;
}

/*
 * --platform: every comma-separated item of every one given, normalised
 * by the one parser (a bad one is exit 3 naming it, before anything is
 * fetched), each platform once.
 */
static int parse_platforms(struct build_cli *c)
{
	struct strbuf one = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; !ret && i < c->platform_args.nr; i++) {
		struct strlist items = STRLIST_INIT;

		strlist_split(&items, c->platform_args.items[i], ',');
		for (size_t j = 0; !ret && j < items.nr; j++) {
			struct platform p = PLATFORM_INIT;

			strbuf_reset(&one);
			strbuf_addstr(&one, items.items[j]);
			strbuf_trim(&one);
			if ((ret = platform_parse(one.buf, &p)) < 0)
				break;
			strbuf_reset(&one);
			platform_format(&p, &one);
			platform_release(&p);
			if (!strlist_has(&c->platforms, one.buf))
				strlist_push(&c->platforms, one.buf);
		}
		strlist_release(&items);
	}
	strbuf_release(&one);
	return ret;
}

static int parse(struct build_cli *c, int argc, char **argv)
{
	int r;
	struct option options[] = {
		OPT_STRING('f', "file", &c->opts.dockerfile, "<file>", "the Dockerfile (default: CONTEXT/Dockerfile)"),
		OPT_STRING(0, "context", &c->opts.context, "<dir>", "the build context (default: .)"),
		OPT_STRING_LIST(0, "build-arg", &c->build_args, "<k=v>", "a build argument (repeatable)"),
		OPT_STRING_LIST(0, "platform", &c->platform_args, "<os/arch[/v],...>",
				"the platforms to build for (a list, repeatable)"),
		OPT_CALLBACK('o', "output", &c->opts, "<oci:DIR|docker:FILE.tar>",
			     "an OCI layout (every blob, the base's too), or a docker-load tar", set_output),
		OPT_FLAG(0, "thin-layout", &c->opts.thin_layout,
			 "oci: without the base image's layers (publish push fetches them)"),
		OPT_STRING_LIST('t', "tag", &c->tags, "<tag>", "a name for the image (repeatable)"),
		OPT_FLAG(0, "push", &c->push, "push the image to every --tag (REGISTRY/REPO:TAG), each\n"
			 "layer uploaded while the next is built"),
		OPT_CALLBACK(0, "label", c, "<k=v>", "an image label (repeatable)", add_label),
		OPT_CALLBACK(0, "annotation", c, "<k=v>", "a manifest annotation (repeatable)", add_annotation),
		OPT_CALLBACK(0, "compression", &c->opts, "gzip|zstd", "how layers are compressed", set_compression),
		OPT_CALLBACK(0, "media-types", &c->opts, "oci|docker", "OCI or Docker media types", set_media_types),
		OPT_STRING(0, "base-layout", &c->opts.base_layout, "<dir>", "an OCI layout to take the base image from"),
		OPT_FLAG(0, "include-git-dir", &c->opts.include_git_dir, "keep the context's .git in the image"),
		OPT_STRING_LIST(0, "reuse-from", &c->reuse_from, "<oci:dir|registry/repo:tag>",
				"the previous image (an OCI layout, or in a registry), whose\n"
				"unchanged layers are reused; repeated: the first that exists\n"
				"(default: $PUBLISH_REUSE_FROM)"),
		OPT_GROUP("registry options (for the base image, and --push's tags):"),
		REGISTRY_CLI_OPTIONS(&c->reg),
		OPT_END(),
	};

	if ((r = parse_options(&argc, argv, options, usage_text, 0)))
		return r;
	if (argc)
		return error_as(EXIT_USAGE, "unexpected argument '%s' (the context is --context DIR)", argv[0]);
	if ((r = parse_platforms(c)) < 0)
		return r;
	if (c->opts.thin_layout && c->opts.output_kind != BUILD_OUTPUT_OCI)
		return error_as(EXIT_USAGE, "--thin-layout needs an oci:DIR output (a docker archive holds every layer)");
	if (c->push && (r = parse_push_tags(c)) < 0)
		return r;
	if ((r = registry_cli_finish(&c->reg)) < 0)
		return r;
	if (!c->reuse_from.nr && getenv("PUBLISH_REUSE_FROM") && *getenv("PUBLISH_REUSE_FROM"))
		strlist_push(&c->reuse_from, getenv("PUBLISH_REUSE_FROM"));
	c->opts.reuse_from = (const char *const *)c->reuse_from.items;
	c->opts.reuse_from_nr = c->reuse_from.nr;
	c->opts.platform = c->platforms.nr == 1 ? c->platforms.items[0] : NULL;
	c->opts.quiet = c->reg.opts.quiet;
	c->opts.build_args = (const char *const *)c->build_args.items;
	c->opts.build_args_nr = c->build_args.nr;
	c->opts.tags = (const char *const *)c->tags.items;
	c->opts.tags_nr = c->tags.nr;
	c->opts.labels = c->labels.items;
	c->opts.labels_nr = c->labels.nr;
	c->opts.annotations = c->annotations.items;
	c->opts.annotations_nr = c->annotations.nr;
	return 0;
}

/*
 * --push: build into the oci: output (or a thin layout in a temporary
 * directory, removed whatever happens) while the layers go up, then push
 * it to the tags, all or none; the digest on stdout, as push prints it.
 */
static int build_and_push(struct build_cli *c, struct registry_client *client,
			  struct build_platforms_result *res)
{
	struct build_push bp = BUILD_PUSH_INIT;
	struct push_report rep = PUSH_REPORT_INIT;
	struct strbuf tmp = STRBUF_INIT, layout = STRBUF_INIT;
	int ret;

	if (c->opts.output_kind == BUILD_OUTPUT_NONE) {
		if ((ret = tempfile_mkdir("build-push", &tmp)) < 0)
			goto out;
		strbuf_addf(&layout, "%s/oci", tmp.buf);
		c->opts.output_kind = BUILD_OUTPUT_OCI;
		c->opts.output = layout.buf;
		c->opts.thin_layout = 1;	/* the base's layers are mounted or streamed by the push */
	} else {
		strbuf_addstr(&layout, c->opts.output);
	}
	bp.reg_opts = &c->reg.opts;
	bp.client = client;
	bp.dsts = c->refs;
	bp.nr_dsts = c->nr_refs;
	ret = build_push_build(&bp, &c->opts, (const char *const *)c->platforms.items, c->platforms.nr,
			       c->annotations.items, c->annotations.nr, res);
	if (!ret)
		ret = build_push_send(&bp, client, layout.buf, c->refs, c->nr_refs, res->digest, &rep);
	if (!ret)
		ret = registry_cli_report(&c->reg, &rep, NULL);
out:
	build_push_release(&bp);	/* before the files it may still read go */
	if (tmp.len)
		ocilayout_remove(tmp.buf);
	push_report_release(&rep);
	strbuf_release(&tmp);
	strbuf_release(&layout);
	return ret;
}

int cmd_build(int argc, char **argv)
{
	struct build_cli c = { .opts = BUILD_OPTS_INIT, .reg = REGISTRY_CLI_INIT,
				.build_args = STRLIST_INIT, .tags = STRLIST_INIT,
				.platform_args = STRLIST_INIT, .platforms = STRLIST_INIT };
	struct registry_client *client = NULL;
	struct build_platforms_result res;
	int rc;

	build_platforms_result_init(&res);
	rc = parse(&c, argc, argv);
	if (rc) {
		cli_release(&c);
		return rc > 0 ? EXIT_OK : error_exit_code(rc);
	}
	client = registry_client_new(&c.reg.opts);
	c.opts.registry = client;
	/*
	 * One platform (or none: the base's) is build_run()'s image; several
	 * are an index, whose annotations are the manifests' too, so that a
	 * registry showing the index's (ghcr.io) shows the description.
	 */
	if (c.push) {
		rc = build_and_push(&c, client, &res);
	} else {
		rc = build_run_platforms(&c.opts, (const char *const *)c.platforms.items, c.platforms.nr,
					 c.annotations.items, c.annotations.nr, &res);
		if (!rc)
			printf("%s\n", res.digest);
	}
	registry_client_free(client);
	build_platforms_result_release(&res);
	cli_release(&c);
	return error_exit_code(rc);
}
