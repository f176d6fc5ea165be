/*
 * cmd_build.c: `publish build`, options into struct build_opts, then
 * build_run().  Prints the manifest digest on stdout.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "build/build.h"
#include "registry/registry.h"
#include "cli/registry_opts.h"

static const char usage_text[] =
	"usage: publish build [--file Dockerfile] [--context DIR] [--build-arg K=V]...\n"
	"                     [--platform os/arch[/variant]] [--output oci:DIR | docker:FILE.tar]\n"
	"                     [--tag T]... [--label K=V]... [--annotation K=V]...\n"
	"                     [--compression gzip|zstd] [--media-types oci|docker]\n"
	"                     [--base-layout DIR] [--include-git-dir] [--quiet] [<registry options>]\n"
	"\nregistry options (for the base image):\n" REGISTRY_CLI_USAGE;

struct build_cli {
	struct build_opts opts;
	struct registry_cli reg;
	const char **build_args;
	size_t build_args_nr, build_args_alloc;
	const char **tags;
	size_t tags_nr, tags_alloc;
	struct image_kv *labels;
	size_t labels_nr, labels_alloc;
	struct image_kv *annotations;
	size_t annotations_nr, annotations_alloc;
	char *kv_store;	/* copies of K=V arguments, split in place */
};

static int add_kv(struct image_kv **v, size_t *nr, size_t *alloc, const char *opt, const char *arg)
{
	char *copy, *eq;

	if (!(eq = strchr(arg, '=')) || eq == arg)
		return error_as(EXIT_USAGE, "%s '%s': want KEY=VALUE", opt, arg);
	copy = xstrdup(arg);
	eq = copy + (eq - arg);
	*eq = '\0';
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[*nr].key = copy;
	(*v)[*nr].value = eq + 1;
	(*nr)++;
	return 0;
}

static void cli_release(struct build_cli *c)
{
	free(c->build_args);
	free(c->tags);
	for (size_t i = 0; i < c->labels_nr; i++)
		free((char *)c->labels[i].key);
	for (size_t i = 0; i < c->annotations_nr; i++)
		free((char *)c->annotations[i].key);
	free(c->labels);
	free(c->annotations);
	registry_cli_release(&c->reg);
}

/* "--name value" or "--name=value": the value, advancing *i; NULL if not this option */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static int parse(struct build_cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v;
		int missing = 0, r;

#define OPT(name) ((v = opt_value(argc, argv, &i, name, &missing)) != NULL)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 1;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			c->opts.quiet = 1;
			c->reg.opts.quiet = 1;
		} else if (OPT("--file") || OPT("-f")) {
			c->opts.dockerfile = v;
		} else if (OPT("--context")) {
			c->opts.context = v;
		} else if (OPT("--build-arg")) {
			ALLOC_GROW(c->build_args, c->build_args_nr + 1, c->build_args_alloc);
			c->build_args[c->build_args_nr++] = v;
		} else if (OPT("--platform")) {
			c->opts.platform = v;
		} else if (OPT("--output") || OPT("-o")) {
			if (!strncmp(v, "oci:", 4) && v[4]) {
				c->opts.output_kind = BUILD_OUTPUT_OCI;
				c->opts.output = v + 4;
			} else if (!strncmp(v, "docker:", 7) && v[7]) {
				c->opts.output_kind = BUILD_OUTPUT_DOCKER;
				c->opts.output = v + 7;
			} else {
				return error_as(EXIT_USAGE, "--output '%s': want oci:DIR or docker:FILE.tar", v);
			}
		} else if (OPT("--tag") || OPT("-t")) {
			ALLOC_GROW(c->tags, c->tags_nr + 1, c->tags_alloc);
			c->tags[c->tags_nr++] = v;
		} else if (OPT("--label")) {
			if (add_kv(&c->labels, &c->labels_nr, &c->labels_alloc, "--label", v) < 0)
				return -EXIT_USAGE;
		} else if (OPT("--annotation")) {
			if (add_kv(&c->annotations, &c->annotations_nr, &c->annotations_alloc, "--annotation", v) < 0)
				return -EXIT_USAGE;
		} else if (OPT("--compression")) {
			if (!strcmp(v, "gzip"))
				c->opts.compression = LAYER_GZIP;
			else if (!strcmp(v, "zstd"))
				c->opts.compression = LAYER_ZSTD;
			else
				return error_as(EXIT_USAGE, "--compression '%s': want gzip or zstd", v);
		} else if (OPT("--media-types")) {
			if (!strcmp(v, "oci"))
				c->opts.docker_media_types = 0;
			else if (!strcmp(v, "docker"))
				c->opts.docker_media_types = 1;
			else
				return error_as(EXIT_USAGE, "--media-types '%s': want oci or docker", v);
		} else if (!strcmp(argv[i], "--include-git-dir")) {
			c->opts.include_git_dir = 1;
		} else if (OPT("--base-layout")) {
			c->opts.base_layout = v;
		} else if (!missing && (r = registry_cli_option(&c->reg, argc, argv, &i)) != 0) {
			if (r < 0)
				return r;
		} else if (missing) {
			return error_as(EXIT_USAGE, "option '%s' needs a value", argv[i]);
		} else {
			error_as(EXIT_USAGE, "unknown option '%s'", argv[i]);
			fputs(usage_text, stderr);
			return -EXIT_USAGE;
		}
		if (missing)
			return error_as(EXIT_USAGE, "option '%s' needs a value", argv[i]);
#undef OPT
	}
	{
		int r = registry_cli_finish(&c->reg);

		if (r < 0)
			return r;
	}
	c->opts.build_args = c->build_args;
	c->opts.build_args_nr = c->build_args_nr;
	c->opts.tags = c->tags;
	c->opts.tags_nr = c->tags_nr;
	c->opts.labels = c->labels;
	c->opts.labels_nr = c->labels_nr;
	c->opts.annotations = c->annotations;
	c->opts.annotations_nr = c->annotations_nr;
	return 0;
}

int cmd_build(int argc, char **argv)
{
	struct build_cli c = { .opts = BUILD_OPTS_INIT, .reg = REGISTRY_CLI_INIT };
	struct registry_client *client = NULL;
	struct build_result res;
	int rc;

	build_result_init(&res);
	rc = parse(&c, argc, argv);
	if (rc) {
		cli_release(&c);
		return rc > 0 ? EXIT_OK : error_exit_code(rc);
	}
	client = registry_client_new(&c.reg.opts);
	c.opts.registry = client;
	rc = build_run(&c.opts, &res);
	registry_client_free(client);
	if (!rc)
		printf("%s\n", res.manifest_digest);
	build_result_release(&res);
	cli_release(&c);
	return error_exit_code(rc);
}
