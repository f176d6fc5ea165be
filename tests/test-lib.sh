# test-lib.sh: a small TAP test library in the manner of git's t/test-lib.sh.
#
# A test script sources this file, then lists its tests:
#
#   . "$(dirname "$0")/test-lib.sh"
#   test_expect_success 'what it shows' '
#       publish meta --images x/y >out &&
#       grep "x/y:latest" out
#   '
#   test_done
#
# Each test body runs in a subshell-free eval inside the trash directory
# ($TRASH, removed at the end unless a test failed or TEST_KEEP is set).
# Output goes to stdout as TAP, so `prove` runs every script.  The
# environment is pinned: LANG=C, TZ=UTC, fixed git identities and dates,
# no GITHUB_* / INPUT_* variables from the caller.

set +e
LANG=C LC_ALL=C TZ=UTC
export LANG LC_ALL TZ

# tests/: the script's own directory; a script elsewhere that sources this
# file (tests/helper/demo.sh, bench/*.sh) sets TEST_DIR first
TEST_DIR=${TEST_DIR:-$(cd "$(dirname "$0")" && pwd)}
HELPER=$TEST_DIR/helper
ROOT=$(cd "$TEST_DIR/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
PUBLISH=$BUILD/publish
SHARED=${SHARED:-$ROOT/../shared}
PATH=$BUILD:$PATH
export TEST_DIR HELPER ROOT BUILD PUBLISH SHARED PATH

for v in $(env | sed -n 's/^\(GITHUB_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(INPUT_[^=]*\)=.*/\1/p; s/^\(DOCKER_METADATA_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(RUNNER_[A-Za-z0-9_]*\)=.*/\1/p'); do
	case "$v" in *-*) ;; *) unset "$v" ;; esac
done
# names with a hyphen (INPUT_SEP-TAGS) cannot be unset by the shell
unset_hyphenated() { :; }
unset SOURCE_DATE_EPOCH CI DOCKER_CONFIG

GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL='author@example.com'
GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL='committer@example.com'
GIT_AUTHOR_DATE='2020-01-10T00:30:00Z' GIT_COMMITTER_DATE='2020-01-10T00:30:00Z'
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
GIT_CONFIG_NOSYSTEM=1 HOME=${TMPDIR:-/tmp}
export GIT_CONFIG_NOSYSTEM

test_count=0
test_failed=0
test_skipped=0
_test_cleanups=

TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/publish-$TEST_NAME.XXXXXX")
HOME=$TRASH
export TRASH HOME
cd "$TRASH" || exit 1
git config --global user.name 'A U Thor' 2>/dev/null
git config --global user.email 'author@example.com' 2>/dev/null
git config --global init.defaultBranch main 2>/dev/null

say() { echo "# $*"; }

# test_cleanup CMD: run CMD when the script ends (to stop a server, say).
test_cleanup() {
	_test_cleanups="$1
$_test_cleanups"
}

_run_cleanups() {
	[ -n "$_test_cleanups" ] && eval "$_test_cleanups" >/dev/null 2>&1
	_test_cleanups=
}
trap '_run_cleanups; exit 1' INT TERM HUP
trap '_run_cleanups' EXIT

_test_run() {
	# The body runs in a subshell so `exit` or `cd` in it cannot escape.
	( eval "$1" ) >"$TRASH/.test-out" 2>&1 </dev/null
}

