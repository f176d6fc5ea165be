#!/bin/sh
# demo.sh: `make demo`, the book-style flow of "Bootstrapping Microservices"
# with publish instead of `docker build` + `docker push`, on this machine:
#
#   1. a local registry (TLS + token auth, like ghcr.io);
#   2. a busybox base image built by publish itself: FROM scratch + COPY of
#      a root file system made from Debian's static /bin/busybox;
#   3. examples/video-streaming built on it and pushed (no daemon);
#   4. `docker run -p 3000:3000` of the pushed image (or podman), and
#      curl http://localhost:3000/video;
#   5. everything it started stopped, everything it made removed.
#
# The Makefile has installed the packages (tests/helper/deps.sh) and built
# build/publish.  DEMO_KEEP=1 keeps the service running until Enter.
TEST_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$TEST_DIR/test-lib.sh" >/dev/null
. "$TEST_DIR/lib-registry.sh"
# stopped halfway (Ctrl-C, a closed pipe): still stop what was started
trap '_run_cleanups; cd / && rm -rf "$TRASH"; exit 1' INT TERM HUP PIPE

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }
run() { printf '$ %s\n' "$*"; "$@"; }

test_have_prereq REGISTRY || fail "no docker-registry, openssl or python3-cryptography (make deps-test)"
[ -x "$PUBLISH" ] || fail "no $PUBLISH (make)"
ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' || fail "/bin/busybox is not the static one (apt-get install busybox-static)"

step "1. A local registry, TLS and token auth as on ghcr.io"
start_registry demo >/dev/null || fail "the registry did not start"
export SSL_CERT_FILE=$REGISTRY_CA
echo "registry: https://$REGISTRY (user $REG_USER)"

step "2. A busybox base image, built by publish from a root file system"
mkdir -p base/rootfs/bin base/rootfs/etc base/rootfs/tmp base/rootfs/srv
cp /bin/busybox base/rootfs/bin/busybox
for a in $(/bin/busybox --list); do
	case "$a" in busybox) ;; *) ln -s busybox "base/rootfs/bin/$a" ;; esac
done
chmod 1777 base/rootfs/tmp
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >base/rootfs/etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' >base/rootfs/etc/group
cat >base/Dockerfile <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/bin
CMD ["sh"]
EOF
cat base/Dockerfile
run "$PUBLISH" build --context base --output oci:base.oci ||
	fail "publish build of the base failed"
printf '%s\n' "$REG_PASS" |
	run "$PUBLISH" push --username "$REG_USER" --password-stdin oci:base.oci "$REGISTRY/busybox:1.35" ||
	fail "publish push of the base failed"

step "3. examples/video-streaming, built and pushed"
cat "$ROOT/examples/video-streaming/Dockerfile"
start=$(date +%s.%N)
run "$PUBLISH" build --build-arg "BASE=$REGISTRY/busybox:1.35" \
	--context "$ROOT/examples/video-streaming" --output oci:video.oci ||
	fail "publish build of the service failed"
printf '%s\n' "$REG_PASS" |
	run "$PUBLISH" push --username "$REG_USER" --password-stdin --digest-file video.digest \
		oci:video.oci "$REGISTRY/video-streaming:1" "$REGISTRY/video-streaming:latest" ||
	fail "publish push of the service failed"
end=$(date +%s.%N)
DIGEST=$(cat video.digest)
echo "again, to show the build is reproducible:"
again=$("$PUBLISH" build --quiet --build-arg "BASE=$REGISTRY/busybox:1.35" \
	--context "$ROOT/examples/video-streaming" --output oci:video-again.oci | tail -n 1)
[ "$again" = "$DIGEST" ] || fail "a second build gave $again, not $DIGEST"
echo "same digest: $again"
echo "built and pushed in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s: $REGISTRY/video-streaming@$DIGEST"
if command -v skopeo >/dev/null; then
	run skopeo list-tags --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/video-streaming"
fi

