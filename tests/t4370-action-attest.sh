#!/bin/sh
# t4370: the action's sbom: true and provenance: true.  A two-platform
# run attaches both to each platform manifest (found through the
# fallback tag sha256-<hex>, Debian's registry having no referrers API);
# the index under the tags lists the two platforms and no attestation.
# The SBOM validates against SPDX 2.3's schema and lists every file of
# the layers the build wrote with its checksums; the provenance names
# the repository, the commit, the workflow, the run and this action as
# the builder.  A push-by-digest job attaches its platform's and moves
# no image tag.  Without the inputs nothing is attached.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"
. "$TEST_DIR/lib-attest.sh"

test_require ROOT
command -v jq >/dev/null || test_skip_all "no jq"
action_require_pieces
action_setup_registry
make_multiplatform_base "$TRASH/multi" >/dev/null || exit 1
push_base "$TRASH/multi" busybox-multi:1 >/dev/null || exit 1
start_github_api || exit 1

BASE_ARG="BASE=$REGISTRY/busybox-multi:1"
RULES="type=semver,pattern={{version}}"
REPO=octo-org/video-streaming

test_expect_success 'setup: the tag checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'without sbom and provenance nothing is attached' '
	run_action images="$REGISTRY/octo-org/plain" build-args="$BASE_ARG" tags="$RULES" ||
	{ cat action.out action.err; false; }
	d=$(action_output digest) &&
	test_must_fail raw octo-org/plain "sha256-${d#sha256:}" 2>/dev/null &&
	! grep "attached" action.err
'

test_expect_success 'two platforms with sbom and provenance' '
	run_action images="$ACTION_IMAGE" platforms="linux/amd64,linux/arm64" sbom=true provenance=true \
		build-args="$BASE_ARG" tags="$RULES" || { cat action.out action.err; false; }
	raw $REPO 1.2.3 >index.json &&
	jq -e "(.manifests | length) == 2 and ([.manifests[] | select(.platform.os == \"linux\" and
		.platform.architecture != \"unknown\")] | length) == 2" index.json &&
	jq -e "[.manifests[] | select(.artifactType or .annotations[\"vnd.docker.reference.type\"])] | length == 0" index.json &&
	test "$(grep -c "^attached sbom" action.err)" = 2 &&
	test "$(grep -c "^attached provenance" action.err)" = 2
'

test_expect_success 'each platform: its SBOM, valid SPDX 2.3, every file of its layers' '
	for d in $(jq -r ".manifests[].digest" index.json); do
		referrer $REPO "$d" "$SPDX" >sbom.json &&
		jq -e --arg d "$d" ".packages[] | select(.SPDXID == \"SPDXRef-Image\") | .versionInfo == \$d" sbom.json &&
		jq -e --arg n "$REGISTRY/busybox-multi:1" ".packages[] | select(.SPDXID == \"SPDXRef-Base\") | .name == \$n" sbom.json &&
		arch=$(jq -r --arg d "$d" ".manifests[] | select(.digest == \$d) | .platform.architecture" index.json) &&
		base=$(raw busybox-multi 1 | jq -r --arg a "$arch" ".manifests[] | select(.platform.architecture == \$a) | .digest") &&
		jq -e --arg b "$base" ".packages[] | select(.SPDXID == \"SPDXRef-Base\") | .versionInfo == \$b" sbom.json &&
		{ ! test_have_prereq JSONSCHEMA || spdx_validate sbom.json; } &&
		layer_files $REPO "$d" "$base" >expect &&
		grep " ./srv/handle.sh$" expect >/dev/null && grep " ./srv/videos/SampleVideo.mp4$" expect >/dev/null &&
		sbom_files >actual &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'the provenance: repository, commit, workflow, run, builder, both manifests' '
	upstream_load &&
	d=$(jq -r ".manifests[0].digest" index.json) &&
	referrer $REPO "$d" "$INTOTO" >prov.json &&
	jq -r ".subject[].digest.sha256" prov.json | sort >subjects &&
	jq -r ".manifests[].digest | ltrimstr(\"sha256:\")" index.json | sort >expect &&
	test_cmp expect subjects &&
	jq -e ".predicateType == \"https://slsa.dev/provenance/v1\"" prov.json &&
	jq -e --arg sha "$UP_TAG_SHA" ".predicate.buildDefinition.resolvedDependencies[0] ==
		{uri: \"git+https://github.com/Octo-Org/Video-Streaming@refs/tags/v1.2.3\", digest: {gitCommit: \$sha}}" prov.json &&
	jq -e ".predicate.buildDefinition.externalParameters.workflow ==
		{repository: \"https://github.com/Octo-Org/Video-Streaming\", path: \".github/workflows/image.yml\",
		 ref: \"refs/tags/v1.2.3\"}" prov.json &&
	jq -e ".predicate.runDetails.metadata.invocationId ==
		\"https://github.com/Octo-Org/Video-Streaming/actions/runs/1658821493/attempts/1\"" prov.json &&
	v=$("$PUBLISH" --version | cut -d" " -f2) &&
	jq -e --arg v "$v" ".predicate.runDetails.builder == {id: (\"pkg:generic/publish-action@\" + \$v),
		version: {\"publish-action\": \$v}}" prov.json
'

test_expect_success 'a push-by-digest job attaches its platform and moves no image tag' '
	run_action images="$REGISTRY/octo-org/matrix" platforms=linux/arm64 push-by-digest=true sbom=true \
		build-args="$BASE_ARG" tags="$RULES" || { cat action.out action.err; false; }
	d=$(action_output digest) &&
	referrer octo-org/matrix "$d" "$SPDX" >sbom.json &&
	registry_tags octo-org/matrix >tags &&
	echo "sha256-${d#sha256:}" >expect && test_cmp expect tags
'

test_expect_success 'a bad sbom input is exit 3 naming it' '
	test_exit_code 3 run_action images="$ACTION_IMAGE" sbom=yes build-args="$BASE_ARG" tags="$RULES" &&
	grep "^error: input .sbom.: .yes. is not a boolean" action.err
'

test_done
