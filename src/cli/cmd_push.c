/*
 * cmd_push.c: `publish push oci:DIR REF [REF...]`: push the image or index
 * of an OCI layout (as `publish build --output oci:DIR` writes it) to one
 * or more tags.  Blobs first, then manifests, then the tags.  Prints the
 * digest on stdout.  --by-digest pushes to repositories and moves no tag
 * (a matrix job's half of `publish merge`).  The work is registry_cli_transfer(), shared with
 * `publish copy`.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"

static const char *const usage_str[] = {
	"publish push [<options>] oci:DIR REF [REF...]",
	"publish push --by-digest [<options>] oci:DIR REPO [REPO...]",
	"",
	"Push the image in the OCI layout DIR to every REF.  Layers the layout",
	"lacks are mounted or copied from the base image it names",
	"(annotation org.opencontainers.image.base.name).  Tags are written",
	"only after every blob and manifest is in; when one fails, the tags",
	"moved before it are put back.  With --by-digest no tag is written:",
	"the digest printed (or written by --digest-file) names the image, for",
	"`publish merge`.",
	NULL
};

int cmd_push(int argc, char **argv)
{
	return registry_cli_transfer(argc, argv, usage_str, 1);
}
