#!/bin/sh
# release.sh VERSION [REMOTE]: release the action.  Builds build/amd64/publish
# and build/arm64/publish (make release-bin), their root file systems
# (action/rootfs.sh), the image of action/Dockerfile for linux/amd64 and
# linux/arm64 with publish itself, checks each platform's compressed size
# against the budget, pushes the index to $REGISTRY/$OWNER/publish-action
# (tags X.Y.Z, X.Y and X), makes the release commit whose action.yml runs
# that index by digest, tags it vX.Y.Z, moves vX.Y and vX to it and pushes
# the three tags to the git remote.  The commit's parent is HEAD; no branch
# moves, the work tree is not touched: `main` keeps `image: 'Dockerfile'`.
#
#   VERSION   X.Y.Z or vX.Y.Z (no pre-release: vX and vX.Y move to it)
#   REMOTE    git remote name or URL (default $RELEASE_REMOTE, else origin)
#   REGISTRY  default ghcr.io
#   OWNER     default $GITHUB_REPOSITORY_OWNER; lower-cased
#   REGISTRY_USERNAME, REGISTRY_PASSWORD: the registry's credentials, given
#             to publish with --username and --password-stdin; without
#             them publish finds its own (GITHUB_TOKEN with GITHUB_ACTOR on
#             ghcr.io, $DOCKER_CONFIG/config.json)
#   RELEASE_BUDGET  bytes of compressed layers per platform (default 12 MiB)
#   MAKE      default make
#
# Exit codes: 2 usage; 3 refused input (VERSION not X.Y.Z, a dirty work
# tree, vX.Y.Z already naming another commit, no OWNER); 4 an image over
# the budget (nothing pushed); 1 or the failing command's code otherwise.
# Each refusal is one line on stderr.
set -u
die() { code=$1; shift; echo "release.sh: $*" >&2; exit "$code"; }

