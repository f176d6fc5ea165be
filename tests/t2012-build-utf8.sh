#!/bin/sh
# t2012: the image config is JSON, UTF-8 only (issue 13).  Invalid UTF-8
# written in the Dockerfile is refused with Dockerfile:LINE (cases in
# tests/data/dockerfile-refusals.txt); here: a --build-arg value an ARG
# takes is refused naming the option (exit 3), and valid UTF-8 arrives
# in the config intact.
. "$(dirname "$0")/test-lib.sh"

SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH

command -v jq >/dev/null || test_skip_all "no jq"
mkdir ctx || exit 1

# config_of LAYOUT: the config blob of the layout's only image
config_of() {
	m=$1/blobs/sha256/$(jq -r ".manifests[0].digest" "$1/index.json" | cut -c8-) &&
	echo "$1/blobs/sha256/$(jq -r ".config.digest" "$m" | cut -c8-)"
}

test_expect_success 'a --build-arg value that is not UTF-8 is refused, naming the option' '
	printf "FROM scratch\nARG V\nLABEL v=\$V\n" >ctx/Dockerfile &&
	test_exit_code 3 publish build --context ctx --build-arg "V=$(printf "a\377")" --output oci:out 2>stderr &&
	cat stderr &&
	test_line_count stderr = 1 &&
	grep "^error: --build-arg V: invalid UTF-8 (byte 0xff at offset 1)" stderr &&
	! test -f out/index.json
'

test_expect_success 'a global ARG takes the same check' '
	printf "ARG V\nFROM scratch\n" >ctx/Dockerfile &&
	test_exit_code 3 publish build --context ctx --build-arg "V=$(printf "\303\050")" --output oci:out 2>stderr &&
	grep "^error: --build-arg V: invalid UTF-8" stderr
'

test_expect_success 'valid UTF-8 reaches the config unchanged, JSON and shell form' '
	printf "FROM scratch\nARG V\nLABEL k=\"한국어 \$V\"\nENV E=ü\nCMD [\"écho\", \"日本\"]\nENTRYPOINT /bin/x ÿ\n" >ctx/Dockerfile &&
	publish build --context ctx --build-arg "V=ñ" --output oci:ok &&
	c=$(config_of ok) &&
	test "$(jq -r ".config.Labels.k" "$c")" = "한국어 ñ" &&
	jq -e ".config.Env | index(\"E=ü\")" "$c" &&
	test "$(jq -c ".config.Cmd" "$c")" = "[\"écho\",\"日本\"]" &&
	test "$(jq -c ".config.Entrypoint" "$c")" = "[\"/bin/sh\",\"-c\",\"/bin/x ÿ\"]"
'

test_done
