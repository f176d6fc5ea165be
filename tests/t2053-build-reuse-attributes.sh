#!/bin/sh
# t2053: a file's git blob id stands for its bytes only when no git
# filter applies; the per-file attribute lookup is skipped when no
# attribute can apply at all, so each place an attribute may come from
# (an untracked or ignored .gitattributes, one above the context,
# info/attributes, core.attributesFile, core.autocrlf) must bring the
# lookup back: the filtered file's layer is built, the others reused.
. "$(dirname "$0")/test-lib.sh"

command -v jq >/dev/null || test_skip_all "no jq"

reused() { sed -n 's/^.*Dockerfile:\([0-9]*\) [A-Z]*: .*, reused$/\1/p' "$1" | tr '\n' ' '; }

test_expect_success 'setup: a context in a subdirectory, three layers, a previous build' '
	git init -q repo && mkdir -p repo/ctx/a repo/ctx/b repo/ctx/c &&
	echo one >repo/ctx/a/f && echo two >repo/ctx/b/g.txt && echo three >repo/ctx/c/h &&
	printf "%s\n" "FROM scratch" "COPY a /a/" "COPY b /b/" "COPY c /c/" >repo/ctx/Dockerfile &&
	echo "**/.gitattributes" >repo/ctx/.dockerignore &&
	(cd repo && git add -A && git commit -qm one) &&
	publish build --context repo/ctx --output oci:prev >d0 2>err &&
	PUBLISH_REUSE_FROM=prev publish build --context repo/ctx >d1 2>err &&
	test "$(reused err)" = "2 3 4 " &&
	test_cmp d0 d1
'

# check: b/g.txt has an attribute (ident): its layer alone is built, the
# image is the same (.dockerignore keeps the attribute files out)
check() {
	PUBLISH_REUSE_FROM=prev publish build --context repo/ctx >d 2>err &&
	test "$(reused err)" = "2 4 " &&
	test_cmp d0 d
}

test_expect_success 'an untracked .gitattributes in the context' '
	echo "*.txt ident" >repo/ctx/b/.gitattributes && check &&
	rm repo/ctx/b/.gitattributes
'

test_expect_success 'an ignored .gitattributes in the context' '
	echo "*.txt ident" >repo/ctx/.gitattributes && echo .gitattributes >repo/.gitignore &&
	check && rm repo/ctx/.gitattributes repo/.gitignore
'

test_expect_success 'an untracked .gitattributes above the context' '
	echo "*.txt ident" >repo/.gitattributes && check && rm repo/.gitattributes
'

test_expect_success 'info/attributes' '
	echo "*.txt ident" >repo/.git/info/attributes && check && rm repo/.git/info/attributes
'

test_expect_success 'core.attributesFile' '
	echo "*.txt ident" >attrs && git -C repo config core.attributesFile "$TRASH/attrs" &&
	check && git -C repo config --unset core.attributesFile
'

test_expect_success 'core.autocrlf: every file may be filtered, nothing reused' '
	git -C repo config core.autocrlf true &&
	PUBLISH_REUSE_FROM=prev publish build --context repo/ctx >d 2>err &&
	test "$(reused err)" = "" &&
	git -C repo config core.autocrlf false &&
	PUBLISH_REUSE_FROM=prev publish build --context repo/ctx >d 2>err &&
	test "$(reused err)" = "2 3 4 "
'

test_done
