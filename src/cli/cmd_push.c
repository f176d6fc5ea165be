/*
 * cmd_push.c: `publish push oci:DIR REF [REF...]`: push the image or index
 * of an OCI layout (as `publish build --output oci:DIR` writes it) to one
 * or more tags.  Blobs first, then manifests, then the tags.  Prints the
 * digest on stdout.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"
#include "registry.h"

static const char usage_str[] =
	"usage: publish push [<options>] oci:DIR REF [REF...]\n"
	"\n"
	"Push the image in the OCI layout DIR to every REF.  Layers the layout\n"
	"lacks are mounted or copied from the base image it names\n"
	"(annotation org.opencontainers.image.base.name).  Tags are written\n"
	"only after every blob and manifest is in.\n"
	"\n"
	"  --digest-file FILE       write the pushed digest to FILE\n"
	REGISTRY_CLI_USAGE;

int cmd_push(int argc, char **argv)
{
	struct registry_cli rc = REGISTRY_CLI_INIT;
	struct reference *dsts = NULL;
	struct push_report rep = PUSH_REPORT_INIT;
	struct registry_client *c = NULL;
	const char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
	const char *layout, *digest_file = NULL;
	size_t nr_rest = 0, nr_dsts = 0;
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_str, stdout);
			goto out;
		}
		if (!strcmp(argv[i], "--digest-file")) {
			if (i + 1 >= argc) {
				ret = error_as(EXIT_USAGE, "option '--digest-file' needs a value");
				goto out;
			}
			digest_file = argv[++i];
			continue;
		}
		r = registry_cli_option(&rc, argc, argv, &i);
		if (r < 0) {
			ret = r;
			goto out;
		}
		if (r)
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			ret = error_as(EXIT_USAGE, "unknown option '%s'", argv[i]);
			goto out;
		}
		rest[nr_rest++] = argv[i];
	}
	if (nr_rest < 2) {
		fputs(usage_str, stderr);
		ret = -EXIT_USAGE;
		goto out;
	}
	if ((ret = registry_cli_finish(&rc)))
		goto out;
	layout = !strncmp(rest[0], "oci:", 4) ? rest[0] + 4 : rest[0];
	dsts = xcalloc(nr_rest, sizeof(*dsts));
	for (size_t i = 1; i < nr_rest; i++) {
		if ((ret = reference_parse(rest[i], &dsts[nr_dsts])))
			goto out;
		nr_dsts++;
	}
	c = registry_client_new(&rc.opts);
	if ((ret = registry_push_layout(c, layout, dsts, nr_dsts, &rep)))
		goto out;
	if (digest_file) {
		FILE *f = fopen(digest_file, "w");

		if (!f || fprintf(f, "%s\n", rep.digest) < 0 || fclose(f) != 0) {
			ret = error("cannot write '%s'", digest_file);
			goto out;
		}
	}
	if (!rc.opts.quiet) {
		size_t n[3] = { 0, 0, 0 };

		for (size_t i = 0; i < rep.nr_blobs; i++)
			n[rep.blobs[i].outcome]++;
		fprintf(stderr, "%zu blobs pushed (%lld bytes), %zu mounted, %zu already there; %zu manifests\n",
			n[BLOB_PUSHED], rep.bytes_pushed, n[BLOB_MOUNTED], n[BLOB_EXISTED], rep.nr_manifests);
	}
	printf("%s\n", rep.digest);
out:
	registry_client_free(c);
	push_report_release(&rep);
	for (size_t i = 0; i < nr_dsts; i++)
		reference_release(&dsts[i]);
	free(dsts);
	registry_cli_release(&rc);
	free(rest);
	return error_exit_code(ret);
}
