#!/bin/sh
# t3500: several tags move all or none.  Through tests/helper/fault-proxy.py:
# a tag PUT refused after others moved puts those back (old bytes, old
# media type), a tag that was new is deleted again where the registry
# deletes tags and reported where it does not; the first error is the
# exit code and the one error line.  A tag already at the digest is not
# PUT.  publish copy goes the same way.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_busybox_base base || exit 1		# v1: BASE_DIGEST, an OCI image manifest
make_multiplatform_base multi || exit 1	# v2: BASE_INDEX_DIGEST, an OCI index
push_base multi multi:1 || exit 1
V1=$BASE_DIGEST V2=$BASE_INDEX_DIGEST
start_fault_proxy || exit 1
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE
P=$FAULT_PROXY

sk_digest() {
	skopeo inspect --format '{{.Digest}}' --cert-dir "$REGISTRY_CERT_DIR" \
		--creds "$REG_USER:$REG_PASS" "docker://$1"
}
# tags_at DIGEST REPO TAG...: every REPO:TAG (read from the registry, not the proxy) is at DIGEST
tags_at() {
	_d=$1 _r=$2
	shift 2
	for _t in "$@"; do
		test "$(sk_digest "$REGISTRY/$_r:$_t")" = "$_d" || {
			echo "$_r:$_t is not at $_d" >&2
			return 1
		}
	done
}
# start REPO: v1 under tags a, b and c of REPO, the proxy's logs emptied
start() {
	fault_set "" &&
	login push oci:base "$REGISTRY/$1:a" "$REGISTRY/$1:b" "$REGISTRY/$1:c" >/dev/null 2>&1 &&
	tags_at "$V1" "$1" a b c &&
	: >"$FAULT_LOG"
}
# puts REPO TAG: how many PUTs of the tag reached the proxy
puts() {
	fault_log_count PUT "^/v2/$1/manifests/$2\$"
}

test_expect_success 'a 400 on the second tag: the first is put back, the third never sent, exit 9' '
	start r1 &&
	fault_set "400,method=PUT,path=^/v2/r1/manifests/b\$,times=1" &&
	login push oci:multi "$P/r1:a" "$P/r1:b" "$P/r1:c" >out 2>err; test $? = 9 &&
	test_line_count out = 0 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: push of tag .b. to .$P/r1. failed: .$P. answered HTTP 400 to PUT manifest (BAD_REQUEST: injected fault 400)$" err &&
	grep "^tagged  $P/r1:a $V2$" err &&
	grep "^warning: put tag .$P/r1:a. back on $V1$" err &&
	! grep "tagged  $P/r1:[bc]" err &&
	test "$(puts r1 a)" = 2 &&
	test "$(puts r1 b)" = 1 &&
	test "$(puts r1 c)" = 0 &&
	test "$(fault_log_count GET "^/v2/r1/manifests/$V1\$")" = 1 &&
	tags_at "$V1" r1 a b c
'

test_expect_success 'the restore comes after the error, and the error line is the last error' '
	grep -n "^error: " err | cut -d: -f1 >e &&
	grep -n "^warning: put tag" err | cut -d: -f1 >w &&
	test "$(cat w)" -gt "$(cat e)"
'

test_expect_success 'a retried 503 on a tag that then succeeds: every tag moves' '
	start r2 &&
	fault_set "503,method=PUT,path=^/v2/r2/manifests/b\$,times=2" &&
	login push oci:multi "$P/r2:a" "$P/r2:b" "$P/r2:c" >out 2>err &&
	test "$(cat out)" = "$V2" &&
	test "$(grep -c "^warning: .$P. answered HTTP 503 to PUT; retrying" err)" = 2 &&
	! grep "back on\|error: " err &&
	test "$(puts r2 b)" = 3 &&
	tags_at "$V2" r2 a b c
'

