#!/bin/sh
# t2053: a file's git blob id stands for its bytes only when no git
# filter applies; the per-file attribute lookup is skipped when no
# attribute can apply at all, so each place an attribute may come from
# (an untracked or ignored .gitattributes, one above the context,
# info/attributes, core.attributesFile, core.autocrlf; one in an ignored
# directory that holds a tracked file) must bring the lookup back.  b/g.txt is checked out again under `text eol=crlf`: its
# bytes (CRLF) are no longer its blob's (LF), though git calls it clean.
# The key recorded for its layer must be that of its bytes (the key of
# the same bytes committed as they are, without a filter), not one from
# its blob's id; the next build reuses every layer, the same image.
. "$(dirname "$0")/test-lib.sh"

command -v jq >/dev/null || test_skip_all "no jq"

# keys LAYOUT: the layer keys its image records
keys() { jq -r ".manifests[0].digest" "$1/index.json" | cut -c8- >.m &&
	jq -r ".annotations[\"dev.publish-action.layer-keys\"]" "$1/blobs/sha256/$(cat .m)"; }
reused() { sed -n 's/^.*Dockerfile:\([0-9]*\) [A-Z]*: .*, reused$/\1/p' "$1" | tr '\n' ' '; }

test_expect_success 'setup: a context in a subdirectory, three layers, a previous build' '
	git init -q repo && mkdir -p repo/ctx/a repo/ctx/b repo/ctx/c &&
	echo one >repo/ctx/a/f && echo two >repo/ctx/b/g.txt && echo three >repo/ctx/c/h &&
	printf "%s\n" "FROM scratch" "COPY a /a/" "COPY b /b/" "COPY c /c/" >repo/ctx/Dockerfile &&
	echo "**/.gitattributes" >repo/ctx/.dockerignore &&
	(cd repo && git add -A && git commit -qm one) &&
	# the same context with g.txt committed as CRLF bytes, no filter
	git init -q bytes && cp -R repo/ctx bytes/ && printf "two\r\n" >bytes/ctx/b/g.txt &&
	(cd bytes && git add -A && git commit -qm crlf) &&
	publish build --context bytes/ctx --output oci:plain >/dev/null 2>&1 &&
	keys plain >want &&
	publish build --context repo/ctx --output oci:prev >d0 2>err &&
	PUBLISH_REUSE_FROM=prev publish build --context repo/ctx >d1 2>err &&
	test "$(reused err)" = "2 3 4 " &&
	test_cmp d0 d1
'

# check: b/g.txt under its attribute, checked out again (CRLF), a full
# build of that, then one reusing from it: all reused, the same image;
# restore: the attribute gone (the caller), g.txt checked out as it was
check() {
	rm repo/ctx/b/g.txt && git -C repo checkout -q ctx/b/g.txt &&
	grep -q "$(printf "\r")" repo/ctx/b/g.txt &&
	test -z "$(git -C repo status --porcelain --untracked-files=no)" &&
	rm -rf crlf && publish build --context repo/ctx --output oci:crlf >f 2>/dev/null &&
	! test_cmp d0 f >/dev/null &&
	keys crlf >got && test_cmp want got &&
	PUBLISH_REUSE_FROM=crlf publish build --context repo/ctx >d 2>err &&
	test "$(reused err)" = "2 3 4 " &&
	test_cmp f d
}
restore() { rm repo/ctx/b/g.txt && git -C repo checkout -q ctx/b/g.txt && ! grep -q "$(printf "\r")" repo/ctx/b/g.txt; }

test_expect_success 'an untracked .gitattributes in the context' '
	echo "*.txt text eol=crlf" >repo/ctx/b/.gitattributes && check &&
	rm repo/ctx/b/.gitattributes && restore
'

test_expect_success 'an ignored .gitattributes in the context' '
	echo "*.txt text eol=crlf" >repo/ctx/.gitattributes && echo .gitattributes >repo/.gitignore &&
	check && rm repo/ctx/.gitattributes repo/.gitignore && restore
'

test_expect_success 'an ignored directory holding a tracked file and its own .gitattributes (not walked when it holds none)' '
	echo "ctx/b/" >repo/.gitignore && git -C repo ls-files ctx/b | grep -q g.txt &&
	echo "*.txt text eol=crlf" >repo/ctx/b/.gitattributes && check &&
	rm repo/ctx/b/.gitattributes repo/.gitignore && restore
'

test_expect_success 'an untracked .gitattributes above the context' '
	echo "*.txt text eol=crlf" >repo/.gitattributes && check && rm repo/.gitattributes && restore
'

test_expect_success 'info/attributes' '
	echo "*.txt text eol=crlf" >repo/.git/info/attributes && check && rm repo/.git/info/attributes && restore
'

test_expect_success 'core.attributesFile' '
	echo "*.txt text eol=crlf" >attrs && git -C repo config core.attributesFile "$TRASH/attrs" &&
	check && git -C repo config --unset core.attributesFile && restore
'

test_expect_success 'core.autocrlf: every file may be filtered, so each is read: the same bytes, all reused' '
	git -C repo config core.autocrlf true &&
	PUBLISH_REUSE_FROM=prev publish build --context repo/ctx >d 2>err &&
	test "$(reused err)" = "2 3 4 " &&
	test_cmp d0 d &&
	git -C repo config core.autocrlf false &&
	PUBLISH_REUSE_FROM=prev publish build --context repo/ctx >d 2>err &&
	test "$(reused err)" = "2 3 4 "
'

test_done
