/*
 * cmd_push.c: `publish push oci:DIR REF [REF...]`: push the image or index
 * of an OCI layout (as `publish build --output oci:DIR` writes it) to one
 * or more tags.  Blobs first, then manifests, then the tags.  Prints the
 * digest on stdout.  --by-digest pushes to repositories and moves no tag
 * (a matrix job's half of `publish merge`).  The work is registry_cli_transfer(), shared with
 * `publish copy`.  --sbom and --provenance then attach those documents
 * to each image pushed (push_attest(): the provenance's facts from the
 * GITHUB_* variables of a workflow run, when there are any).
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"
#include "build/multibuild.h"

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
	"`publish merge`.  --sbom and --provenance attach an SPDX SBOM and SLSA",
	"provenance to each image (referrers API, or the sha256-<hex> tag).",
	NULL
};

int cmd_push(int argc, char **argv)
{
	return registry_cli_transfer(argc, argv, usage_str, 1);
}

/* "" as NULL */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int push_attest(struct registry_client *c, const char *layout, const struct reference *dsts, size_t nr,
		int sbom, int provenance)
{
	struct build_attest_opts opts = { 0 };
	struct strbuf builder = STRBUF_INIT;
	int ret;

	opts.sbom = sbom;
	opts.provenance = provenance;
	opts.tool_version = PUBLISH_VERSION;
	opts.prov.server_url = env("GITHUB_SERVER_URL");
	opts.prov.repository = env("GITHUB_REPOSITORY");
	opts.prov.commit = env("GITHUB_SHA");
	opts.prov.ref = env("GITHUB_REF");
	opts.prov.workflow_ref = env("GITHUB_WORKFLOW_REF");
	opts.prov.event_name = env("GITHUB_EVENT_NAME");
	opts.prov.run_id = env("GITHUB_RUN_ID");
	opts.prov.run_attempt = env("GITHUB_RUN_ATTEMPT");
	provenance_builder_id(opts.prov.server_url, env("GITHUB_ACTION_REPOSITORY"), env("GITHUB_ACTION_REF"),
			      &builder);
	opts.prov.builder_id = builder.buf;
	opts.prov.tool_version = PUBLISH_VERSION;
	ret = build_attest(c, layout, dsts, nr, &opts);
	strbuf_release(&builder);
	return ret;
}
