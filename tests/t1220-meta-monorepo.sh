#!/bin/sh
# t1220: the monorepo attributes: tag-prefix= on describe, conventional and
# semver (history/v0.3.1, history@0.3.1), paths= on describe and
# conventional (only commits touching them count) and on semver (the tag
# applies when the paths changed since the release before), checked against git
# describe --match, git rev-list -- PATHS and conventional-recommended-bump.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_require GIT

test_expect_success 'a repository of services with per-service tags' '
	git init -q mono && cd mono &&
	hist_commit "chore: start" README &&
	hist_commit "feat: history service" services/history/main.c && hist_tag history/v0.3.1 -a &&
	hist_commit "feat: video service" services/video/main.c && hist_tag video@1.0.0 &&
	hist_commit "fix: common" libs/common/a.c && hist_tag v2.0.0 &&
	git checkout -q -b side &&
	hist_commit "feat(video): faster" services/video/main.c &&
	hist_commit "fix(history): leak" services/history/main.c &&
	git checkout -q main &&
	hist_commit "docs: readme" README &&
	hist_merge side && hist_tag history/v0.3.2 &&
	hist_commit "feat(history)!: new api" services/history/api.c &&
	hist_commit "fix: common again" libs/common/a.c &&
	hist_commit "fix(video): x" services/video/main.c && hist_tag video@1.1.0 -a &&
	hist_commit "chore: ci" .github/ci.yml &&
	cd .. && test $(git -C mono rev-list HEAD | wc -l) -ge 12
'

test_expect_success 'describe with tag-prefix is git describe --match PREFIX* on every commit' '
	cd mono && : >../diffs &&
	for c in $(git rev-list HEAD); do
		git checkout -q --detach $c &&
		for p in history/v video@; do
			# a docker tag has no "/" or "@": publish meta writes "-" for them
			want=$(git describe --tags --abbrev=7 --match "$p*" 2>/dev/null | tr "/@" "--") &&
			test -n "$want" || continue
			got=$(meta_version "type=describe,tag-prefix=$p,pattern={{raw}}") &&
			if test "$got" != "$want"; then echo "$c $p: got $got, want $want" >>../diffs; fi ||
			return 1
		done || return 1
	done &&
	git checkout -q main && cd .. &&
	cat diffs && test ! -s diffs
'

test_expect_success 'the prefix is removed before the version is read' '
	(cd mono && meta_version "type=describe,tag-prefix=video@,pattern={{major}}.{{minor}}" &&
	 meta_version "type=describe,tag-prefix=history/v") >got &&
	sha=$(git -C mono rev-parse --short=7 HEAD) &&
	printf "1.1\n0.3.2-4-g%s\n" $sha >want &&
	test_cmp want got
'

