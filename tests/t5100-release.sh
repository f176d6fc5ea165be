#!/bin/sh
# t5100: the release of the action (README, "Releasing the action").
# `make release-bin ARCH=amd64|arm64` links build/ARCH/publish (arm64
# cross-compiled with Debian's multiarch packages), action/rootfs.sh
# gathers its tree from the ELF headers; the amd64 tree runs in a chroot
# (--version, a TLS request to the local registry with its CA only in the
# tree).  Then action/release.sh runs in a copy of this repository against
# the local TLS + token registry and a bare repository as the remote: its
# refusals, the pushed index (amd64 + arm64, their configs, their sizes),
# the release commit and the tags it moves; and the image it pushed runs
# with `docker run` as the runner runs a container action.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"
. "$TEST_DIR/lib-action.sh"

test_have_prereq ROOT || test_skip_all "needs root (chroot, dockerd, apt-get for the arm64 toolchain)"
command -v jq >/dev/null || test_skip_all "no jq"
# The cross toolchain and the :arm64 -dev packages: installed when missing.
make -s -C "$ROOT" deps-release ARCH=arm64 >"$TRASH/deps.log" 2>&1 ||
	test_skip_all "the arm64 toolchain cannot be installed: $(tail -n 1 "$TRASH/deps.log")"
BUDGET=12582912
action_setup_registry

# The repository as committed would miss the changes being tested: a new
# repository of the tracked files as they are, with their times (so make
# reuses the objects of build/amd64 and build/arm64 when they are current).
test_expect_success 'setup: a copy of this repository, its build directories' '
	mkdir repo &&
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C repo &&
	for a in amd64 arm64; do
		if [ -d "$ROOT/build/$a" ]; then
			mkdir -p repo/build && cp -pR "$ROOT/build/$a" repo/build/ || return 1
		fi
	done &&
	git -C repo init -q && git -C repo add -A && git -C repo commit -q -m "publish-action" &&
	test -z "$(git -C repo status --porcelain)"
'

test_expect_success 'make release-bin: amd64 and arm64 binaries, stripped' '
	make -s -C repo release-bin ARCH=amd64 &&
	make -s -C repo release-bin ARCH=arm64 &&
	file repo/build/amd64/publish >amd64.file &&
	grep "x86-64" amd64.file && grep "stripped" amd64.file && ! grep "not stripped" amd64.file &&
	file repo/build/arm64/publish >arm64.file &&
	grep "ARM aarch64" arm64.file && ! grep "not stripped" arm64.file
'

test_expect_success 'the heavy chains are gone: no libarchive, libxml2, ICU, libgit2, mbedtls' '
	for a in amd64 arm64; do
		readelf -d repo/build/$a/publish | sed -n "s/.*Shared library: \[\(.*\)\]/\1/p" >needed.$a &&
		grep -x "libcurl.so.4" needed.$a &&
		! grep -E "^lib(archive|xml2|icu|git2|mbed|http_parser|jansson|pcre2)" needed.$a || return 1
	done
'

