/*
 * test-attest.c: the documents of src/attest: the SPDX SBOM (same input,
 * same bytes; the last of a path wins; hard links take their target's
 * checksums), the in-toto provenance (the workflow ref split into path
 * and ref), the artifact manifest and the fallback tag's referrers index
 * (read-modify-write keeps every entry, adds one once).
 */
#include "lib/common.h"
#include "attest/artifact.h"
#include "attest/provenance.h"
#include "attest/sbom.h"
#include "oci/mediatype.h"
#include "tap.h"

#include <jansson.h>
#include <time.h>

#define IMG "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define BASE "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define D_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define S1_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define S1_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static json_t *load(const struct strbuf *sb)
{
	return json_loadb(sb->buf, sb->len, 0, NULL);
}

static const char *str_at(json_t *j, const char *path)
{
	char *p = xstrdup(path), *save = NULL;
	static char out[256];
	json_t *cur = j;

	for (char *t = strtok_r(p, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
		cur = json_is_array(cur) ? json_array_get(cur, (size_t)strtoul(t, NULL, 10)) : json_object_get(cur, t);
	snprintf(out, sizeof(out), "%s", json_is_string(cur) ? json_string_value(cur) : "(none)");
	free(p);
	return out;
}

static void make_sbom(struct sbom *s, int reversed)
{
	s->image_digest = IMG;
	s->created = "2020-09-13T12:26:40Z";
	s->base_name = "registry.example/base:1";
	s->base_digest = BASE;
	s->tool_version = "1.2.3";
	if (!reversed) {
		sbom_add_file(s, "usr/bin/app", NULL, D_A, S1_A);
		sbom_add_file(s, "etc/conf", NULL, D_A, S1_A);
	} else {
		sbom_add_file(s, "etc/conf", NULL, D_A, S1_A);
		sbom_add_file(s, "usr/bin/app", NULL, D_A, S1_A);
	}
	sbom_add_file(s, "etc/conf", NULL, D_B, S1_B);	/* a later layer overwrites it */
	sbom_add_file(s, "usr/bin/app2", "usr/bin/app", NULL, NULL);	/* a hard link */
}

static void test_sbom(void)
{
	struct sbom s1 = SBOM_INIT, s2 = SBOM_INIT, s3 = SBOM_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	json_t *j = NULL;

	make_sbom(&s1, 0);
	make_sbom(&s2, 1);
	ok(!sbom_spdx_json(&s1, &a) && !sbom_spdx_json(&s2, &b), "two SBOMs written");
	is_str(a.buf, b.buf, "the same files in another order: the same bytes");
	j = load(&a);
	ok(j != NULL, "the SBOM is JSON");
	is_str(str_at(j, "spdxVersion"), "SPDX-2.3", "spdxVersion");
	is_str(str_at(j, "documentNamespace"),
	       "https://spdx.org/spdxdocs/publish-action-image-sha256-1111111111111111111111111111111111111111111111111111111111111111",
	       "the namespace is derived from the image digest");
	is_str(str_at(j, "creationInfo.created"), "2020-09-13T12:26:40Z", "created: the image's time");
	is_str(str_at(j, "creationInfo.creators.0"), "Tool: publish-action-1.2.3", "the tool and its version");
	is_int((long long)json_array_size(json_object_get(j, "files")), 3, "three files: a path added twice is one");
	is_str(str_at(j, "files.0.fileName"), "./etc/conf", "files sorted by path");
	is_str(str_at(j, "files.0.checksums.1.checksumValue"),
	       "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "the later layer's content wins");
	is_str(str_at(j, "files.0.checksums.0.algorithm"), "SHA1", "SHA1, which SPDX 2.3 requires");
	is_str(str_at(j, "files.2.fileName"), "./usr/bin/app2", "the hard link is a file");
	is_str(str_at(j, "files.2.checksums.1.checksumValue"),
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "with its target's checksum");
	is_str(str_at(j, "packages.1.name"), "registry.example/base:1", "the base is a package by name");
	is_str(str_at(j, "packages.1.versionInfo"), BASE, "and digest");
	is_str(str_at(j, "relationships.1.relationshipType"), "DESCENDANT_OF", "the image descends from the base");
	is_int((long long)json_array_size(json_object_get(j, "relationships")), 5, "describes, descends, 3 contains");
	json_decref(j);

	s3.image_digest = IMG;
	error_set_quiet(1);
	is_int(sbom_add_file(&s3, "a", "nowhere", NULL, NULL), -EXIT_CONTEXT, "a hard link to no file is refused");
	error_set_quiet(0);
	strbuf_reset(&a);
	ok(!sbom_spdx_json(&s3, &a) && (j = load(&a)), "FROM scratch, no file: an SBOM still");
	is_int((long long)json_array_size(json_object_get(j, "packages")), 1, "only the image as a package");
	json_decref(j);

	{
		/* a file name that is not UTF-8 (a layer holds bytes): listed, its bad bytes U+FFFD */
		struct sbom s4 = SBOM_INIT;

		s4.image_digest = IMG;
		sbom_add_file(&s4, "bin/caf\xe9", NULL, D_A, S1_A);
		sbom_add_file(&s4, "bin/ok", NULL, D_B, S1_B);
		strbuf_reset(&a);
		ok(!sbom_spdx_json(&s4, &a) && (j = load(&a)), "a name that is not UTF-8: an SBOM still");
		is_int((long long)json_array_size(json_object_get(j, "files")), 2, "both files listed");
		is_str(str_at(j, "files.0.fileName"), "./bin/caf\xef\xbf\xbd", "the bad byte is U+FFFD");
		is_str(str_at(j, "files.1.fileName"), "./bin/ok", "the next file follows");
		is_int((long long)json_array_size(json_object_get(j, "relationships")), 3,
		       "each CONTAINS names a file that is listed");
		json_decref(j);
		sbom_release(&s4);
	}

	{
		/* a layer of many hard links (one read back from a registry image): linear, not quadratic */
		struct sbom s5 = SBOM_INIT;
		struct strbuf p = STRBUF_INIT;
		time_t t0 = time(NULL);
		int rc = 0;

		for (int i = 0; i < 2000 && !rc; i++) {
			strbuf_reset(&p);
			strbuf_addf(&p, "f%d", i);
			rc = sbom_add_file(&s5, p.buf, NULL, D_A, S1_A);
		}
		for (int i = 0; i < 100000 && !rc; i++) {
			strbuf_reset(&p);
			strbuf_addf(&p, "l%d", i);
			rc = sbom_add_file(&s5, p.buf, "f0", NULL, NULL);
		}
		ok(!rc && s5.nr_files == 102000, "100,000 hard links to the first file recorded");
		ok(time(NULL) - t0 < 5, "in well under 5 seconds (took %lds)", (long)(time(NULL) - t0));
		strbuf_release(&p);
		sbom_release(&s5);
	}

	sbom_release(&s1);
	sbom_release(&s2);
	sbom_release(&s3);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_provenance(void)
{
	const char *subjects[] = { IMG, BASE };
	struct provenance p = { 0 };
	struct strbuf sb = STRBUF_INIT, id = STRBUF_INIT;
	json_t *j = NULL;

	p.repository = "octo/app";
	p.commit = "0123456789abcdef0123456789abcdef01234567";
	p.ref = "refs/heads/main";
	p.workflow_ref = "octo/app/.github/workflows/ci.yml@refs/tags/v1";
	p.run_id = "99";
	p.image = "ghcr.io/octo/app";
	p.subjects = subjects;
	p.nr_subjects = 2;
	provenance_builder_id(NULL, "acme/publish", "v2", &id);
	is_str(id.buf, "https://github.com/acme/publish@v2", "builder id: the action as the workflow used it");
	strbuf_reset(&id);
	provenance_builder_id(NULL, NULL, NULL, &id);
	ok(!strncmp(id.buf, "pkg:generic/publish-action@", 27), "builder id outside an action: publish at its version");
	p.builder_id = id.buf;
	ok(!provenance_statement_json(&p, &sb) && (j = load(&sb)), "the statement is JSON");
	is_str(str_at(j, "_type"), "https://in-toto.io/Statement/v1", "in-toto Statement v1");
	is_str(str_at(j, "predicateType"), "https://slsa.dev/provenance/v1", "SLSA provenance v1");
	is_str(str_at(j, "subject.1.digest.sha256"), BASE + 7, "one subject a manifest digest");
	is_str(str_at(j, "subject.0.name"), "ghcr.io/octo/app", "named by the image");
	is_str(str_at(j, "predicate.buildDefinition.externalParameters.workflow.path"), ".github/workflows/ci.yml",
	       "the workflow's path from GITHUB_WORKFLOW_REF");
	is_str(str_at(j, "predicate.buildDefinition.externalParameters.workflow.ref"), "refs/tags/v1",
	       "and its ref");
	is_str(str_at(j, "predicate.buildDefinition.resolvedDependencies.0.digest.gitCommit"), p.commit, "the commit");
	is_str(str_at(j, "predicate.runDetails.metadata.invocationId"),
	       "https://github.com/octo/app/actions/runs/99/attempts/1", "the run");
	json_decref(j);
	p.nr_subjects = 0;
	error_set_quiet(1);
	ok(provenance_statement_json(&p, &sb) < 0, "no subject: refused");
	error_set_quiet(0);
	strbuf_release(&sb);
	strbuf_release(&id);
}

static void test_artifact(void)
{
	struct artifact_subject subj = { "application/vnd.oci.image.manifest.v1+json", IMG, 1234 };
	struct strbuf m = STRBUF_INIT, m2 = STRBUF_INIT, idx = STRBUF_INIT, idx2 = STRBUF_INIT, tag = STRBUF_INIT;
	char d[DIGEST_HEX_LEN + 1], d2[DIGEST_HEX_LEN + 1], want[DIGEST_HEX_LEN + 1];
	const char *foreign = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
			      "\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D_A "\",\"size\":1,\"z\":true}]}";
	int changed;
	json_t *j = NULL;

	ok(!artifact_manifest(SBOM_MEDIA_TYPE, D_B, 10, &subj, "2020-09-13T12:26:40Z", &m, d), "artifact manifest");
	digest_buffer(m.buf, m.len, want);
	is_str(d, want, "its digest is of its bytes");
	j = load(&m);
	is_str(str_at(j, "artifactType"), "application/spdx+json", "artifactType");
	is_str(str_at(j, "config.mediaType"), "application/vnd.oci.empty.v1+json", "the empty config");
	is_str(str_at(j, "config.digest"),
	       "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "whose digest is of {}");
	is_str(str_at(j, "subject.digest"), IMG, "the subject is the image");
	is_str(str_at(j, "layers.0.digest"), D_B, "the document is the one layer");
	json_decref(j);

	artifact_fallback_tag(IMG, &tag);
	is_str(tag.buf, "sha256-1111111111111111111111111111111111111111111111111111111111111111", "the fallback tag");

	ok(!artifact_referrers_index(NULL, 0, "t", &m, d, &idx, &changed) && changed, "a new referrers index");
	j = load(&idx);
	is_int((long long)json_array_size(json_object_get(j, "manifests")), 1, "listing the artifact");
	is_str(str_at(j, "manifests.0.artifactType"), "application/spdx+json", "with its artifactType");
	ok(json_object_get(json_array_get(json_object_get(j, "manifests"), 0), "platform") == NULL, "and no platform");
	json_decref(j);
	ok(!artifact_referrers_index(idx.buf, idx.len, "t", &m, d, &idx2, &changed) && !changed,
	   "listed already: nothing to write");

	artifact_manifest(PROVENANCE_MEDIA_TYPE, D_A, 10, &subj, NULL, &m2, d2);
	strbuf_reset(&idx2);
	ok(!artifact_referrers_index(foreign, strlen(foreign), "t", &m2, d2, &idx2, &changed) && changed,
	   "added to an index someone else wrote");
	j = load(&idx2);
	is_int((long long)json_array_size(json_object_get(j, "manifests")), 2, "both listed");
	ok(json_is_true(json_object_get(json_array_get(json_object_get(j, "manifests"), 0), "z")),
	   "the other entry kept as it was");
	json_decref(j);
	strbuf_reset(&idx2);
	error_set_quiet(1);
	is_int(artifact_referrers_index("[1]", 3, "t", &m2, d2, &idx2, &changed), -EXIT_REGISTRY,
	       "a fallback tag that is no index: a registry error");
	error_set_quiet(0);

	{
		/* a hostile fallback index: entries that are no descriptor, the same digest twice, too many */
		struct strbuf bad = STRBUF_INIT;

		strbuf_addf(&bad, "{\"schemaVersion\": 2, \"mediaType\": \"%s\", \"manifests\": [1, "
			    "{\"digest\": \"nope\"}, {\"mediaType\": \"%s\", \"digest\": \"%s\", \"size\": -1}, "
			    "{\"mediaType\": \"%s\", \"digest\": \"%s\", \"size\": 5}, "
			    "{\"mediaType\": \"%s\", \"digest\": \"%s\", \"size\": 5, \"z\": 1}]}",
			    MT_OCI_INDEX, MT_OCI_MANIFEST, D_B, MT_OCI_MANIFEST, D_A, MT_OCI_MANIFEST, D_A);
		strbuf_reset(&idx2);
		ok(!artifact_referrers_index(bad.buf, bad.len, "t", &m2, d2, &idx2, &changed) && changed,
		   "added to an index with entries that are no descriptor");
		j = load(&idx2);
		is_int((long long)json_array_size(json_object_get(j, "manifests")), 2,
		       "the malformed entries and the second of a digest dropped");
		is_str(str_at(j, "manifests.0.digest"), D_A, "the good entry kept");
		ok(!json_object_get(json_array_get(json_object_get(j, "manifests"), 0), "z"), "its first copy");
		json_decref(j);

		strbuf_reset(&bad);
		strbuf_addf(&bad, "{\"schemaVersion\": 2, \"mediaType\": \"%s\", \"manifests\": [", MT_OCI_INDEX);
		for (int i = 0; i <= ARTIFACT_REFERRERS_MAX; i++)
			strbuf_addf(&bad, "%s{\"mediaType\": \"%s\", \"digest\": \"sha256:%064x\", \"size\": 1}",
				    i ? ", " : "", MT_OCI_MANIFEST, i);
		strbuf_addstr(&bad, "]}");
		strbuf_reset(&idx2);
		error_set_quiet(1);
		is_int(artifact_referrers_index(bad.buf, bad.len, "t", &m2, d2, &idx2, &changed), -EXIT_REGISTRY,
		       "an index of more than ARTIFACT_REFERRERS_MAX entries: a registry error");
		error_set_quiet(0);
		ok(strstr(error_last(), "more than") != NULL, "saying so (%s)", error_last());

		/* under the entry cap, but more bytes than a registry takes in a manifest */
		strbuf_reset(&bad);
		strbuf_addf(&bad, "{\"schemaVersion\": 2, \"mediaType\": \"%s\", \"manifests\": [", MT_OCI_INDEX);
		for (int i = 0; i < 600; i++) {
			strbuf_addf(&bad, "%s{\"mediaType\": \"%s\", \"digest\": \"sha256:%064x\", \"size\": 1, "
				    "\"annotations\": {\"a\": \"", i ? ", " : "", MT_OCI_MANIFEST, i);
			for (int k = 0; k < 8000; k++)
				strbuf_addch(&bad, 'x');
			strbuf_addstr(&bad, "\"}}");
		}
		strbuf_addstr(&bad, "]}");
		strbuf_reset(&idx2);
		error_set_quiet(1);
		is_int(artifact_referrers_index(bad.buf, bad.len, "t", &m2, d2, &idx2, &changed), -EXIT_REGISTRY,
		       "an index over 4 MiB once the artifact is added: a registry error");
		error_set_quiet(0);
		ok(strstr(error_last(), "MiB") != NULL, "saying so (%s)", error_last());
		strbuf_release(&bad);
	}
	strbuf_release(&m);
	strbuf_release(&m2);
	strbuf_release(&idx);
	strbuf_release(&idx2);
	strbuf_release(&tag);
}

int main(void)
{
	test_sbom();
	test_provenance();
	test_artifact();
	return tap_done();
}
