#!/bin/sh
# t3700: a matrix without the matrix.  `publish push --by-digest` pushes
# one platform's image to a repository and moves no tag (the registry's
# tags list stays empty; a REF with a tag is exit 2); `publish merge`
# makes one OCI index over such digests, each entry with the platform of
# its image's config, sorted so that the order of --digest does not
# change the index digest, PUTs it by digest and moves the --tag tags.
# A digest of an index gives its images; two images of one platform are
# exit 3 naming both, a digest the repository lacks exit 7 naming it, a
# malformed one exit 3; no tag moves then.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require REGISTRY SKOPEO

start_registry || exit 1
SSL_CERT_FILE=$REGISTRY_CA
SOURCE_DATE_EPOCH=1600000000
export SSL_CERT_FILE SOURCE_DATE_EPOCH
INDEX=application/vnd.oci.image.index.v1+json
R=$REGISTRY

sk() {
	skopeo "$@" --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS"
}
# tags REPO: the repository's tags, sorted, one a line (the registry
# answers 404 NAME_UNKNOWN for a repository without a tag)
tags() {
	_tok=$(registry_token -u "$REG_USER:$REG_PASS" "repository:$1:pull") &&
	_code=$(reg_curl -o tags.json -w "%{http_code}" -H "Authorization: Bearer $_tok" \
		"https://$R/v2/$1/tags/list") &&
	case $_code in
	200) jq -r ".tags // [] | .[]" tags.json | sort ;;
	404) jq -e ".errors[0].code == \"NAME_UNKNOWN\"" tags.json >/dev/null ;;
	*) cat tags.json >&2; return 1 ;;
	esac
}
# build PLATFORM DIR [FILE]: a FROM scratch image of ctx/bin-ARCH (or FILE)
build() {
	publish build -q --context ctx -f ctx/Dockerfile --platform "$1" \
		${3:+--build-arg "FILE=$3"} --output "oci:$2"
}

test_expect_success 'setup: one image a platform, FROM scratch' '
	mkdir ctx &&
	echo "amd64 binary" >ctx/bin-amd64 &&
	echo "arm64 binary" >ctx/bin-arm64 &&
	echo "another amd64 binary" >ctx/other &&
	cat >ctx/Dockerfile <<-\EOF &&
	FROM scratch
	ARG TARGETARCH
	ARG FILE=bin-${TARGETARCH}
	COPY ${FILE} /app
	EOF
	build linux/amd64 amd >amd.digest &&
	build linux/arm64 arm >arm.digest &&
	build linux/amd64 amd2 other >amd2.digest &&
	AMD=$(cat amd.digest) ARM=$(cat arm.digest) AMD2=$(cat amd2.digest) &&
	test "$AMD" != "$AMD2"
'
AMD=$(cat amd.digest) ARM=$(cat arm.digest) AMD2=$(cat amd2.digest)

test_expect_success 'push --by-digest: the digest on stdout and in --digest-file, no tag created' '
	login push -q --by-digest --digest-file amd.out oci:amd "$R/app" >out 2>err &&
	test "$(cat out)" = "$AMD" &&
	test "$(cat amd.out)" = "$AMD" &&
	! grep "^tagged" err &&
	sk inspect --raw "docker://$R/app@$AMD" >raw &&
	test "$(jq -r .mediaType raw)" = application/vnd.oci.image.manifest.v1+json &&
	tags app >t && test_line_count t = 0 &&
	sk inspect --raw "docker://$R/app:latest" >/dev/null 2>&1; test $? != 0
'

test_expect_success 'push --by-digest of the other platform, a REPO@DIGEST: still no tag' '
	login push -q --by-digest oci:arm "$R/app@$ARM" >out &&
	test "$(cat out)" = "$ARM" &&
	sk inspect --no-tags "docker://$R/app@$ARM" | jq -r .Architecture >arch &&
	test "$(cat arch)" = arm64 &&
	login push -q --by-digest oci:amd2 "$R/app" >out &&
	test "$(cat out)" = "$AMD2" &&
	tags app >t && test_line_count t = 0 &&
	sk inspect --raw "docker://$R/app:latest" >/dev/null 2>&1; test $? != 0
'

test_expect_success 'push --by-digest with a tag: exit 2 naming it, nothing pushed' '
	test_exit_code 2 login push --by-digest oci:amd "$R/other:1" >out 2>err &&
	test_line_count out = 0 &&
	grep "^error: --by-digest pushes no tag, but .$R/other:1. names one$" err &&
	test_must_fail sk inspect --raw "docker://$R/other@$AMD"
'

