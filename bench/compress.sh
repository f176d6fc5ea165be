#!/bin/sh
# bench/compress.sh: one layer of a large context, built by `publish build`,
# against the floor: `tar | pigz -6` and `tar | zstd -3 -T2`, measured side
# by side in the same run (medians of RUNS runs, default 5).
#
# The context (SIZE_MIB, default 178) is a third incompressible (random
# data, as video), a third text and a third shared libraries copied from
# this machine.  Targets (issue 10): gzip within 1.1x of pigz -6, zstd
# within 1.1x of zstd -3 -T2.  Prints the machine and the tools' versions.
#
#   sh bench/compress.sh            (needs pigz and zstd)
cd "$(dirname "$0")/.." || exit 1
PUBLISH=${PUBLISH:-$PWD/build/publish}
SIZE_MIB=${SIZE_MIB:-178}
RUNS=${RUNS:-5}
[ -x "$PUBLISH" ] || { echo "build/publish missing: run make" >&2; exit 1; }
for t in pigz zstd tar; do
	command -v $t >/dev/null || { echo "$t missing (apt-get install $t)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/publish-bench-compress.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
ctx=$work/ctx
third=$((SIZE_MIB / 3))
mkdir -p "$ctx/video" "$ctx/text" "$ctx/lib" || exit 1
printf "FROM scratch\nCOPY . /ctx/\n" >"$ctx/Dockerfile"

# incompressible: files of 8 MiB
i=0
while [ $((i * 8)) -lt $third ]; do
	head -c $((8 << 20)) /dev/urandom >"$ctx/video/v$i.mp4" || exit 1
	i=$((i + 1))
done
# text: files of about 100 KiB
i=0
while [ $((i * 100)) -lt $((third * 1024)) ]; do
	seq $((i * 4500)) $((i * 4500 + 4499)) | sed 's/^/line number /' >"$ctx/text/t$i.txt" || exit 1
	i=$((i + 1))
done
# shared libraries (compressible machine code), up to a third
find /usr/lib -name '*.so*' -type f -size +100k -size -3M 2>/dev/null | sort | while read -r f; do
	[ "$(du -sm "$ctx/lib" | cut -f1)" -ge $third ] && break
	cp "$f" "$ctx/lib/$(echo "$f" | tr / _)"
done

# secs CMD...: wall seconds of one run
secs() {
	_s=$(date +%s.%N)
	"$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	_e=$(date +%s.%N)
	echo "$_s $_e" | awk '{ printf "%.3f\n", $2 - $1 }'
}
# median CMD...: the median of RUNS runs
median() {
	: >"$work/times"
	_n=0
	while [ $_n -lt "$RUNS" ]; do
		secs "$@" >>"$work/times" || return 1
		_n=$((_n + 1))
	done
	sort -n "$work/times" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

pub_gzip() { SOURCE_DATE_EPOCH=0 "$PUBLISH" build --quiet --context "$ctx" --output "oci:$work/out-$$-$(date +%N)" && rm -rf "$work"/out-*; }
pub_zstd() { SOURCE_DATE_EPOCH=0 "$PUBLISH" build --quiet --context "$ctx" --compression zstd --output "oci:$work/out-$$-$(date +%N)" && rm -rf "$work"/out-*; }
tar_pigz() { tar -C "$ctx" -cf - . | pigz -6 >"$work/pigz.out"; }
tar_zstd() { tar -C "$ctx" -cf - . | zstd -q -3 -T2 >"$work/zstd.out"; }

# warm the page cache once
tar -C "$ctx" -cf - . >/dev/null

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "tools: $("$PUBLISH" --version 2>/dev/null | head -1), $(pigz --version 2>&1 | head -1), $(zstd --version | head -1), $(tar --version | head -1)"
echo "context: $(du -sm "$ctx" | cut -f1) MiB ($third MiB random, text, shared libraries); median of $RUNS runs"
pg=$(median pub_gzip) || exit 1
tp=$(median tar_pigz) || exit 1
pz=$(median pub_zstd) || exit 1
tz=$(median tar_zstd) || exit 1
awk -v pg="$pg" -v tp="$tp" -v pz="$pz" -v tz="$tz" 'BEGIN {
	printf "publish build, gzip:   %6.3f s   tar | pigz -6:      %6.3f s   ratio %.2fx (target <= 1.1x)\n", pg, tp, pg / tp
	printf "publish build, zstd:   %6.3f s   tar | zstd -3 -T2:  %6.3f s   ratio %.2fx (target <= 1.1x)\n", pz, tz, pz / tz
}'