test_expect_success 'rootfs.sh: each tree has the loader and every NEEDED library of its architecture' '
	for a in amd64 arm64; do
		sh "$ROOT/action/rootfs.sh" repo/build/$a/publish tree.$a || return 1
	done &&
	test -e tree.amd64/lib64/ld-linux-x86-64.so.2 &&
	test -e tree.arm64/lib/ld-linux-aarch64.so.1 &&
	for a in amd64 arm64; do
		case $a in amd64) t=x86_64-linux-gnu m=X86-64 ;; arm64) t=aarch64-linux-gnu m=AArch64 ;; esac &&
		for f in tree.$a/usr/lib/$t/*; do
			readelf -h "$f" | grep -q "Machine:.*$m" || { echo "$f is not $m"; return 1; }
			readelf -d "$f" | sed -n "s/.*Shared library: \[\(.*\)\]/\1/p" | while read -r n; do
				case "$n" in ld-linux*) continue ;; esac
				test -e "tree.$a/usr/lib/$t/$n" || { echo "$f needs $n, not in the tree"; exit 1; }
			done || return 1
		done &&
		! test -e tree.$a/usr/lib/$t/libxml2.so.2 &&
		test -s tree.$a/etc/ssl/certs/ca-certificates.crt &&
		test -e tree.$a/usr/share/zoneinfo/Europe/Berlin &&
		grep "^root:x:0:0:" tree.$a/etc/passwd &&
		test -d tree.$a/tmp || return 1
	done
'

test_expect_success 'rootfs.sh refuses what is not an executable of amd64 or arm64' '
	test_exit_code 2 sh "$ROOT/action/rootfs.sh" repo/build/amd64/publish 2>err &&
	echo hello >notelf && chmod +x notelf &&
	test_exit_code 1 sh "$ROOT/action/rootfs.sh" notelf t 2>err &&
	grep "not an ELF file" err && test_line_count err = 1
'

# chroot: the amd64 tree alone, with the test CA as its only trust anchor.
test_expect_success 'the amd64 tree runs in a chroot: --version, and a TLS request' '
	chroot tree.amd64 /usr/local/bin/publish --version >version &&
	grep "^publish " version &&
	cp "$REGISTRY_CA" tree.amd64/etc/ssl/certs/test-ca.crt &&
	printf "%s\n" "$REG_PASS" |
		SSL_CERT_FILE=/etc/ssl/certs/test-ca.crt chroot tree.amd64 /usr/local/bin/publish inspect \
			--username "$REG_USER" --password-stdin "$REGISTRY/busybox:1.35" >inspect &&
	grep -i "sha256:" inspect &&
	test_must_fail chroot tree.amd64 /usr/local/bin/publish inspect "$REGISTRY/busybox:1.35" 2>err &&
	grep -i "certificate\|tls\|ssl" err
'

test_expect_success 'the zone data is in the tree: a date with tz= in a tag' '
	env -i SOURCE_DATE_EPOCH=1578616200 GITHUB_EVENT_NAME=schedule GITHUB_REF=refs/heads/main \
		GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
		"$(command -v chroot)" tree.amd64 /usr/local/bin/publish meta --images user/app \
		--tags "type=schedule,pattern={{date '"'YYYYMMDD-HHmm' tz='Asia/Tokyo'"'}}" >meta &&
	grep -x "  user/app:20200110-0930" meta
'

if command -v qemu-aarch64-static >/dev/null || command -v qemu-aarch64 >/dev/null; then
	test_set_prereq QEMU
fi
test_expect_success QEMU 'the arm64 tree runs under qemu-user: --version' '
	q=$(command -v qemu-aarch64-static || command -v qemu-aarch64) &&
	"$q" -L tree.arm64 tree.arm64/usr/local/bin/publish --version >version &&
	grep "^publish " version
'

# action/release.sh, in the copy, against the test registry and a bare
# repository standing in for GitHub's.
git init -q --bare "$TRASH/remote.git"
release() {
	(cd repo && REGISTRY=$REGISTRY OWNER=Owner REGISTRY_USERNAME=$REG_USER REGISTRY_PASSWORD=$REG_PASS \
		sh action/release.sh "$@")
}
REPO=$REGISTRY/owner/publish-action

test_expect_success 'release.sh refuses a version that is not X.Y.Z, one line, exit 3' '
	for v in 1.2 v1.2.3.4 01.2.3 1.2.3-rc.1 latest; do
		test_exit_code 3 release $v 2>err &&
		grep "^release.sh: version .$v. is not MAJOR.MINOR.PATCH" err &&
		test_line_count err = 1 || return 1
	done &&
	test_exit_code 2 release 2>err && grep "^release.sh: usage:" err
'

test_expect_success 'release.sh refuses a dirty tree and a tag naming another commit' '
	echo scratch >repo/NOTES &&
	test_exit_code 3 release 1.4.2 "$TRASH/remote.git" 2>err &&
	grep "^release.sh: the work tree is dirty (.NOTES.)" err && test_line_count err = 1 &&
	rm repo/NOTES &&
	git -C repo commit -q --allow-empty -m other && git -C repo tag v1.4.2 &&
	git -C repo reset -q --hard HEAD~1 &&
	test_exit_code 3 release 1.4.2 "$TRASH/remote.git" 2>err &&
	grep "^release.sh: tag .v1.4.2. names [0-9a-f]*, not HEAD" err &&
	git -C repo tag -d v1.4.2 >/dev/null
'

test_expect_success 'release.sh prints each platform'"'"'s size and pushes nothing over the budget (exit 4)' '
	(cd repo && REGISTRY=$REGISTRY OWNER=owner RELEASE_BUDGET=1048576 REGISTRY_USERNAME=$REG_USER \
		REGISTRY_PASSWORD=$REG_PASS sh action/release.sh 1.4.2 "$TRASH/remote.git") >out 2>err;
	test $? = 4 &&
	grep "^linux/amd64: [0-9]* bytes compressed" out && grep "^linux/arm64: [0-9]* bytes compressed" out &&
	grep "^release.sh: an image is over the budget of 1048576 bytes" err &&
	test_must_fail skopeo_raw "$REPO:1.4.2" &&
	test -z "$(git --git-dir="$TRASH/remote.git" tag)"
'

test_expect_success 'release.sh 1.4.2: the index pushed, the release commit and tags pushed' '
	release v1.4.2 "$TRASH/remote.git" >out 2>err || { cat out err; false; } &&
	cat out >&2 &&
	sed -n "s/^image: //p" out >image && test_line_count image = 1
'

test_expect_success 'the pushed index: linux/amd64 and linux/arm64, the configs say so' '
	skopeo_raw "$REPO:1.4.2" >index.json &&
	echo "sha256:$(sha256sum <index.json | cut -d" " -f1)" >index.digest &&
	echo "$REPO@$(cat index.digest)" >expect && test_cmp expect image &&
	jq -r ".manifests[] | .platform.os + \"/\" + .platform.architecture" index.json | sort >platforms &&
	printf "%s\n" linux/amd64 linux/arm64 >expect && test_cmp expect platforms &&
	for a in amd64 arm64; do
		d=$(jq -r ".manifests[] | select(.platform.architecture == \"$a\") | .digest" index.json) &&
		skopeo_raw "$REPO@$d" >manifest.$a &&
		registry_config "owner/publish-action@$d" >config.$a &&
		jq -e ".architecture == \"$a\" and .os == \"linux\"" config.$a &&
		jq -e ".config.Entrypoint == [\"/usr/local/bin/publish\"]" config.$a || return 1
	done &&
	for t in 1.4 1; do
		skopeo_raw "$REPO:$t" | cmp - index.json || return 1
	done
'

test_expect_success 'each platform is under 12 MiB of compressed layers' '
	for a in amd64 arm64; do
		size=$(jq "[.layers[].size] | add" manifest.$a) &&
		echo "linux/$a: $size bytes" &&
		test "$size" -gt 1000000 && test "$size" -le '"$BUDGET"' &&
		grep "^linux/$a: $size bytes compressed" out || return 1
	done
'

test_expect_success 'the remote: v1.4.2, v1.4 and v1 on the release commit, whose action.yml runs the index' '
	git --git-dir="$TRASH/remote.git" tag | sort >tags &&
	printf "%s\n" v1 v1.4 v1.4.2 >expect && test_cmp expect tags &&
	rel=$(git --git-dir="$TRASH/remote.git" rev-parse v1.4.2^{commit}) &&
	echo "$rel" >rel.1.4.2 &&
	test "$(git --git-dir="$TRASH/remote.git" rev-parse v1.4^{commit})" = "$rel" &&
	test "$(git --git-dir="$TRASH/remote.git" rev-parse v1^{commit})" = "$rel" &&
	test "$(git --git-dir="$TRASH/remote.git" cat-file -t v1.4.2)" = tag &&
	git --git-dir="$TRASH/remote.git" show "$rel:action.yml" >action.yml &&
	grep -x "  image: '"'"'docker://$REPO@$(cat index.digest)'"'"'" action.yml &&
	git --git-dir="$TRASH/remote.git" diff "$rel^" "$rel" --stat >stat &&
	grep "action.yml | 2 +-" stat && test_line_count stat = 2 &&
	test "$(git --git-dir="$TRASH/remote.git" rev-parse "$rel^")" = "$(git -C repo rev-parse HEAD)"
'

test_expect_success 'the local repository: HEAD and its action.yml untouched, the work tree clean' '
	git -C repo log -1 --format=%s >subject && echo publish-action >expect && test_cmp expect subject &&
	grep -x "  image: '"'"'Dockerfile'"'"'" repo/action.yml &&
	test -z "$(git -C repo status --porcelain)"
'

test_expect_success 'release.sh 1.5.0 moves v1 and makes v1.5; v1.4 stays' '
	git -C repo commit -q --allow-empty -m "next" &&
	release 1.5.0 "$TRASH/remote.git" >out2 2>err2 || { cat out2 err2; false; } &&
	git --git-dir="$TRASH/remote.git" tag | sort >tags &&
	printf "%s\n" v1 v1.4 v1.4.2 v1.5 v1.5.0 >expect && test_cmp expect tags &&
	new=$(git --git-dir="$TRASH/remote.git" rev-parse v1.5.0^{commit}) &&
	test "$(git --git-dir="$TRASH/remote.git" rev-parse v1^{commit})" = "$new" &&
	test "$(git --git-dir="$TRASH/remote.git" rev-parse v1.5^{commit})" = "$new" &&
	test "$(git --git-dir="$TRASH/remote.git" rev-parse v1.4^{commit})" = "$(cat rel.1.4.2)" &&
	test "$(git --git-dir="$TRASH/remote.git" rev-parse v1.4.2^{commit})" = "$(cat rel.1.4.2)"
'

test_expect_success 'a remote URL with a password: never printed' '
	git -C repo commit -q --allow-empty -m "after 1.5.0" &&
	test_exit_code 1 release 1.5.1 "http://rel:s3cret-pw@127.0.0.1:9/remote.git" >out3 2>err3 &&
	grep "^release.sh: cannot push the tags to .http://127.0.0.1:9/remote.git." err3 &&
	! grep -r "s3cret-pw" out3 err3
'

# The runner runs `uses: OWNER/publish-action@v1` as: docker pull of the
# image action.yml names, then docker run with the workspace and the file
# commands mounted (lib-action.sh, run_action_container).
start_github_api || exit 1
if ! start_dockerd; then
	say "no Docker engine here (see the reason above): the action image is not run"
fi

test_expect_success DOCKER 'docker pull of the pinned image, then publish --version in it' '
	"$DOCKER" pull -q "$(cat image)" &&
	"$DOCKER" run --rm "$(cat image)" --version >version &&
	echo "publish 1.4.2" >expect && test_cmp expect version
'

test_expect_success DOCKER 'setup: a tag push checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success DOCKER 'the released image runs the action as the runner starts it, and pushes' '
	run_action_container "$(cat image)" images="$ACTION_IMAGE" \
		build-args="BASE=$REGISTRY/busybox:1.35" tags="type=semver,pattern={{version}}" ||
	{ cat action.out action.err; false; }
'

test_expect_success DOCKER 'the registry has the tag the action pushed, on its digest' '
	registry_tags octo-org/video-streaming >have &&
	printf "%s\n" 1.2.3 latest >expect && test_cmp expect have &&
	action_output digest >digest &&
	registry_digest octo-org/video-streaming:1.2.3 >d && test_cmp digest d
'

test_done