_test_report() {
	if [ "$1" = 0 ]; then
		echo "ok $test_count - $2"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $2"
		sed 's/^/#   /' "$TRASH/.test-out"
		echo "#   test body:"
		printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

# test_expect_success [PREREQ] 'description' 'body'
test_expect_success() {
	if [ $# = 3 ]; then _prereq=$1; shift; else _prereq=; fi
	test_count=$((test_count + 1))
	if [ -n "$_prereq" ] && ! test_have_prereq "$_prereq"; then
		test_skipped=$((test_skipped + 1))
		echo "ok $test_count # skip $1 (missing $_prereq)"
		return
	fi
	_test_run "$2"
	_test_report $? "$1" "$2"
}

# test_expect_code CODE 'description' 'command': the command exits with CODE
test_expect_code() {
	_code=$1; shift
	test_count=$((test_count + 1))
	_test_run "$2"
	_rc=$?
	if [ "$_rc" = "$_code" ]; then _rc=0; else echo "exit code $_rc, wanted $_code" >>"$TRASH/.test-out"; _rc=1; fi
	_test_report $_rc "$1" "$2"
}

_prereqs=" "
test_set_prereq() { _prereqs="$_prereqs$1 "; }
test_have_prereq() {
	case "$_prereqs" in *" $1 "*) return 0 ;; esac
	return 1
}

# test_prereq_why PREREQ REASON: what test_require says when PREREQ is missing
test_prereq_why() { eval "_prereq_why_$1=\$2"; }

# test_require PREREQ...: the whole script is skipped unless every PREREQ is
# set, with the reason given for the first one missing (test_prereq_why)
test_require() {
	for _p in "$@"; do
		test_have_prereq "$_p" && continue
		eval "_why=\${_prereq_why_$_p:-no $_p}"
		test_skip_all "$_why"
	done
}

# test_skip_all REASON: the whole script is skipped (prove counts it skipped).
test_skip_all() {
	echo "1..0 # SKIP $*"
	_run_cleanups
	rm -rf "$TRASH"
	exit 0
}

test_done() {
	echo "1..$test_count"
	_run_cleanups
	if [ "$test_failed" = 0 ] && [ -z "$TEST_KEEP" ]; then
		cd / && rm -rf "$TRASH"
	else
		echo "# trash kept in $TRASH"
	fi
	[ "$test_failed" = 0 ]
	exit $?
}

# --- helpers for test bodies ---------------------------------------------

# Case files (tests/README "Case files", read by tests/helper/casefile.py):
# casefile_count FILE: the number of blocks.
# casefile_split FILE N DIR: prints block N's name; writes each of its
# sections to DIR/SECTION (the first: DIR/input) and the values of each
# "key: value" field of the input section to DIR/KEY.field, one a line.
casefile_count() { python3 "$HELPER/casefile.py" count "$1"; }
casefile_split() { python3 "$HELPER/casefile.py" split "$1" "$2" "$3"; }

# test_cmp EXPECTED ACTUAL
test_cmp() { diff -u "$1" "$2"; }

# test_must_fail CMD...: CMD fails (but does not crash with a signal)
test_must_fail() {
	"$@"
	_rc=$?
	if [ $_rc = 0 ]; then echo "test_must_fail: '$*' succeeded" >&2; return 1; fi
	if [ $_rc -gt 128 ]; then echo "test_must_fail: '$*' died of signal $((_rc - 128))" >&2; return 1; fi
	return 0
}

# test_exit_code CODE CMD...: CMD exits with exactly CODE
test_exit_code() {
	_want=$1; shift
	"$@"
	_rc=$?
	[ "$_rc" = "$_want" ] && return 0
	echo "test_exit_code: '$*' exited $_rc, wanted $_want" >&2
	return 1
}

# test_file_limit BYTES CMD...: runs CMD unable to write any file past
# BYTES (RLIMIT_FSIZE: the write fails and SIGXFSZ kills it), to prove a
# download stops where it should and never spools more
test_file_limit() {
	python3 -c 'import os, resource, sys
n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
os.execvp(sys.argv[2], sys.argv[2:])' "$@"
}

# test_line_count FILE OP N
test_line_count() {
	_n=$(wc -l <"$1")
	[ "$_n" "$2" "$3" ] || { echo "test_line_count: $1 has $_n lines, wanted $2 $3" >&2; cat "$1" >&2; return 1; }
}

# free_port: a TCP port nobody listens on now
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_port PORT [SECONDS]
wait_for_port() {
	_i=0
	while [ $_i -lt "$(( ${2:-20} * 10 ))" ]; do
		(echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "port $1 did not open" >&2
	return 1
}

# start_git_api DIR OWNER/REPO: tests/helper/git-api.py (the GitHub API a
# shallow clone asks for, answered from the whole repository DIR) on a free
# port, $GIT_API_PORT, stopped at cleanup; its requests.log and mode are
# in the current directory
start_git_api() {
	GIT_API_PORT=$(free_port) || return 1
	python3 "$HELPER/git-api.py" "$GIT_API_PORT" "$1" "$2" &
	test_cleanup "kill $!"
	wait_for_port "$GIT_API_PORT"
}

command -v git >/dev/null && test_set_prereq GIT
command -v python3 >/dev/null && test_set_prereq PYTHON
[ "$(id -u)" = 0 ] && test_set_prereq ROOT
test_prereq_why GIT "git is needed to make the test repositories"
test_prereq_why PYTHON "python3 is needed"
test_prereq_why ROOT "needs root (a checkout owned by another uid)"
