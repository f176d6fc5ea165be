#!/bin/sh
# t2003: every refused instruction and malformed line gives one message
# naming Dockerfile:LINE and the documented exit code, and writes nothing.
# The cases are data: tests/data/dockerfile-refusals.txt.
. "$(dirname "$0")/test-lib.sh"

SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH

CASES=$TEST_DIR/data/dockerfile-refusals.txt

mkdir ctx && echo a >ctx/a && echo b >ctx/b && echo i >ctx/ignored.txt &&
echo ignored.txt >ctx/.dockerignore || exit 1

n=$(casefile_count "$CASES") || exit 1
i=1
while [ $i -le $n ]; do
	rm -rf case && name=$(casefile_split "$CASES" $i case) || exit 1
	: >>case/grep.field
	cp case/Dockerfile ctx/Dockerfile || exit 1
	test_expect_success "$name" '
		rm -rf out &&
		test_expect_rc=$(cat case/exit.field) &&
		test_exit_code "$test_expect_rc" publish build --context ctx --output oci:out >stdout 2>stderr &&
		cat stderr &&
		test_line_count stderr = 1 &&
		grep "^error: .*Dockerfile:$(cat case/line.field)\\b" stderr &&
		while read -r g; do grep -F -- "$g" stderr || exit 1; done <case/grep.field &&
		! test -s stdout &&
		! test -f out/index.json
	'
	i=$((i + 1))
done

test_done
