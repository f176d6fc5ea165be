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

test_done
