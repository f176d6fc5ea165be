# lib-action.sh: run `publish action` the way the GitHub runner runs a
# container action.
#
# Source it after test-lib.sh and lib-registry.sh:
#
#   make_upstream up                       # the user's repository, with history
#   checkout_like_actions up tag ws        # what actions/checkout leaves
#   action_event push-tag ws               # the runner's files for that event
#   run_action images=$REGISTRY/app tags=type=semver,pattern={{version}}
#
# The runner starts the action's container with (actions/runner,
# ContainerActionHandler): the workspace at /github/workspace (the
# working directory), $RUNNER_TEMP/_github_home at /github/home,
# _github_workflow (event.json) at /github/workflow, _runner_file_commands
# (set_output_*, step_summary_*...) at /github/file_commands; environment
# GITHUB_* pointing there, HOME=/github/home, and one INPUT_<NAME> per input
# of action.yml: the name upper-cased with its hyphens kept, the value
# given or the default (empty when there is none).  Nothing else of the
# runner's environment.
#
# Here a directory $TRASH/runner stands in for the runner's work directory.
# run_action runs build/publish on the host with exactly that environment
# (`env -i`), the paths being the host's; run_action_container runs an
# image with `docker run`, the directories mounted at the /github/ paths.
#
# (Test bodies run in subshells: make_upstream keeps the hashes in a file,
# which checkout_like_actions and action_event read; upstream_load gives
# them to a test body, upstream_save keeps changed ones.)
# make_upstream DIR: a repository holding examples/video-streaming, with
#   commits on main, the tag v1.2.3, a branch feature/video and the merge
#   commit GitHub makes for pull request #7 (refs/pull/7/merge).  Fixed
#   dates and identities, so the same hashes on every run.  Sets UP_TAG_SHA,
#   UP_MAIN_SHA, UP_PR_HEAD_SHA, UP_PR_MERGE_SHA.
# checkout_like_actions UPSTREAM tag|pr DIR: as actions/checkout@v4 with its
#   defaults: git init, fetch --depth=1 of the one commit, checkout of it
#   (the tag detached, the pull request's merge commit), then the tree
#   owned by the runner's user (uid 1001), not by us.
# action_event EVENT WORKSPACE: writes tests/data/events/EVENT.json as the
#   runner's event.json and fresh output and summary files: ACTION_OUTPUT
#   and ACTION_SUMMARY (host paths, fixed).
# run_action [NAME=VALUE...]: the inputs given by the workflow's `with:`.
#   The defaults of action.yml apply to the others; registry, username and
#   token default here to the test registry ($REGISTRY, $REG_USER,
#   $REG_PASS).  stdout to action.out, stderr to action.err (in the cwd);
#   returns publish's exit code.  TMPDIR is $TRASH/tmp (standing in for the
#   container's own /tmp).
# run_action_container IMAGE [NAME=VALUE...]: the same inside IMAGE.
# action_output NAME: the value of an output in $ACTION_OUTPUT.
# start_github_api: a stand-in for GITHUB_API_URL (GET /repos/OWNER/REPO
#   answers tests/data/events/repo.json), so nothing reaches api.github.com.

ACTION_OWNER=Octo-Org
ACTION_REPO=Video-Streaming
ACTION_ACTOR=authr
RUNNER_UID=1001
ACTION_RUNNER=$TRASH/runner
ACTION_EVENTS=$TEST_DIR/data/events
ACTION_FILE_ID=0d6f3a1c-5e1b-4c1e-9d7a-3b0c2a1f4e5d
ACTION_OUTPUT=$ACTION_RUNNER/work/_temp/_runner_file_commands/set_output_$ACTION_FILE_ID
ACTION_SUMMARY=$ACTION_RUNNER/work/_temp/_runner_file_commands/step_summary_$ACTION_FILE_ID

