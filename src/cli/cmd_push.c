/*
 * cmd_push.c: `publish push oci:DIR REF [REF...]`: push the image or index
 * of an OCI layout (as `publish build --output oci:DIR` writes it) to one
 * or more tags.  Blobs first, then manifests, then the tags.  Prints the
 * digest on stdout.  The work is registry_cli_transfer(), shared with
 * `publish copy`.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"

static const char usage_str[] =
	"usage: publish push [<options>] oci:DIR REF [REF...]\n"
	"\n"
	"Push the image in the OCI layout DIR to every REF.  Layers the layout\n"
	"lacks are mounted or copied from the base image it names\n"
	"(annotation org.opencontainers.image.base.name).  Tags are written\n"
	"only after every blob and manifest is in; when one fails, the tags\n"
	"moved before it are put back.\n"
	"\n"
	REGISTRY_CLI_TRANSFER_USAGE;

int cmd_push(int argc, char **argv)
{
	return registry_cli_transfer(argc, argv, usage_str, 1);
}