step "4. docker run -p 3000:3000, then curl the video"
PORT=3000
python3 -c 'import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 3000))' 2>/dev/null || {
	PORT=$(free_port)
	echo "port 3000 is taken here: using $PORT"
}
ENGINE=
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/dockerd ] && command -v docker >/dev/null &&
   command -v ip >/dev/null; then
	# A private engine: its own data, socket and bridge (Docker publishes
	# ports through its userland proxy; no iptables rule is touched).
	DK=$(mktemp -d /tmp/demo-dk.XXXXXX)
	BR=pubdemo$$
	ip link add "$BR" type bridge 2>/dev/null &&
	ip addr add 10.217.$(($$ % 200 + 20)).1/24 dev "$BR" && ip link set "$BR" up &&
	test_cleanup "ip link del $BR"
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$DK" \
		/usr/sbin/dockerd --storage-driver vfs --iptables=false --ip6tables=false \
		--bridge="$BR" --data-root "$TRASH/docker" --exec-root "$DK" \
		--pidfile "$DK/docker.pid" -H "unix://$DK/docker.sock" --log-level warn \
		>"$TRASH/dockerd.log" 2>&1 &
	DPID=$!
	test_cleanup "kill $DPID; sleep 2; kill -9 $DPID; awk '\$2 ~ \"^$TRASH/docker|^$DK\" {print \$2}' /proc/self/mounts | sort -r | xargs -r -n1 umount -l; rm -rf $DK"
	export DOCKER_HOST=unix://$DK/docker.sock
	i=0
	while ! docker version >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	docker version >/dev/null 2>&1 && ENGINE=docker
elif command -v podman >/dev/null; then
	ENGINE=podman
fi
[ -n "$ENGINE" ] || fail "neither docker (dockerd, as root) nor podman can run containers here"
test_cleanup "$ENGINE rm -f video-streaming-demo"
# Docker trusts registries on 127.0.0.0/8 without checking certificates;
# podman needs to be told.
TLS=
[ "$ENGINE" = podman ] && TLS=--tls-verify=false
printf '%s\n' "$REG_PASS" | $ENGINE login $TLS -u "$REG_USER" --password-stdin "$REGISTRY" >/dev/null ||
	fail "$ENGINE login to $REGISTRY failed"
run $ENGINE pull $TLS "$REGISTRY/video-streaming:1" || fail "$ENGINE pull failed"
run $ENGINE run -d --name video-streaming-demo -p "$PORT:3000" "$REGISTRY/video-streaming:1" ||
	fail "$ENGINE run failed"
wait_for_port "$PORT" 20 || fail "the service did not listen on $PORT"
sleep 0.5
run curl -sS -D headers -o video.mp4 "http://localhost:$PORT/video" || fail "curl failed"
cat headers
cmp video.mp4 "$ROOT/examples/video-streaming/videos/SampleVideo.mp4" ||
	fail "the video served is not examples/video-streaming/videos/SampleVideo.mp4"
grep -qi '^content-type: video/mp4' headers || fail "no Content-Type: video/mp4"
$ENGINE logs video-streaming-demo 2>&1 | sed 's/^/service: /'

step "What to look at"
cat <<EOF
- The image:   $REGISTRY/video-streaming:1 = $REGISTRY/video-streaming@$DIGEST
               built without a daemon (its Dockerfile has no RUN), and built
               twice with the same digest.
- The layers:  the push lines above say which were uploaded and which were
               mounted from busybox:1.35 (the base's, never uploaded twice).
- The video:   $(wc -c <video.mp4) bytes of video/mp4 from http://localhost:$PORT/video,
               identical to examples/video-streaming/videos/SampleVideo.mp4.
- In CI:       the same in one step, \`uses: OWNER/publish-action@v1\`
               (README, "Using the action").
EOF
if [ -n "$DEMO_KEEP" ]; then
	echo
	echo "The service runs at http://localhost:$PORT/video; press Enter to stop it."
	read -r _
fi

step "Stopping what the demo started"
_run_cleanups
cd / && rm -rf "$TRASH"
echo "done."