make_upstream() {
	_up=$1
	rm -rf "$_up" && mkdir -p "$_up" && git init -q "$_up" &&
	cp -R "$ROOT/examples/video-streaming/." "$_up/" &&
	git -C "$_up" add -A &&
	git -C "$_up" commit -q -m "video-streaming: serve /video" &&
	git -C "$_up" tag -a -m "v1.2.3" v1.2.3 &&
	UP_TAG_SHA=$(git -C "$_up" rev-parse HEAD) &&
	echo "# $ACTION_REPO" >"$_up/NOTES.md" &&
	git -C "$_up" add NOTES.md &&
	git -C "$_up" commit -q -m "notes" &&
	UP_MAIN_SHA=$(git -C "$_up" rev-parse HEAD) &&
	git -C "$_up" checkout -q -b feature/video "$UP_TAG_SHA" &&
	sed 's/GET \/video" | "HEAD \/video"/GET \/video" | "HEAD \/video" | "GET \/video\/"/' \
		"$_up/src/handle.sh" >"$_up/src/handle.sh.new" &&
	cat "$_up/src/handle.sh.new" >"$_up/src/handle.sh" && rm "$_up/src/handle.sh.new" &&
	git -C "$_up" commit -q -a -m "video-streaming: serve /video/ too" &&
	UP_PR_HEAD_SHA=$(git -C "$_up" rev-parse HEAD) &&
	git -C "$_up" checkout -q --detach "$UP_MAIN_SHA" &&
	git -C "$_up" merge -q --no-ff -m "Merge $UP_PR_HEAD_SHA into $UP_MAIN_SHA" "$UP_PR_HEAD_SHA" &&
	UP_PR_MERGE_SHA=$(git -C "$_up" rev-parse HEAD) &&
	git -C "$_up" update-ref refs/pull/7/head "$UP_PR_HEAD_SHA" &&
	git -C "$_up" update-ref refs/pull/7/merge "$UP_PR_MERGE_SHA" &&
	git -C "$_up" checkout -q main &&
	upstream_save
}

# upstream_save / upstream_load: test bodies run in subshells, so the
# hashes of make_upstream are kept in a file for the later tests.
upstream_save() {
	printf 'UP_TAG_SHA=%s UP_MAIN_SHA=%s UP_PR_HEAD_SHA=%s UP_PR_MERGE_SHA=%s\n' \
		"$UP_TAG_SHA" "$UP_MAIN_SHA" "$UP_PR_HEAD_SHA" "$UP_PR_MERGE_SHA" >"$TRASH/.upstream"
}
upstream_load() {
	[ -s "$TRASH/.upstream" ] && eval "$(cat "$TRASH/.upstream")"
	export UP_TAG_SHA UP_MAIN_SHA UP_PR_HEAD_SHA UP_PR_MERGE_SHA
}

# retag_changed UP WS MARK: a commit marking UP's src/handle.sh comment
# lines "(MARK)", tagged v1.2.3 again (UP_TAG_SHA saved), checked out into
# WS like actions/checkout for a push-tag event, its index refreshed.  The
# chown of checkout_like_actions changed every ctime, and the files
# written in the clock tick of the index are racily clean: libgit2 reads
# both kinds to compare them.  actions/checkout runs as the owner (no
# chown), and a refreshed index models a checkout older than one tick.
retag_changed() {
	sed "s/^# /# ($3) /" "$1/src/handle.sh" >"$1/src/handle.sh.new" &&
	cat "$1/src/handle.sh.new" >"$1/src/handle.sh" && rm "$1/src/handle.sh.new" &&
	git -C "$1" commit -q -am "handle: $3" &&
	git -C "$1" tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C "$1" rev-parse HEAD) && upstream_save &&
	checkout_like_actions "$1" tag "$2" &&
	action_event push-tag "$2" &&
	sleep 1 && git -c safe.directory="*" -C "$2" update-index -q --refresh
}

checkout_like_actions() {
	upstream_load
	_up=$(cd "$1" && pwd) _kind=$2 _ws=$3
	case "$_kind" in
	tag) _sha=$UP_TAG_SHA _ref=refs/tags/v1.2.3 ;;
	pr) _sha=$UP_PR_MERGE_SHA _ref=refs/remotes/pull/7/merge ;;
	*) echo "checkout_like_actions: tag or pr, not '$_kind'" >&2; return 1 ;;
	esac
	rm -rf "$_ws" && mkdir -p "$_ws" &&
	git -C "$_ws" init -q &&
	git -C "$_ws" remote add origin "file://$_up" &&
	git -C "$_ws" config --local gc.auto 0 &&
	git -C "$_ws" -c protocol.version=2 fetch -q --no-tags --prune --no-recurse-submodules \
		--depth=1 origin "+$_sha:$_ref" &&
	git -C "$_ws" checkout -q --force "$_ref" &&
	chown -R "$RUNNER_UID:$RUNNER_UID" "$_ws"
}

# _action_subst FILE: the template with the placeholders filled
_action_subst() {
	sed -e "s|@OWNER@|$ACTION_OWNER|g" -e "s|@REPO@|$ACTION_REPO|g" \
	    -e "s|@SHA@|${ACTION_SHA:-$UP_TAG_SHA}|g" -e "s|@BASE_SHA@|$UP_MAIN_SHA|g" \
	    -e "s|@HEAD_SHA@|$UP_PR_HEAD_SHA|g" "$1"
}

