# lib-registry.sh: a real OCI registry on loopback for the tests.
#
# Source it after test-lib.sh:
#
#   . "$(dirname "$0")/test-lib.sh"
#   . "$TEST_DIR/lib-registry.sh"
#   test_have_prereq REGISTRY || test_skip_all "no docker-registry"
#   start_registry || exit 1          # at top level (see "processes" below)
#   test_expect_success 'push' '
#       publish push --registry "$REGISTRY" ...
#   '
#
# start_registry [NAME] runs Debian's docker-registry (distribution 2.8) on
# 127.0.0.1:<free port>, over TLS signed by a test CA made in $TRASH/pki,
# with bearer-token auth as on ghcr.io: a 401 names the realm of a token
# service (tests/helper/token-server.py, also TLS) and the client swaps Basic
# credentials (or none) for a JWT there.  relativeurls is on (Location
# headers are paths), deletes are enabled, storage is $TRASH/registry-NAME.
# It is ready (answers /v2/) when the function returns, in ~0.3 s.
# It exports:
#
#   REGISTRY            127.0.0.1:PORT (no scheme)
#   REGISTRY_URL        https://127.0.0.1:PORT
#   REGISTRY_SCHEME     https (http for start_http_registry)
#   REGISTRY_CA         the test CA, PEM (curl --cacert, SSL_CERT_FILE...);
#                       it signed the registry's and the token service's
#                       certificates (SAN IP:127.0.0.1, DNS:localhost)
#   REGISTRY_CERT_DIR   a directory holding only ca.crt (skopeo --*-cert-dir,
#                       /etc/docker/certs.d layout)
#   TOKEN_URL           https://127.0.0.1:TPORT/token, the realm
#   REGISTRY_SERVICE    the service name in the challenge (test-registry)
#   REG_USER REG_PASS   may pull, push and delete everywhere (and catalog)
#   REG_PULL_USER REG_PULL_PASS   may only pull
#   REG_USERS_FILE      the token service's users, re-read on every request:
#                       append NAME:PASSWORD:ACTIONS[:REPO_GLOB] to add one
#   REGISTRY_DIR        $TRASH/registry-NAME (data/, config.yml, logs)
#   REGISTRY_LOG        the registry's log (one access line per request)
#   TOKEN_LOG           the token service's log: one line per request,
#                       "METHOD USER-or-- SCOPES STATUS", tab separated
#   REGISTRY_PID TOKEN_PID
#
# Anonymous clients get pull on every repository and nothing else (public
# images on ghcr.io); a wrong password gets 401 from the token service.
# Knobs, set for the start_registry call:
#   REGISTRY_TOKEN_X5C=1      tokens carry the signing certificate in `x5c`
#                             instead of `kid` (both verified by the registry)
#   REGISTRY_TOKEN_EXPIRES=N  token lifetime in seconds (default 300); the
#                             registry still takes a token ~60 s past its
#                             exp (distribution's leeway): to test a
#                             refresh, use the proxy's `unauth` fault
#   REGISTRY_TOKEN_PROXY=1    the realm is a fault proxy in front of the token
#                             service: token_fault_set RULES breaks token
#                             fetches; TOKEN_FAULT_LOG logs them;
#                             TOKEN_DIRECT_URL is the service itself
#
# The values are also written to $REGISTRY_DIR/env; `use_registry NAME`
# makes an earlier registry current again (copy tests run two).
#
# start_plain_registry [NAME]: the same over TLS, no auth (REG_USER empty).
# start_http_registry [NAME]: plain HTTP, no auth (loopback only).
# registry_token [-u USER:PASS] SCOPE...: prints a token for the scopes
#   (repository:NAME:pull,push), anonymous without -u.
# reg_curl ARGS...: curl -sS --cacert "$REGISTRY_CA" ARGS.
# registry_docker_config DIR [USER PASS]: writes DIR/config.json with an
#   `auths` entry for $REGISTRY (docker login's format; default REG_USER),
#   for DOCKER_CONFIG=DIR.
#
# start_fault_proxy [UPSTREAM [RULES]]: a reverse proxy (TLS with the same
#   certificate, or HTTP for an HTTP registry) in front of UPSTREAM (default
#   $REGISTRY) injecting faults; tests/helper/fault-proxy.py documents RULES, e.g.
#   "503,method=PUT,path=/manifests/,times=1;reset,every=5".  Exports
#   FAULT_PROXY (127.0.0.1:PORT: give it to the client as the registry),
#   FAULT_LOG, FAULT_TRACE, FAULT_RULES_FILE, FAULT_PID.  FAULT_TRACE has
#   "begin|end METHOD PATH?QUERY" (tab separated) as each request arrives
#   and as the proxy is done with it.
# fault_set RULES: new rules at once (counters restart); "" for none.
# fault_count ERE [LOG]: how many lines of the proxy log match (grep -Ec);
#   lines are "METHOD PATH?QUERY STATUS FAULT", tab separated, STATUS "-"
#   after a reset, FAULT "-" when none.
# fault_log_count METHOD PATH_ERE [STATUS [FAULT [LOG]]]: the same by
#   field ("*" matches any), e.g. fault_log_count PATCH /blobs/uploads/
# fault_overlap METHOD PATH_ERE [TRACE]: the most requests of that method
#   (or *) with a path matching PATH_ERE that were in the proxy at the same
#   time (from $FAULT_TRACE), e.g. fault_overlap PUT /blobs/uploads/
#
# Processes: every process started here is stopped at the end by
# test_cleanup (TERM, then KILL after 3 s), even one started inside a test
# body (pids are kept in $TRASH/.regtest-pids).  Prefer starting at top
# level: variables set inside a test body do not outlive it, and a server
# whose parent subshell has gone is reaped by init, not by the script.
# regtest_stop PID... stops some early; regtest_track PID adds one.
# Prereqs: REGISTRY when docker-registry, openssl and python3-cryptography
# are there; SKOPEO when skopeo is.

