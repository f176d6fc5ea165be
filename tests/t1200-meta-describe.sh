#!/bin/sh
# t1200: type=describe, the nearest version tag as `git describe --tags
# --abbrev=7` finds it (libgit2's describe), on every commit of a history
# with branches, merges, annotated and lightweight tags; the odd cases.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_require GIT

test_expect_success 'a history with branches, merges, annotated and lightweight tags' '
	git init -q h && cd h &&
	hist_commit "one" && hist_commit "two" && hist_tag v0.1.0 &&
	hist_commit "three" &&
	git checkout -q -b feature &&
	hist_commit "f1" g && hist_commit "f2" g && hist_tag v0.2.0-rc.1 -a &&
	hist_commit "f3" g &&
	git checkout -q main &&
	hist_commit "four" && hist_tag v0.1.1 -a &&
	hist_merge feature &&
	hist_commit "five" &&
	git checkout -q -b fix v0.1.1 &&
	hist_commit "g1" h && hist_commit "g2" h &&
	git checkout -q main &&
	hist_commit "six" &&
	hist_merge fix && hist_tag v1.0.0 &&
	hist_commit "seven" && hist_commit "eight" &&
	git checkout -q -b late HEAD~1 && hist_commit "l1" l && hist_tag v1.1.0 -a &&
	git checkout -q main && hist_merge late && hist_commit "nine" &&
	cd .. &&
	test $(git -C h rev-list --all | wc -l) -ge 16
'

test_expect_success '{{raw}} is git describe --tags --abbrev=7 on every commit' '
	cd h &&
	git rev-list --all >../commits &&
	: >../diffs &&
	while read c; do
		git checkout -q --detach $c &&
		want=$(git describe --tags --abbrev=7 2>/dev/null || git rev-parse --short=7 HEAD) &&
		got=$(meta_version "type=describe,pattern={{raw}}") &&
		if test "$got" != "$want"; then echo "$c: got $got, want $want" >>../diffs; fi ||
		return 1
	done <../commits &&
	git checkout -q main &&
	cd .. &&
	cat diffs && test ! -s diffs
'

