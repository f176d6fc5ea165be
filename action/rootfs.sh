#!/bin/sh
# rootfs.sh BINARY DIR: assemble in DIR the root file system of the action's
# runtime image for BINARY's architecture (amd64 or arm64): BINARY as
# /usr/local/bin/publish, its program interpreter (ld.so) and every shared
# library it needs, the CA certificates, the zone data that `publish meta`
# reads for a tz= in its date formats (src/meta/datefmt.c: TZif files
# under /usr/share/zoneinfo), a minimal /etc/passwd and /etc/group and an
# empty /tmp.  action/Dockerfile copies DIR into an image FROM scratch, so
# publish builds it itself.
#
# The libraries are found from the ELF headers, not with ldd (which runs
# the binary, so cannot look at a foreign one): readelf's NEEDED entries,
# recursively, looked up in the target's multiarch directory
# (/usr/lib/aarch64-linux-gnu for an arm64 binary, from
# `dpkg --add-architecture arm64` and the :arm64 packages).  They go to
# /usr/lib/TRIPLET in DIR, with /lib a link to usr/lib as on Debian, where
# the loader looks without an ld.so.cache.
#
# Exit codes: 2 usage, 1 anything missing (one line on stderr).
set -e
bin=$1 dir=$2
if [ -z "$bin" ] || [ -z "$dir" ] || [ $# -ne 2 ]; then
	echo "usage: sh action/rootfs.sh BINARY DIR" >&2
	exit 2
fi
die() { echo "rootfs.sh: $*" >&2; exit 1; }
[ -f "$bin" ] && [ -x "$bin" ] || die "'$bin' is not an executable"
command -v readelf >/dev/null || die "no readelf (apt-get install binutils)"

machine=$(LC_ALL=C readelf -h "$bin" 2>/dev/null | sed -n 's/^ *Machine: *//p')
case "$machine" in
*X86-64*) triplet=x86_64-linux-gnu ;;
*AArch64*) triplet=aarch64-linux-gnu ;;
'') die "'$bin' is not an ELF file" ;;
*) die "'$bin' is for '$machine', not amd64 or arm64" ;;
esac
interp=$(LC_ALL=C readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
[ -n "$interp" ] || die "'$bin' has no program interpreter (a static binary needs no rootfs.sh)"
[ -e "$interp" ] || die "no loader '$interp' for $triplet (apt-get install libc6:${triplet%%-*})"

rm -rf "$dir"
mkdir -p "$dir/usr/local/bin" "$dir/usr/lib/$triplet" "$dir/tmp" "$dir/etc/ssl/certs" \
	"$dir/usr/share/zoneinfo"
chmod 1777 "$dir/tmp"
ln -s usr/lib "$dir/lib"
cp "$bin" "$dir/usr/local/bin/publish"

# The loader, at the path compiled into the binary: /lib64/ld-linux-x86-64.so.2
# (lib64 a link to usr/lib64, as usr-merge has it) or /lib/ld-linux-aarch64.so.1.
case "$interp" in
/lib/*) cp -L "$interp" "$dir/usr$interp" ;;
/lib64/*) mkdir -p "$dir/usr/lib64" && ln -s usr/lib64 "$dir/lib64" &&
	cp -L "$interp" "$dir/usr$interp" ;;
*) die "loader '$interp' is not under /lib or /lib64" ;;
esac

# needed FILE: the NEEDED names of FILE, one a line.
needed() {
	LC_ALL=C readelf -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p'
}
# Breadth first over the NEEDED graph; $dir/usr/lib/$triplet holds what is done.
todo=$(needed "$bin")
while [ -n "$todo" ]; do
	next=
	for lib in $todo; do
		[ -e "$dir/usr/lib/$triplet/$lib" ] && continue
		case "$lib" in ld-linux*) continue ;; esac
		src=
		for d in /usr/lib/$triplet /lib/$triplet; do
			[ -e "$d/$lib" ] && { src=$d/$lib; break; }
		done
		[ -n "$src" ] || die "'$lib' (needed by '$bin') is not in /usr/lib/$triplet"
		cp -L "$src" "$dir/usr/lib/$triplet/$lib"
		next="$next $(needed "$src")"
	done
	todo=$next
done

[ -s /etc/ssl/certs/ca-certificates.crt ] || die "no /etc/ssl/certs/ca-certificates.crt (apt-get install ca-certificates)"
cp -L /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
# Zone data: the TZif files of tzdata, without right/ (leap-second clocks,
# which no tz= of metadata-action names) and the tables meant for tools.
[ -e /usr/share/zoneinfo/UTC ] || die "no /usr/share/zoneinfo (apt-get install tzdata)"
# (through a file, not a pipe: sh has no pipefail, and a tar that fails
# on the left must fail the tree)
(cd /usr/share/zoneinfo && tar cf - --exclude=./right --exclude='*.tab' --exclude=leapseconds \
	--exclude=tzdata.zi --exclude=leap-seconds.list .) >"$dir/.zoneinfo.tar" &&
	tar xf "$dir/.zoneinfo.tar" -C "$dir/usr/share/zoneinfo" &&
	rm -f "$dir/.zoneinfo.tar" || die "cannot copy /usr/share/zoneinfo into $dir"
printf 'root:x:0:0:root:/root:/usr/local/bin/publish\n' >"$dir/etc/passwd"
printf 'root:x:0:\n' >"$dir/etc/group"
