#!/bin/sh
# t3400: the Authorization header stays with the host that asked for it:
# a blob redirected to another host (ghcr.io's CDN) is fetched without
# it, a redirect on the same host keeps it; plain http only for loopback
# (after https) or --insecure-registry hosts.
. "$(dirname "$0")/test-lib.sh"

test_have_prereq PYTHON || test_skip_all "no python3"
. "$TEST_DIR/lib-registry.sh"

TOKEN=tok-$(od -An -N8 -tx1 /dev/urandom | tr -d " \n")
python3 "$HELPER/redirect-server.py" --token "$TOKEN" --log "$TRASH/requests.log" \
	--port-file "$TRASH/ports" >"$TRASH/server.out" 2>&1 &
SERVER_PID=$!
test_cleanup "kill $SERVER_PID"
i=0
while [ ! -s "$TRASH/ports" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
read -r REGPORT CDNPORT CONFIG_DIGEST LAYER_DIGEST <"$TRASH/ports" || test_skip_all "redirect server did not start"
R=127.0.0.1:$REGPORT

test_expect_success 'a blob redirected to another host is fetched without the token' '
	publish inspect --insecure-registry "$R" "$R/img:1" >out 2>err &&
	jq -e ".configDigest == \"$CONFIG_DIGEST\" and .config.os == \"linux\"" out &&
	grep "^registry GET /v2/img/blobs/$CONFIG_DIGEST Bearer $TOKEN$" requests.log &&
	grep "^cdn GET /cdn/$CONFIG_DIGEST?sig=abc -$" requests.log &&
	! grep "^cdn .* Bearer" requests.log
'

test_expect_success REGISTRY 'copy: a redirect on the same host keeps the token' '
	start_http_registry plainhttp &&
	: >requests.log &&
	publish copy --insecure-registry "$R" --insecure-registry "$REGISTRY" \
		"$R/img:1" "$REGISTRY/copied:1" >out2 2>err2 &&
	grep "^registry GET /v2/img/blobs/$LAYER_DIGEST Bearer $TOKEN$" requests.log &&
	grep "^registry GET /v2/img/moved/$LAYER_DIGEST Bearer $TOKEN$" requests.log &&
	grep "^cdn GET /cdn/$CONFIG_DIGEST?sig=abc -$" requests.log &&
	grep "^pushed  $LAYER_DIGEST $REGISTRY/copied " err2 &&
	curl -sf "http://$REGISTRY/v2/copied/blobs/$LAYER_DIGEST" | sha256sum >got &&
	test "sha256:$(cut -d" " -f1 got)" = "$LAYER_DIGEST"
'

test_expect_success 'the token appears in no output or file' '
	! grep -rlF "$TOKEN" "$TRASH" --exclude=requests.log
'

test_expect_success 'without --insecure-registry a plain http registry off loopback is not downgraded to: exit 8' '
	test_exit_code 8 publish inspect "0.0.0.0:$REGPORT/img:1" 2>err3 &&
	test_line_count err3 = 1 &&
	grep "^error: cannot reach .https://0.0.0.0:$REGPORT/v2/img/manifests/1.: .* (plain http? allow it with --insecure-registry)$" err3
'

test_expect_success 'on loopback it is, after https, with no flag' '
	publish inspect "$R/img:1" >out4 2>err4 &&
	jq -e ".configDigest == \"$CONFIG_DIGEST\"" out4
'

test_done
