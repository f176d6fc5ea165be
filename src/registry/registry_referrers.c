/*
 * registry_referrers.c: attach an artifact (an SBOM, a provenance
 * statement) to the image manifest it speaks of, its subject.
 *
 * The artifact comes as an OCI layout holding it alone (its manifest,
 * the empty config, the document): it is pushed by digest like any
 * image (registry_push_layout(), no tag).  Then the referrers list:
 * distribution-spec 1.1 has a registry that offers the referrers API
 * (GET /v2/NAME/referrers/DIGEST answers an image index) index the
 * subject of every manifest PUT to it, so nothing more is sent there.
 * Any other answer (Docker's registry 2.x has no such route: 404) means
 * the fallback, the tag "sha256-<hex of the subject>" holding an index
 * of the referrers: it is read (absent: a new one), the artifact added
 * unless listed, every other entry kept (attest/artifact.c), and PUT
 * back under that tag.  A read-modify-write: two writers at once may
 * lose one entry, as with any client of the fallback; the jobs of a
 * matrix attach to different subjects, so different tags.
 */
#include "lib/common.h"
#include "registry/registry_internal.h"
#include "attest/artifact.h"
#include "oci/ocilayout.h"

/* 1 when the registry answers the referrers API for subject; 0 when not; < 0 on error. */
static int has_referrers_api(struct registry_client *c, const struct reference *repo, const char *subject)
{
	struct strbuf url = STRBUF_INIT, ct = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	const char *headers[] = { "Accept: " MT_OCI_INDEX, NULL };
	struct call k;
	int ret;

	registry_api_base(c, repo, &url);
	strbuf_addf(&url, "%s/referrers/%s", repo->repository, subject);
	registry_call_init(&k, repo, "GET", url.buf, 0);
	k.req.headers = headers;
	k.req.cap = MANIFEST_CAP;
	if ((ret = registry_call_do(c, &k, &res)))
		goto out;
	ret = res.status == 200 && !http_header_get(&res.headers, "Content-Type", &ct) &&
	      !strncmp(ct.buf, MT_OCI_INDEX, strlen(MT_OCI_INDEX));
out:
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&ct);
	return ret;
}

int registry_attach(struct registry_client *c, const struct reference *repo, const char *layout,
		    const char *subject, int *fallback)
{
	struct reference dst = REFERENCE_INIT;
	struct push_report rep = PUSH_REPORT_INIT;
	struct registry_manifest old = REGISTRY_MANIFEST_INIT;
	struct strbuf manifest = STRBUF_INIT, tag = STRBUF_INIT, index = STRBUF_INIT, where = STRBUF_INIT;
	int ret, api, changed = 0;

	*fallback = 0;
	reference_copy(repo, &dst);
	free(dst.tag);
	free(dst.digest);
	dst.tag = dst.digest = NULL;
	if ((ret = registry_push_layout(c, layout, &dst, 1, &rep)) < 0 ||
	    (ret = ocilayout_read_blob(layout, rep.digest, MANIFEST_CAP, EXIT_CONTEXT, EXIT_CONTEXT,
				       &manifest)) < 0)
		goto out;
	if ((ret = api = has_referrers_api(c, &dst, subject)) < 0)
		goto out;
	ret = 0;
	if (api)
		goto out;
	*fallback = 1;
	artifact_fallback_tag(subject, &tag);
	error_set_quiet(1);
	ret = registry_get_manifest_by(c, &dst, tag.buf, &old);
	error_set_quiet(0);
	if (ret < 0 && ret != -EXIT_NOT_FOUND) {
		ret = error_as(-ret, "%s", error_last());
		goto out;
	}
	reference_format_name(&dst, &where);
	strbuf_addf(&where, ":%s", tag.buf);
	if ((ret = artifact_referrers_index(ret < 0 ? NULL : old.bytes.buf, ret < 0 ? 0 : old.bytes.len,
					    where.buf, &manifest, rep.digest, &index, &changed)) < 0)
		goto out;
	if (changed) {
		char digest[DIGEST_HEX_LEN + 1];

		digest_buffer(index.buf, index.len, digest);
		ret = registry_put_manifest(c, &dst, tag.buf, &index, MT_OCI_INDEX, digest, NULL);
	}
out:
	push_report_release(&rep);
	registry_manifest_release(&old);
	reference_release(&dst);
	strbuf_release(&manifest);
	strbuf_release(&tag);
	strbuf_release(&index);
	strbuf_release(&where);
	return ret;
}
