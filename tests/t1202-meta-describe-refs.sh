#!/bin/sh
# t1202: type=describe reads the tag refs itself (src/git/gittags.c), in
# every state git keeps them: loose files (what `git fetch` writes for
# actions/checkout with fetch-depth: 0), packed-refs with and without its
# peel traits, a loose tag hiding a packed one, tags in subdirectories,
# a symbolic tag, a linked worktree, lock files and broken refs; on each,
# {{raw}} is `git describe --tags --abbrev=7` on every commit.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_require GIT

# every commit of the repository in the current directory described by
# publish and by git, with no tag prefix and with tag-prefix=rel/v (tags
# in a subdirectory); the differences into ../diffs (empty: all agree)
describe_all() {
	: >../diffs &&
	git rev-list --branches >../commits &&
	while read c; do
		want=$(git describe --tags --abbrev=7 --match "[v0-9]*.[0-9]*.[0-9]*" $c 2>/dev/null ||
			git rev-parse --short=7 $c) &&
		got=$(describe_one $c "") &&
		if test "$got" != "$want"; then echo "$c: got $got, want $want" >>../diffs; fi &&
		# a docker tag has no "/": publish meta writes "-" for it
		want=$(git describe --tags --abbrev=7 --match "rel/v*" $c 2>/dev/null | tr / -) &&
		if test -n "$want"; then
			got=$(describe_one $c ",tag-prefix=rel/v") &&
			if test "$got" != "$want"; then echo "$c rel/v: got $got, want $want" >>../diffs; fi
		fi || return 1
	done <../commits &&
	cat ../diffs && test ! -s ../diffs
}

describe_one() {
	env GITHUB_SHA=$1 GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main \
		publish meta --tags "type=describe$2,pattern={{raw}}" 2>>../meta.err |
		sed -n "s/^version: //p"
}

test_expect_success 'a history with annotated and lightweight tags, some in subdirectories' '
	git init -q h && cd h &&
	hist_commit one && hist_tag v0.1.0 -a &&
	hist_commit two && hist_commit three && hist_tag v0.2.0 &&
	git checkout -q -b side && hist_commit s1 s && hist_tag v0.3.0-rc.1 -a && hist_commit s2 s &&
	git checkout -q main && hist_commit four && hist_tag v0.2.1 -a &&
	hist_merge side && hist_commit five && hist_tag rel/v1.0.0 &&
	hist_commit six && hist_tag rel/v1.1.0 -a && hist_commit seven &&
	cd .. &&
	test -f h/.git/refs/tags/v0.1.0 && test ! -f h/.git/packed-refs
'

test_expect_success 'loose tags: as git describe on every commit' '
	(cd h && describe_all)
'

test_expect_success 'packed tags with peeled lines: as git describe on every commit' '
	cp -R h packed && (cd packed && git pack-refs --all &&
	test ! -f .git/refs/tags/v0.1.0 && grep "^\^" .git/packed-refs && describe_all)
'

test_expect_success 'packed-refs without its traits (tags peeled by reading them)' '
	cp -R packed untraited && (cd untraited &&
	grep -v "^#" .git/packed-refs | grep -v "^\^" >pr && mv pr .git/packed-refs &&
	describe_all)
'

test_expect_success 'a loose tag hides the packed one of the same name' '
	cp -R packed mixed && (cd mixed &&
	git tag -f -a -m moved v0.2.0 HEAD~1 >/dev/null && test -f .git/refs/tags/v0.2.0 &&
	grep "refs/tags/v0.2.0$" .git/packed-refs &&
	git tag v0.4.0 side && describe_all)
'

test_expect_success 'a fetch with fetch-depth: 0 as actions/checkout does it: loose tags, objects in a pack' '
	git init -q fetched && (cd fetched &&
	git remote add origin "file://$TRASH/h" &&
	git -c fetch.unpackLimit=1 fetch -q --no-tags origin "+refs/heads/*:refs/remotes/origin/*" "+refs/tags/*:refs/tags/*" &&
	test -f .git/refs/tags/v0.2.1 && test ! -f .git/packed-refs &&
	ls .git/objects/pack/*.pack >/dev/null &&
	describe_all)
'

test_expect_success 'a symbolic tag names the commit of its target' '
	cp -R h sym && (cd sym &&
	git branch rel main~1 && git symbolic-ref refs/tags/v3.0.0 refs/heads/rel &&
	git describe --tags --match "v*" main | grep "^v3.0.0-1-g" && describe_all)
'

test_expect_success 'lock files and broken refs are not tags' '
	cp -R h broken && (cd broken &&
	git rev-parse main >.git/refs/tags/v9.0.0-rc.lock &&
	echo garbage >.git/refs/tags/v9.2.0 &&
	echo 0000000000000000000000000000000000000000 >.git/refs/tags/v9.4.0 &&
	mkdir .git/refs/tags/v9.3.0 &&
	describe_all &&
	publish meta --tags "type=describe,pattern={{raw}}" 2>/dev/null >out &&
	! grep "v9\." out)
'

test_expect_success 'a linked worktree reads the tags of the common directory' '
	(cd h && git worktree add -q --detach ../wt main~2) &&
	(cd wt && describe_all)
'

test_done