REGTEST_PY=${REGTEST_PY:-/usr/bin/python3}
[ -x "$REGTEST_PY" ] || REGTEST_PY=python3
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
_regtest_pids=$TRASH/.regtest-pids

if [ -x "$REGISTRY_BIN" ] && command -v openssl >/dev/null &&
   "$REGTEST_PY" -c 'import cryptography' 2>/dev/null; then
	test_set_prereq REGISTRY
fi
command -v skopeo >/dev/null && test_set_prereq SKOPEO
test_prereq_why REGISTRY "no docker-registry, openssl or python3-cryptography"
test_prereq_why SKOPEO "no skopeo"

# _regtest_alive PID: the process exists and is not a zombie
_regtest_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case "$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" in
	Z|X|"") return 1 ;;
	esac
	return 0
}

# regtest_track PID: stop PID at cleanup.  Kept in a file (for servers
# started inside a test body, a subshell) and in a variable (in case the
# file goes: a stray `rm -rf /tmp/publish-*` has been seen).
_regtest_pid_list=
regtest_track() {
	_regtest_pid_list="$_regtest_pid_list $1"
	echo "$1" >>"$_regtest_pids"
}

# regtest_stop PID...: TERM, up to 3 s, then KILL
regtest_stop() {
	for _p in "$@"; do kill -TERM "$_p" 2>/dev/null; done
	for _p in "$@"; do
		_i=0
		while _regtest_alive "$_p" && [ $_i -lt 30 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		_regtest_alive "$_p" && kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	return 0
}

_regtest_stop_all() {
	regtest_stop $_regtest_pid_list $(cat "$_regtest_pids" 2>/dev/null)
	_regtest_pid_list=
	rm -f "$_regtest_pids"
}
test_cleanup _regtest_stop_all

# _regtest_ports N: N distinct free loopback ports, one per line
_regtest_ports() {
	"$REGTEST_PY" - "$1" <<-'EOF'
	import socket, sys
	socks = []
	for _ in range(int(sys.argv[1])):
	    s = socket.socket()
	    s.bind(("127.0.0.1", 0))
	    socks.append(s)
	for s in socks:
	    print(s.getsockname()[1])
	EOF
}

# registry_pki: the test CA, a server certificate for 127.0.0.1 and
# localhost, and the token signing key with its self-signed certificate,
# made once per test script in $TRASH/pki.
registry_pki() {
	_pki=$TRASH/pki
	[ -s "$_pki/token.crt" ] && return 0
	mkdir -p "$_pki/certdir" || return 1
	(
		cd "$_pki" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout ca.key -out ca.crt -days 3650 -subj "/CN=publish-action test CA" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
		printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
			'basicConstraints=critical,CA:FALSE' \
			'keyUsage=critical,digitalSignature,keyEncipherment' \
			'extendedKeyUsage=serverAuth' >server.ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 3650 -extfile server.ext -out server.crt &&
		openssl genrsa -out token.key 2048 &&
		openssl req -x509 -key token.key -out token.crt -days 3650 \
			-subj "/CN=publish-action test token signer" &&
		cp ca.crt certdir/ca.crt
	) >"$_pki/openssl.log" 2>&1 || {
		cat "$_pki/openssl.log" >&2
		echo "registry_pki: cannot make the test certificates" >&2
		return 1
	}
}

# _regtest_wait_listen SECONDS PID PORT [PID PORT...]: until each PORT on
# 127.0.0.1 accepts a connection (every 2 ms, in one process: a curl
# every few ms would take the CPU the servers start with); 1 when a PID
# ends first or time runs out
_regtest_wait_listen() {
	"$REGTEST_PY" - "$@" <<-'EOF'
	import os, socket, sys, time
	end = time.monotonic() + float(sys.argv[1])
	todo = list(zip(sys.argv[2::2], sys.argv[3::2]))
	while todo and time.monotonic() < end:
	    for pid, port in list(todo):
	        try:
	            with socket.create_connection(("127.0.0.1", int(port)), timeout=1):
	                todo.remove((pid, port))
	        except OSError:
	            try:
	                with open("/proc/%s/stat" % pid) as f:
	                    if f.read().rsplit(")", 1)[1].split()[0] in "ZX":
	                        sys.exit(1)
	            except OSError:
	                sys.exit(1)
	    if todo:
	        time.sleep(0.002)
	sys.exit(1 if todo else 0)
	EOF
}

# _regtest_wait_http URL WANT PID [SECONDS]: until URL answers WANT
# (polled every 10 ms: a benchmark counts a registry's start)
_regtest_wait_http() {
	_i=0
	while [ $_i -lt "$(( ${4:-10} * 100 ))" ]; do
		_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			--cacert "$TRASH/pki/ca.crt" "$1" 2>/dev/null)
		[ "$_code" = "$2" ] && return 0
		_regtest_alive "$3" || return 1
		sleep 0.01
		_i=$((_i + 1))
	done
	return 1
}

