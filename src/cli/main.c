/*
 * main.c: the command table of publish (after git's git.c).
 *
 *   publish meta      image tags, labels and annotations (docker/metadata-action rules)
 *   publish build     daemonless, reproducible OCI image from a Dockerfile
 *   publish push      push a built image to a registry
 *   publish copy      copy an image or index between registries
 *   publish merge     one index over images pushed by digest (a matrix)
 *   publish inspect   show a manifest, config, digest and platforms
 *   publish action    the GitHub container action's entrypoint
 */
#include "lib/common.h"
#include "cli/builtin.h"

#ifndef PUBLISH_VERSION
#define PUBLISH_VERSION "0.0.0-dev"
#endif

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd_struct commands[] = {
	{ "meta", cmd_meta, "derive image tags, labels and annotations" },
	{ "build", cmd_build, "build an OCI image from a Dockerfile, without a daemon" },
	{ "push", cmd_push, "push a built image to a registry" },
	{ "copy", cmd_copy, "copy an image or index between registries" },
	{ "merge", cmd_merge, "one multi-platform index over images pushed by digest" },
	{ "inspect", cmd_inspect, "show an image's manifest, config and digest" },
	{ "action", cmd_action, "run as the GitHub container action (meta, build, push)" },
	{ "changed", cmd_changed, "list the services whose files changed (a job matrix)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: publish <command> [<options>]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'publish <command> --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("publish %s\n", PUBLISH_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "error: unknown command '%s'\n", name);
	usage(stderr);
	return EXIT_USAGE;
}