test_expect_success 'every tag already at the digest: one HEAD a tag, no PUT, no blob asked for' '
	: >"$FAULT_LOG" &&
	login push oci:multi "$P/r2:a" "$P/r2:b" "$P/r2:c" >out 2>err &&
	test "$(cat out)" = "$V2" &&
	test "$(grep -c "^tagged  $P/r2:[abc] $V2 (unchanged)$" err)" = 3 &&
	test "$(fault_log_count PUT "/v2/r2/")" = 0 &&
	test "$(fault_log_count POST "/v2/r2/")" = 0 &&
	test "$(fault_log_count "*" "^/v2/r2/blobs/")" = 0 &&
	test "$(fault_log_count "*" "^/v2/r2/manifests/sha256:")" = 0 &&
	test "$(fault_log_count HEAD "^/v2/r2/manifests/[abc]\$" 200)" = 3 &&
	tags_at "$V2" r2 a b c
'

test_expect_success 'some tags at the digest already: only the others are PUT' '
	: >"$FAULT_LOG" &&
	login push oci:multi "$P/r2:a" "$P/r2:new" "$P/r2:c" >out 2>err &&
	grep "^tagged  $P/r2:new $V2$" err &&
	test "$(fault_log_count PUT "^/v2/r2/manifests/[ac]\$")" = 0 &&
	test "$(puts r2 new)" = 1 &&
	tags_at "$V2" r2 a c new
'

test_expect_success 'the failing tag was new: nothing to undo for it, the earlier ones put back' '
	start r3 &&
	fault_set "400,method=PUT,path=^/v2/r3/manifests/new\$,times=1" &&
	login push oci:multi "$P/r3:a" "$P/r3:new" "$P/r3:b" >out 2>err; test $? = 9 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: push of tag .new. to .$P/r3. failed: .* HTTP 400 " err &&
	grep "^warning: put tag .$P/r3:a. back on $V1$" err &&
	test "$(grep -c "^warning: " err)" = 1 &&
	test_must_fail sk_digest "$REGISTRY/r3:new" &&
	test "$(puts r3 b)" = 0 &&
	tags_at "$V1" r3 a b c
'

test_expect_success 'a new tag moved before the failure: the registry refuses to delete it, reported' '
	start r4 &&
	fault_set "400,method=PUT,path=^/v2/r4/manifests/b\$,times=1" &&
	login push oci:multi "$P/r4:a" "$P/r4:new" "$P/r4:b" >out 2>err; test $? = 9 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: push of tag .b. to .$P/r4. failed: " err &&
	grep "^warning: put tag .$P/r4:a. back on $V1$" err &&
	grep "^warning: tag .$P/r4:new. did not exist before and cannot be deleted (.$P. answered HTTP 400 to DELETE (DIGEST_INVALID: .*)): it may stay on $V2$" err &&
	test "$(fault_log_count DELETE "^/v2/r4/manifests/new\$")" = 1 &&
	test "$(fault_log_count DELETE "sha256:")" = 0 &&
	tags_at "$V1" r4 a b c &&
	tags_at "$V2" r4 new
'

test_expect_success 'a registry that deletes tags: the new tag is deleted again (by tag, not digest)' '
	start r5 &&
	fault_set "400,method=PUT,path=^/v2/r5/manifests/b\$,times=1;untag,root=$REGISTRY_DIR/data" &&
	login push oci:multi "$P/r5:new" "$P/r5:a" "$P/r5:b" >out 2>err; test $? = 9 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^warning: put tag .$P/r5:a. back on $V1$" err &&
	grep "^warning: deleted tag .$P/r5:new. again: it did not exist before$" err &&
	test "$(fault_log_count DELETE "^/v2/r5/manifests/new\$" 202 untag)" = 1 &&
	sed -n "s/^warning: put tag .*/a/p; s/^warning: deleted tag .*/new/p" err >order &&
	printf "a\nnew\n" >expect && test_cmp expect order &&
	test_must_fail sk_digest "$REGISTRY/r5:new" &&
	test "$(sk_digest "$REGISTRY/r5@$V2")" = "$V2" &&
	tags_at "$V1" r5 a b c
'

