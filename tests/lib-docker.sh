# lib-docker.sh: a private Docker engine for a test, to pull and run what
# publish pushed (the users' check: `docker pull` + `docker run` works).
#
# Source it after test-lib.sh (and lib-registry.sh for a registry):
#
#   . "$TEST_DIR/lib-docker.sh"
#   start_dockerd                       # at top level: sets prereq DOCKER
#   test_expect_success DOCKER 'the image runs' '
#       container_run "$REGISTRY/app:1" cat /hello >out &&
#       grep hi out
#   '
#
# start_dockerd: runs Debian's dockerd (docker.io) as root with
#   --storage-driver vfs --iptables=false --ip6tables=false --bridge=none,
#   data in $TRASH/docker, exec root and socket in a short /tmp/dk.XXXXXX
#   (unix socket paths are limited to 108 bytes), its own containerd.
#   Exports DOCKER_HOST (unix://...), DOCKER_PID, DOCKERD_LOG; sets the
#   prereqs DOCKER and CONTAINER once `docker version` answers; stops the
#   engine (and its containerd) in test_cleanup.  Returns 1, with the
#   reason on stderr, when the engine cannot run here (not root, no
#   docker.io): the tests needing it are then skipped by their prereq.
#   Registries on 127.0.0.0/8 are "insecure" to Docker by default: it talks
#   TLS to them without checking the certificate, so the test CA needs no
#   install in /etc/docker/certs.d (nothing global is touched).  Pulls
#   still go through the token dance (anonymous pull tokens, or REG_USER's
#   after container_login).  One engine per test script (the second call
#   returns at once); the prereqs are set only in the shell that called it,
#   so call it at top level.  Start-up takes ~0.2 s; a first `docker run`
#   ~0.3 s.
#
# container_pull REF                 docker pull -q REF
# container_run IMAGE [CMD ARGS...]  docker run --rm --network none IMAGE CMD
# container_load TAR                 docker load -i TAR (docker-archive tar)
# container_load_oci DIR REF         an OCI layout's `latest` into the engine
#                                    as REF (skopeo -> docker-archive -> load)
# container_login [USER PASS]        docker login $REGISTRY (default REG_USER);
#                                    the client's config is $HOME/.docker,
#                                    in $TRASH
#
# DOCKER names the client (Debian's /usr/bin/docker when present).

if [ -x /usr/bin/docker ]; then DOCKER=${DOCKER:-/usr/bin/docker}; else DOCKER=${DOCKER:-docker}; fi
DOCKERD_BIN=${DOCKERD_BIN:-/usr/sbin/dockerd}

_dockerd_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case "$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" in
	Z|X|"") return 1 ;;
	esac
	return 0
}

# _dockerd_stop PID EXECROOT DATAROOT
_dockerd_stop() {
	_ctr=
	[ -s "$2/containerd/containerd.pid" ] && _ctr=$(cat "$2/containerd/containerd.pid")
	# containers first, so their mounts go away cleanly
	if [ -S "$2/docker.sock" ]; then
		_ids=$(DOCKER_HOST=unix://$2/docker.sock timeout 10 "$DOCKER" ps -aq 2>/dev/null </dev/null)
		[ -n "$_ids" ] && DOCKER_HOST=unix://$2/docker.sock timeout 20 "$DOCKER" rm -f $_ids >/dev/null 2>&1 </dev/null
	fi
	kill -TERM "$1" 2>/dev/null
	_i=0
	while _dockerd_alive "$1" && [ $_i -lt 150 ]; do sleep 0.1; _i=$((_i + 1)); done
	_dockerd_alive "$1" && kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	if [ -n "$_ctr" ]; then
		_i=0
		while _dockerd_alive "$_ctr" && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
		_dockerd_alive "$_ctr" && kill -KILL "$_ctr" 2>/dev/null
	fi
	# leftover mounts (a killed engine leaves its root bind-mounted)
	for _d in "$2" "$3"; do
		awk -v d="$_d" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts |
			sort -r | while read -r _m; do umount -l "$_m" 2>/dev/null; done
	done
	rm -rf "$2" "$3"
	return 0
}

# Engines are stopped by one cleanup registered here, from a list in
# $TRASH, so start_dockerd works inside a test body too.
# The top-level shell also remembers its own engine, in case the list
# goes with a stray rm.
_dockerd_stops=$TRASH/.dockerd-stops
_dockerd_mine=
_dockerd_stop_all() {
	{ [ -n "$_dockerd_mine" ] && echo "$_dockerd_mine"; cat "$_dockerd_stops" 2>/dev/null; } |
		sort -u | while read -r _l; do _dockerd_stop $_l; done
	_dockerd_mine=
	rm -f "$_dockerd_stops"
}
test_cleanup _dockerd_stop_all

start_dockerd() {
	if [ "$(id -u)" != 0 ]; then
		echo "start_dockerd: needs root" >&2
		return 1
	fi
	if [ ! -x "$DOCKERD_BIN" ] || ! command -v "$DOCKER" >/dev/null; then
		echo "start_dockerd: no $DOCKERD_BIN or docker client (apt-get install docker.io)" >&2
		return 1
	fi
	if [ -n "$DOCKER_PID" ] && _dockerd_alive "$DOCKER_PID"; then
		return 0
	fi
	_droot=$TRASH/docker
	_xroot=$(mktemp -d /tmp/dk.XXXXXX) || return 1
	mkdir -p "$_droot" || return 1
	DOCKERD_LOG=$TRASH/dockerd.log
	# a clean environment: no proxies, no DOCKER_* of the caller
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$_droot" \
		"$DOCKERD_BIN" --storage-driver vfs --iptables=false --ip6tables=false \
		--bridge=none --ip-forward=false --ip-masq=false \
		--data-root "$_droot" --exec-root "$_xroot" --pidfile "$_xroot/docker.pid" \
		-H "unix://$_xroot/docker.sock" --log-level warn \
		>"$DOCKERD_LOG" 2>&1 &
	DOCKER_PID=$!
	_dockerd_mine="$DOCKER_PID $_xroot $_droot"
	echo "$_dockerd_mine" >>"$_dockerd_stops"
	DOCKER_HOST=unix://$_xroot/docker.sock
	export DOCKER_HOST DOCKER_PID DOCKERD_LOG
	_i=0
	while ! "$DOCKER" version >/dev/null 2>&1; do
		if ! _dockerd_alive "$DOCKER_PID" || [ $_i -gt 300 ]; then
			echo "start_dockerd: the engine did not start:" >&2
			tail -n 20 "$DOCKERD_LOG" | sed 's/^/dockerd: /' >&2
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	test_set_prereq DOCKER
	test_set_prereq CONTAINER
}

container_pull() {
	"$DOCKER" pull -q "$1"
}

container_run() {
	"$DOCKER" run --rm --network none "$@"
}

container_load() {
	"$DOCKER" load -i "$1"
}

container_load_oci() {
	rm -f "$TRASH/.oci-load.tar" &&
	{ [ -s "$TRASH/.skopeo-policy.json" ] ||
		printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$TRASH/.skopeo-policy.json"; } &&
	skopeo --policy "${TRASH}/.skopeo-policy.json" copy --quiet \
		"oci:$1:latest" "docker-archive:$TRASH/.oci-load.tar:$2" &&
	"$DOCKER" load -q -i "$TRASH/.oci-load.tar" &&
	rm -f "$TRASH/.oci-load.tar"
}

container_login() {
	printf '%s\n' "${2:-$REG_PASS}" |
		"$DOCKER" login -u "${1:-$REG_USER}" --password-stdin "$REGISTRY"
}
