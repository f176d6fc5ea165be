#!/bin/sh
# sysroot.sh ARCH DIR: unpack into DIR the static archives of ARCH's -dev
# packages that cannot be installed beside the host's (dpkg multiarch): on
# Debian 12 libhttp-parser-dev has no Multi-Arch field, so the arm64 one
# conflicts with the amd64 one that libgit2-dev (amd64) depends on, and
# libgit2-dev:arm64 depends on it in turn.  Their files are only a .a, a .pc
# and headers the same on every architecture, so `apt-get download` and
# `dpkg-deb -x` give the release link (Makefile, release-bin) libgit2.a and
# libhttp_parser.a for ARCH without installing them: DIR/usr/lib/TRIPLET.
# Every other :ARCH -dev package co-installs and is installed by
# `make deps-release` (tests/helper/deps.sh).
#
# Exit codes: 2 usage, 1 a download or unpack failed (apt's message).
set -e
arch=$1 dir=$2
case "$arch" in
amd64|arm64) ;;
*) echo "usage: sh action/sysroot.sh amd64|arm64 DIR" >&2; exit 2 ;;
esac
[ -n "$dir" ] || { echo "usage: sh action/sysroot.sh amd64|arm64 DIR" >&2; exit 2; }
debs="libgit2-dev libhttp-parser-dev"
mkdir -p "$dir/debs"
# The host's own architecture has them installed (BUILD_DEBS).
[ "$arch" = "$(dpkg --print-architecture)" ] && exit 0
for p in $debs; do
	ls "$dir/debs/${p}_"*"_$arch.deb" >/dev/null 2>&1 && continue
	(cd "$dir/debs" && apt-get download -q "$p:$arch" >&2) ||
		{ echo "sysroot.sh: cannot download $p:$arch (apt-get update? dpkg --add-architecture $arch?)" >&2; exit 1; }
done
for d in "$dir"/debs/*.deb; do
	dpkg-deb -x "$d" "$dir"
done
