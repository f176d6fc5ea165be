#!/bin/sh
# t3420: a blob download stops at its descriptor's size and cannot be
# trickled forever.  A hostile registry (tests/helper/fault-proxy.py) serves a
# config or layer blob that never ends: exit 9 naming the blob, and not a
# byte past the size stored (the process runs under a file size limit;
# nothing is left in TMPDIR).  A blob trickled at 4 bytes/s fails once
# the low-speed limit (PUBLISH_LOW_SPEED_TIME=1 here) is hit: exit 8,
# naming the registry, after the bounded tries.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"

test_require REGISTRY

start_registry || exit 1
mkdir ctx && head -c 20000 /dev/urandom >ctx/f && printf 'FROM scratch\nCOPY f /f\n' >ctx/Dockerfile &&
publish build --context ctx --output oci:img >/dev/null 2>&1 || exit 1
M=$(jq -r ".manifests[0].digest" img/index.json) &&
CONFIG=$(jq -r .config.digest "img/blobs/sha256/${M#sha256:}") &&
CONFIG_SIZE=$(jq -r .config.size "img/blobs/sha256/${M#sha256:}") &&
LAYER=$(jq -r ".layers[0].digest" "img/blobs/sha256/${M#sha256:}") &&
LAYER_SIZE=$(jq -r ".layers[0].size" "img/blobs/sha256/${M#sha256:}") || exit 1
SSL_CERT_FILE=$REGISTRY_CA
TMPDIR=$TRASH/tmp
export SSL_CERT_FILE TMPDIR
mkdir "$TMPDIR"
login push oci:img "$REGISTRY/img:1" >/dev/null 2>&1 || exit 1
start_fault_proxy || exit 1
P=$FAULT_PROXY

# sent DIGEST: bytes the proxy sent of that blob (waits for its log line)
sent() {
	_i=0
	while ! grep -q "/blobs/$1	200	.*	sent=" "$FAULT_LOG" && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	sed -n "s|^GET	.*/blobs/$1	200	[a-z]*	sent=||p" "$FAULT_LOG" | sort -n | tail -n 1
}

test_expect_success 'a config blob that never ends: exit 9, stopped at its size' '
	fault_set "endless,method=GET,path=/blobs/$CONFIG" && : >"$FAULT_LOG" &&
	login inspect --config "$P/img:1" >out 2>err; test $? = 9 &&
	test_line_count err = 1 &&
	grep "^error: blob $CONFIG from .$P/img. is larger than the $CONFIG_SIZE bytes its descriptor gives: download stopped$" err &&
	test "$(fault_log_count GET "/blobs/$CONFIG")" = 1 &&
	n=$(sent "$CONFIG") && test "$n" -lt $((32 << 20)) &&
	test -z "$(ls -A "$TMPDIR")"
'

test_expect_success 'a layer that never ends, in a copy: exit 9, never more than its size on disk' '
	fault_set "endless,method=GET,path=/blobs/$LAYER" && : >"$FAULT_LOG" &&
	(echo "$REG_PASS" | test_file_limit $((LAYER_SIZE + 65536)) publish copy --username "$REG_USER" --password-stdin \
		"$P/img:1" "$REGISTRY/copied:1") >out 2>err; test $? = 9 &&
	grep "^error: blob $LAYER from .$P/img. is larger than the $LAYER_SIZE bytes its descriptor gives: download stopped$" err &&
	! grep "retrying" err &&
	test -z "$(ls -A "$TMPDIR")"
'

test_expect_success 'a blob trickled at 4 bytes/s: exit 8 after the tries, each one bounded' '
	fault_set "trickle,rate=4,method=GET,path=/blobs/$CONFIG" && : >"$FAULT_LOG" &&
	(PUBLISH_LOW_SPEED_TIME=1 && export PUBLISH_LOW_SPEED_TIME &&
	 login inspect --retries 2 --config "$P/img:1") >out 2>err; test $? = 8 &&
	grep "^warning: cannot reach .https://$P/v2/img/blobs/$CONFIG.: Operation too slow.*; retrying in" err &&
	grep "^error: cannot reach .https://$P/v2/img/blobs/$CONFIG.: Operation too slow. Less than 1024 bytes/sec transferred the last 1 seconds (gave up after 2 tries)$" err &&
	_i=0 &&
	while [ "$(fault_log_count GET "/blobs/$CONFIG")" -lt 2 ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done &&
	test "$(fault_log_count GET "/blobs/$CONFIG")" = 2
'

test_expect_success 'the proxy gone quiet, the same blob comes whole' '
	fault_set "" &&
	login inspect --config "$P/img:1" >out 2>err &&
	test "$(printf %s "$(cat out)" | wc -c)" -gt 0 &&
	jq -e .rootfs out
'

test_done
