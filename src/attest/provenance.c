/*
 * provenance.c: see provenance.h.  The statement:
 *
 *   _type          https://in-toto.io/Statement/v1
 *   subject        [{name, digest: {sha256}}] one per image manifest
 *   predicateType  https://slsa.dev/provenance/v1
 *   predicate      buildDefinition {buildType, externalParameters.workflow,
 *                  internalParameters.github, resolvedDependencies},
 *                  runDetails {builder {id, version}, metadata.invocationId}
 */
#include "lib/common.h"
#include "attest/provenance.h"
#include "oci/image.h"

#include <jansson.h>

/* A string member, only when the value is set. */
static void set_str(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));	/* steals */
}

int provenance_statement_json(const struct provenance *p, struct strbuf *out)
{
	const char *server = p->server_url && *p->server_url ? p->server_url : "https://github.com";
	json_t *st, *subjects, *workflow, *github, *deps, *meta, *builder;
	struct strbuf buf = STRBUF_INIT;
	int ret;

	if (!p->nr_subjects)
		return error_as(EXIT_INTERNAL, "provenance: no subject");
	subjects = json_array();
	for (size_t i = 0; i < p->nr_subjects; i++) {
		const char *d = p->subjects[i];

		if (!digest_is_valid(d)) {
			json_decref(subjects);
			return error_as(EXIT_INTERNAL, "provenance: subject '%s' is not a digest", d);
		}
		json_array_append_new(subjects, json_pack("{s:s, s:{s:s}}", "name", p->image ? p->image : d,
							  "digest", "sha256", d + 7));	/* steals */
	}

	workflow = json_object();
	if (p->repository) {
		strbuf_addf(&buf, "%s/%s", server, p->repository);
		set_str(workflow, "repository", buf.buf);
	}
	if (p->workflow_ref) {
		/* owner/name/PATH@REF */
		const char *at = strrchr(p->workflow_ref, '@'), *path = p->workflow_ref;

		for (int slashes = 0; *path && slashes < 2; path++)
			slashes += *path == '/';
		if (at && at > path) {
			char *pth = xstrndup(path, (size_t)(at - path));

			set_str(workflow, "path", pth);
			set_str(workflow, "ref", at + 1);
			free(pth);
		}
	}
	if (!json_object_get(workflow, "ref"))
		set_str(workflow, "ref", p->ref);

	github = json_object();
	set_str(github, "event_name", p->event_name);
	set_str(github, "workflow_ref", p->workflow_ref);

	deps = json_array();
	if (p->repository && p->commit) {
		strbuf_reset(&buf);
		strbuf_addf(&buf, "git+%s/%s", server, p->repository);
		if (p->ref && *p->ref)
			strbuf_addf(&buf, "@%s", p->ref);
		json_array_append_new(deps, json_pack("{s:s, s:{s:s}}", "uri", buf.buf,
						      "digest", "gitCommit", p->commit));	/* steals */
	}

	meta = json_object();
	if (p->repository && p->run_id) {
		strbuf_reset(&buf);
		strbuf_addf(&buf, "%s/%s/actions/runs/%s/attempts/%s", server, p->repository, p->run_id,
			    p->run_attempt && *p->run_attempt ? p->run_attempt : "1");
		set_str(meta, "invocationId", buf.buf);
	}
	builder = json_pack("{s:s}", "id", p->builder_id ? p->builder_id : "https://github.com/publish-action");
	if (p->tool_version)
		json_object_set_new(builder, "version",
				    json_pack("{s:s}", "publish-action", p->tool_version));	/* steals */

	st = json_pack("{s:s, s:o, s:s, s:{s:{s:s, s:{s:o}, s:{s:o}, s:o}, s:{s:o, s:o}}}",
		       "_type", "https://in-toto.io/Statement/v1",
		       "subject", subjects,
		       "predicateType", PROVENANCE_PREDICATE_TYPE,
		       "predicate",
		       "buildDefinition",
		       "buildType", "https://actions.github.io/buildtypes/workflow/v1",
		       "externalParameters", "workflow", workflow,
		       "internalParameters", "github", github,
		       "resolvedDependencies", deps,
		       "runDetails", "builder", builder, "metadata", meta);	/* steals each "o" */
	if (!st) {
		ret = error_as(EXIT_INTERNAL, "provenance: cannot make the statement");
		goto out;
	}
	ret = image_json_dump(st, out);
	json_decref(st);
out:
	strbuf_release(&buf);
	return ret;
}

void provenance_builder_id(const char *server_url, const char *action_repository, const char *action_ref,
			   struct strbuf *out)
{
	if (action_repository && *action_repository) {
		strbuf_addf(out, "%s/%s", server_url && *server_url ? server_url : "https://github.com",
			    action_repository);
		if (action_ref && *action_ref)
			strbuf_addf(out, "@%s", action_ref);
		return;
	}
	strbuf_addf(out, "pkg:generic/publish-action@%s", PUBLISH_VERSION);
}