# _regtest_start NAME, with _auth=0|1 and _tls=0|1 set by the caller
_regtest_start() {
	_name=${1:-reg}
	_dir=$TRASH/registry-$_name
	if [ -e "$_dir/env" ]; then
		echo "start_registry: a registry named '$_name' runs already" >&2
		return 1
	fi
	[ -x "$REGISTRY_BIN" ] || { echo "start_registry: no $REGISTRY_BIN (apt-get install docker-registry)" >&2; return 1; }
	registry_pki || return 1
	# REGTEST_DATA_ROOT (bench/run: a tmpfs): where the registry stores
	# blobs, so that the fsync of each file it writes does not time a disk
	_data=$_dir/data
	[ -n "$REGTEST_DATA_ROOT" ] && _data=$REGTEST_DATA_ROOT/$(basename "$_dir")
	mkdir -p "$_dir" "$_data" || return 1
	_pki=$TRASH/pki
	cat >"$_dir/users" <<-EOF
	# NAME:PASSWORD:ACTIONS[:REPO_GLOB]  (re-read on every token request)
	pusher:push-secret:pull,push,delete,catalog
	puller:pull-secret:pull
	EOF

	_attempt=0
	while :; do
		_attempt=$((_attempt + 1))
		set -- $(_regtest_ports 3)
		_port=$1 _tport=$2 _pport=$3
		_realm=https://127.0.0.1:$_tport/token
		_scheme=https
		[ "$_tls" = 0 ] && _scheme=http

		_tpid=
		if [ "$_auth" = 1 ]; then
			"$REGTEST_PY" "$HELPER/token-server.py" --key "$_pki/token.key" \
				--cert "$_pki/token.crt" ${REGISTRY_TOKEN_X5C:+--x5c} \
				--users "$_dir/users" --port "$_tport" \
				--tls-cert "$_pki/server.crt" --tls-key "$_pki/server.key" \
				--service test-registry --issuer test-token-issuer \
				--expires "${REGISTRY_TOKEN_EXPIRES:-300}" \
				--log "$_dir/token.log" >"$_dir/token.out" 2>&1 &
			_tpid=$!
			regtest_track $_tpid
		fi
		_ppid=
		if [ "$_auth" = 1 ] && [ -n "$REGISTRY_TOKEN_PROXY" ]; then
			: >"$_dir/token-faults"
			: >"$_dir/token-proxy.log"
			"$REGTEST_PY" "$HELPER/fault-proxy.py" --upstream "https://127.0.0.1:$_tport" \
				--ca "$_pki/ca.crt" --tls-cert "$_pki/server.crt" --tls-key "$_pki/server.key" \
				--rules-file "$_dir/token-faults" --log "$_dir/token-proxy.log" \
				--port "$_pport" >"$_dir/token-proxy.out" 2>&1 &
			_ppid=$!
			regtest_track $_ppid
			_realm=https://127.0.0.1:$_pport/token
		fi

		{
			echo "version: 0.1"
			echo "log:"
			echo "  level: info"
			echo "  formatter: text"
			echo "storage:"
			echo "  filesystem:"
			echo "    rootdirectory: $_data"
			echo "  delete:"
			echo "    enabled: true"
			echo "  maintenance:"
			echo "    uploadpurging:"
			echo "      enabled: false"
			echo "http:"
			echo "  addr: 127.0.0.1:$_port"
			echo "  relativeurls: true"
			echo "  secret: publish-action-test-secret"
			if [ "$_scheme" = https ]; then
				echo "  tls:"
				echo "    certificate: $_pki/server.crt"
				echo "    key: $_pki/server.key"
			fi
			if [ "$_auth" = 1 ]; then
				echo "auth:"
				echo "  token:"
				echo "    realm: $_realm"
				echo "    service: test-registry"
				echo "    issuer: test-token-issuer"
				echo "    rootcertbundle: $_pki/token.crt"
			fi
		} >"$_dir/config.yml"

		# A clean environment: distribution reads REGISTRY_* variables
		# as configuration overrides, and ours are not meant for it.
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$_dir" \
			"$REGISTRY_BIN" serve "$_dir/config.yml" >"$_dir/registry.log" 2>&1 &
		_rpid=$!
		regtest_track $_rpid

		_want=200
		[ "$_auth" = 1 ] && _want=401
		_ok=1
		# listening first (the token server's signing key loads
		# meanwhile: the first token waits for it), then the registry's
		# answer, usually at the first try
		_regtest_wait_listen 10 $_rpid $_port ${_tpid:+$_tpid $_tport} &&
		_regtest_wait_http "$_scheme://127.0.0.1:$_port/v2/" $_want $_rpid || _ok=0
		if [ $_ok = 1 ] && [ -n "$_ppid" ]; then
			_regtest_wait_http "$_realm?service=test-registry" 200 $_ppid || _ok=0
			: >"$_dir/token-proxy.log"
		fi
		if [ $_ok = 1 ]; then
			# the readiness probes are not what a test counts
			[ -n "$_tpid" ] && : >"$_dir/token.log"
			break
		fi
		regtest_stop $_rpid $_tpid $_ppid
		# a port taken between choosing and binding: try other ports
		if [ $_attempt -lt 3 ] && grep -qi 'address already in use' \
			"$_dir/registry.log" "$_dir/token.out" "$_dir/token-proxy.out" 2>/dev/null; then
			continue
		fi
		echo "start_registry: the registry '$_name' did not start" >&2
		sed 's/^/registry: /' "$_dir/registry.log" >&2
		[ -n "$_tpid" ] && sed 's/^/token-server: /' "$_dir/token.out" >&2
		[ -n "$_ppid" ] && sed 's/^/token-proxy: /' "$_dir/token-proxy.out" >&2
		return 1
	done

	{
		echo "REGISTRY=127.0.0.1:$_port"
		echo "REGISTRY_SCHEME=$_scheme"
		echo "REGISTRY_URL=$_scheme://127.0.0.1:$_port"
		echo "REGISTRY_CA=$_pki/ca.crt"
		echo "REGISTRY_CERT_DIR=$_pki/certdir"
		echo "REGISTRY_DIR=$_dir"
		echo "REGISTRY_LOG=$_dir/registry.log"
		echo "REGISTRY_SERVICE=test-registry"
		echo "REGISTRY_PID=$_rpid"
		if [ "$_auth" = 1 ]; then
			echo "TOKEN_URL=$_realm"
			echo "TOKEN_DIRECT_URL=https://127.0.0.1:$_tport/token"
			if [ -n "$_ppid" ]; then
				echo "TOKEN_FAULT_RULES_FILE=$_dir/token-faults"
				echo "TOKEN_FAULT_LOG=$_dir/token-proxy.log"
			else
				echo "TOKEN_FAULT_RULES_FILE= TOKEN_FAULT_LOG="
			fi
			echo "TOKEN_LOG=$_dir/token.log"
			echo "TOKEN_PID=$_tpid"
			echo "REG_USERS_FILE=$_dir/users"
			echo "REG_USER=pusher REG_PASS=push-secret"
			echo "REG_PULL_USER=puller REG_PULL_PASS=pull-secret"
		else
			echo "TOKEN_URL= TOKEN_DIRECT_URL= TOKEN_LOG= TOKEN_PID= REG_USERS_FILE="
			echo "TOKEN_FAULT_RULES_FILE= TOKEN_FAULT_LOG="
			echo "REG_USER= REG_PASS= REG_PULL_USER= REG_PULL_PASS="
		fi
		echo "export REGISTRY_URL TOKEN_DIRECT_URL TOKEN_FAULT_RULES_FILE TOKEN_FAULT_LOG"
		echo "export REGISTRY REGISTRY_SCHEME REGISTRY_CA REGISTRY_CERT_DIR REGISTRY_DIR REGISTRY_LOG"
		echo "export REGISTRY_SERVICE REGISTRY_PID TOKEN_URL TOKEN_LOG TOKEN_PID REG_USERS_FILE"
		echo "export REG_USER REG_PASS REG_PULL_USER REG_PULL_PASS"
	} >"$_dir/env"
	. "$_dir/env"
}

