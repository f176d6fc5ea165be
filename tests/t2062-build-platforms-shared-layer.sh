#!/bin/sh
# t2062: in a multi-platform build a layer whose content is the same for
# every platform (COPY of the same tracked files) is built once: the
# later platforms take it from the first one's layout as --reuse-from
# would ("reused"), while a per-platform file (COPY bin-${TARGETARCH})
# is built for each.  The index is byte for byte the one of platforms
# built alone.  A --reuse-from the caller gives still wins (an image's
# layout: build.c reads no index there yet).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_multiplatform_base base >/dev/null || exit 1
push_base base base-multi:1 >/dev/null || exit 1
SSL_CERT_FILE=$REGISTRY_CA
SOURCE_DATE_EPOCH=1600000000
export SSL_CERT_FILE SOURCE_DATE_EPOCH

build() {
	publish build --context ctx -f ctx/Dockerfile --build-arg "BASE=$REGISTRY/base-multi:1" "$@"
}

test_expect_success 'setup: a tracked context, shared files and one file per architecture' '
	mkdir -p ctx/share &&
	for i in 1 2 3; do echo "shared $i" >ctx/share/f$i || return 1; done &&
	echo "amd64 binary" >ctx/bin-amd64 &&
	echo "arm64 binary" >ctx/bin-arm64 &&
	cat >ctx/Dockerfile <<-\EOF &&
	ARG BASE
	FROM ${BASE}
	ARG TARGETARCH
	COPY share /usr/share/app/
	COPY bin-${TARGETARCH} /usr/bin/app
	EOF
	git -C ctx init -q && git -C ctx add -A && git -C ctx commit -q -m context
'

test_expect_success 'two platforms: the shared layer is built once, the per-arch one twice' '
	build --platform linux/amd64,linux/arm64 --output oci:multi >multi.digest 2>err &&
	grep "^platform linux/arm64" err &&
	sed -n "/^platform linux\/arm64/,\$p" err >arm.err &&
	grep "Dockerfile:4 COPY: sha256:.*, reused$" arm.err &&
	! grep "Dockerfile:5 COPY: .*reused" arm.err &&
	sed -n "1,/^platform linux\/arm64/p" err >amd.err &&
	! grep "reused" amd.err
'

test_expect_success 'the index lists the images each platform built alone gives' '
	build --platform linux/amd64 --output oci:amd >amd.digest 2>/dev/null &&
	build --platform linux/arm64 --output oci:arm >arm.digest 2>/dev/null &&
	idx=$(oci_blob multi "$(cat multi.digest)") &&
	jq -r ".manifests[].digest" "$idx" >got &&
	cat amd.digest arm.digest >expect &&
	test_cmp expect got &&
	a=$(jq -r ".layers[-2].digest" "$(oci_blob amd "$(cat amd.digest)")") &&
	b=$(jq -r ".layers[-2].digest" "$(oci_blob arm "$(cat arm.digest)")") &&
	test "$a" = "$b"
'

test_expect_success 'a --reuse-from given wins: each platform reuses from it what it can' '
	build --platform linux/amd64,linux/arm64 --reuse-from amd --output oci:again >again.digest 2>err &&
	test_cmp multi.digest again.digest &&
	sed -n "1,/^platform linux\/arm64/p" err >amd.err &&
	test "$(grep -c "COPY: sha256:.*, reused$" amd.err)" = 2 &&
	sed -n "/^platform linux\/arm64/,\$p" err >arm.err &&
	grep "Dockerfile:4 COPY: sha256:.*, reused$" arm.err &&
	! grep "Dockerfile:5 COPY: .*reused" arm.err
'

test_done
