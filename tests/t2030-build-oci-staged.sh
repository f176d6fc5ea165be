#!/bin/sh
# t2030: `build --output oci:DIR` writes the layout beside DIR and moves it
# in when the build is complete; a failed build leaves no index.json that
# `publish push oci:DIR` could take for this build's image.
. "$(dirname "$0")/test-lib.sh"
command -v jq >/dev/null || test_skip_all "no jq"

test_expect_success 'setup: a context' '
	mkdir ctx &&
	echo one >ctx/a &&
	printf "FROM scratch\nCOPY a /a\n" >ctx/Dockerfile
'

test_expect_success 'a build writes the layout, and nothing is left beside it' '
	SOURCE_DATE_EPOCH=0 publish build -q --context ctx --output oci:out >d1 &&
	test "$(jq -r ".manifests[0].digest" out/index.json)" = "$(cat d1)" &&
	test -f out/oci-layout &&
	test -f "out/blobs/sha256/$(cut -c8- d1)" &&
	ls -a >ls && ! grep "^out\." ls
'

test_expect_success 'a second build replaces the layout: only its own blobs' '
	echo two >ctx/a &&
	SOURCE_DATE_EPOCH=0 publish build -q --context ctx --output oci:out/ >d2 &&
	! test_cmp d1 d2 &&
	test "$(jq -r ".manifests[0].digest" out/index.json)" = "$(cat d2)" &&
	! test -e "out/blobs/sha256/$(cut -c8- d1)" &&
	ls -a >ls && ! grep "^out\." ls
'

test_expect_success 'a failed build leaves no index.json, so push has nothing to push' '
	printf "FROM scratch\nCOPY missing /a\n" >ctx/Dockerfile &&
	test_exit_code 5 publish build -q --context ctx --output oci:out 2>err &&
	grep "missing" err &&
	! test -e out/index.json &&
	ls -a >ls && ! grep "^out\." ls &&
	test_exit_code 5 publish push oci:out 127.0.0.1:$(free_port)/x/y:1 2>err &&
	grep "cannot read .out/index.json.*is .out. an OCI layout" err
'

test_expect_success 'so does a Dockerfile that does not parse' '
	printf "FROM scratch\nCOPY a /a\n" >ctx/Dockerfile &&
	SOURCE_DATE_EPOCH=0 publish build -q --context ctx --output oci:out >/dev/null &&
	test -f out/index.json &&
	printf "FROM scratch\nFROBNICATE x\n" >ctx/Dockerfile &&
	test_must_fail publish build -q --context ctx --output oci:out 2>err &&
	! test -e out/index.json
'

test_expect_success 'a directory that is not a layout is not replaced' '
	printf "FROM scratch\nCOPY a /a\n" >ctx/Dockerfile &&
	mkdir mine && echo keep >mine/file &&
	test_exit_code 2 publish build -q --context ctx --output oci:mine 2>err &&
	grep "error: oci:mine: .mine. is neither empty nor an OCI layout" err &&
	test "$(cat mine/file)" = keep &&
	mkdir empty &&
	SOURCE_DATE_EPOCH=0 publish build -q --context ctx --output oci:empty >/dev/null &&
	test -f empty/index.json
'

test_expect_success 'missing parent directories are made, "." is refused' '
	SOURCE_DATE_EPOCH=0 publish build -q --context ctx --output oci:a/b/lay >/dev/null &&
	test -f a/b/lay/index.json &&
	test_exit_code 2 publish build -q --context ctx --output oci:a/. 2>err &&
	grep "name the layout directory" err
'

test_done