test_expect_success 'merge: an index of both platforms, pushed by digest, two tags' '
	login merge --image "$R/app" --digest "$AMD" --digest "$ARM" --tag 1 --tag latest >out 2>err &&
	IDX=$(cat out) &&
	grep "^tagged  $R/app:1 $IDX$" err &&
	sk inspect --raw "docker://$R/app:1" >raw &&
	test "sha256:$(sha256sum <raw | cut -d" " -f1)" = "$IDX" &&
	test "$(jq -r .mediaType raw)" = "$INDEX" &&
	jq -r ".manifests[] | \"\(.platform.os)/\(.platform.architecture) \(.digest) \(.mediaType)\"" raw >got &&
	cat >want <<-EOF &&
	linux/amd64 $AMD application/vnd.oci.image.manifest.v1+json
	linux/arm64 $ARM application/vnd.oci.image.manifest.v1+json
	EOF
	test_cmp want got &&
	sk inspect --raw "docker://$R/app@$IDX" | cmp - raw &&
	sk inspect --config --override-arch arm64 "docker://$R/app:latest" | jq -r .architecture >a &&
	test "$(cat a)" = arm64 &&
	printf "1\nlatest\n" >want && tags app >got && test_cmp want got &&
	echo "$IDX" >idx.digest
'
IDX=$(cat idx.digest)

test_expect_success 'merge: the same digests in another order (and in one --digest) give the same index' '
	login merge -q --image "$R/app" --digest "$ARM,$AMD" >out &&
	test "$(cat out)" = "$IDX" &&
	login merge -q --image "$R/app" --digest "$ARM" --digest "$AMD" --digest "$ARM" >out &&
	test "$(cat out)" = "$IDX"
'

test_expect_success 'a matrix of one-platform builds merged is the one two-platform build' '
	publish build -q --context ctx -f ctx/Dockerfile --platform linux/arm64,linux/amd64 --output oci:both >both.digest &&
	test "$(cat both.digest)" = "$IDX" &&
	jq -r ".manifests[].digest" "both/blobs/sha256/$(cut -c8- both.digest)" >got &&
	printf "%s\n" "$AMD" "$ARM" >want &&
	test_cmp want got
'

test_expect_success 'merge: a digest of an index gives its images; a tag in another repository gets a copy' '
	login merge -q --image "$R/app" --digest "$IDX" --tag "$R/elsewhere:v1" --digest-file d >out &&
	test "$(cat out)" = "$IDX" && test "$(cat d)" = "$IDX" &&
	sk inspect --raw "docker://$R/elsewhere:v1" | cmp - "$TRASH/raw" &&
	sk inspect --config --override-arch arm64 "docker://$R/elsewhere:v1" | jq -r .architecture >a &&
	test "$(cat a)" = arm64
'

test_expect_success 'merge: two images of one platform: exit 3 naming both, no tag moved' '
	test_exit_code 3 login merge --image "$R/app" --digest "$AMD" --digest "$ARM" --digest "$AMD2" \
		--tag 1 --tag 2 >out 2>err &&
	test_line_count out = 0 &&
	test "$(grep -c . err)" = 1 &&
	grep "^error: merge: $AMD and $AMD2 are both linux/amd64" err &&
	test "$(sk inspect --no-tags --format "{{.Digest}}" "docker://$R/app:1")" = "$IDX" &&
	printf "1\nlatest\n" >want && tags app >got && test_cmp want got
'

test_expect_success 'merge: a digest not in the repository is exit 7 naming it; a malformed one exit 3' '
	MISSING=sha256:$(printf "%064d" 0) &&
	test_exit_code 7 login merge --image "$R/app" --digest "$AMD" --digest "$MISSING" --tag 1 >out 2>err &&
	test_line_count out = 0 &&
	grep "^error: .*$MISSING.* not found" err &&
	test_exit_code 7 login merge --image "$R/nothing-here" --digest "$AMD" >out 2>err &&
	grep "^error: .*$AMD" err &&
	test_exit_code 3 login merge --image "$R/app" --digest sha256:abc --tag 1 >out 2>err &&
	grep "^error: merge: .sha256:abc. is not a digest" err &&
	test "$(sk inspect --no-tags --format "{{.Digest}}" "docker://$R/app:1")" = "$IDX"
'

test_expect_success 'merge: the command line: no digest, an argument, --image with a tag: exit 2' '
	test_exit_code 2 publish merge --image "$R/app" 2>err &&
	grep "^error: merge needs --image and at least one --digest$" err &&
	test_exit_code 2 publish merge --image "$R/app" --digest "$AMD" extra 2>err &&
	grep "^error: merge takes no argument" err &&
	test_exit_code 2 publish merge --image "$R/app:1" --digest "$AMD" 2>err &&
	grep "^error: --image .$R/app:1. names a tag or digest" err &&
	test_exit_code 3 publish merge --image "$R/app" --digest "$AMD" --tag "bad tag" 2>err &&
	grep "^error: .*bad tag" err
'

test_done
