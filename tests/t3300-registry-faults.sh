#!/bin/sh
# t3300: push and copy through tests/helper/fault-proxy.py: connection resets,
# 500/503, 429 with Retry-After, a lost upload session, truncated and
# corrupt downloads.  Runs complete with the right digests; when the
# faults never stop the run fails clearly and no tag moves.  With slowed
# uploads, the proxy's trace shows --jobs blobs in flight at once (one
# process, one curl multi), never more, and the first blob alone.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

REGISTRY_TOKEN_PROXY=1 start_registry || exit 1
make_busybox_base base || exit 1
make_multiplatform_base multi || exit 1
push_base multi multi:1 || exit 1
push_base base base:1 || exit 1
# wide: the base plus 4 small layers of random bytes, 6 blobs to push
rm -rf wide && cp -r base wide &&
cp "$(oci_blob wide "$BASE_DIGEST")" wide/m.json || exit 1
for i in 1 2 3 4; do
	head -c 32768 /dev/urandom | gzip -n >wide/l.gz &&
	set -- $(sha256sum wide/l.gz) $(wc -c <wide/l.gz) &&
	mv wide/l.gz "wide/blobs/sha256/$1" &&
	jq -c --arg d "sha256:$1" --argjson s "$3" \
		'.layers += [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' \
		wide/m.json >wide/m.new && mv wide/m.new wide/m.json || exit 1
done
set -- $(sha256sum wide/m.json) $(wc -c <wide/m.json) &&
mv wide/m.json "wide/blobs/sha256/$1" &&
jq -c --arg d "sha256:$1" --argjson s "$3" '.manifests[0].digest = $d | .manifests[0].size = $s' \
	wide/index.json >wide/index.new && mv wide/index.new wide/index.json || exit 1
WIDE_DIGEST=sha256:$1
start_fault_proxy || exit 1
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE
P=$FAULT_PROXY

sk_digest() {
	skopeo inspect --format '{{.Digest}}' --cert-dir "$REGISTRY_CERT_DIR" \
		--creds "$REG_USER:$REG_PASS" "docker://$1"
}
# fresh NAME: a push target nobody wrote yet (in $r), and the fault log emptied
fresh() {
	r=$1
	: >"$FAULT_LOG"
	: >"$FAULT_TRACE"
}
# first_alone: the first blob's upload ended before a second blob was looked at
first_alone() {
	awk -F '\t' -v b="/v2/$r/blobs/sha256:" '
		$1 == "end" && $2 == "PUT" && !put { put = NR }
		$1 == "begin" && $2 == "HEAD" && index($3, b) == 1 {
			if (first == "") first = $3
			else if ($3 != first && !other) other = NR
		}
		END { exit !(put && other > put) }' "$FAULT_TRACE"
}

test_expect_success 'connection resets on every third request: push completes' '
	fault_set "reset,every=3" &&
	fresh r1 &&
	login push oci:base "$P/$r:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(fault_count "	reset$")" -ge 2 &&
	grep "^warning: cannot reach .* retrying in" err &&
	test "$(sk_digest "$REGISTRY/$r:1")" = "$BASE_DIGEST"
'

test_expect_success '500 and 503 on uploads and manifests: push completes' '
	fault_set "503,method=PUT,path=/manifests/,times=2;500,method=POST,times=1;502,method=HEAD,times=1" &&
	fresh r2 &&
	login push oci:base "$P/$r:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(fault_count "	503	503")" = 2 &&
	test "$(fault_count "	500	500")" = 1 &&
	grep "^warning: .$P. answered HTTP 503 to PUT; retrying" err &&
	test "$(sk_digest "$REGISTRY/$r:1")" = "$BASE_DIGEST"
'

test_expect_success '429 with Retry-After is honoured' '
	fault_set "429,retry-after=2,times=1" &&
	fresh r3 &&
	start=$(date +%s) &&
	login push oci:base "$P/$r:1" >out 2>err &&
	end=$(date +%s) &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	grep "^warning: .$P. answered HTTP 429 to HEAD; retrying in 2.0 s (try 2 of 6)$" err &&
	test $((end - start)) -ge 2
'

test_expect_success 'a lost upload session starts the blob again from POST' '
	fault_set "lost-upload,method=PUT,path=/blobs/uploads/,times=1" &&
	fresh r4 &&
	login push oci:base "$P/$r:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	grep "^warning: .$P. lost the upload session of sha256:.*; starting it again$" err &&
	test "$(fault_count "^POST	/v2/$r/blobs/uploads/")" = 3 &&
	test "$(sk_digest "$REGISTRY/$r:1")" = "$BASE_DIGEST"
'

