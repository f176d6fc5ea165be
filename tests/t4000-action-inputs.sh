#!/bin/sh
# t4000: `publish action` reads its inputs as the runner passes them and
# refuses bad ones with one clear line, an ::error:: annotation, a step
# summary, and nothing left in the workspace.  The checkout is made like
# actions/checkout's (shallow, owned by uid 1001), the environment is the
# runner's (env -i, GITHUB_*, one INPUT_* per input of action.yml).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT

test_expect_success 'setup: a repository and a tag checkout like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	test -f ws/.git/shallow &&
	test "$(stat -c %u ws)" = 1001 &&
	git -c safe.directory="*" -C ws rev-parse HEAD >head &&
	upstream_load && echo "$UP_TAG_SHA" >expect && test_cmp expect head
'

test_expect_success 'action.yml: a container action running publish action' '
	grep -x "  using: .docker." "$ROOT/action.yml" &&
	image=$(sed -n "s/^  image: .\(.*\).$/\1/p" "$ROOT/action.yml") &&
	test -f "$ROOT/$image" &&
	grep "^ENTRYPOINT \[\"/usr/local/bin/publish\"\]" "$ROOT/$image" &&
	grep -x "  args: \[.action.\]" "$ROOT/action.yml"
'

test_expect_success 'action.yml declares the inputs the issue lists, with their defaults' '
	action_yml inputs >inputs &&
	printf "%s\n" annotations build-args cache-from cache-to compression context file flavor github-token images labels \
		include-git-dir insecure-registries outputs platforms push registry registry-auth sep-annotations sep-labels sep-tags tags token \
		username working-directory push-by-digest merge digests sbom provenance changed changed-since services reuse-from reuse-layers | sort >expect &&
	test_cmp expect inputs &&
	grep -A3 "^  registry:" "$ROOT/action.yml" | grep "default: .ghcr.io." &&
	grep -A3 "^  username:" "$ROOT/action.yml" | grep "default: \${{ github.actor }}" &&
	grep -A3 "^  token:" "$ROOT/action.yml" | grep "default: \${{ github.token }}" &&
	sed -n "/^  github-token:/,/^  [a-z]/p" "$ROOT/action.yml" | grep "default: \${{ github.token }}"
'

test_expect_success 'action.yml declares each input publish action reads, and reads each it declares' '
	action_yml inputs >inputs &&
	{
		grep -o "{ \"[a-z-]*\", &in\." "$ROOT/src/cli/cmd_action.c" | cut -d\" -f2 &&
		sed -n "/metaio_input_names\[\] = {/,/NULL/p" "$ROOT/src/github/metaio.c" |
			grep -o "\"[a-z-]*\"" | tr -d \"
	} | sort -u >read &&
	test $(wc -l <read) -gt 30 &&
	test_cmp read inputs
'

test_expect_success 'every input reaches publish action: an unknown value is refused by name' '
	action_event push-tag ws &&
	test_exit_code 3 run_action compression=lzma push=true &&
	grep "compression" action.err || { cat action.err; false; }
'

command -v readelf >/dev/null && command -v dpkg >/dev/null && test_set_prereq DPKG
test_expect_success DPKG 'the action image installs the package of every library publish links' '
	sed -n "/^FROM debian:bookworm-slim/,\$p" "$ROOT/Dockerfile" >runtime &&
	readelf -d "$PUBLISH" | sed -n "s/.*Shared library: \[\(.*\)\]/\1/p" >needed &&
	test -s needed &&
	while read -r so; do
		path=$(ldd "$PUBLISH" | awk -v s="$so" "\$1 == s { print \$3 }") &&
		real=$(readlink -f "$path") &&
		pkg=$( { dpkg -S "$real" || dpkg -S "${real#/usr}"; } 2>/dev/null | head -n 1 | cut -d: -f1) &&
		test -n "$pkg" || { echo "no package for $so ($real)"; return 1; }
		test "$pkg" = libc6 && continue
		grep -w -- "$pkg" runtime || { echo "$so: $pkg is not installed by the runtime stage"; return 1; }
	done <needed
'

test_expect_success 'publish action takes no arguments (exit 2)' '
	test_exit_code 2 publish action --images x 2>err &&
	grep "takes no arguments" err
'

test_expect_success 'publish action --help' '
	publish action --help >out &&
	grep "usage: publish action" out
'

test_expect_success 'push: yes is bad input (exit 3), annotated, summarised' '
	action_event push-tag ws &&
	test_exit_code 3 run_action push=yes &&
	grep "^error: input .push.: .yes. is not a boolean" action.err &&
	grep "^::error::input .push.: .yes. is not a boolean (true or false)$" action.out &&
	grep "publish failed" "$ACTION_SUMMARY" &&
	grep "is not a boolean" "$ACTION_SUMMARY"
'

test_expect_success 'the token is masked before anything else is printed' '
	action_event push-tag ws &&
	test_exit_code 3 run_action push=maybe token=s3cr3t-t0ken &&
	head -n 1 action.out >first &&
	echo "::add-mask::s3cr3t-t0ken" >expect &&
	test_cmp expect first &&
	test "$(grep -c s3cr3t-t0ken action.out)" = 1 &&
	! grep s3cr3t-t0ken action.err "$ACTION_OUTPUT" "$ACTION_SUMMARY"
'

test_expect_success 'a working-directory that is not there is a context error (exit 5)' '
	action_event push-tag ws &&
	test_exit_code 5 run_action working-directory=services/nope &&
	grep "working-directory .services/nope. is not a directory" action.err &&
	grep "^::error::working-directory" action.out
'

test_expect_success 'a working-directory outside the workspace is refused (exit 3)' '
	action_event push-tag ws &&
	test_exit_code 3 run_action working-directory=../up &&
	grep "working-directory.: .\.\./up. is not a path inside the workspace" action.err &&
	test_exit_code 3 run_action working-directory=/etc &&
	test_exit_code 3 run_action working-directory=svc/../../x
'

test_expect_success 'the workspace is left as the checkout made it' '
	find ws ! -user 1001 >foreign &&
	test_must_fail test -s foreign &&
	find ws -newer ws/.git/HEAD ! -path "ws/.git*" >new &&
	test_must_fail test -s new &&
	GIT_OPTIONAL_LOCKS=0 git -c safe.directory="*" -C ws status --porcelain --ignored >status &&
	test_must_fail test -s status
'

test_expect_success 'no temporary directory is left behind' '
	ls -A "$TRASH/tmp" >left &&
	test_must_fail test -s left
'

test_done
