/*
 * cmd_copy.c: `publish copy SRC DST [DST...]`: copy an image or index,
 * every platform, unchanged (same digest), between registries (or from an
 * OCI layout, oci:DIR).  Prints the digest on stdout.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"
#include "registry.h"

static const char usage_str[] =
	"usage: publish copy [<options>] SRC DST [DST...]\n"
	"\n"
	"Copy an image or index (every platform) from SRC to each DST, keeping\n"
	"its digest.  SRC may be oci:DIR (an OCI layout).  Tags are written last.\n"
	"\n"
	REGISTRY_CLI_USAGE;

static void print_summary(const struct push_report *r)
{
	size_t n[3] = { 0, 0, 0 };
	long long mib10;

	for (size_t i = 0; i < r->nr_blobs; i++)
		n[r->blobs[i].outcome]++;
	mib10 = r->bytes_pushed * 10 / (1024 * 1024);
	fprintf(stderr, "%zu blobs pushed (%lld.%lld MiB), %zu mounted, %zu already there; %zu manifests\n",
		n[BLOB_PUSHED], mib10 / 10, mib10 % 10, n[BLOB_MOUNTED], n[BLOB_EXISTED], r->nr_manifests);
}

int cmd_copy(int argc, char **argv)
{
	struct registry_cli rc = REGISTRY_CLI_INIT;
	struct reference src = REFERENCE_INIT, *dsts = NULL;
	struct push_report rep = PUSH_REPORT_INIT;
	struct registry_client *c = NULL;
	const char *src_arg = NULL, *layout = NULL;
	const char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t nr_rest = 0, nr_dsts = 0;
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_str, stdout);
			goto out;
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
	src_arg = rest[0];
	if (!strncmp(src_arg, "oci:", 4))
		layout = src_arg + 4;
	else if ((ret = reference_parse(src_arg, &src)))
		goto out;
	dsts = xcalloc(nr_rest, sizeof(*dsts));
	for (size_t i = 1; i < nr_rest; i++) {
		if ((ret = reference_parse(rest[i], &dsts[nr_dsts])))
			goto out;
		nr_dsts++;
	}
	c = registry_client_new(&rc.opts);
	if (layout)
		ret = registry_push_layout(c, layout, dsts, nr_dsts, &rep);
	else
		ret = registry_copy(c, &src, dsts, nr_dsts, &rep);
	if (ret)
		goto out;
	if (!rc.opts.quiet)
		print_summary(&rep);
	printf("%s\n", rep.digest);
out:
	registry_client_free(c);
	push_report_release(&rep);
	for (size_t i = 0; i < nr_dsts; i++)
		reference_release(&dsts[i]);
	free(dsts);
	reference_release(&src);
	registry_cli_release(&rc);
	free(rest);
	return error_exit_code(ret);
}
