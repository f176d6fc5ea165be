/*
 * cmd_build.c: `publish build`, options into struct build_opts, then
 * build_run_platforms().  An oci: output is complete unless --thin-layout.  Prints the manifest digest on stdout, or with
 * several platforms (--platform a,b or repeated) the index's.
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

static const char *const usage_text[] = { "publish build [<options>]", NULL };

struct build_cli {
	struct build_opts opts;
	struct registry_cli reg;
	struct strlist build_args;
	struct strlist tags;
	struct strlist platform_args;	/* --platform as given, each may be a list */
	struct strlist platforms;	/* normalised, each once, in order */
	struct kvlist labels;		/* --label KEY=VALUE, in order */
	struct kvlist annotations;	/* --annotation KEY=VALUE, in order */
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
	strlist_release(&c->platform_args);
	strlist_release(&c->platforms);
	kvlist_release(&c->labels);
	kvlist_release(&c->annotations);
	registry_cli_release(&c->reg);
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
		OPT_CALLBACK(0, "label", c, "<k=v>", "an image label (repeatable)", add_label),
		OPT_CALLBACK(0, "annotation", c, "<k=v>", "a manifest annotation (repeatable)", add_annotation),
		OPT_CALLBACK(0, "compression", &c->opts, "gzip|zstd", "how layers are compressed", set_compression),
		OPT_CALLBACK(0, "media-types", &c->opts, "oci|docker", "OCI or Docker media types", set_media_types),
		OPT_STRING(0, "base-layout", &c->opts.base_layout, "<dir>", "an OCI layout to take the base image from"),
		OPT_FLAG(0, "include-git-dir", &c->opts.include_git_dir, "keep the context's .git in the image"),
		OPT_STRING(0, "reuse-from", &c->opts.reuse_from, "<oci:dir|registry/repo:tag>",
			   "the previous image (an OCI layout, or in a registry), whose\n"
			   "unchanged layers are reused (default: $PUBLISH_REUSE_FROM)"),
		OPT_GROUP("registry options (for the base image):"),
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
	if ((r = registry_cli_finish(&c->reg)) < 0)
		return r;
	if (!c->opts.reuse_from && getenv("PUBLISH_REUSE_FROM") && *getenv("PUBLISH_REUSE_FROM"))
		c->opts.reuse_from = getenv("PUBLISH_REUSE_FROM");
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
	rc = build_run_platforms(&c.opts, (const char *const *)c.platforms.items, c.platforms.nr,
				 c.annotations.items, c.annotations.nr, &res);
	registry_client_free(client);
	if (!rc)
		printf("%s\n", res.digest);
	build_platforms_result_release(&res);
	cli_release(&c);
	return error_exit_code(rc);
}
