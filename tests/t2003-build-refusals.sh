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

# run_case N: the Nth case's fields into case.name, case.line, case.exit, case.grep, ctx/Dockerfile
split_case() {
	awk -v n="$1" '
		/^### / { c++; if (c == n) print substr($0, 5) >"case.name"; next }
		c != n { next }
		/^line: / && !body { print substr($0, 7) >"case.line"; next }
		/^exit: / && !body { print substr($0, 7) >"case.exit"; next }
		/^grep: / && !body { print substr($0, 7) >"case.grep"; next }
		{ body = 1; print >"ctx/Dockerfile" }
	' "$CASES"
}

n=$(grep -c "^### " "$CASES")
i=1
while [ $i -le $n ]; do
	rm -f case.name case.line case.exit case.grep ctx/Dockerfile
	: >case.grep
	split_case $i
	test_expect_success "$(cat case.name)" '
		rm -rf out &&
		test_expect_rc=$(cat case.exit) &&
		test_exit_code "$test_expect_rc" publish build --context ctx --output oci:out >stdout 2>stderr &&
		cat stderr &&
		test_line_count stderr = 1 &&
		grep "^error: .*Dockerfile:$(cat case.line)\\b" stderr &&
		while read -r g; do grep -F -- "$g" stderr || exit 1; done <case.grep &&
		! test -s stdout &&
		! test -f out/index.json
	'
	i=$((i + 1))
done

test_done
