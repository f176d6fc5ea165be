#!/bin/sh
# t3710: `publish push --sbom --provenance` attaches an SPDX 2.3 SBOM and
# an in-toto SLSA provenance statement to each image pushed, as OCI
# artifacts whose subject is the image manifest.  Debian's registry has
# no referrers API, so they are found through the fallback tag
# sha256-<hex of the image>: an index of the referrers, read, extended
# and written back (an entry it had is kept).  The SBOM validates
# against SPDX 2.3's JSON schema (tests/data/spdx), lists every file of
# the layers publish wrote with its SHA-256 and SHA-1 (checked against
# the image as the registry serves it, read with Python's tarfile), the
# base as a package, and is the same bytes for the same build.  A
# two-platform image gets them per platform manifest, and its index
# lists no attestation.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-attest.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_multiplatform_base "$TRASH/multi" >/dev/null || exit 1
push_base "$TRASH/multi" busybox-multi:1 >/dev/null || exit 1
SSL_CERT_FILE=$REGISTRY_CA
SOURCE_DATE_EPOCH=1600000000
export SSL_CERT_FILE SOURCE_DATE_EPOCH
R=$REGISTRY

sk() {
	skopeo "$@" --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS"
}

test_expect_success 'setup: a context of files, a hard link, a file overwritten by a later COPY' '
	mkdir -p ctx/app/lib ctx/etc &&
	echo "the app" >ctx/app/run && echo hidden >ctx/app/.hidden &&
	printf "\000\001binary" >ctx/app/lib/data.bin &&
	ln ctx/app/run ctx/app/run-again &&
	echo "first" >ctx/etc/app.conf &&
	mkdir -p ctx/later && echo "second" >ctx/later/app.conf &&
	: >ctx/app/empty &&
	cat >ctx/Dockerfile <<-\EOF &&
	ARG BASE
	FROM ${BASE}
	COPY app /app/
	COPY etc/app.conf /etc/app.conf
	COPY later/app.conf /etc/app.conf
	WORKDIR /srv/data
	EOF
	publish build -q --context ctx -f ctx/Dockerfile --build-arg "BASE=$R/busybox-multi:1" \
		--platform linux/amd64 --output oci:one >one.digest &&
	IMG=$(cat one.digest) && echo "$IMG" | grep "^sha256:"
'
IMG=$(cat one.digest 2>/dev/null)

test_expect_success 'push --sbom --provenance: the image, then both attached (fallback tag)' '
	GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=octo-org/app GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
	GITHUB_REF=refs/tags/v1.0.0 GITHUB_WORKFLOW_REF=octo-org/app/.github/workflows/image.yml@refs/tags/v1.0.0 \
	GITHUB_RUN_ID=4242 GITHUB_RUN_ATTEMPT=2 GITHUB_EVENT_NAME=push \
	GITHUB_ACTION_REPOSITORY=publish-action/publish GITHUB_ACTION_REF=v1 \
		login push -q --sbom --provenance oci:one "$R/app:1.0" >out 2>err &&
	test "$(cat out)" = "$IMG" &&
	grep "^attached sbom sha256:.* to $R/app@$IMG (referrers tag)" err &&
	grep "^attached provenance sha256:.* to $R/app@$IMG (referrers tag)" err &&
	raw app "sha256-${IMG#sha256:}" >fallback.json &&
	jq -e ".mediaType == \"application/vnd.oci.image.index.v1+json\" and (.manifests | length) == 2" fallback.json &&
	jq -e "[.manifests[] | select(.platform)] | length == 0" fallback.json &&
	jq -r ".manifests[].artifactType" fallback.json | sort >types &&
	printf "%s\n" "$SPDX" "$INTOTO" | sort >expect && test_cmp expect types
'

test_expect_success 'the SBOM: its subject is the image, it names the image and the base' '
	referrer app "$IMG" "$SPDX" >sbom.json &&
	jq -e --arg d "$IMG" ".spdxVersion == \"SPDX-2.3\" and .dataLicense == \"CC0-1.0\" and
		.documentNamespace == \"https://spdx.org/spdxdocs/publish-action-image-sha256-\" + (\$d | ltrimstr(\"sha256:\")) and
		.creationInfo.created == \"2020-09-13T12:26:40Z\"" sbom.json &&
	jq -e --arg d "$IMG" ".packages[] | select(.SPDXID == \"SPDXRef-Image\") | .versionInfo == \$d" sbom.json &&
	jq -e --arg d "$BASE_AMD64_DIGEST" --arg n "$R/busybox-multi:1" \
		".packages[] | select(.SPDXID == \"SPDXRef-Base\") | .versionInfo == \$d and .name == \$n" sbom.json &&
	jq -e ".relationships[] | select(.relationshipType == \"DESCENDANT_OF\") |
		.spdxElementId == \"SPDXRef-Image\" and .relatedSpdxElement == \"SPDXRef-Base\"" sbom.json
