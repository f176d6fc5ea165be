#!/bin/sh
# t3100: publish inspect and publish copy against the real local registry
# (TLS with a test CA, bearer-token auth, relative URLs), checked with skopeo.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry one || exit 1
make_busybox_base base || exit 1
push_base base base:1 || exit 1
make_multiplatform_base multi || exit 1
push_base multi multi:1 || exit 1
push_base base docker/base:1 --format v2s2 || exit 1
DOCKER_DIGEST=$PUSHED_DIGEST
start_registry two || exit 1
use_registry one
ONE=$REGISTRY
TWO=$(. "$TRASH/registry-two/env"; echo "$REGISTRY")
# both registries use the same test CA
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE

# sk_raw REF [CREDS]: the manifest bytes skopeo gets
sk_raw() {
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" ${2:+--creds "$2"} "docker://$1"
}
sk_digest() {
	skopeo inspect --format '{{.Digest}}' --cert-dir "$REGISTRY_CERT_DIR" ${2:+--creds "$2"} "docker://$1"
}

test_expect_success 'inspect, anonymous: digest, media type, platform, config' '
	publish inspect "$ONE/base:1" >out &&
	jq -e ".digest == \"$BASE_DIGEST\"" out &&
	jq -e ".mediaType == \"application/vnd.oci.image.manifest.v1+json\"" out &&
	jq -e ".platforms == [\"linux/amd64\"]" out &&
	jq -e ".configDigest == \"$BASE_CONFIG_DIGEST\"" out &&
	jq -e ".config.rootfs.diff_ids == [\"$BASE_DIFF_ID\"]" out &&
	jq -e ".manifest.layers[0].digest == \"$BASE_LAYER_DIGEST\"" out &&
	grep "repository:base:pull" "$TOKEN_LOG" | grep -q "^GET	-	" &&
	grep "\"GET /v2/base/blobs/$BASE_CONFIG_DIGEST" "$REGISTRY_LOG" &&
	! grep "\"GET /v2/base/blobs/$BASE_LAYER_DIGEST" "$REGISTRY_LOG"
'

test_expect_success 'inspect --raw prints the exact bytes skopeo sees' '
	publish inspect --raw "$ONE/base:1" >raw &&
	sk_raw "$ONE/base:1" >want &&
	cmp raw want &&
	test "sha256:$(sha256sum <raw | cut -d" " -f1)" = "$BASE_DIGEST"
'

test_expect_success 'inspect --config prints the config blob' '
	publish inspect --config "$ONE/base:1" >cfg &&
	test "sha256:$(sha256sum <cfg | cut -d" " -f1)" = "$BASE_CONFIG_DIGEST"
'

test_expect_success 'inspect of an index lists its platforms; --platform picks one' '
	publish inspect "$ONE/multi:1" >out &&
	jq -e ".digest == \"$BASE_INDEX_DIGEST\"" out &&
	jq -e ".mediaType == \"application/vnd.oci.image.index.v1+json\"" out &&
	jq -e ".platforms == [\"linux/amd64\", \"linux/arm64/v8\"]" out &&
	publish inspect --platform linux/arm64 "$ONE/multi:1" >arm &&
	jq -e ".digest == \"$BASE_ARM64_DIGEST\" and .indexDigest == \"$BASE_INDEX_DIGEST\"" arm &&
	jq -e ".config.architecture == \"arm64\"" arm &&
	publish inspect --raw --platform linux/amd64 "$ONE/multi:1" >amd &&
	test "sha256:$(sha256sum <amd | cut -d" " -f1)" = "$BASE_AMD64_DIGEST"
'

test_expect_success 'inspect by digest, and tag+digest together' '
	publish inspect --raw "$ONE/multi@$BASE_INDEX_DIGEST" >a &&
	publish inspect --raw "$ONE/multi:1@$BASE_INDEX_DIGEST" >b &&
	cmp a b
'

test_expect_success 'inspect of a platform the index lacks: exit 7, named' '
	test_exit_code 7 publish inspect --platform linux/s390x "$ONE/multi:1" 2>err &&
	grep "^error: image .$ONE/multi:1. has no linux/s390x variant$" err
'

test_expect_success 'inspect of a missing tag: exit 7, named' '
	test_exit_code 7 publish inspect "$ONE/base:nope" 2>err &&
	grep "^error: image .$ONE/base:nope. not found$" err
'

test_expect_success 'inspect of a bad reference: exit 3, before any request' '
	test_exit_code 3 publish inspect "$ONE/Base:1" 2>err &&
	grep "^error: repository name .Base. must be lower case (try .base.)$" err &&
	test_exit_code 3 publish inspect "$ONE/base:bad+tag" 2>err &&
	grep "^error: tag .bad+tag. has .+." err
'

test_expect_success 'copy without credentials is refused (exit 6) and writes nothing' '
	test_exit_code 6 publish copy "$ONE/base:1" "$ONE/anon/copy:1" 2>err &&
	test_line_count err = 1 &&
	grep "^error: push to .$ONE/anon/copy. needs credentials: pass --username and --password-stdin" err &&
	test_must_fail sk_digest "$ONE/anon/copy:1" "$REG_USER:$REG_PASS"
