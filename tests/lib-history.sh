# lib-history.sh: make git histories with fixed, increasing dates for the
# t12xx tests (describe, conventional, monorepo attributes).
#
#   hist_commit MSG [FILE]   a commit (FILE changed, "f" by default) one
#                            minute after the previous one
#   hist_merge BRANCH        merge BRANCH (--no-ff) into the current branch
#   hist_tag NAME [-a]       a lightweight tag, or annotated with -a

hist_time=1577836800	# 2020-01-01T00:00:00Z

hist_tick() {
	hist_time=$((hist_time + 60))
	GIT_AUTHOR_DATE="@$hist_time +0000" GIT_COMMITTER_DATE="@$hist_time +0000"
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}

hist_commit() {
	hist_tick &&
	_f=${2:-f} &&
	mkdir -p "$(dirname "$_f")" &&
	echo "$1 $hist_time" >>"$_f" &&
	git add "$_f" &&
	git commit -q -m "$1"
}

hist_merge() {
	hist_tick &&
	git merge -q --no-ff -m "Merge branch '$1'" "$1"
}

hist_tag() {
	hist_tick &&
	if test "$2" = -a; then git tag -a -m "release $1" "$1"; else git tag "$1"; fi
}

# publish meta's version for one tag rule, in the current directory
meta_version() {
	publish meta --tags "$1" 2>>meta.err | sed -n 's/^version: //p'
}