'

test_expect_success JSONSCHEMA 'the SBOM validates against the SPDX 2.3 JSON schema' '
	spdx_validate sbom.json &&
	jq ".spdxVersion = 23" sbom.json >bad.json &&
	test_must_fail spdx_validate bad.json 2>/dev/null
'

test_expect_success 'the SBOM lists every file of the layers publish wrote, with its checksums' '
	layer_files app 1.0 "$BASE_AMD64_DIGEST" >expect &&
	grep " ./app/run-again$" expect && grep " ./etc/app.conf$" expect && grep " ./app/empty$" expect &&
	grep " ./app/.hidden$" expect && test_line_count expect = 6 &&
	sbom_files >actual &&
	test_cmp expect actual &&
	grep "^$(echo second | sha256sum | cut -d" " -f1) .* ./etc/app.conf$" actual &&
	jq -r ".files[].SPDXID" sbom.json | sort -u >ids && test_line_count ids = 6 &&
	jq -r ".relationships[] | select(.relationshipType == \"CONTAINS\") | .relatedSpdxElement" sbom.json |
		sort >contains && test_cmp ids contains
'

test_expect_success 'the provenance: an in-toto statement, SLSA v1, about the image' '
	referrer app "$IMG" "$INTOTO" >prov.json &&
	jq -e --arg d "${IMG#sha256:}" "._type == \"https://in-toto.io/Statement/v1\" and
		.predicateType == \"https://slsa.dev/provenance/v1\" and
		.subject == [{name: \"$R/app\", digest: {sha256: \$d}}]" prov.json &&
	jq -e ".predicate.buildDefinition.externalParameters.workflow ==
		{repository: \"https://github.com/octo-org/app\", path: \".github/workflows/image.yml\", ref: \"refs/tags/v1.0.0\"}" prov.json &&
	jq -e ".predicate.buildDefinition.resolvedDependencies[0].digest.gitCommit == \"0123456789abcdef0123456789abcdef01234567\"" prov.json &&
	jq -e ".predicate.runDetails.metadata.invocationId == \"https://github.com/octo-org/app/actions/runs/4242/attempts/2\"" prov.json &&
	jq -e ".predicate.runDetails.builder.id == \"https://github.com/publish-action/publish@v1\"" prov.json &&
	jq -e ".predicate.runDetails.builder.version[\"publish-action\"] | length > 0" prov.json
'

test_expect_success 'the same build again: the same SBOM bytes, the referrers index unchanged' '
	cp sbom.json sbom-1.json && cp fallback.json fallback-1.json &&
	publish build -q --context ctx -f ctx/Dockerfile --build-arg "BASE=$R/busybox-multi:1" \
		--platform linux/amd64 --output oci:again >again.digest &&
	test_cmp one.digest again.digest &&
	login push -q --sbom oci:again "$R/app:1.0" >out 2>err &&
	referrer app "$IMG" "$SPDX" >sbom.json &&
	test_cmp sbom-1.json sbom.json &&
	raw app "sha256-${IMG#sha256:}" >fallback.json &&
	test_cmp fallback-1.json fallback.json
'

test_expect_success 'layers reused from an earlier build (--reuse-from) are listed as well' '
	# keys come from git (t2051): a checkout, built in full, then again reusing its layers
	git -C ctx init -q && git -C ctx add -A && git -C ctx commit -q -m context &&
	publish build -q --context ctx -f ctx/Dockerfile --build-arg "BASE=$R/busybox-multi:1" \
		--platform linux/amd64 --output oci:full >full.digest &&
	publish build --context ctx -f ctx/Dockerfile --build-arg "BASE=$R/busybox-multi:1" \
		--platform linux/amd64 --reuse-from full --output oci:reused >reused.digest 2>err &&
	test_cmp full.digest reused.digest && test "$(grep -c "COPY: sha256:.*, reused$" err)" = 3 &&
	login push -q --sbom oci:full "$R/app-full:1.0" >/dev/null &&
	login push -q --sbom oci:reused "$R/app-reused:1.0" >/dev/null &&
	referrer app-full "$(cat full.digest)" "$SPDX" >sbom-full.json &&
	referrer app-reused "$(cat full.digest)" "$SPDX" >sbom-reused.json &&
	test_cmp sbom-full.json sbom-reused.json &&
	jq -S "[.files[] | {fileName, checksums}]" sbom-1.json >files-1 &&
	jq -S "[.files[] | {fileName, checksums}]" sbom-reused.json >files-r &&
	test_cmp files-1 files-r
'

test_expect_success 'an entry the referrers index had is kept (read-modify-write)' '
	login push -q --by-digest oci:again "$R/other" >/dev/null &&
	size=$(raw other "$IMG" | wc -c) &&
	jq -n --arg d "$IMG" --argjson s "$size" "{schemaVersion: 2,
		mediaType: \"application/vnd.oci.image.index.v1+json\",
		manifests: [{mediaType: \"application/vnd.oci.image.manifest.v1+json\", digest: \$d, size: \$s,
			artifactType: \"application/x-someone-else\", annotations: {kept: \"yes\"}}]}" >seed.json &&
	tok=$(registry_token -u "$REG_USER:$REG_PASS" "repository:other:pull,push") &&
	reg_curl -f -X PUT -H "Authorization: Bearer $tok" \
		-H "Content-Type: application/vnd.oci.image.index.v1+json" --data-binary @seed.json \
		"https://$R/v2/other/manifests/sha256-${IMG#sha256:}" &&
	login push -q --by-digest --sbom oci:again "$R/other" >/dev/null 2>err &&
	raw other "sha256-${IMG#sha256:}" >fallback.json &&
	jq -e "(.manifests | length) == 2 and .manifests[0].annotations.kept == \"yes\" and
		.manifests[0].artifactType == \"application/x-someone-else\" and
		.manifests[1].artifactType == \"$SPDX\"" fallback.json &&
	tags=$(sk list-tags "docker://$R/other" | jq -r ".Tags[]") &&
	test "$tags" = "sha256-${IMG#sha256:}"
'

test_expect_success 'two platforms: attestations per platform manifest, none in the image index' '
	publish build -q --context ctx -f ctx/Dockerfile --build-arg "BASE=$R/busybox-multi:1" \
		--platform linux/amd64,linux/arm64 --output oci:multi >multi.digest &&
	login push -q --sbom --provenance oci:multi "$R/multi:1" "$R/multi:one" >/dev/null 2>err &&
	test "$(grep -c "^attached" err)" = 4 &&
	raw multi 1 >index.json &&
	jq -e "(.manifests | length) == 2 and ([.manifests[] | select(.platform.os == \"linux\")] | length) == 2" index.json &&
	jq -e "[.manifests[] | select(.artifactType or .platform.os == \"unknown\")] | length == 0" index.json &&
	for d in $(jq -r ".manifests[].digest" index.json); do
		referrer multi "$d" "$SPDX" >sbom-$d.json &&
		jq -e --arg d "$d" ".packages[0].versionInfo == \$d" sbom-$d.json &&
		referrer multi "$d" "$INTOTO" >prov.json &&
		jq -r ".subject[].digest.sha256" prov.json | sort >subjects &&
		jq -r ".manifests[].digest | ltrimstr(\"sha256:\")" index.json | sort >expect &&
		test_cmp expect subjects || return 1
	done
'

test_expect_success 'merge leaves the attestations out of the index it writes' '
	d1=$(jq -r ".manifests[0].digest" index.json) && d2=$(jq -r ".manifests[1].digest" index.json) &&
	login merge -q --image "$R/multi" --digest "$d1,$d2" --tag merged >merged.digest &&
	raw multi merged >merged.json &&
	jq -e "(.manifests | length) == 2 and ([.manifests[] | select(.artifactType)] | length) == 0" merged.json &&
	test "$(cat merged.digest)" = "$(cat multi.digest)"
'

test_expect_success 'a registry with the referrers API: the artifacts pushed, no fallback tag written' '
	start_fault_proxy "$R" "referrers" &&
	echo "$REG_PASS" | publish push -q --sbom --by-digest --username "$REG_USER" --password-stdin \
		oci:again "$FAULT_PROXY/api" >/dev/null 2>err &&
	grep "^attached sbom sha256:.* to $FAULT_PROXY/api@$IMG (referrers API)" err &&
	test "$(fault_log_count GET "/v2/api/referrers/$IMG" 200 referrers)" = 1 &&
	test "$(fault_log_count PUT "/v2/api/manifests/sha256-" "*")" = 0 &&
	art=$(sed -n "s/^attached sbom \(sha256:[0-9a-f]*\) .*/\1/p" err) &&
	raw api "$art" >artifact.json &&
	jq -e --arg s "$IMG" ".subject.digest == \$s" artifact.json &&
	test_must_fail raw api "sha256-${IMG#sha256:}" 2>/dev/null
'

test_expect_success 'copy takes no --sbom (push alone attaches)' '
	test_must_fail publish copy --sbom "$R/app:1.0" "$R/app:copy" 2>err &&
	grep -i "sbom" err
'

test_done