test_expect_success 'the old manifest goes back with its own media type (Docker schema 2)' '
	fault_set "" &&
	push_base base r6:a --format v2s2 && D1=$PUSHED_DIGEST &&
	test "$D1" != "$V1" &&
	push_base base r6:b --format v2s2 &&
	: >"$FAULT_LOG" &&
	fault_set "400,method=PUT,path=^/v2/r6/manifests/b\$,times=1" &&
	login push oci:multi "$P/r6:a" "$P/r6:b" >out 2>err; test $? = 9 &&
	grep "^warning: put tag .$P/r6:a. back on $D1$" err &&
	tags_at "$D1" r6 a b &&
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/r6:a" | jq -r .mediaType >mt &&
	echo application/vnd.docker.distribution.manifest.v2+json >expect &&
	test_cmp expect mt
'

test_expect_success 'tags in two repositories: the one in the other repository is put back too' '
	start r7 && start r8 &&
	fault_set "400,method=PUT,path=^/v2/r8/manifests/a\$,times=1" &&
	login push oci:multi "$P/r7:a" "$P/r8:a" >out 2>err; test $? = 9 &&
	grep "^warning: put tag .$P/r7:a. back on $V1$" err &&
	tags_at "$V1" r7 a && tags_at "$V1" r8 a
'

test_expect_success 'the put back refused too: said, and the exit code and error stay the push'"'"'s' '
	start r9 &&
	fault_set "400,method=PUT,path=^/v2/r9/manifests/b\$,times=1;403,method=PUT,path=^/v2/r9/manifests/a\$,after=1" &&
	login push oci:multi "$P/r9:a" "$P/r9:b" >out 2>err; test $? = 9 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: push of tag .b. to .$P/r9. failed: " err &&
	grep "^warning: cannot put tag .$P/r9:a. back on $V1 (permission denied for push of tag .a. to .$P/r9. (DENIED: injected fault 403).*): it may stay on $V2$" err &&
	tags_at "$V2" r9 a && tags_at "$V1" r9 b
'

test_expect_success 'a tag PUT that took effect but got no answer is put back too' '
	start r12 &&
	fault_set "reset-after,method=PUT,path=^/v2/r12/manifests/b\$,times=2" &&
	login push --retries 2 oci:multi "$P/r12:a" "$P/r12:b" "$P/r12:c" >out 2>err; test $? = 8 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: cannot reach .*(gave up after 2 tries)$" err &&
	test "$(fault_log_count PUT "^/v2/r12/manifests/b\$" - reset-after)" = 2 &&
	sed -n "s/^warning: put tag .$P\/r12:\(.\). back on $V1$/\1/p" err >order &&
	printf "b\na\n" >expect && test_cmp expect order &&
	tags_at "$V1" r12 a b c
'

test_expect_success 'a tag that cannot be looked up: no tag moves, the lookup named' '
	start r10 &&
	fault_set "503,method=HEAD,path=^/v2/r10/manifests/b\$" &&
	login push --retries 2 oci:multi "$P/r10:a" "$P/r10:b" >out 2>err; test $? = 8 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: lookup of tag .b. in .$P/r10. failed: .$P. answered HTTP 503 to HEAD manifest, retries exhausted$" err &&
	test "$(fault_log_count PUT "^/v2/r10/manifests/[ab]\$")" = 0 &&
	tags_at "$V1" r10 a b
'

test_expect_success 'publish copy with several tags: the same, all or none' '
	start r11 &&
	fault_set "400,method=PUT,path=^/v2/r11/manifests/c\$,times=1" &&
	login copy "$P/multi:1" "$P/r11:a" "$P/r11:b" "$P/r11:c" >out 2>err; test $? = 9 &&
	test_line_count out = 0 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: push of tag .c. to .$P/r11. failed: " err &&
	grep "^warning: put tag .$P/r11:a. back on $V1$" err &&
	grep "^warning: put tag .$P/r11:b. back on $V1$" err &&
	tags_at "$V1" r11 a b c &&
	fault_set "" &&
	login copy "$P/multi:1" "$P/r11:a" "$P/r11:b" "$P/r11:c" >out 2>err &&
	test "$(cat out)" = "$V2" &&
	tags_at "$V2" r11 a b c
'

test_done
