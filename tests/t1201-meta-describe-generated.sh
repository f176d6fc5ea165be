#!/bin/sh
# t1201: type=describe against `git describe --tags` on every commit of
# generated histories (git fast-import): several branches merged into each
# other, annotated and lightweight tags, tags that are not versions,
# commits with the same date and dates that go backwards (clock skew); and
# the commits since the tag (paths=) against `git rev-list --no-merges`.
. "$(dirname "$0")/test-lib.sh"
test_require GIT

# gen_stream SEED N: a fast-import stream of N commits on four branches;
# every commit changes the file f, a tenth also services/a/x
gen_stream() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed); t = 1577836800; nb = 4; tags = 0
		for (i = 1; i <= n; i++) {
			r = rand()
			if (r < 0.15) { } else if (r < 0.2) t -= 3600; else t += 60
			b = (i == 1) ? 0 : int(rand() * nb)
			printf "commit refs/heads/b%d\nmark :%d\n", b, i
			printf "committer C <c@example.com> %d +0000\ndata <<EOM\nc%d\nEOM\n", t, i
			if (tip[b]) printf "from :%d\n", tip[b]
			else if (i > 1) printf "from :%d\n", tip[0]
			o = int(rand() * nb)
			if (i > 1 && rand() < 0.2 && o != b && tip[o] && tip[o] != tip[b])
				printf "merge :%d\n", tip[o]
			printf "M 100644 inline f\ndata <<EOM\n%d\nEOM\n", i
			if (rand() < 0.1) printf "M 100644 inline services/a/x\ndata <<EOM\n%d\nEOM\n", i
			printf "\n"
			tip[b] = i
			r = rand()
			if (r < 0.06) {
				tags++
				printf "reset refs/tags/v%d.%d.0\nfrom :%d\n\n", int(tags / 10), tags % 10, i
			} else if (r < 0.12) {
				tags++
				printf "tag v%d.%d.0\nfrom :%d\ntagger T <t@example.com> %d +0000\ndata <<EOM\nrelease\nEOM\n\n", int(tags / 10), tags % 10, i, t
			} else if (r < 0.15) {
				printf "reset refs/tags/nightly-%d\nfrom :%d\n\n", i, i
			}
		}
	}'
}

# compare REPO: every commit, described by publish (GITHUB_SHA) and by git
compare() {
	: >diffs &&
	for c in $(git -C $1 rev-list --all); do
		if tag=$(git -C $1 describe --tags --abbrev=0 --match "[v0-9]*.[0-9]*.[0-9]*" $c 2>/dev/null); then
			want=$(git -C $1 describe --tags --abbrev=7 --match "[v0-9]*.[0-9]*.[0-9]*" $c) &&
			since=$(git -C $1 rev-list --count --no-merges $tag..$c) &&
			touched=$(git -C $1 rev-list --count --no-merges --full-history $tag..$c -- services/a)
		else
			want=$(git -C $1 rev-parse --short=7 $c) &&
			since=$(git -C $1 rev-list --count --no-merges $c) &&
			touched=$(git -C $1 rev-list --count --no-merges --full-history $c -- services/a)
		fi &&
		got=$(cd $1 && GITHUB_SHA=$c publish meta --tags "type=describe,pattern={{raw}},priority=999" \
			--tags "type=describe,paths=f,pattern=n{{distance}},priority=900" \
			--tags "type=describe,paths=services/a,pattern=x{{distance}},priority=800" |
			sed -n "/^tags:/,/^labels:/s/^  //p" | grep -vx latest | tr "\n" " ") &&
		if test "$got" != "$want n$since x$touched "; then
			echo "$c: got $got, want $want n$since x$touched" >>diffs
		fi || return 1
	done &&
	cat diffs && test ! -s diffs
}

test_expect_success 'generated histories' '
	for s in 3 17; do n=$((100 + s * 2))
		git init -q g$s && gen_stream $s $n | git -C g$s fast-import --quiet || return 1
	done &&
	test $(git -C g3 rev-list --all --merges | wc -l) -ge 10 &&
	test $(git -C g3 tag -l "v*" | wc -l) -ge 10 &&
	test $(git -C g17 for-each-ref refs/tags --format="%(objecttype)" | grep -c tag) -ge 4
'

test_expect_success 'as git describe --tags, and the commits since as git rev-list, on every commit (seed 3)' 'compare g3'
test_expect_success 'the same on another history (seed 17)' 'compare g17'

test_expect_success 'with packed refs (their peeled lines) the same answers' '
	git -C g17 pack-refs --all && test -s g17/.git/packed-refs &&
	compare g17
'

test_done