start_registry() { _auth=1 _tls=1; _regtest_start "${1:-reg}"; }
start_plain_registry() { _auth=0 _tls=1; _regtest_start "${1:-plain}"; }
start_http_registry() { _auth=0 _tls=0; _regtest_start "${1:-http}"; }

# use_registry NAME: make registry NAME the current one again
use_registry() {
	[ -f "$TRASH/registry-$1/env" ] || { echo "use_registry: no registry '$1'" >&2; return 1; }
	. "$TRASH/registry-$1/env"
}

reg_curl() {
	curl -sS --cacert "$REGISTRY_CA" "$@"
}

# login PUBLISH_ARGS...: publish with the current registry's pushing user
login() {
	echo "$REG_PASS" | publish "$@" --username "$REG_USER" --password-stdin
}

# skopeo_raw REF: the manifest bytes of REF (a full reference), as the pushing user reads them
skopeo_raw() {
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" "docker://$1"
}

# registry_tags REPO: the tags of REPO on $REGISTRY, sorted, one per line
registry_tags() {
	skopeo list-tags --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/$1" | jq -r '.Tags[]' | sort
}

# mark / since_mark: the current registry's log lines written since the
# mark (mark: its line count now, in ./mark)
mark() { wc -l <"$REGISTRY_LOG" >mark; }
since_mark() { tail -n +"$(($(cat mark) + 1))" "$REGISTRY_LOG"; }

