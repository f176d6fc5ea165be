#!/bin/sh
# rootfs.sh BINARY DIR: assemble in DIR the root file system of the action's
# runtime image: BINARY as /usr/local/bin/publish, every shared library
# `ldd` lists for it (with the dynamic loader) at the same path, the CA
# certificates, the time zone data and an empty /tmp.  action/Dockerfile
# copies DIR into an image FROM scratch, so publish builds it itself.
set -e
bin=$1 dir=$2
if [ -z "$bin" ] || [ -z "$dir" ]; then
	echo "usage: sh action/rootfs.sh BINARY DIR" >&2
	exit 2
fi
[ -x "$bin" ] || { echo "rootfs.sh: '$bin' is not an executable" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/usr/local/bin" "$dir/tmp" "$dir/etc/ssl/certs" "$dir/usr/share"
chmod 1777 "$dir/tmp"
cp "$bin" "$dir/usr/local/bin/publish"

# Lines of ldd: "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and
# "/lib64/ld-linux-x86-64.so.2 (0x...)".  Copy each file, following
# symbolic links, to the same path (the loader finds them there).
ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | sort -u |
while read -r lib; do
	mkdir -p "$dir$(dirname "$lib")"
	cp -L "$lib" "$dir$lib"
done
# /lib64 and /lib are symbolic links on Debian (usr-merge); keep the loader
# reachable by the path compiled into the binary.
for d in lib lib64; do
	if [ -L "/$d" ] && [ -d "$dir/$d" ] && [ ! -e "$dir/usr/$d" ]; then
		mkdir -p "$dir/usr"
		mv "$dir/$d" "$dir/usr/$d"
		ln -s "usr/$d" "$dir/$d"
	fi
done

cp -L /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
cp -a /usr/share/zoneinfo "$dir/usr/share/zoneinfo"
printf 'root:x:0:0:root:/root:/usr/local/bin/publish\n' >"$dir/etc/passwd"
printf 'root:x:0:\n' >"$dir/etc/group"