test_expect_success 'a response lost after the manifest PUT took effect: retried, same digest' '
	fault_set "reset-after,method=PUT,path=/manifests/,times=1" &&
	fresh r5 &&
	login push oci:base "$P/$r:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(sk_digest "$REGISTRY/$r:1")" = "$BASE_DIGEST"
'

test_expect_success 'truncated blob downloads are retried: copy of an index completes' '
	fault_set "truncate,method=GET,path=/blobs/sha256:,times=2" &&
	fresh r6 &&
	login copy "$P/multi:1" "$REGISTRY/$r:1" >out 2>err &&
	test "$(cat out)" = "$BASE_INDEX_DIGEST" &&
	test "$(fault_count "	truncate$")" = 2 &&
	test "$(sk_digest "$REGISTRY/$r:1")" = "$BASE_INDEX_DIGEST"
'

test_expect_success 'a source GET cut mid-stream: the blob goes by a spool file instead' '
	fault_set "truncate,method=GET,path=/blobs/$BASE_LAYER_DIGEST,times=1" &&
	fresh r6s &&
	login copy "$P/base:1" "$REGISTRY/$r:1" >out 2>cut.err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	grep "^warning: streaming blob $BASE_LAYER_DIGEST from .$P/base. failed: .*; downloading it first$" cut.err &&
	test "$(grep -c "^warning: streaming" cut.err)" = 1 &&
	grep "^pushed  $BASE_LAYER_DIGEST $REGISTRY/$r " cut.err &&
	test "$(fault_log_count GET "/v2/base/blobs/$BASE_LAYER_DIGEST")" = 2 &&
	test "$(fault_count "	truncate$")" = 1 &&
	test "$(sk_digest "$REGISTRY/$r:1")" = "$BASE_DIGEST"
'

test_expect_success 'that fallback is the spool file: with no TMPDIR to hold it, the copy fails there' '
	fault_set "truncate,path=/v2/base/blobs/$BASE_LAYER_DIGEST,method=GET,times=1" &&
	fresh r6t &&
	(TMPDIR=$PWD/no-such-tmp && export TMPDIR &&
	 login copy "$P/base:1" "$REGISTRY/$r:1") >out 2>nospool.err; test $? != 0 &&
	grep "^warning: streaming blob $BASE_LAYER_DIGEST from .$P/base. failed: " nospool.err &&
	grep "^error: cannot create a temporary file in .$PWD/no-such-tmp.: " nospool.err &&
	test_must_fail sk_digest "$REGISTRY/$r:1"
'

test_expect_success 'a corrupt blob download is caught by its digest: exit 9' '
	fault_set "corrupt,method=GET,path=/blobs/sha256:" &&
	: >"$FAULT_LOG" &&
	login inspect --config "$P/multi:1" --platform linux/amd64 >cfg 2>err; test $? = 9 &&
	grep "^error: blob from .$P/multi. does not match its digest $BASE_CONFIG_DIGEST (got sha256:" err
'

test_expect_success 'every manifest PUT fails: exit 8, retries named, no tag moved' '
	fault_set "" &&
	login push oci:base "$REGISTRY/stable:1" >/dev/null 2>&1 &&
	login copy "$REGISTRY/multi:1" "$REGISTRY/stable:2" >/dev/null 2>&1 &&
	fault_set "503,path=/manifests/,method=PUT" &&
	login copy --retries 3 "$P/multi:1" "$P/stable:1" >out 2>err; test $? = 8 &&
	test_line_count out = 0 &&
	grep "^error: push to .$P/stable. failed: .$P. answered HTTP 503 to PUT manifest (UNAVAILABLE.*), retries exhausted$" err &&
	test "$(grep -c "^warning: .* retrying" err)" = 2 &&
	test "$(sk_digest "$REGISTRY/stable:1")" = "$BASE_DIGEST"
'

test_expect_success 'faults on every request: exit 8, one clear line, no tag moved' '
	fault_set "503" &&
	login push --retries 2 oci:base "$P/stable:2" >out 2>err; test $? = 8 &&
	test "$(grep -c "^error: " err)" = 1 &&
	grep "^error: .* answered HTTP 503 to .*, retries exhausted$" err &&
	test "$(sk_digest "$REGISTRY/stable:2")" = "$BASE_INDEX_DIGEST"
'

test_expect_success 'resets on every request: exit 8 after the bounded tries' '
	fault_set "reset" &&
	login push --retries 2 oci:base "$P/stable:2" >out 2>err; test $? = 8 &&
	grep "^error: cannot reach .https://$P/v2/stable/.*(gave up after 2 tries)$" err &&
	test "$(sk_digest "$REGISTRY/stable:2")" = "$BASE_INDEX_DIGEST"