'

test_expect_success 'copy within a registry mounts the blobs, same digest' '
	login copy "$ONE/base:1" "$ONE/copies/base:2" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(grep -c "^mounted " err)" = 2 &&
	test "$(sk_digest "$ONE/copies/base:2" "$REG_USER:$REG_PASS")" = "$BASE_DIGEST"
'

test_expect_success 'copy of a multi-platform index to another registry: same digest as skopeo copy --all' '
	login copy "$ONE/multi:1" "$TWO/multi/ours:1" >out 2>err &&
	skopeo --policy "$(_img_policy)" copy --quiet --all \
		--src-cert-dir "$REGISTRY_CERT_DIR" --dest-cert-dir "$REGISTRY_CERT_DIR" \
		--src-creds "$REG_USER:$REG_PASS" --dest-creds "$REG_USER:$REG_PASS" \
		--digestfile skopeo-digest "docker://$ONE/multi:1" "docker://$TWO/multi/skopeo:1" &&
	test "$(cat out)" = "$(cat skopeo-digest)" &&
	test "$(cat out)" = "$BASE_INDEX_DIGEST" &&
	test "$(grep -c "^pushed " err)" = 3 &&
	sk_raw "$TWO/multi/ours:1" "$REG_USER:$REG_PASS" >got &&
	sk_raw "$ONE/multi:1" "$REG_USER:$REG_PASS" >want &&
	cmp got want &&
	for d in $BASE_AMD64_DIGEST $BASE_ARM64_DIGEST; do
		test "$(sk_digest "$TWO/multi/ours@$d" "$REG_USER:$REG_PASS")" = "$d" || return 1
	done
'

test_expect_success 'the copied index inspects the same with publish' '
	login inspect --platform linux/arm64 "$TWO/multi/ours:1" >arm &&
	jq -e ".digest == \"$BASE_ARM64_DIGEST\"" arm
'

test_expect_success 'a second copy uploads nothing (the tag is at the digest already)' '
	login copy "$ONE/multi:1" "$TWO/multi/ours:1" >out 2>err &&
	test "$(cat out)" = "$BASE_INDEX_DIGEST" &&
	! grep "^pushed " err && ! grep "^exists " err &&
	grep "^tagged  $TWO/multi/ours:1 $BASE_INDEX_DIGEST (unchanged)$" err
'

test_expect_success 'copy to several tags and repositories at once' '
	login copy "$ONE/base:1" "$TWO/a:x" "$TWO/a:y" "$TWO/b:z" >out 2>err &&
	for r in a:x a:y b:z; do
		test "$(sk_digest "$TWO/$r" "$REG_USER:$REG_PASS")" = "$BASE_DIGEST" || return 1
	done
'

test_expect_success 'credentials from $DOCKER_CONFIG/config.json' '
	registry_docker_config dockercfg &&
	DOCKER_CONFIG=$PWD/dockercfg publish copy "$ONE/base:1" "$ONE/fromconfig:1" >out &&
	test "$(cat out)" = "$BASE_DIGEST"
'

test_expect_success 'a credential helper named by credHelpers' '
	mkdir -p helper bin &&
	printf "%s\n" "{\"credHelpers\": {\"$ONE\": \"fake\"}}" >helper/config.json &&
	cat >bin/docker-credential-fake <<-EOF &&
	#!/bin/sh
	read host
	echo "\$host" >"$PWD/helper-asked"
	printf "{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}" "\$host" "$REG_USER" "$REG_PASS"
	EOF
	chmod +x bin/docker-credential-fake &&
	PATH=$PWD/bin:$PATH DOCKER_CONFIG=$PWD/helper publish copy "$ONE/base:1" "$ONE/fromhelper:1" >out &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(cat helper-asked)" = "$ONE"
'

test_expect_success 'the pull-only user may not push: exit 6, the user named' '
	echo "$REG_PULL_PASS" | test_exit_code 6 publish copy --username "$REG_PULL_USER" --password-stdin \
		"$ONE/base:1" "$ONE/pullonly:1" 2>err &&
	grep "^error: .$ONE. refused the credentials of .$REG_PULL_USER. (from --username) for push to .$ONE/pullonly." err &&
	! grep "$REG_PULL_PASS" err
'

test_expect_success 'without the test CA, TLS verification fails: exit 8' '
	test_exit_code 8 env -u SSL_CERT_FILE publish inspect "$ONE/base:1" 2>err &&
	test_line_count err = 1 &&
	grep "^error: cannot reach .https://$ONE/v2/base/manifests/1.: .*certificate" err
'

test_expect_success 'Docker schema 2 media types: inspected and copied unchanged' '
	publish inspect "$ONE/docker/base:1" >out &&
	jq -e ".mediaType == \"application/vnd.docker.distribution.manifest.v2+json\"" out &&
	jq -e ".digest == \"$DOCKER_DIGEST\"" out &&
	login copy "$ONE/docker/base:1" "$TWO/docker/copy:1" >d &&
	test "$(cat d)" = "$DOCKER_DIGEST" &&
	test "$(sk_digest "$TWO/docker/copy:1" "$REG_USER:$REG_PASS")" = "$DOCKER_DIGEST"
'

test_done
