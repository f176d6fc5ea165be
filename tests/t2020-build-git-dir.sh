#!/bin/sh
# t2020: .git never goes into an image by default.  actions/checkout keeps
# the job's token in .git/config (an http extraheader), so `COPY . /app`
# would publish it.  publish build leaves every .git out as if
# .dockerignore said so (a '!' exception does not bring it back), with a
# notice; --include-git-dir copies it, but refuses (exit 5, the file
# named) a git config that holds a credential.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-secrets.sh"

SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH

# ctx: a repository as a checkout leaves it, with the token
test_expect_success 'setup: a checkout with the token in .git/config' '
	mkdir ctx && git init -q ctx &&
	echo hello >ctx/app.txt &&
	printf "FROM scratch\nCOPY . /app/\n" >ctx/Dockerfile &&
	git -C ctx add -A && git -C ctx commit -q -m one &&
	checkout_token_set ctx &&
	grep -F "$LEAK_TOKEN_B64" ctx/.git/config
'

test_expect_success 'the search finds the token in a layer when a file holds it' '
	mkdir control && cp ctx/Dockerfile control/ &&
	echo "extraheader = AUTHORIZATION: basic $LEAK_TOKEN_B64" >control/leak &&
	publish build --context control --output oci:control-out >/dev/null 2>err &&
	layout_holds_token control-out &&
	publish build --context control --compression zstd --output oci:control-zstd >/dev/null 2>err &&
	layout_holds_token control-zstd
'

test_expect_success 'COPY . leaves .git out, with a notice naming the opt-in' '
	publish build --context ctx --output oci:out >digest 2>err &&
	grep "^notice: .\.git. is left out of the build context" err &&
	grep -e "--include-git-dir copies it" err &&
	test "$(grep -c "^notice:" err)" = 1 &&
	! grep "^error:" err &&
	test_must_fail layout_holds_token out &&
	layout_paths out >paths &&
	grep -x "app/app.txt" paths &&
	! grep "\.git" paths
'

test_expect_success 'a .dockerignore exception (!.git) does not bring it back' '
	printf "!.git\n!.git/config\n" >ctx/.dockerignore &&
	publish build --context ctx --output oci:out-exc >/dev/null 2>err &&
	rm ctx/.dockerignore &&
	grep "^notice: .\.git. is left out" err &&
	test_must_fail layout_holds_token out-exc &&
	layout_paths out-exc >paths && ! grep "\.git" paths
'

test_expect_success 'nor does an exception under an ignored .git' '
	printf ".git\n!.git/config\n" >ctx/.dockerignore &&
	publish build --context ctx --output oci:out-exc2 >/dev/null 2>err &&
	rm ctx/.dockerignore &&
	grep "^notice: .\.git. is left out" err &&
	test_must_fail layout_holds_token out-exc2 &&
	layout_paths out-exc2 >paths && ! grep "\.git" paths
'

test_expect_success 'nested .git too: a submodule'"'"'s .git file and an inner repository' '
	rm -rf nest && mkdir -p nest/sub nest/inner &&
	cp ctx/Dockerfile nest/ && echo x >nest/sub/x &&
	echo "gitdir: ../.git/modules/sub" >nest/sub/.git &&
	git init -q nest/inner && checkout_token_set nest/inner &&
	publish build --context nest --output oci:out-nest >/dev/null 2>err &&
	grep "^notice: .\.git. is left out" err &&
	layout_paths out-nest >paths &&
	grep -x "app/sub/x" paths && grep -x "app/inner" paths &&
	! grep "\.git" paths &&
	test_must_fail layout_holds_token out-nest
'

test_expect_success 'a .git named as a source is not found, and the notice says why' '
	printf "FROM scratch\nCOPY .git /g/\n" >Dockerfile.git &&
	test_exit_code 5 publish build --context ctx --file Dockerfile.git --output oci:out-src >/dev/null 2>err &&
	grep "^notice: .\.git. is left out" err &&
	grep "^error: .*\.git.* not found in the build context" err
'

test_expect_success 'no notice when .dockerignore leaves .git out itself, or no COPY takes it' '
	echo .git >ctx/.dockerignore &&
	publish build --context ctx --output oci:out-ign >/dev/null 2>err &&
	rm ctx/.dockerignore &&
	! grep "notice:" err &&
	printf "FROM scratch\nCOPY app.txt /app/\n" >Dockerfile.one &&
	publish build --context ctx --file Dockerfile.one --output oci:out-one >/dev/null 2>err &&
	! grep "notice:" err
'

test_expect_success '--include-git-dir with the extraheader: exit 5, the file named, no image' '
	test_exit_code 5 publish build --context ctx --include-git-dir --output oci:out-in >digest 2>err &&
	cat err &&
	test_line_count err = 1 &&
	grep "^error: .*/ctx/\.git/config. holds an http extraheader (line [0-9]*)" err &&
	grep "persist-credentials: false" err &&
	! grep -F "$LEAK_TOKEN_B64" err &&
	! test -s digest &&
	! test -f out-in/index.json &&
	test_must_fail layout_holds_token out-in
'

test_expect_success '--include-git-dir with a token in a remote URL: exit 5' '
	git -C ctx config --local --unset "http.https://github.com/.extraheader" &&
	git -C ctx remote add origin "https://x-access-token:$LEAK_TOKEN@github.com/o/r" &&
	test_exit_code 5 publish build --context ctx --include-git-dir --output oci:out-url >/dev/null 2>err &&
	grep "^error: .*/ctx/\.git/config. holds credentials in a URL (line [0-9]*)" err &&
	! grep -F "$LEAK_TOKEN" err &&
	git -C ctx remote set-url origin "https://$LEAK_TOKEN@github.com/o/r" &&
	test_exit_code 5 publish build --context ctx --include-git-dir --output oci:out-url2 >/dev/null 2>err &&
	grep "holds credentials in a URL" err
'

test_expect_success '--include-git-dir with a clean config copies .git, no notice' '
	git -C ctx remote set-url origin "https://github.com/o/r" &&
	! grep -F "$LEAK_TOKEN" ctx/.git/config &&
	publish build --context ctx --include-git-dir --output oci:out-clean >/dev/null 2>err &&
	! grep "notice:" err &&
	layout_paths out-clean >paths &&
	grep -x "app/.git/config" paths &&
	grep -x "app/.git/HEAD" paths &&
	grep -x "app/app.txt" paths
'

test_done