[ $# -ge 1 ] && [ $# -le 2 ] || die 2 "usage: sh action/release.sh VERSION [REMOTE]"
version=${1#v}
remote=${2:-${RELEASE_REMOTE:-origin}}
# what messages say of it: a URL's user:password@ left out (scheme://user:secret@host/...)
remote_shown=$(printf '%s\n' "$remote" | sed 's#^\([a-zA-Z][a-zA-Z0-9+.-]*://\)[^/@]*@#\1#')
registry=${REGISTRY:-ghcr.io}
owner=$(printf '%s' "${OWNER:-${GITHUB_REPOSITORY_OWNER:-}}" | tr 'A-Z' 'a-z')
budget=${RELEASE_BUDGET:-12582912}
make=${MAKE:-make}

# Semantic version core, no leading zeros (semver.org, 2).
# One line: grep -x would pass a value whose first line matches.
case $version in *'
'*) version=- ;; esac
printf '%s\n' "$version" | grep -Eqx '(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)' ||
	die 3 "version '$(printf '%s' "$1" | tr '\n' ' ')' is not MAJOR.MINOR.PATCH (e.g. 1.2.3 or v1.2.3)"
[ -n "$owner" ] || die 3 "no OWNER (or GITHUB_REPOSITORY_OWNER): the image is REGISTRY/OWNER/publish-action"
major=${version%%.*}
minor=${version%.*}

top=$(git rev-parse --show-toplevel 2>/dev/null) || die 3 "'$(pwd)' is not in a git work tree"
cd "$top" || exit 1
[ -f action/Dockerfile ] && [ -f action.yml ] || die 3 "'$top' is not publish-action's tree (no action/Dockerfile)"
dirty=$(git status --porcelain --untracked-files=normal | head -n 1)
[ -z "$dirty" ] || die 3 "the work tree is dirty ('${dirty#???}'): commit or stash first"
head=$(git rev-parse --verify HEAD^{commit}) || exit 1
if have=$(git rev-parse -q --verify "refs/tags/v$version^{commit}"); then
	[ "$have" = "$head" ] || die 3 "tag 'v$version' names $have, not HEAD ($head)"
fi
grep -c "^  image: 'Dockerfile'\$" action.yml | grep -qx 1 ||
	die 3 "action.yml at HEAD has no line \"  image: 'Dockerfile'\" (HEAD is a release commit already?)"

# The binaries, their trees and the image; the same bytes for the same HEAD.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD)
export SOURCE_DATE_EPOCH
work=build/release
rm -rf "$work" && mkdir -p "$work/context/rootfs" || exit 1
cp action/Dockerfile "$work/context/Dockerfile" || exit 1
for arch in amd64 arm64; do
	rm -rf "build/$arch/obj" "build/$arch/publish"	# the version is compiled in
	$make -s release-bin ARCH=$arch REL_VERSION="$version" || die $? "cannot build build/$arch/publish (make deps-release ARCH=$arch installs what it needs)"
	sh action/rootfs.sh "build/$arch/publish" "$work/context/rootfs/$arch" || exit 1
done
test "$(build/amd64/publish --version)" = "publish $version" || die 1 "build/amd64/publish does not run here or is not $version"
build/amd64/publish build -q --context "$work/context" --platform linux/amd64,linux/arm64 \
	--label org.opencontainers.image.title=publish-action \
	--label "org.opencontainers.image.version=$version" \
	--label "org.opencontainers.image.revision=$head" \
	--output "oci:$work/image.oci" >/dev/null || exit $?

# Budget: the compressed layers of each platform's manifest.
blob() { printf '%s/image.oci/blobs/sha256/%s' "$work" "${1#sha256:}"; }
index=$(jq -r '.manifests[0].digest' "$work/image.oci/index.json") || exit 1
over=0
for m in $(jq -r '.manifests[] | .platform.architecture + "=" + .digest' "$(blob "$index")"); do
	size=$(jq '[.layers[].size] | add' "$(blob "${m#*=}")") || exit 1
	printf 'linux/%s: %s bytes compressed (%s MiB), budget %s\n' "${m%%=*}" "$size" \
		"$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }')" "$budget"
	[ "$size" -le "$budget" ] || over=1
done
[ "$over" = 0 ] || die 4 "an image is over the budget of $budget bytes compressed: nothing pushed"

# Push the index; its digest is what the release pins.
repo=$registry/$owner/publish-action
set -- "oci:$work/image.oci" "$repo:$version" "$repo:$minor" "$repo:$major"
if [ -n "${REGISTRY_USERNAME:-}" ]; then
	printf '%s\n' "${REGISTRY_PASSWORD:-}" |
		build/amd64/publish push -q --username "$REGISTRY_USERNAME" --password-stdin \
			--digest-file "$work/digest" "$@" >/dev/null
else
	build/amd64/publish push -q --digest-file "$work/digest" "$@" >/dev/null
fi || exit $?
digest=$(cat "$work/digest")
[ "$digest" = "$index" ] || die 1 "the registry stored $digest, the layout says $index"
echo "image: $repo@$digest"

# The release commit: HEAD with action.yml pinned, made in a scratch index.
sed "s|^  image: 'Dockerfile'\$|  image: 'docker://$repo@$digest'|" action.yml >"$work/action.yml" || exit 1
export GIT_INDEX_FILE="$top/$work/index"
git read-tree HEAD &&
	blobid=$(git hash-object -w "$work/action.yml") &&
	git update-index --cacheinfo "100644,$blobid,action.yml" &&
	tree=$(git write-tree) || exit 1
unset GIT_INDEX_FILE
commit=$(printf 'release: v%s, action.yml runs %s@%s\n\nThe image was built from %s by action/release.sh.\n' \
	"$version" "$repo" "$digest" "$head" | git commit-tree "$tree" -p "$head") || exit 1
git tag -f -a -m "publish-action $version" "v$version" "$commit" >/dev/null &&
	git tag -f "v$minor" "$commit" >/dev/null &&
	git tag -f "v$major" "$commit" >/dev/null || exit 1
# A URL goes to git through its environment (GIT_CONFIG_*), not its command
# line, which any user of the machine can read in ps.
push_tags() {
	case "$remote" in
	*://*@*)
		(GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.publish-release.url GIT_CONFIG_VALUE_0=$remote
		 export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0
		 git push -q --force publish-release "$@") ;;
	*) git push -q --force "$remote" "$@" ;;
	esac
}
push_tags "refs/tags/v$version" "refs/tags/v$minor" "refs/tags/v$major" ||
	die 1 "cannot push the tags to '$remote_shown'"
echo "release: v$version = $commit (v$minor, v$major moved) pushed to $remote_shown"
