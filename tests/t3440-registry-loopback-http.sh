#!/bin/sh
# t3440: registries as docker treats them.  A registry on loopback that
# speaks plain http needs no flag: publish tries https, and when the
# handshake fails because the peer answers in plain http, plain http, once
# per host and run.  Elsewhere plain http still needs --insecure-registry
# (0.0.0.0 reaches the same loopback server but is not a loopback name),
# and credentials never go over plain http off loopback.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH
start_http_registry || exit 1
make_busybox_base base || exit 1
push_base base base:1 >/dev/null || exit 1
PORT=${REGISTRY#127.0.0.1:}
# a plain-http registry with token auth (the realm is https)
_auth=1 _tls=0 _regtest_start authhttp || exit 1
APORT=${REGISTRY#127.0.0.1:}
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE
use_registry http || exit 1
mkdir ctx && echo hello >ctx/f &&
printf 'FROM %s/base:1\nCOPY f /f\n' "$REGISTRY" >ctx/Dockerfile || exit 1

test_expect_success 'build FROM a plain-http registry on 127.0.0.1, no flag' '
	publish build --context ctx --output oci:img >out 2>err &&
	! grep -e "^error:" -e "^warning:" err &&
	grep -rqF "$BASE_LAYER_DIGEST" img/blobs/sha256
'

test_expect_success 'the base came over plain http from the registry' '
	grep -E "\"GET /v2/base/manifests/1 HTTP/1.1\" 200" "$REGISTRY_LOG"
'

test_expect_success 'push to it, no flag: the tag is there over plain http' '
	publish push oci:img "$REGISTRY/app:1" >digest 2>err &&
	curl -sf -H "Accept: application/vnd.oci.image.manifest.v1+json" \
		"http://$REGISTRY/v2/app/manifests/1" >manifest &&
	test "sha256:$(sha256sum <manifest | cut -d" " -f1)" = "$(cat digest)"
'

test_expect_success 'localhost is loopback too' '
	publish inspect "localhost:$PORT/app:1" >out 2>err &&
	jq -e ".digest == \"$(cat digest)\"" out
'

test_expect_success 'a name that is not loopback is not tried over plain http: exit 8' '
	test_exit_code 8 publish inspect "0.0.0.0:$PORT/app:1" 2>err &&
	test_line_count err = 1 &&
	grep "^error: cannot reach .https://0.0.0.0:$PORT/v2/app/manifests/1.: .* (plain http? allow it with --insecure-registry)$" err
'

test_expect_success 'with --insecure-registry it is' '
	publish inspect --insecure-registry "0.0.0.0:$PORT" "0.0.0.0:$PORT/app:1" >out 2>err &&
	jq -e ".digest == \"$(cat digest)\"" out
'

test_expect_success 'credentials go to a plain-http registry on loopback' '
	echo push-secret | publish push --username pusher --password-stdin \
		oci:img "127.0.0.1:$APORT/app:1" >digest2 2>err &&
	test "$(cat digest2)" = "$(cat digest)" &&
	grep "pusher.*repository:app:.*push" "$TRASH/registry-authhttp/token.log"
'

test_expect_success 'but never over plain http to another host: exit 3, nothing sent' '
	: >"$TRASH/registry-authhttp/token.log" &&
	echo push-secret | test_exit_code 3 publish push --username pusher --password-stdin \
		--insecure-registry "0.0.0.0:$APORT" oci:img "0.0.0.0:$APORT/app:2" 2>err &&
	test_line_count err = 1 &&
	grep "^error: refusing to send the credentials of .pusher. (from --username) to .0.0.0.0:$APORT. over plain http: only loopback registries may get them$" err &&
	! grep pusher "$TRASH/registry-authhttp/token.log" &&
	! grep -F "PUT /v2/app/manifests/2" "$TRASH/registry-authhttp/registry.log"
'

test_done