'

test_expect_success 'a 401 mid-push (the token looks expired): a new token, the request replayed once' '
	fault_set "unauth,method=PUT,path=/manifests/,times=1" &&
	fresh r7 &&
	login push oci:base "$P/r7:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(fault_count "	unauth$")" = 1 &&
	test "$(grep -c "	repository:r7:pull,push	200$" "$TOKEN_LOG")" = 2 &&
	test "$(sk_digest "$REGISTRY/r7:1")" = "$BASE_DIGEST"
'

test_expect_success 'a 401 that stays after the new token: exit 6, no loop' '
	fault_set "unauth,method=PUT,path=/manifests/" &&
	fresh r8 &&
	login push oci:base "$P/r8:1" >out 2>err; test $? = 6 &&
	grep "^error: .$P. refused the credentials of .$REG_USER. (from --username) for push to .$P/r8." err &&
	test "$(fault_count "^PUT	/v2/r8/manifests/")" = 2 &&
	test_must_fail sk_digest "$REGISTRY/r8:1"
'

test_expect_success 'the token service answers 503 twice: token fetch retried, push completes' '
	fault_set "" &&
	token_fault_set "503,times=2" &&
	fresh r9 &&
	login push oci:base "$P/r9:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(grep -c "^warning: token service .$TOKEN_URL. answered HTTP 503; retrying in" err)" = 2
'

test_expect_success 'the token service unreachable: exit 8, bounded, no tag' '
	token_fault_set "reset" &&
	fresh r10 &&
	login push --retries 2 oci:base "$P/r10:1" >out 2>err; test $? = 8 &&
	grep "^error: token service: cannot reach .$TOKEN_URL.: .*(gave up after 2 tries)$" err &&
	token_fault_set "" &&
	test_must_fail sk_digest "$REGISTRY/r10:1"
'

test_expect_success 'a refused mount falls back to an upload streamed from the base' '
	fault_set "404,method=POST,path=mount=" &&
	fresh r11 &&
	rm -rf app && cp -r base app &&
	rm "$(oci_blob app "$BASE_LAYER_DIGEST")" &&
	jq -c --arg b "$P/base:1" ".manifests[0].annotations[\"org.opencontainers.image.base.name\"] = \$b" \
		app/index.json >app/index.new && mv app/index.new app/index.json &&
	login push oci:app "$P/r11:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	grep "^warning: .$P. did not mount $BASE_LAYER_DIGEST from .base. (HTTP 404); uploading it instead$" err &&
	grep "^pushed  $BASE_LAYER_DIGEST $P/r11 " err &&
	test "$(fault_log_count GET "/v2/base/blobs/$BASE_LAYER_DIGEST")" = 1 &&
	test "$(sk_digest "$REGISTRY/r11:1")" = "$BASE_DIGEST"
'

test_expect_success '--jobs 2: two blob uploads in flight at once, never three' '
	fault_set "delay,method=PUT,path=/blobs/uploads/,delay=0.5" &&
	fresh r12 &&
	login push --jobs 2 oci:wide "$P/$r:1" >out 2>err &&
	test "$(cat out)" = "$WIDE_DIGEST" &&
	test "$(grep -c "^pushed  sha256:[0-9a-f]* $P/$r " err)" = 6 &&
	test "$(fault_overlap PUT "^/v2/$r/blobs/uploads/")" = 2 &&
	test "$(fault_overlap "*" "^/v2/$r/blobs/")" = 2 &&
	first_alone &&
	test "$(sk_digest "$REGISTRY/$r:1")" = "$WIDE_DIGEST"
'

test_expect_success '--jobs 1: one blob at a time' '
	fault_set "delay,method=PUT,path=/blobs/uploads/,delay=0.5" &&
	fresh r13 &&
	login push --jobs 1 oci:wide "$P/$r:1" >out 2>err &&
	test "$(cat out)" = "$WIDE_DIGEST" &&
	test "$(grep -c "^pushed " err)" = 6 &&
	test "$(fault_overlap "*" "^/v2/$r/blobs/")" = 1
'

test_expect_success 'the default is 4 blobs at once' '
	fault_set "delay,method=PUT,path=/blobs/uploads/,delay=0.5" &&
	fresh r14 &&
	login push oci:wide "$P/$r:1" >out 2>err &&
	test "$(cat out)" = "$WIDE_DIGEST" &&
	test "$(fault_overlap PUT "^/v2/$r/blobs/uploads/")" = 4 &&
	test "$(fault_overlap "*" "^/v2/$r/blobs/")" = 4 &&
	first_alone
'

test_done
