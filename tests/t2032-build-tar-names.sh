#!/bin/sh
# t2032: layer tars carry a pax header only where ustar cannot hold a
# name (no hdrcharset=BINARY on every entry, which GNU tar warns about),
# UTF-8 names round-trip under LANG=C, and a name that is not UTF-8 is
# kept as its bytes (that entry alone is marked hdrcharset=BINARY).
. "$(dirname "$0")/test-lib.sh"
command -v jq >/dev/null || test_skip_all "no jq"
tar --version 2>/dev/null | grep -q "GNU tar" || test_skip_all "GNU tar is needed"
SOURCE_DATE_EPOCH=1600000000
export SOURCE_DATE_EPOCH

layer_tar() {
	_m=$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
	gzip -dc <"$1/blobs/sha256/$(jq -r ".layers[0].digest" "$_m" | cut -c8-)"
}

test_expect_success 'setup: ASCII, UTF-8 and long names' '
	mkdir -p ctx/dir &&
	echo a >ctx/plain.txt &&
	echo b >"ctx/$(printf "caf\303\251")" &&
	echo c >"ctx/dir/$(printf "\346\227\245\346\234\254\350\252\236")" &&
	long=$(printf "%0150d" 0 | tr 0 n) &&
	echo d >"ctx/dir/$long" &&
	printf "FROM scratch\nCOPY . /app/\n" >ctx/Dockerfile &&
	(cd ctx && find . -type f | LC_ALL=C sort) >want
'

test_expect_success 'GNU tar lists the layer without a warning' '
	publish build -q --context ctx --output oci:out >/dev/null &&
	layer_tar out >layer.tar &&
	tar -tvf layer.tar >list 2>err &&
	! test -s err &&
	! grep -a hdrcharset layer.tar &&
	grep "app/plain.txt" list
'

test_expect_success 'an ASCII name that fits needs no pax header' '
	! grep -a "PaxHeader/plain.txt" layer.tar &&
	grep -a "path=app/caf" layer.tar
'

test_expect_success 'UTF-8 and long names round-trip' '
	mkdir x && tar -xf layer.tar -C x 2>err &&
	! test -s err &&
	(cd x/app && find . -type f | LC_ALL=C sort) >got &&
	test_cmp want got &&
	test "$(cat "x/app/$(printf "caf\303\251")")" = b
'

test_expect_success 'a name that is not UTF-8 is kept as its bytes' '
	mkdir bad && echo e >"bad/$(printf "l\351gacy")" && echo f >bad/ok &&
	printf "FROM scratch\nCOPY . /b/\n" >bad/Dockerfile &&
	publish build -q --context bad --output oci:outb >/dev/null &&
	layer_tar outb >b.tar &&
	test "$(grep -a -c "hdrcharset=BINARY" b.tar)" = 1 &&
	mkdir y && tar -xf b.tar -C y 2>err &&
	test "$(cat "y/b/$(printf "l\351gacy")")" = e &&
	test "$(cat y/b/ok)" = f
'

test_done