action_event() {
	upstream_load
	_ev=$1
	ACTION_WORKSPACE=$(cd "$2" && pwd)
	case "$_ev" in
	pull-request) ACTION_SHA=$UP_PR_MERGE_SHA ;;
	*) ACTION_SHA=$UP_TAG_SHA ;;
	esac
	_t=$ACTION_RUNNER/work/_temp
	rm -rf "$_t" &&
	mkdir -p "$_t/_github_home" "$_t/_github_workflow" "$_t/_runner_file_commands" &&
	_action_subst "$ACTION_EVENTS/$_ev.json" >"$_t/_github_workflow/event.json" &&
	_action_subst "$ACTION_EVENTS/$_ev.env" >"$ACTION_RUNNER/event.env" &&
	for _f in add_path set_env save_state set_output step_summary; do
		: >"$_t/_runner_file_commands/${_f}_$ACTION_FILE_ID" || return 1
	done &&
	chmod -R a+rwX "$_t" &&
	echo "$ACTION_WORKSPACE" >"$ACTION_RUNNER/workspace"
}

# action_push_main BEFORE DIR: the runner's files for a push to main
# (action_event push-tag in ws) whose before is BEFORE and after DIR's HEAD
action_push_main() {
	_after=$(git -c safe.directory="*" -C "$2" rev-parse HEAD) &&
	action_event push-tag ws &&
	sed -e "s/^GITHUB_REF=.*/GITHUB_REF=refs\/heads\/main/" -e "s/^GITHUB_SHA=.*/GITHUB_SHA=$_after/" \
		"$ACTION_RUNNER/event.env" >"$TRASH/.event.env" && cp "$TRASH/.event.env" "$ACTION_RUNNER/event.env" &&
	printf "{\"before\": \"%s\", \"after\": \"%s\"}\n" "$1" "$_after" \
		>"$ACTION_RUNNER/work/_temp/_github_workflow/event.json"
}

