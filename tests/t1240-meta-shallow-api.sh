#!/bin/sh
# t1240: a shallow clone (git clone --depth 1, as actions/checkout makes)
# reads the tags and commits it lacks from the GitHub API (a fixture on
# 127.0.0.1 that answers from the whole repository with git): describe,
# conventional and paths= give what the whole clone gives; without a
# token or with a failing API, the one warning and the rule skipped.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_require GIT PYTHON

test_expect_success 'a history with branches, merges, annotated and lightweight tags' '
	git init -q full && cd full &&
	hist_commit "feat: one" svc/a/x && hist_commit "fix: two" && hist_tag v0.1.0 &&
	hist_commit "feat: three" svc/b/x &&
	git checkout -q -b side &&
	hist_commit "feat(a): s1" svc/a/x && hist_commit "fix: s2" && hist_tag v0.2.0-rc.1 -a &&
	git checkout -q main &&
	hist_commit "fix: four" svc/b/x && hist_tag v0.1.1 -a &&
	hist_merge side && hist_commit "feat!: five" svc/a/y && hist_tag svc-a/v1.0.0 &&
	hist_commit "fix: six" svc/b/x && hist_commit "docs: seven" &&
	for c in $(git rev-list HEAD); do git branch "at-$c" $c || return 1; done &&
	cd .. && test $(git -C full rev-list --all | wc -l) -ge 10
'

start_git_api full acme/app || test_skip_all "fixture server did not start"

RULES='type=describe,pattern={{raw}}
type=conventional,priority=800
type=describe,paths=svc/a,pattern=a-{{raw}},priority=700
type=conventional,tag-prefix=svc-a/v,paths=svc/a,prefix=a-conv-,priority=600
type=describe,paths=svc/b,pattern=b{{distance}},priority=500'

# versions DIR [env...]: the tags publish meta gives for RULES, on one line
versions() {
	dir=$1 && shift &&
	(cd $dir && env GITHUB_REPOSITORY=acme/app GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT \
		GITHUB_SHA=$(git rev-parse HEAD) "$@" publish meta --tags "$RULES" 2>>../err) |
	sed -n "/^tags:/,/^labels:/s/^  //p" | grep -vx latest | tr "\n" " "
}

test_expect_success 'every commit: a depth-1 clone with the API gives what the whole clone gives' '
	: >diffs &&
	for c in $(git -C full rev-list HEAD); do
		rm -rf whole shallow &&
		git clone -q --branch at-$c "file://$TRASH/full" whole &&
		git clone -q --depth 1 --branch at-$c "file://$TRASH/full" shallow &&
		test -f shallow/.git/shallow &&
		want=$(versions whole) && got=$(versions shallow GITHUB_TOKEN=t0ken) &&
		test -n "$want" &&
		if test "$got" != "$want"; then echo "$c: got $got, want $want" >>diffs; fi || return 1
	done &&
	cat diffs && test ! -s diffs &&
	! grep -i warning err
'

test_expect_success 'semver with paths on a tag event: the release before comes from the API too' '
	for t in v0.1.1 svc-a/v1.0.0; do
		for p in svc/a svc/b; do
			rm -rf whole shallow &&
			git clone -q --branch $t "file://$TRASH/full" whole 2>/dev/null &&
			git clone -q --depth 1 --branch $t "file://$TRASH/full" shallow 2>/dev/null &&
			rule="type=semver,pattern={{version}},paths=$p" &&
			case $t in svc-a/*) rule="$rule,tag-prefix=svc-a/v" ;; esac &&
			for d in whole shallow; do
				(cd $d && env GITHUB_REPOSITORY=acme/app GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT GITHUB_TOKEN=t0ken \
					GITHUB_EVENT_NAME=push GITHUB_REF=refs/tags/$t GITHUB_SHA=$(git rev-parse HEAD) \
					publish meta --tags "$rule" --tags type=raw,value=none,priority=1 2>/dev/null |
				 sed -n "s/^version: //p") >$d.v || return 1
			done &&
			echo "$t $p: $(cat whole.v) $(cat shallow.v)" || return 1
		done || return 1
	done >got &&
	cat >want <<-\EOF &&
	v0.1.1 svc/a: none none
	v0.1.1 svc/b: 0.1.1 0.1.1
	svc-a/v1.0.0 svc/a: 1.0.0 1.0.0
	svc-a/v1.0.0 svc/b: 1.0.0 1.0.0
	EOF
	test_cmp want got
'

test_expect_success 'the token goes to the API with each request, pages of 100' '
	grep "^/repos/acme/app/tags?per_page=100&page=1 Bearer t0ken$" requests.log &&
	grep "^/repos/acme/app/commits?sha=[0-9a-f]*&per_page=100&page=1 Bearer t0ken$" requests.log &&
	grep "^/repos/acme/app/commits/[0-9a-f]* Bearer t0ken$" requests.log
'

test_expect_success 'no token: the warning that asks for fetch-depth: 0, the rule skipped' '
	(cd shallow && env GITHUB_REPOSITORY=acme/app GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT \
		publish meta --tags type=describe --tags type=raw,value=fallback) >out 2>err &&
	grep "^version: fallback$" out &&
	grep "^warning: type=describe needs the whole history.*fetch-depth: 0" err &&
	test $(grep -c "^warning:" err) = 1
'

test_expect_success 'an API that fails: the reason as a notice, the same warning, never a wrong version' '
	echo fail >mode &&
	(cd shallow && env GITHUB_REPOSITORY=acme/app GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT GITHUB_TOKEN=t0ken \
		publish meta --tags type=describe --tags type=raw,value=fallback) >out 2>err &&
	echo ok >mode &&
	grep "^version: fallback$" out &&
	grep "cannot give the history of this shallow clone: GET .* answered HTTP 500" err &&
	grep "^warning: type=describe needs the whole history" err
'

test_done
