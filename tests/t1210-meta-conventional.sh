#!/bin/sh
# t1210: type=conventional, the next version from the Conventional Commits
# since the last version tag, compared with conventional-recommended-bump
# (npm, conventionalcommits preset) on every commit of generated histories.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_require GIT

# A deterministic history: N commits of messages picked by an LCG seeded
# with SEED, a tag every few commits, now and then a branch merged back.
gen_history() {
	seed=$1 n=$2 major=$3 minor=0
	git init -q "gen$seed" && (cd "gen$seed" &&
	i=0 && x=$seed &&
	while test $i -lt $n; do
		x=$(( (x * 1103515245 + 12345) % 2147483648 )) &&
		k=$(( (x / 65536) % 14 )) &&
		case $k in
		0|1|2) msg="fix: bug $i" ;;
		3|4) msg="feat: feature $i" ;;
		5) msg="feat(api)!: breaking $i" ;;
		6) msg="chore: tidy $i" ;;
		7) msg="docs: words $i" ;;
		8) msg="fix(core): $i

BREAKING CHANGE: gone $i" ;;
		9) msg="update without a type $i" ;;
		10) msg="feature: old spelling $i" ;;
		11) git checkout -q -b "b$i" && hist_commit "feat(b): on a branch $i" "b$i" &&
		    hist_commit "fix: on a branch $i" "b$i" && git checkout -q main &&
		    hist_commit "fix: meanwhile $i" && hist_merge "b$i" && msg= ;;
		12) hist_tag "v$major.$minor.$i" && minor=$((minor + 1)) && msg= ;;
		*) msg="refactor: $i" ;;
		esac &&
		if test -n "$msg"; then hist_commit "$msg"; fi &&
		i=$((i + 1)) || return 1
	done)
}

test_expect_success 'generated histories' '
	gen_history 7 40 0 && gen_history 11 40 1 && gen_history 23 30 2 &&
	test $(git -C gen7 tag | wc -l) -ge 2 &&
	test $(git -C gen11 rev-list --merges HEAD | wc -l) -ge 1
'

# The oracle: npm installs it into the trash directory (skipped when it cannot).
if command -v npm >/dev/null && command -v node >/dev/null &&
   npm install --no-audit --no-fund --silent conventional-recommended-bump \
	conventional-changelog-conventionalcommits >npm.log 2>&1 &&
   cp "$TEST_DIR/conventional-oracle.mjs" . &&
   echo HEAD | node conventional-oracle.mjs gen7 >/dev/null 2>>npm.log; then
	test_set_prereq NPMORACLE
fi

# compare_all REPO: every commit, publish meta against the oracle (one node run)
compare_all() {
	repo=$1 && : >diffs-$repo && : >pairs-$repo &&
	for c in $(git -C $repo rev-list HEAD); do
		# the tag git describe finds; of several on its commit, the highest
		tag=$(git -C $repo describe --tags --abbrev=0 $c 2>/dev/null) &&
		tag=$(git -C $repo tag --points-at "$tag^{commit}" --sort=-v:refname | head -n 1) ;
		echo "$c $tag" >>pairs-$repo || return 1
	done &&
	node conventional-oracle.mjs $repo <pairs-$repo >want-$repo &&
	test $(wc -l <want-$repo) = $(wc -l <pairs-$repo) &&
	while read c tag; do
		git -C $repo checkout -q --detach $c &&
		(cd $repo && meta_version type=conventional) || return 1
	done <pairs-$repo >got-$repo &&
	git -C $repo checkout -q main &&
	test_cmp want-$repo got-$repo
}

if test_have_prereq NPMORACLE; then
	test_expect_success 'as conventional-recommended-bump, below 1.0.0 (preMajor)' 'compare_all gen7'
	test_expect_success 'as conventional-recommended-bump, from 1.x' 'compare_all gen11'
	test_expect_success 'as conventional-recommended-bump, from 2.x' 'compare_all gen23'
else
	echo "ok $((test_count + 1)) # skip npm cannot install conventional-recommended-bump (see npm.log)"
	test_count=$((test_count + 1))
fi

test_expect_success 'known answers: feat, fix, breaking; a tagged commit is the tag' '
	git init -q k && (cd k &&
	hist_commit "fix: a" && hist_tag v1.4.0 &&
	meta_version type=conventional >../v0 &&
	hist_commit "fix: b" && meta_version type=conventional >../v1 &&
	hist_commit "feat: c" && meta_version type=conventional >../v2 &&
	hist_commit "chore!: d" && meta_version type=conventional >../v3 &&
	meta_version "type=conventional,pre=rc" >../v4) &&
	echo 1.4.0 >w0 && echo 1.4.1-dev.1 >w1 && echo 1.5.0-dev.2 >w2 &&
	echo 2.0.0-dev.3 >w3 && echo 2.0.0-rc.3 >w4 &&
	test_cmp w0 v0 && test_cmp w1 v1 && test_cmp w2 v2 && test_cmp w3 v3 && test_cmp w4 v4
'

test_expect_success 'merge commits do not count, the commits they bring do' '
	git init -q m && (cd m &&
	hist_commit "fix: a" && hist_tag v0.9.0 &&
	git checkout -q -b side && hist_commit "feat: side" s &&
	git checkout -q main && hist_commit "docs: x" && hist_merge side &&
	meta_version type=conventional >../got) &&
	echo 0.9.1-dev.3 >want && test_cmp want got
'

test_expect_success 'a pre-release pattern gives the full version; latest only on the tag' '
	(cd k && publish meta --images u/a --tags "type=conventional,pattern={{major}}.{{minor}}") >out &&
	grep "^version: 2.0.0-dev.3$" out && ! grep ":latest" out &&
	(cd k && git checkout -q v1.4.0 &&
	 publish meta --images u/a --tags "type=conventional,pattern={{major}}.{{minor}}" &&
	 git checkout -q main) >out &&
	grep "^version: 1.4$" out && grep "^  u/a:latest$" out
'

test_expect_success 'an invalid pre is bad input' '
	(cd k && test_exit_code 3 publish meta --tags "type=conventional,pre=a b") 2>err &&
	grep "^error: tags: the next version .* is not a valid semver" err &&
	test_line_count err = 1
'

test_done
