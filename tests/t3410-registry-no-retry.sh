#!/bin/sh
# t3410: errors that cannot heal are not retried: a redirect loop, a
# refused plain-http redirect, a response over its cap, a 4xx, an
# untrusted certificate.  Each is one clear error line with the exit code
# of the README table, and the hostile registry (tests/helper/fault-proxy.py)
# saw the request once.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"

test_require REGISTRY

start_registry || exit 1
mkdir ctx && echo hello >ctx/f && printf 'FROM scratch\nCOPY f /f\n' >ctx/Dockerfile &&
publish build --context ctx --output oci:img >/dev/null 2>&1 || exit 1
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE
login push oci:img "$REGISTRY/img:1" >/dev/null 2>&1 || exit 1
start_fault_proxy || exit 1
P=$FAULT_PROXY

# only NAME: the proxy saw exactly N requests matching METHOD PATH_ERE
seen() {
	_n=$(fault_log_count "$1" "$2") &&
	{ [ "$_n" = "$3" ] || { echo "seen: $_n $1 $2 requests, wanted $3" >&2; cat "$FAULT_LOG" >&2; false; }; }
}

test_expect_success 'a redirect loop: exit 9, one line, not retried' '
	fault_set "redirect,method=GET,path=/manifests/" && : >"$FAULT_LOG" &&
	login inspect "$P/img:1" >out 2>err; test $? = 9 &&
	test_line_count err = 1 &&
	grep "^error: too many redirects (more than 5) from .$P.$" err &&
	seen GET /manifests/ 6
'

test_expect_success 'a redirect to plain http elsewhere is refused: exit 3, not retried' '
	fault_set "redirect,to=http://registry.example.invalid/v2/img/manifests/1,method=GET,path=/manifests/" &&
	: >"$FAULT_LOG" &&
	login inspect "$P/img:1" >out 2>err; test $? = 3 &&
	test_line_count err = 1 &&
	grep "^error: refusing plain http to .registry.example.invalid. (a redirect): only loopback or --insecure-registry hosts may use it$" err &&
	seen GET /manifests/ 1
'

test_expect_success 'a redirect to another scheme is refused: exit 3' '
	fault_set "redirect,to=ftp://127.0.0.1/x,method=GET,path=/manifests/" && : >"$FAULT_LOG" &&
	login inspect "$P/img:1" >out 2>err; test $? = 3 &&
	grep "^error: refusing URL scheme .ftp. in .ftp://127.0.0.1/x.$" err &&
	seen GET /manifests/ 1
'

test_expect_success 'a manifest over its 4 MiB cap: exit 9, not retried' '
	fault_set "huge,size=5000000,method=GET,path=/manifests/" && : >"$FAULT_LOG" &&
	login inspect "$P/img:1" >out 2>err; test $? = 9 &&
	test_line_count err = 1 &&
	grep "^error: the response from .https://$P/v2/img/manifests/1. is larger than 4194304 bytes$" err &&
	seen GET /manifests/ 1
'

test_expect_success 'a 400: exit 9, not retried' '
	fault_set "400,method=GET,path=/manifests/" && : >"$FAULT_LOG" &&
	login inspect "$P/img:1" >out 2>err; test $? = 9 &&
	test_line_count err = 1 &&
	grep "answered HTTP 400 to GET manifest (BAD_REQUEST: injected fault 400)$" err &&
	seen GET /manifests/ 1
'

test_expect_success 'a 408 is retried (and heals)' '
	fault_set "408,method=GET,path=/manifests/,times=1" && : >"$FAULT_LOG" &&
	login inspect "$P/img:1" >out 2>err &&
	grep "^warning: .$P. answered HTTP 408 to GET; retrying" err &&
	test "$(fault_log_count GET /manifests/ 408)" = 1 &&
	test "$(fault_log_count GET /manifests/ 200)" -ge 1
'

test_expect_success 'a redirect loop on a blob in a copy (the multi path): exit 9' '
	fault_set "redirect,method=GET,path=/blobs/sha256:" && : >"$FAULT_LOG" &&
	login copy "$P/img:1" "$REGISTRY/copied:1" >out 2>err; test $? = 9 &&
	grep "^error: too many redirects (more than 5) from .$P.$" err &&
	! grep "gave up after\|retrying" err &&
	! grep "^error: *$" err
'

test_expect_success 'an untrusted certificate: exit 8 at once, no retry' '
	fault_set "" && : >"$FAULT_LOG" &&
	(unset SSL_CERT_FILE; login inspect --retries 6 "$P/img:1") >out 2>err; test $? = 8 &&
	test_line_count err = 1 &&
	grep "^error: cannot reach .https://$P/v2/img/manifests/1.: SSL certificate problem" err &&
	seen "*" . 0
'

test_done
