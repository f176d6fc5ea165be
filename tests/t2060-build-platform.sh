#!/bin/sh
# t2060: one platform parser for build: --platform is normalised as Docker
# and containerd do (x86_64 is amd64, aarch64 and arm64/v8 are arm64,
# armhf is arm/v7, a lone architecture is on linux), picks that platform
# from a base index (a local layout here), and a malformed one is exit 3
# naming it.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-images.sh"

command -v jq >/dev/null || test_skip_all "no jq"
SOURCE_DATE_EPOCH=1600000000
export SOURCE_DATE_EPOCH

# config DIR: the image config of the one manifest in the layout DIR
config() {
	_m=$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
	cat "$1/blobs/sha256/$(jq -r .config.digest "$_m" | cut -c8-)"
}

test_expect_success BUSYBOX 'setup: a two-platform base layout (amd64, arm64)' '
	make_multiplatform_base base >/dev/null &&
	mkdir ctx && echo a >ctx/a &&
	printf "FROM example.com/base:1\nCOPY a /a\n" >ctx/Dockerfile
'

test_expect_success BUSYBOX 'aarch64, arm64 and arm64/v8 are one platform: the arm64 base' '
	publish build --context ctx --base-layout base --platform linux/aarch64 --output oci:a1 >d1 &&
	publish build --context ctx --base-layout base --platform linux/arm64/v8 --output oci:a2 >d2 &&
	publish build --context ctx --base-layout base --platform arm64 --output oci:a3 >d3 &&
	test_cmp d1 d2 && test_cmp d1 d3 &&
	config a1 | jq -e ".architecture == \"arm64\" and .os == \"linux\" and (has(\"variant\") | not)" &&
	jq -e ".manifests[0].platform == {\"architecture\": \"arm64\", \"os\": \"linux\"}" a1/index.json
'

test_expect_success BUSYBOX 'x86_64 and AMD64 are amd64' '
	publish build --context ctx --base-layout base --platform linux/amd64 --output oci:x1 >e1 &&
	publish build --context ctx --base-layout base --platform Linux/X86_64 --output oci:x2 >e2 &&
	test_cmp e1 e2 &&
	! test_cmp d1 e1 &&
	config x1 | jq -e ".architecture == \"amd64\""
'

test_expect_success BUSYBOX 'a platform the base index lacks: exit 7, named' '
	test_exit_code 7 publish build --context ctx --base-layout base --platform linux/s390x --output oci:s 2>err &&
	grep "^error: .*linux/s390x" err
'

test_expect_success 'scratch: armhf is arm/v7' '
	mkdir sctx && echo a >sctx/a && printf "FROM scratch\nCOPY a /a\n" >sctx/Dockerfile &&
	publish build --context sctx --platform linux/armhf --output oci:hf >/dev/null &&
	config hf | jq -e ".architecture == \"arm\" and .variant == \"v7\"" &&
	jq -e ".manifests[0].platform.variant == \"v7\"" hf/index.json
'

for p in linux linux/ /amd64 a/b/c/d bogus; do
	test_expect_success "malformed platform '$p': exit 3, one line naming it" '
		rm -rf bad &&
		test_exit_code 3 publish build --context sctx --platform "'"$p"'" --output oci:bad 2>err &&
		test_line_count err = 1 &&
		grep -F "error: platform '\''$p'\'' is not os/arch[/variant]" err &&
		! test -e bad/index.json
	'
done

test_done
