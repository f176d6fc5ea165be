#!/bin/sh
# bench/publish.sh: the same job done by publish and by the established
# tools on this machine, timed end to end, with the ratio other/publish.
#
#   1. build + push of a microservice image: FROM a busybox base on a local
#      registry, ENV, WORKDIR, CMD and three COPYs of a service's context
#      (a node_modules-like tree of 2000 small files, one 50 MiB binary,
#      a package.json), to a plain-http registry on loopback (Debian's
#      docker-registry).  Cold (empty repository, empty caches) and warm
#      (the same again: blobs on the registry, builder caches full).
#        publish   publish build --output oci:DIR, then publish push
#        docker    docker build (classic builder) + docker push, on a
#                  private dockerd (vfs storage, tests/lib-docker.sh)
#        buildah   buildah bud --layers + buildah push (vfs storage)
#      and whether two builds of the same input give the same digest
#      (docker and buildah: a rebuild with --no-cache).
#   2. copy of that image (3 layers) and of a two-platform index from one
#      registry to another: publish copy vs skopeo copy --all, cold (a
#      fresh registry each time), median of three rounds.
#   3. copy of that image into a TLS + bearer-token registry, as ghcr.io
#      is: publish copy vs skopeo copy, a fresh registry each round, median
#      of three.
#   4. the peak RSS of each publish step (/usr/bin/time %M); for docker,
#      dockerd's (the client does none of the work).
# Every step starts after a `sync`; wall times are single runs, so expect
# some spread between runs (vfs storage makes docker and buildah disk-bound).
#
# Target: publish at least 2x faster than docker and buildah cold, at
# least as fast as skopeo, under 64 MiB peak RSS per step.  Targets are
# stated, not asserted: the script exits 0 whatever the figures, and says
# so when a tool is unavailable (docker and buildah need root here).
#
#   sh bench/publish.sh            (or: make bench)
#
# As root it installs the Debian packages it misses (tests/helper/deps.sh).
# BIN_MIB (50) and SMALL_FILES (2000) size the context.
cd "$(dirname "$0")/.." || exit 1
BENCH_ROOT=$PWD
BIN_MIB=${BIN_MIB:-50}
SMALL_FILES=${SMALL_FILES:-2000}
[ -x build/publish ] || { echo "build/publish missing: run make" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
	# required first; the comparison tools one by one, so one that cannot
	# be installed does not keep the others out
	sh tests/helper/deps.sh time python3 openssl curl docker-registry busybox-static skopeo ||
		echo "bench/publish.sh: cannot install every package" >&2
	for p in docker.io buildah; do sh tests/helper/deps.sh $p >/dev/null 2>&1; done
fi
for t in /usr/bin/time /usr/bin/docker-registry /bin/busybox openssl python3 curl; do
	[ -x "$t" ] || command -v "$t" >/dev/null 2>&1 ||
		{ echo "bench/publish.sh: $t missing (make bench installs it)"; exit 0; }
done

# The test libraries give the registries, the base image and dockerd.
# test-lib.sh makes $TRASH, sets HOME there and registers cleanups; it
# only needs $0's directory to sit next to tests/.
TEST_DIR=$BENCH_ROOT/tests
. "$TEST_DIR/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"
PUBLISH=$BENCH_ROOT/build/publish
W=$TRASH

bench_cleanup() {
	[ -n "$BUILDAH_ROOT" ] && buildah $BUILDAH_STORE rm --all >/dev/null 2>&1
	_run_cleanups
	awk -v d="$TRASH" 'index($2, d "/") == 1 { print $2 }' /proc/self/mounts |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	cd / && rm -rf "$TRASH"
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM HUP

# timed NAME CMD...: runs CMD (output in $W/NAME.log), sets T_NAME to its
# wall time in seconds (ms precision) and M_NAME to its peak RSS in KiB
timed() {
	_tn=$1; shift
	sync	# the previous step's writeback is not this one's cost
	_t0=$(date +%s%N)
	if ! /usr/bin/time -f '%M' -o "$W/$_tn.time" "$@" >"$W/$_tn.log" 2>&1 </dev/null; then
		echo "   $_tn failed: $*" >&2
		tail -n 5 "$W/$_tn.log" | sed 's/^/   | /' >&2
		return 1
	fi
	_t1=$(date +%s%N)
	eval "T_$_tn=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') M_$_tn=$(tail -n 1 "$W/$_tn.time")"
}
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
# median A B C
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# --- registries, base image, context ----------------------------------------
start_http_registry src >/dev/null && REG=$REGISTRY || {
	echo "bench/publish.sh: cannot start docker-registry"; exit 0; }
make_busybox_base "$W/base" && push_base "$W/base" base:1 &&
make_multiplatform_base "$W/mbase" && push_base "$W/mbase" multi:1 || {
	echo "bench/publish.sh: cannot make the base image"; exit 0; }

CTX=$W/ctx
python3 - "$CTX" "$SMALL_FILES" "$BIN_MIB" <<'EOF' || exit 0
# a service's context: node_modules/ (packages of ~10 text files, 100 B to
# 16 KiB) and server, a binary of BIN_MIB MiB about 60% incompressible;
# seeded, so every run builds the same bytes
import os, random, sys
root, nfiles, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(20261124)
words = ("function return const module exports require this that value index "
         "length prototype undefined null object string number promise async "
         "await callback error options config default").split()
def text(n):
    out = []
    size = 0
    while size < n:
        w = rnd.choice(words)
        out.append(w)
        size += len(w) + 1
    return (" ".join(out)[:n] + "\n").encode()
names = ["index.js", "package.json", "README.md", "LICENSE", "lib/util.js",
         "lib/core.js", "lib/parse.js", "lib/format.js", "dist/bundle.js", "types.d.ts"]
made = 0
pkg = 0
while made < nfiles:
    d = os.path.join(root, "node_modules", "pkg-%03d" % pkg)
    for name in names:
        if made == nfiles:
            break
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(text(int(rnd.lognormvariate(7.5, 1.0)) % 16384 + 100))
        made += 1
    pkg += 1
with open(os.path.join(root, "server"), "wb") as f:
    for _ in range(mib * 16):
        f.write(rnd.randbytes(65536) if rnd.random() < 0.6 else text(65535))
os.chmod(os.path.join(root, "server"), 0o755)
with open(os.path.join(root, "package.json"), "w") as f:
    f.write('{"name": "service", "version": "1.0.0", "main": "server"}\n')
EOF
cat >"$CTX/Dockerfile" <<EOF
FROM $REG/base:1
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY node_modules/ /app/node_modules/
COPY server /app/server
COPY package.json /app/
CMD ["/app/server"]
EOF
CTX_MIB=$(du -sm "$CTX" | cut -f1)

RESULTS=$W/results
: >"$RESULTS"
# row STEP TOOL SECONDS PEAK_KIB: one figure of the table (PEAK_KIB - when
# not known)
row() { echo "$1|$2|$3|$4" >>"$RESULTS"; }
NOTES=
note() { NOTES="$NOTES$*
"; }
version() { "$@" 2>/dev/null | sed -n '1s/[^0-9]*\([0-9][0-9.]*\).*/\1/p'; }

# --- 1. build + push: publish -------------------------------------------------
echo "context: $SMALL_FILES small files + one $BIN_MIB MiB binary ($CTX_MIB MiB); registries on 127.0.0.1 (http)"
pub_build_push() {	# pub_build_push RUN: sets D_RUN to the manifest digest
	timed "pb_$1" "$PUBLISH" build --quiet --insecure-registry "$REG" \
		--context "$CTX" --output "oci:$W/oci-$1" &&
	timed "pp_$1" "$PUBLISH" push --quiet --insecure-registry "$REG" \
		--digest-file "$W/pd-$1" "oci:$W/oci-$1" "$REG/app-publish:1" &&
	eval "D_$1=\$(cat \"\$W/pd-$1\")" &&
	eval "row \"\$2\" publish \"\$(add \$T_pb_$1 \$T_pp_$1)\" \"\$(max \$M_pb_$1 \$M_pp_$1)\""
}
pub_build_push cold "build+push, cold" && pub_build_push warm "build+push, warm" || {
	echo "bench/publish.sh: publish failed, nothing to compare"; exit 0; }
# publish keeps no build cache: its warm run rebuilds every layer, so it is
# also what compares with the others' --no-cache rebuild
row "rebuild --no-cache + push" publish "$(add "$T_pb_warm" "$T_pp_warm")" "$(max "$M_pb_warm" "$M_pp_warm")"
VERSIONS=

# --- docker -------------------------------------------------------------------
docker_build_push() {	# docker_build_push RUN STEP [BUILD-OPTION]: DD_RUN = digest
	timed "db_$1" "$DOCKER" build $3 -t "$REG/app-docker:1" "$CTX" &&
	timed "dp_$1" "$DOCKER" push "$REG/app-docker:1" &&
	eval "DD_$1=\$(sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p' \"\$W/dp_$1.log\")" &&
	eval "row \"\$2\" docker \"\$(add \$T_db_$1 \$T_dp_$1)\" -"
}
if ! start_dockerd 2>"$W/dockerd.err"; then
	note "docker: unavailable ($(grep -m1 . "$W/dockerd.err" | sed 's/^start_dockerd: //'))"
elif docker_build_push cold "build+push, cold" &&
     docker_build_push warm "build+push, warm" &&
     docker_build_push nocache "rebuild --no-cache + push" --no-cache; then
	# the work is done by dockerd: its peak RSS is docker's figure
	kib=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DOCKER_PID/status")
	[ -n "$kib" ] || kib=-
	sed -i "s/|docker|\([^|]*\)|-\$/|docker|\1|$kib/" "$RESULTS"
	VERSIONS="$VERSIONS, docker $(version "$DOCKER" version --format '{{.Server.Version}}')"
	note "docker: classic builder (Debian's docker.io ships no buildx, so no BuildKit); RSS is dockerd's peak over the three runs"
else
	note "docker: failed (see above)"
fi
_dockerd_stop_all	# frees memory and disk before buildah

# --- buildah ------------------------------------------------------------------
buildah_build_push() {	# buildah_build_push RUN STEP [BUD-OPTION]: BD_RUN = digest
	timed "bb_$1" buildah $BUILDAH_STORE bud --tls-verify=false --layers $3 \
		-t "$REG/app-buildah:1" "$CTX" &&
	timed "bp_$1" buildah $BUILDAH_STORE push --tls-verify=false --digestfile "$W/bd-$1" \
		"$REG/app-buildah:1" "docker://$REG/app-buildah:1" &&
	eval "BD_$1=\$(cat \"\$W/bd-$1\")" &&
	eval "row \"\$2\" buildah \"\$(add \$T_bb_$1 \$T_bp_$1)\" \"\$(max \$M_bb_$1 \$M_bp_$1)\""
}
if ! command -v buildah >/dev/null 2>&1; then
	note "buildah: unavailable (not installed: apt-get install buildah, as root)"
elif [ "$(id -u)" != 0 ]; then
	note "buildah: unavailable (run as root: rootless buildah needs subordinate ids)"
else
	BUILDAH_ROOT=$W/buildah
	BUILDAH_STORE="--root $BUILDAH_ROOT/root --runroot $BUILDAH_ROOT/run --storage-driver vfs"
	if buildah_build_push cold "build+push, cold" &&
	   buildah_build_push warm "build+push, warm" &&
	   buildah_build_push nocache "rebuild --no-cache + push" --no-cache; then
		VERSIONS="$VERSIONS, buildah $(version buildah --version)"
	else
		note "buildah: unavailable ($(grep -h -m1 -i 'error' "$W"/bb_*.log "$W"/bp_*.log 2>/dev/null | head -n 1 | cut -c1-120))"
	fi
	buildah $BUILDAH_STORE rm --all >/dev/null 2>&1
	rm -rf "$BUILDAH_ROOT"
fi

# --- 2. copy: publish copy vs skopeo copy --all -------------------------------
# Three rounds, each to fresh registries (a cold copy: nothing there, no
# blob to mount), the two tools in turn first; the median is kept.
HAVE_SKOPEO=
command -v skopeo >/dev/null 2>&1 && HAVE_SKOPEO=1 &&
	VERSIONS="$VERSIONS, skopeo $(version skopeo --version)" ||
	note "skopeo: unavailable (not installed: apt-get install skopeo)"
POLICY=$(_img_policy)
copy_publish() {	# copy_publish NAME SRC DST
	timed "$1" "$PUBLISH" copy --quiet --insecure-registry "$REG" \
		--insecure-registry "${3%%/*}" "$2" "$3"
}
copy_skopeo() {	# copy_skopeo NAME SRC DST
	timed "$1" skopeo --policy "$POLICY" copy --quiet --all \
		--src-tls-verify=false --dest-tls-verify=false "docker://$2" "docker://$3"
}
copy_round() {	# copy_round N TOOL...: each tool to a fresh registry of its own
	_round=$1; shift
	for _tool in "$@"; do
		start_http_registry "copy-$_tool-$_round" >/dev/null &&
		"copy_$_tool" "${_tool}_image_$_round" "$REG/app-publish:1" "$REGISTRY/app:1" &&
		"copy_$_tool" "${_tool}_index_$_round" "$REG/multi:1" "$REGISTRY/multi:1" || return 1
	done
}
copy_rows() {	# copy_rows TOOL: the medians of the three rounds
	for _k in image:"copy, image (3 layers)" index:"copy, index (2 platforms)"; do
		_s=${_k%%:*}
		eval "_t=\$(median \$T_${1}_${_s}_1 \$T_${1}_${_s}_2 \$T_${1}_${_s}_3)"
		eval "_m=\$(max \$(max \$M_${1}_${_s}_1 \$M_${1}_${_s}_2) \$M_${1}_${_s}_3)"
		row "${_k#*:}" "$1" "$_t" "$_m"
		eval "T_${1}_$_s=\$_t M_${1}_$_s=\$_m"
	done
}
if [ -n "$HAVE_SKOPEO" ]; then
	set -- publish skopeo
	copy_round 1 publish skopeo && copy_round 2 skopeo publish && copy_round 3 publish skopeo
else
	set -- publish
	copy_round 1 publish && copy_round 2 publish && copy_round 3 publish
fi && for t in "$@"; do copy_rows "$t"; done || note "copy: failed (see above)"

# --- 3. copy into a registry like ghcr.io: TLS and bearer-token auth ---------
# The image of step 1 into a fresh TLS + token-auth registry (tests/
# lib-registry.sh start_registry), three rounds, median: what a push to
# ghcr.io pays for TLS, the token exchange and the credentials.
copy_tls_publish() {	# copy_tls_publish NAME SRC DST
	printf '%s\n' "$REG_PASS" >"$W/regpass"
	SSL_CERT_FILE=$REGISTRY_CA timed "$1" sh -c 'exec "$0" copy --quiet --insecure-registry "$1" \
		--username "$2" --password-stdin "$3" "$4" <"$5"' \
		"$PUBLISH" "$REG" "$REG_USER" "$2" "$3" "$W/regpass"
}
copy_tls_skopeo() {	# copy_tls_skopeo NAME SRC DST
	timed "$1" skopeo --policy "$POLICY" copy --quiet --all --src-tls-verify=false \
		--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-creds "$REG_USER:$REG_PASS" \
		"docker://$2" "docker://$3"
}
tls_round() {	# tls_round N TOOL...
	_round=$1; shift
	for _tool in "$@"; do
		start_registry "tls-$_tool-$_round" >/dev/null &&
		"copy_tls_$_tool" "${_tool}_tls_$_round" "$REG/app-publish:1" "$REGISTRY/app:1" || return 1
	done
}
if test_have_prereq REGISTRY; then
	set -- publish
	[ -n "$HAVE_SKOPEO" ] && set -- publish skopeo
	if tls_round 1 "$@" && tls_round 2 "$@" && tls_round 3 "$@"; then
		for t in "$@"; do
			eval "_t=\$(median \$T_${t}_tls_1 \$T_${t}_tls_2 \$T_${t}_tls_3)"
			eval "_m=\$(max \$(max \$M_${t}_tls_1 \$M_${t}_tls_2) \$M_${t}_tls_3)"
			row "copy to TLS + token auth" "$t" "$_t" "$_m"
			eval "T_${t}_tls=\$_t M_${t}_tls=\$_m"
		done
	else
		note "copy to TLS + token auth: failed (see above)"
	fi
else
	note "copy to TLS + token auth: unavailable (needs openssl and python3-cryptography)"
fi

# --- report -------------------------------------------------------------------
echo "tools: publish$VERSIONS"
echo
awk -F'|' '
	function mib(k) { return k == "-" ? "-" : sprintf("%d MiB", k / 1024 + 0.5) }
	$2 == "publish" { if (!($1 in pt)) order[n++] = $1; pt[$1] = $3; pm[$1] = $4; next }
	{ ot[$1, ++c[$1]] = $2 "|" $3 "|" $4 }
	END {
		printf "%-26s %9s %7s   %-8s %8s %8s %7s\n", "step", "publish s", "RSS", "other", "s", "RSS", "other/publish"
		for (i = 0; i < n; i++) {
			s = order[i]
			if (!c[s]) printf "%-26s %9.2f %7s   (no other tool)\n", s, pt[s], mib(pm[s])
			for (j = 1; j <= c[s]; j++) {
				split(ot[s, j], f, "|")
				printf "%-26s %9.2f %7s   %-8s %8.2f %8s %6.1fx\n", s, pt[s], mib(pm[s]), f[1], f[2], mib(f[3]), f[2] / pt[s]
			}
		}
	}' "$RESULTS"
[ -n "$NOTES" ] && printf '%s' "$NOTES"

# split() B P: "build + push" seconds of one run, when it was measured
split() { eval "[ -n \"\$T_$2\" ] && printf '%5.2f + %5.2f' \$T_$1 \$T_$2"; }
echo
echo "build + push, seconds   cold            warm            --no-cache"
printf '%-23s %-15s %-15s %s\n' publish "$(split pb_cold pp_cold)" "$(split pb_warm pp_warm)" "(as warm)"
[ -n "$T_dp_nocache" ] && printf '%-23s %-15s %-15s %s\n' docker \
	"$(split db_cold dp_cold)" "$(split db_warm dp_warm)" "$(split db_nocache dp_nocache)"
[ -n "$T_bp_nocache" ] && printf '%-23s %-15s %-15s %s\n' buildah \
	"$(split bb_cold bp_cold)" "$(split bb_warm bp_warm)" "$(split bb_nocache bp_nocache)"

echo
echo "publish steps                seconds  peak RSS"
for s in pb_cold:"build, cold" pp_cold:"push, cold (blobs sent)" pb_warm:"build, warm (again)" \
	pp_warm:"push, warm (blobs there)" publish_image:"copy, image (median)" publish_index:"copy, index (median)" \
	publish_tls:"copy to TLS + token (median)"; do
	n=${s%%:*}
	eval "t=\$T_$n m=\$M_$n"
	[ -n "$t" ] && printf '%-28s %7.2f  %4d MiB\n' "${s#*:}" "$t" "$(((m + 512) / 1024))"
done

echo
same() { if [ "$1" = "$2" ]; then echo same; else echo different; fi; }
echo "same input twice, same digest?"
if [ "$D_cold" = "$D_warm" ]; then
	echo "  publish, build and build again:   same ($D_cold)"
else
	echo "  publish, build and build again:   DIFFERENT ($D_cold, $D_warm)"
fi
[ -n "$DD_nocache" ] &&
	echo "  docker, build and --no-cache:     $(same "$DD_cold" "$DD_nocache") ($DD_cold, $DD_nocache)"
[ -n "$BD_nocache" ] &&
	echo "  buildah, bud and --no-cache:      $(same "$BD_cold" "$BD_nocache") ($BD_cold, $BD_nocache)"

echo
maxkib=0
for n in pb_cold pp_cold pb_warm pp_warm publish_image publish_index publish_tls; do
	eval "m=\${M_$n:-0}"
	[ "$m" -gt "$maxkib" ] && maxkib=$m
done
if [ "$maxkib" -lt 65536 ]; then
	echo "target: every publish step under 64 MiB peak RSS: met"
else
	echo "target: every publish step under 64 MiB peak RSS: MISSED ($(((maxkib + 512) / 1024)) MiB)"
fi
awk -F'|' '$2 == "publish" { p[$1] = $3; next }
	$1 == "build+push, cold" {
		printf "target: build+push cold 2x faster than %s: %s (%.1fx)\n", $2, ($3 >= 2 * p[$1] ? "met" : "MISSED"), $3 / p[$1] }
	$1 ~ /^copy/ {
		printf "target: %s as fast as %s: %s (%.1fx)\n", $1, $2, ($3 >= p[$1] ? "met" : "MISSED"), $3 / p[$1] }' "$RESULTS"
exit 0
