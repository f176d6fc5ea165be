/*
 * cmd_copy.c: `publish copy SRC DST [DST...]`: copy an image or index,
 * every platform, unchanged (same digest), between registries (or from an
 * OCI layout, oci:DIR).  Prints the digest on stdout.  The work is
 * registry_cli_transfer(), shared with `publish push`.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"

static const char *const usage_str[] = {
	"publish copy [<options>] SRC DST [DST...]",
	"",
	"Copy an image or index (every platform) from SRC to each DST, keeping",
	"its digest.  SRC may be oci:DIR (an OCI layout).  Tags are written last;",
	"when one fails, the tags moved before it are put back.",
	NULL
};

int cmd_copy(int argc, char **argv)
{
	return registry_cli_transfer(argc, argv, usage_str, 0);
}