# registry_digest REF: the manifest digest $REGISTRY has for REF (repo:tag)
registry_digest() {
	skopeo_raw "$REGISTRY/$1" >"$TRASH/.raw" &&
	echo "sha256:$(sha256sum <"$TRASH/.raw" | cut -d" " -f1)"
}

# registry_config REF: the image config of REF
registry_config() {
	skopeo inspect --config --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/$1"
}

# registry_token [-u USER:PASS] SCOPE...
registry_token() {
	_cred=
	if [ "$1" = -u ]; then _cred=$2; shift 2; fi
	_q="service=$REGISTRY_SERVICE"
	for _s in "$@"; do _q="$_q&scope=$_s"; done
	reg_curl -f ${_cred:+-u "$_cred"} "$TOKEN_URL?$_q" |
		"$REGTEST_PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# registry_docker_config DIR [USER PASS]
registry_docker_config() {
	mkdir -p "$1" &&
	"$REGTEST_PY" - "$1/config.json" "$REGISTRY" "${2:-$REG_USER}" "${3:-$REG_PASS}" <<-'EOF'
	import base64, json, sys
	path, reg, user, pw = sys.argv[1:5]
	try:
	    with open(path) as f:
	        cfg = json.load(f)
	except OSError:
	    cfg = {}
	auth = base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
	cfg.setdefault("auths", {})[reg] = {"auth": auth}
	with open(path, "w") as f:
	    json.dump(cfg, f, indent=1, sort_keys=True)
	EOF
}

# start_fault_proxy [UPSTREAM [RULES]]
start_fault_proxy() {
	_up=${1:-$REGISTRY}
	_fdir=$TRASH/fault-proxy-$(echo "$_up" | tr -c 'A-Za-z0-9\n' _)
	mkdir -p "$_fdir" || return 1
	printf '%s\n' "${2:-}" >"$_fdir/rules"
	: >"$_fdir/requests.log"
	: >"$_fdir/trace.log"
	# the proxy speaks what the upstream speaks (HTTP for an HTTP registry)
	_fscheme=https
	[ "${REGISTRY_SCHEME:-https}" = http ] && [ "$_up" = "$REGISTRY" ] && _fscheme=http
	if [ $_fscheme = https ]; then
		set -- --tls-cert "$TRASH/pki/server.crt" --tls-key "$TRASH/pki/server.key"
	else
		set --
	fi
	"$REGTEST_PY" "$HELPER/fault-proxy.py" --upstream "$_fscheme://$_up" \
		--ca "$TRASH/pki/ca.crt" "$@" --rules-file "$_fdir/rules" \
		--log "$_fdir/requests.log" --trace "$_fdir/trace.log" --port-file "$_fdir/port" \
		>"$_fdir/out" 2>&1 &
	_fpid=$!
	regtest_track $_fpid
	_i=0
	while [ ! -s "$_fdir/port" ]; do
		if ! _regtest_alive $_fpid || [ $_i -gt 200 ]; then
			echo "start_fault_proxy: the proxy did not start" >&2
			cat "$_fdir/out" >&2
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	FAULT_PROXY=127.0.0.1:$(cat "$_fdir/port")
	FAULT_LOG=$_fdir/requests.log
	FAULT_TRACE=$_fdir/trace.log
	FAULT_RULES_FILE=$_fdir/rules
	FAULT_PID=$_fpid
	export FAULT_PROXY FAULT_LOG FAULT_TRACE FAULT_RULES_FILE FAULT_PID
}

# fault_set RULES [RULES_FILE]: replace the proxy's rules (empty: no
# faults); RULES_FILE defaults to $FAULT_RULES_FILE
fault_set() {
	_rf=${2:-$FAULT_RULES_FILE}
	[ -n "$_rf" ] || { echo "fault_set: no fault proxy" >&2; return 1; }
	printf '%s\n' "$1" >"$_rf.tmp" && mv "$_rf.tmp" "$_rf"
}

# token_fault_set RULES: faults for the token service (start_registry with
# REGISTRY_TOKEN_PROXY=1 puts a fault proxy at the realm)
token_fault_set() {
	[ -n "$TOKEN_FAULT_RULES_FILE" ] || { echo "token_fault_set: start_registry without REGISTRY_TOKEN_PROXY=1" >&2; return 1; }
	fault_set "$1" "$TOKEN_FAULT_RULES_FILE"
}

# fault_count REGEX [LOG]: how many logged requests match (grep -E)
fault_count() {
	grep -Ec "$1" "${2:-$FAULT_LOG}"
}

# fault_log_count METHOD PATH_ERE [STATUS [FAULT [LOG]]]: requests with
# that method (or *), a path matching PATH_ERE, and, when given, that
# status (- after a reset) and fault (- for none); prints the count
fault_log_count() {
	# through the environment: awk -v would eat the regex's backslashes
	FLC_M=$1 FLC_P=$2 FLC_S=${3:-*} FLC_F=${4:-*} awk -F '\t' '
		BEGIN { m = ENVIRON["FLC_M"]; p = ENVIRON["FLC_P"]; s = ENVIRON["FLC_S"]; f = ENVIRON["FLC_F"] }
		(m == "*" || $1 == m) && $2 ~ p && (s == "*" || $3 == s) && (f == "*" || $4 == f) { n++ }
		END { print n + 0 }' "${5:-$FAULT_LOG}"
}

# fault_overlap METHOD PATH_ERE [TRACE]: most such requests in the proxy at once
fault_overlap() {
	FO_M=$1 FO_P=$2 awk -F '\t' '
		BEGIN { m = ENVIRON["FO_M"]; p = ENVIRON["FO_P"] }
		(m == "*" || $2 == m) && $3 ~ p && $1 == "begin" { if (++n > max) max = n }
		(m == "*" || $2 == m) && $3 ~ p && $1 == "end" { n-- }
		END { print max + 0 }' "${3:-$FAULT_TRACE}"
}