test_expect_success '{{version}}, {{major}}, {{distance}} and {{short_sha}} on every commit' '
	cd h &&
	: >../diffs &&
	while read c; do
		git checkout -q --detach $c &&
		d=$(git describe --tags --abbrev=7 --long 2>/dev/null) || continue
		tag=${d%-*-g*} && rest=${d#"$tag"-} && n=${rest%%-*} && sha=${rest#*-g} &&
		v=${tag#v} &&
		if test "$n" = 0; then want=$v; else want=$v-$n-g$sha; fi &&
		got=$(meta_version "type=describe") &&
		parts=$(meta_version "type=describe,pattern={{major}}.{{minor}}.{{patch}}-{{distance}}-{{short_sha}}") &&
		core=${v%%-*} &&
		if test "$got" != "$want" || test "$parts" != "$core-$n-$sha"; then
			echo "$c: got $got $parts, want $want $core-$n-$sha" >>../diffs
		fi || return 1
	done <../commits &&
	git checkout -q main &&
	cd .. &&
	cat diffs && test ! -s diffs
'

test_expect_success 'at distance 0 the tag version, with latest; prefix, suffix and priority apply' '
	(cd h && git checkout -q v1.0.0 &&
	 publish meta --images user/app --tags "type=describe,prefix=p-,suffix=-s" \
		--tags "type=raw,value=low,priority=1") >out 2>err &&
	git -C h checkout -q main &&
	grep "^version: p-1.0.0-s$" out &&
	grep "^  user/app:p-1.0.0-s$" out &&
	grep "^  user/app:low$" out &&
	grep "^  user/app:latest$" out
'

test_expect_success 'between tags no latest, and enable=false skips the rule' '
	(cd h && publish meta --images user/app --tags type=describe) >out &&
	! grep ":latest" out &&
	(cd h && publish meta --images user/app --tags "type=describe,enable=false" \
		--tags type=raw,value=x) >out &&
	grep "^version: x$" out
'

test_expect_success 'tags that are not versions are ignored' '
	git init -q nv && (cd nv &&
	hist_commit a && hist_tag v2.0.0 && hist_commit b && hist_tag latest &&
	hist_tag deploy-prod -a && hist_commit c && hist_tag v2-beta && hist_commit d &&
	meta_version "type=describe,pattern={{raw}}" >../got &&
	git describe --tags --abbrev=7 --match "v[0-9]*.*" >../want) &&
	test_cmp want got &&
	grep "^v2.0.0-3-g" got
'

test_expect_success 'several version tags on one commit: the highest wins' '
	git init -q multi && (cd multi &&
	hist_commit a && hist_tag v1.9.0 && hist_tag v1.10.0 -a && hist_tag v1.10.0-rc.1 &&
	meta_version type=describe >../got0 &&
	hist_commit b &&
	meta_version "type=describe,pattern={{raw}}" >../got1 &&
	git rev-parse --short=7 HEAD >../sha) &&
	echo 1.10.0 >want0 && test_cmp want0 got0 &&
	echo "v1.10.0-1-g$(cat sha)" >want1 && test_cmp want1 got1
'

test_expect_success 'no version tag at all: 0.0.0 with the distance from the root' '
	git init -q none && (cd none &&
	hist_commit a && hist_commit b && hist_tag nightly && hist_commit c &&
	meta_version type=describe >../got &&
	meta_version "type=describe,pattern={{raw}}" >../raw &&
	git rev-parse --short=7 HEAD >../sha) &&
	echo "0.0.0-3-g$(cat sha)" >want && test_cmp want got &&
	test_cmp sha raw
'

test_expect_success 'a detached HEAD is described as git does' '
	(cd h && git checkout -q --detach HEAD~2 &&
	 meta_version "type=describe,pattern={{raw}}" >../got &&
	 git describe --tags --abbrev=7 >../want && git checkout -q main) &&
	test_cmp want got
'

test_expect_success 'an empty repository: a warning, the rule skipped' '
	git init -q empty &&
	(cd empty && publish meta --tags type=describe --tags type=raw,value=fallback) >out 2>err &&
	grep "^version: fallback$" out &&
	grep "no commit yet" err
'

test_expect_success 'outside a repository: exit 5 naming the directory' '
	mkdir -p plain && (cd plain && test_exit_code 5 publish meta --tags type=describe) 2>err &&
	grep "^error: cannot open the git repository" err &&
	test_line_count err = 1
'

test_expect_success 'an unknown attribute is bad input (exit 3)' '
	(cd h && test_exit_code 3 publish meta --tags "type=describe,abbrev=9") 2>err &&
	grep "^error: tags: unknown attribute .abbrev. for type=describe" err &&
	test_line_count err = 1
'

test_expect_success 'GITHUB_SHA is the commit described' '
	(cd h && env GITHUB_SHA=$(git rev-parse v0.1.1) GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main \
		publish meta --tags type=describe) >out &&
	grep "^version: 0.1.1$" out
'

test_expect_success 'a shallow clone: a warning and the rule skipped, never a wrong version' '
	git clone -q --depth 1 "file://$TRASH/h" shallow &&
	(cd shallow && publish meta --tags type=describe --tags type=raw,value=fallback) >out 2>err &&
	grep "^version: fallback$" out &&
	grep "fetch-depth: 0" err
'

test_expect_success 'a shallow clone of a tagged commit: the tag is enough' '
	git clone -q --depth 1 --branch v1.0.0 "file://$TRASH/h" shallowtag 2>/dev/null &&
	(cd shallowtag && publish meta --tags type=describe) >out 2>err &&
	grep "^version: 1.0.0$" out
'

test_done