# _action_env ROOT: the runner's GITHUB_* and RUNNER_* lines (NAME=VALUE),
# with the runner's directories at ROOT (host paths or /github)
_action_env() {
	ACTION_WORKSPACE=$(cat "$ACTION_RUNNER/workspace")
	if [ "$1" = /github ]; then
		_w=/github/workspace _h=/github/home _wf=/github/workflow _fc=/github/file_commands
	else
		_w=$ACTION_WORKSPACE _h=$ACTION_RUNNER/work/_temp/_github_home
		_wf=$ACTION_RUNNER/work/_temp/_github_workflow _fc=$ACTION_RUNNER/work/_temp/_runner_file_commands
	fi
	cat "$ACTION_RUNNER/event.env"
	cat <<-EOF
	HOME=$_h
	CI=true
	GITHUB_ACTIONS=true
	GITHUB_ACTION=publish
	GITHUB_ACTION_REPOSITORY=
	GITHUB_ACTOR=$ACTION_ACTOR
	GITHUB_ACTOR_ID=4242
	GITHUB_API_URL=${ACTION_API_URL:-http://127.0.0.1:9}
	GITHUB_GRAPHQL_URL=${ACTION_API_URL:-http://127.0.0.1:9}/graphql
	GITHUB_SERVER_URL=https://github.com
	GITHUB_REPOSITORY=$ACTION_OWNER/$ACTION_REPO
	GITHUB_REPOSITORY_OWNER=$ACTION_OWNER
	GITHUB_REPOSITORY_ID=123456789
	GITHUB_REPOSITORY_OWNER_ID=4243
	GITHUB_RUN_ID=1658821493
	GITHUB_RUN_NUMBER=12
	GITHUB_RUN_ATTEMPT=1
	GITHUB_JOB=image
	GITHUB_WORKFLOW=image
	GITHUB_WORKFLOW_REF=$ACTION_OWNER/$ACTION_REPO/.github/workflows/image.yml@refs/tags/v1.2.3
	GITHUB_RETENTION_DAYS=90
	GITHUB_WORKSPACE=$_w
	GITHUB_EVENT_PATH=$_wf/event.json
	GITHUB_PATH=$_fc/add_path_$ACTION_FILE_ID
	GITHUB_ENV=$_fc/set_env_$ACTION_FILE_ID
	GITHUB_STATE=$_fc/save_state_$ACTION_FILE_ID
	GITHUB_OUTPUT=$_fc/set_output_$ACTION_FILE_ID
	GITHUB_STEP_SUMMARY=$_fc/step_summary_$ACTION_FILE_ID
	RUNNER_OS=Linux
	RUNNER_ARCH=X64
	RUNNER_NAME=GitHub Actions 2
	RUNNER_ENVIRONMENT=github-hosted
	RUNNER_TEMP=/home/runner/work/_temp
	RUNNER_TOOL_CACHE=/opt/hostedtoolcache
	RUNNER_WORKSPACE=/home/runner/work/$ACTION_REPO
	EOF
}

# _action_inputs NAME=VALUE...: one INPUT_<NAME>=VALUE line per input of
# action.yml (NUL-terminated, values may hold newlines)
_action_inputs() {
	"$REGTEST_PY" - "$ROOT/action.yml" "$@" <<-'EOF'
	import re, sys
	text = open(sys.argv[1]).read()
	block = text.split("\ninputs:\n", 1)[1].split("\noutputs:\n", 1)[0]
	names, defaults, cur = [], {}, None
	for line in block.split("\n"):
	    m = re.match(r"^  ([a-z][a-z-]*):\s*$", line)
	    if m:
	        cur = m.group(1); names.append(cur); continue
	    m = re.match(r"^    default:\s*(.*)$", line)
	    if m and cur:
	        defaults[cur] = m.group(1).strip().strip("'")
	given = {}
	for a in sys.argv[2:]:
	    k, v = a.split("=", 1)
	    if k not in names:
	        sys.exit("run_action: action.yml has no input '%s'" % k)
	    given[k] = v
	import os
	test_defaults = {"registry": os.environ.get("REGISTRY", ""), "username": os.environ.get("REG_USER", ""),
	                 "token": os.environ.get("REG_PASS", "")}
	out = sys.stdout.buffer
	for n in names:
	    if n in given: v = given[n]
	    elif n in test_defaults: v = test_defaults[n]
	    else: v = defaults.get(n, "")
	    if v.startswith("${{"): v = ""
	    out.write(("INPUT_%s=%s" % (n.replace(" ", "_").upper(), v)).encode() + b"\0")
	EOF
}

run_action() {
	ACTION_WORKSPACE=$(cat "$ACTION_RUNNER/workspace") || return 2
	{
		_action_env host | tr '\n' '\0'
		printf 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0'
		# the container's /tmp: private, so a test can see what is left there
		mkdir -p "$TRASH/tmp" && printf 'TMPDIR=%s\0' "$TRASH/tmp"
		[ -n "$REGISTRY_CA" ] && printf 'SSL_CERT_FILE=%s\0' "$REGISTRY_CA"
		_action_inputs "$@" || return 2
	} >"$TRASH/.action-env" || return 2
	(cd "$ACTION_WORKSPACE" && _action_exec "$TRASH/.action-env" "$PUBLISH" action) \
		>action.out 2>action.err
}

run_action_container() {
	_img=$1; shift
	ACTION_WORKSPACE=$(cat "$ACTION_RUNNER/workspace") || return 2
	{
		_action_env /github | tr '\n' '\0'
		printf 'SSL_CERT_FILE=/github/home/ca.crt\0'
		_action_inputs "$@" || return 2
	} >"$TRASH/.action-env" || return 2
	[ -n "$REGISTRY_CA" ] && cp "$REGISTRY_CA" "$ACTION_RUNNER/work/_temp/_github_home/ca.crt"
	_t=$ACTION_RUNNER/work/_temp
	# docker run -e NAME takes the value from docker's environment
	# (names with hyphens too), as the runner does.
	set -- $(tr '\0' '\n' <"$TRASH/.action-env" | sed -n 's/^\([A-Z][^=]*\)=.*/-e \1/p')
	DOCKER_HOST=$DOCKER_HOST _action_exec "$TRASH/.action-env" "$(command -v "$DOCKER")" run --rm \
		--network host --workdir /github/workspace "$@" \
		-v "$_t/_github_home:/github/home" -v "$_t/_github_workflow:/github/workflow" \
		-v "$_t/_runner_file_commands:/github/file_commands" -v "$ACTION_WORKSPACE:/github/workspace" \
		"$_img" action >action.out 2>action.err
}

# _action_exec ENVFILE PROG ARGS...: PROG with exactly the NUL-separated
# NAME=VALUE of ENVFILE as its environment (plus DOCKER_HOST when set),
# its exit code kept
_action_exec() {
	"$REGTEST_PY" -c '
import os, sys
env = dict(kv.split("=", 1) for kv in open(sys.argv[1]).read().split("\0") if kv)
if os.environ.get("DOCKER_HOST") and sys.argv[2].endswith("docker"):
    env["DOCKER_HOST"] = os.environ["DOCKER_HOST"]
    env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
os.execve(sys.argv[2], sys.argv[2:], env)' "$@"
}

action_output() {
	"$REGTEST_PY" - "$ACTION_OUTPUT" "$1" <<-'EOF'
	import re, sys
	lines, want, i, found = open(sys.argv[1]).read().split("\n"), sys.argv[2], 0, None
	while i < len(lines):
	    l = lines[i]; i += 1
	    m = re.match(r"^([^=<]+)<<(.+)$", l)
	    if m:
	        val = []
	        while i < len(lines) and lines[i] != m.group(2):
	            val.append(lines[i]); i += 1
	        i += 1
	        if m.group(1) == want: found = "\n".join(val)
	    elif "=" in l:
	        k, v = l.split("=", 1)
	        if k == want: found = v
	if found is None:
	    sys.exit("no output '%s'" % want)
	print(found)
	EOF
}

start_github_api() {
	_action_subst "$ACTION_EVENTS/repo.json" >"$TRASH/.api-repo.json" || return 1
	_port=$(free_port) || return 1
	"$REGTEST_PY" - "$_port" "$TRASH/.api-repo.json" "$ACTION_OWNER/$ACTION_REPO" >"$TRASH/api.log" 2>&1 <<-'EOF' &
	import http.server, json, sys
	port, body, full = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3].lower()
	class H(http.server.BaseHTTPRequestHandler):
	    def do_GET(self):
	        p = self.path.split("?")[0].rstrip("/")
	        if p.lower() == "/repos/" + full:
	            self.send_response(200); self.send_header("Content-Type", "application/json")
	            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
	        else:
	            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
	http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
	EOF
	regtest_track $!
	wait_for_port "$_port" &&
	ACTION_API_URL=http://127.0.0.1:$_port &&
	export ACTION_API_URL
}

# action_require_pieces: skip the whole script unless this build has the
# commands the action ties together (meta, build, push).
action_require_pieces() {
	for _c in meta build push; do
		"$PUBLISH" "$_c" --help >/dev/null 2>&1 ||
			test_skip_all "'publish $_c' is not implemented in this build yet"
	done
}

# action_setup_registry: the TLS + token-auth registry, with the busybox
# base (tests/lib-images.sh) pushed as $REGISTRY/busybox:1.35.  At top level.
action_setup_registry() {
	test_have_prereq REGISTRY || test_skip_all "no docker-registry, openssl or python3-cryptography"
	test_have_prereq SKOPEO || test_skip_all "no skopeo"
	test_have_prereq BUSYBOX || test_skip_all "no static busybox (busybox-static)"
	start_registry >/dev/null || exit 1
	make_busybox_base "$TRASH/base" >/dev/null || exit 1
	push_base "$TRASH/base" busybox:1.35 >/dev/null || exit 1
	ACTION_IMAGE=$REGISTRY/octo-org/video-streaming
	# for the publish commands a test runs itself (run_action sets its own)
	SSL_CERT_FILE=$REGISTRY_CA
	export ACTION_IMAGE SSL_CERT_FILE
}

# serve_and_fetch IMAGE: docker pull IMAGE, run it (host network, PORT a
# free port), GET /video into video.mp4 and its headers into headers.
serve_and_fetch() {
	_port=$(free_port) &&
	"$DOCKER" pull -q "$1" >/dev/null &&
	_cid=$("$DOCKER" run -d --network host -e PORT="$_port" "$1") &&
	test_cleanup "\"$DOCKER\" rm -f $_cid" &&
	wait_for_port "$_port" 20 &&
	curl -sS -D headers -o video.mp4 "http://127.0.0.1:$_port/video"
	_rc=$?
	[ -n "$_cid" ] && "$DOCKER" rm -f "$_cid" >/dev/null 2>&1
	return $_rc
}

# action_yml inputs|outputs: the names action.yml declares, sorted
action_yml() {
	"$REGTEST_PY" - "$ROOT/action.yml" "$1" <<-'EOF'
	import re, sys
	text = open(sys.argv[1]).read()
	sect = text.split("\n%s:\n" % sys.argv[2], 1)[1]
	names = []
	for line in sect.split("\n"):
	    if line and not line.startswith(" "):
	        break
	    m = re.match(r"^  ([a-z][a-z-]*):\s*$", line)
	    if m:
	        names.append(m.group(1))
	print("\n".join(sorted(names)))
	EOF
}

# output_names: the names written to $ACTION_OUTPUT, sorted, unique
output_names() {
	sed -n 's/^\([A-Za-z_][A-Za-z0-9_-]*\)<<.*/\1/p; s/^\([A-Za-z_][A-Za-z0-9_-]*\)=.*/\1/p' "$ACTION_OUTPUT" | sort -u
}