test_expect_success 'paths: only commits touching them count toward the distance' '
	cd mono && : >../diffs &&
	for c in $(git rev-list HEAD); do
		git checkout -q --detach $c &&
		tag=$(git describe --tags --abbrev=0 --match "history/v*" 2>/dev/null) || continue
		n=$(git rev-list --count --no-merges $tag..HEAD -- services/history libs/common) &&
		if test $n = 0; then want=${tag#history/v}; else want=${tag#history/v}-$n-g$(git rev-parse --short=7 HEAD); fi &&
		got=$(meta_version "type=describe,tag-prefix=history/v,paths=services/history,libs/common") &&
		if test "$got" != "$want"; then echo "$c: got $got, want $want" >>../diffs; fi ||
		return 1
	done &&
	git checkout -q main && cd .. &&
	cat diffs && test ! -s diffs
'

test_expect_success 'conventional: the bump from the paths commits only' '
	(cd mono &&
	 meta_version "type=conventional,tag-prefix=video@,paths=services/video" &&
	 git checkout -q HEAD~1 &&
	 meta_version "type=conventional,tag-prefix=video@,paths=services/video" &&
	 meta_version "type=conventional,tag-prefix=history/v,paths=services/history" &&
	 meta_version "type=conventional,tag-prefix=history/v,paths=services/video" &&
	 git checkout -q main) >got &&
	printf "1.1.0\n1.1.0\n0.4.0-dev.1\n0.3.3-dev.1\n" >want &&
	test_cmp want got
'

test_expect_success 'semver with tag-prefix: only tags with the prefix, the prefix removed' '
	(cd mono &&
	 env GITHUB_REF=refs/tags/history/v0.3.2 GITHUB_EVENT_NAME=push \
		publish meta --tags "type=semver,pattern={{major}}.{{minor}},tag-prefix=history/v" &&
	 env GITHUB_REF=refs/tags/video@1.1.0 GITHUB_EVENT_NAME=push \
		publish meta --tags "type=semver,pattern={{version}},tag-prefix=history/v" \
		--tags type=raw,value=none) >out 2>err &&
	grep "^version: 0.3$" out &&
	grep "^version: none$" out
'

test_expect_success 'semver with paths: the tag applies when a commit since the release before changed them' '
	git init -q rel && (cd rel &&
	hist_commit "feat: a" svc/a/x && hist_commit "feat: b" svc/b/x && hist_tag v1.0.0 &&
	hist_commit "fix: a" svc/a/x && hist_tag v1.1.0 -a && hist_tag v1.1.1 &&
	for t in v1.0.0 v1.1.0 v1.1.1; do
		for p in svc/a svc/b; do
			echo "$t $p: $(env GITHUB_REF=refs/tags/$t GITHUB_EVENT_NAME=push GITHUB_SHA=$(git rev-parse $t^{commit}) \
				publish meta --tags "type=semver,pattern={{version}},paths=$p" \
				--tags "type=raw,value=none,priority=1" 2>>../err | sed -n "s/^version: //p")" || return 1
		done || return 1
	done) >got &&
	cat >want <<-\EOF &&
	v1.0.0 svc/a: 1.0.0
	v1.0.0 svc/b: 1.0.0
	v1.1.0 svc/a: 1.1.0
	v1.1.0 svc/b: none
	v1.1.1 svc/a: 1.1.1
	v1.1.1 svc/b: none
	EOF
	test_cmp want got &&
	grep "^type=semver,pattern={{version}},paths=svc/b: no commit since v1.0.0 changes svc/b, the rule is skipped$" err
'

test_expect_success 'semver with tag-prefix and paths: the previous tag of the same prefix' '
	(cd mono &&
	 for p in services/history .github; do
		env GITHUB_REF=refs/tags/history/v0.3.2 GITHUB_EVENT_NAME=push GITHUB_SHA=$(git rev-parse history/v0.3.2) \
		publish meta --tags "type=semver,pattern={{version}},tag-prefix=history/v,paths=$p" \
			--tags "type=raw,value=none,priority=1" | sed -n "s/^version: //p" || return 1
	 done) >got 2>err &&
	printf "0.3.2\nnone\n" >want &&
	test_cmp want got &&
	grep "no commit since history/v0.3.1 changes .github" err
'

test_expect_success 'without a tag-prefix, a service tag (video@1.0.0) is not a version tag' '
	(cd mono && git checkout -q --detach v2.0.0 &&
	 meta_version "type=describe" && git checkout -q HEAD~1 && meta_version "type=describe" &&
	 git checkout -q main) >got &&
	printf "2.0.0\n0.0.0-3-g%s\n" $(git -C mono rev-parse --short=7 v2.0.0~1) >want &&
	test_cmp want got
'

test_expect_success 'a tag-prefix that matches no tag is bad input (exit 3)' '
	(cd mono && test_exit_code 3 publish meta --tags "type=describe,tag-prefix=nope/v") 2>err &&
	grep "^error: tags: tag-prefix .nope/v. matches no tag of the repository" err &&
	test_line_count err = 1
'

# conventional-recommended-bump with a tag prefix and paths (npm, skipped when it cannot install)
if command -v npm >/dev/null && command -v node >/dev/null &&
   npm install --no-audit --no-fund --silent conventional-recommended-bump \
	conventional-changelog-conventionalcommits >npm.log 2>&1 &&
   cp "$TEST_DIR/conventional-oracle.mjs" . &&
   echo HEAD | node conventional-oracle.mjs mono >/dev/null 2>>npm.log; then
	test_set_prereq NPMORACLE
fi

test_expect_success NPMORACLE 'conventional with tag-prefix and paths as conventional-recommended-bump' '
	: >pairs &&
	for c in $(git -C mono rev-list HEAD); do
		tag=$(git -C mono describe --tags --abbrev=0 --match "history/v*" $c 2>/dev/null) || continue
		echo "$c $tag" >>pairs || return 1
	done &&
	node conventional-oracle.mjs mono history/v services/history libs/common <pairs >want &&
	while read c tag; do
		git -C mono checkout -q --detach $c &&
		(cd mono && meta_version "type=conventional,tag-prefix=history/v,paths=services/history,libs/common") ||
		return 1
	done <pairs >got &&
	git -C mono checkout -q main &&
	test $(wc -l <got) -ge 8 &&
	test_cmp want got
'

test_done
