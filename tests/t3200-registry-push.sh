#!/bin/sh
# t3200: publish push of an OCI layout: tags, credentials, refusals, base
# layers mounted or streamed from the base image, re-runs, and secrets
# that never show.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry one || exit 1
make_busybox_base base || exit 1
push_base base base:1 || exit 1
start_registry two || exit 1
use_registry one
ONE=$REGISTRY
TWO=$(. "$TRASH/registry-two/env"; echo "$REGISTRY")
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE

sk_digest() {
	skopeo inspect --format '{{.Digest}}' --cert-dir "$REGISTRY_CERT_DIR" \
		--creds "$REG_USER:$REG_PASS" "docker://$1"
}

# make_app DIR BASE: a layout whose manifest uses the base layer without
# holding it: the layer blob is removed, the base named by annotation.
make_app() {
	rm -rf "$1" && cp -r base "$1" &&
	rm "$(oci_blob "$1" "$BASE_LAYER_DIGEST")" &&
	jq -c --arg b "$2" ".manifests[0].annotations[\"org.opencontainers.image.base.name\"] = \$b" \
		"$1/index.json" >"$1/index.new" &&
	mv "$1/index.new" "$1/index.json"
}

test_expect_success 'push a layout to two tags: digest on stdout, one line per blob' '
	login push oci:base "$ONE/app:1.0" "$ONE/app:latest" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	test "$(sk_digest "$ONE/app:1.0")" = "$BASE_DIGEST" &&
	test "$(sk_digest "$ONE/app:latest")" = "$BASE_DIGEST" &&
	grep "^pushed  $BASE_LAYER_DIGEST $ONE/app 1004.8 KiB [0-9.]*s$" err &&
	grep "^pushed  $BASE_CONFIG_DIGEST $ONE/app 384 B [0-9.]*s$" err &&
	grep "^tagged  $ONE/app:1.0 $BASE_DIGEST$" err &&
	grep "^tagged  $ONE/app:latest $BASE_DIGEST$" err
'

test_expect_success 'tags are written only after blobs and manifest (registry log order)' '
	grep -n "\"PUT /v2/app/manifests/" "$REGISTRY_LOG" >puts &&
	head -n 1 puts | grep "manifests/sha256:" &&
	grep -n "\"PUT /v2/app/blobs/uploads/" "$REGISTRY_LOG" | tail -n 1 | cut -d: -f1 >lastblob &&
	test "$(head -n 1 puts | cut -d: -f1)" -gt "$(cat lastblob)"
'

test_expect_success 'a re-run uploads nothing: the tag is at the digest already' '
	login push --digest-file d oci:base "$ONE/app:1.0" >out 2>err &&
	test "$(cat d)" = "$BASE_DIGEST" &&
	! grep "^pushed " err && ! grep "^exists " err &&
	grep "^tagged  $ONE/app:1.0 $BASE_DIGEST (unchanged)$" err
'

test_expect_success 'push without credentials: exit 6, one line, no tag moved' '
	test_exit_code 6 publish push oci:base "$ONE/noauth:1" 2>err &&
	test_line_count err = 1 &&
	grep "^error: push to .$ONE/noauth. needs credentials" err &&
	test_must_fail sk_digest "$ONE/noauth:1"
'

test_expect_success 'a wrong password: exit 6, the user and the token service named, not the password' '
	echo "not-the-password" | test_exit_code 6 publish push --username "$REG_USER" --password-stdin \
		oci:base "$ONE/wrong:1" 2>err &&
	grep "^error: token service .$TOKEN_URL. refused the credentials of .$REG_USER. (--username, HTTP 401)$" err &&
	! grep "not-the-password" err
'

test_expect_success 'a user limited to other repositories: exit 6, nothing tagged' '
	echo "limited:lim-pass:pull,push:other/*" >>"$REG_USERS_FILE" &&
	echo lim-pass | test_exit_code 6 publish push --username limited --password-stdin \
		oci:base "$ONE/notmine:1" 2>err &&
	grep "^error: .$ONE. refused the credentials of .limited. (from --username) for lookup of tag .1. in .$ONE/notmine." err &&
	test_must_fail sk_digest "$ONE/notmine:1"
'

test_expect_success 'usage errors: exit 2' '
	test_exit_code 2 publish push oci:base &&
	test_exit_code 2 publish push --jobs 0 oci:base "$ONE/x:1" 2>err &&
	grep "^error: --jobs wants a number from 1 to 32, not .0.$" err &&
	test_exit_code 2 publish push --username u oci:base "$ONE/x:1" 2>err &&
	grep "^error: --username needs --password-stdin" err
'

test_expect_success 'a directory that is not a layout: exit 5, named' '
	mkdir notlayout &&
	login push oci:notlayout "$ONE/x:1" 2>err; test $? = 5 &&
	grep "^error: cannot read .notlayout/index.json.: No such file or directory (is .notlayout. an OCI layout?)$" err
'

test_expect_success 'base layers missing from the layout are mounted from the base (same registry)' '
	make_app app "$ONE/base:1" &&
	login push oci:app "$ONE/withbase:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	grep "^mounted $BASE_LAYER_DIGEST $ONE/withbase " err &&
	test "$(sk_digest "$ONE/withbase:1")" = "$BASE_DIGEST"
'

test_expect_success 'and streamed from the base registry to another registry' '
	: >"$TOKEN_LOG" &&
	login push oci:app "$TWO/withbase:1" >out 2>err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	grep "^pushed  $BASE_LAYER_DIGEST $TWO/withbase " err &&
	test "$(sk_digest "$TWO/withbase:1")" = "$BASE_DIGEST"
'

test_expect_success '--username went to the destination only: the base registry saw no user' '
	grep "	repository:base:pull	200$" "$TOKEN_LOG" &&
	! grep "	$REG_USER	" "$TOKEN_LOG"
'

test_expect_success 'the base layer is streamed, not spooled: TMPDIR need not even exist' '
	(TMPDIR=$PWD/no-such-tmp && export TMPDIR &&
	 login push oci:app "$TWO/streamed:1") >out 2>streamed.err &&
	test "$(cat out)" = "$BASE_DIGEST" &&
	grep "^pushed  $BASE_LAYER_DIGEST $TWO/streamed " streamed.err &&
	! grep "^warning:" streamed.err &&
	test "$(sk_digest "$TWO/streamed:1")" = "$BASE_DIGEST"
'

test_expect_success 'a blob larger than the stream buffer (4 MiB) streams too, paused and resumed' '
	rm -rf big && cp -r base big &&
	cp "$(oci_blob big "$BASE_DIGEST")" big/m.json &&
	head -c 12582912 /dev/urandom | gzip -1 -n >big/l.gz &&
	set -- $(sha256sum big/l.gz) $(wc -c <big/l.gz) && BIG_LAYER=sha256:$1 &&
	mv big/l.gz "big/blobs/sha256/$1" &&
	jq -c --arg d "$BIG_LAYER" --argjson s "$3" \
		".layers += [{mediaType: \"application/vnd.oci.image.layer.v1.tar+gzip\", digest: \$d, size: \$s}]" \
		big/m.json >big/m.new &&
	set -- $(sha256sum big/m.new) $(wc -c <big/m.new) && BIG_DIGEST=sha256:$1 &&
	mv big/m.new "big/blobs/sha256/$1" && rm big/m.json &&
	jq -c --arg d "$BIG_DIGEST" --argjson s "$3" ".manifests[0].digest = \$d | .manifests[0].size = \$s" \
		big/index.json >big/index.new && mv big/index.new big/index.json &&
	push_base big "$ONE/big:1" &&
	rm "$(oci_blob big "$BIG_LAYER")" &&
	jq -c --arg b "$ONE/big:1" ".manifests[0].annotations[\"org.opencontainers.image.base.name\"] = \$b" \
		big/index.json >big/index.new && mv big/index.new big/index.json &&
	(TMPDIR=$PWD/no-such-tmp && export TMPDIR &&
	 login push oci:big "$TWO/big:1") >out 2>big.err &&
	test "$(cat out)" = "$BIG_DIGEST" &&
	grep "^pushed  $BIG_LAYER $TWO/big 12.0 MiB " big.err &&
	! grep "^warning:" big.err &&
	test "$(sk_digest "$TWO/big:1")" = "$BIG_DIGEST"
'

test_expect_success 'a missing blob with no base named: exit 5, the blob named' '
	make_app nobase "" &&
	jq -c "del(.manifests[0].annotations[\"org.opencontainers.image.base.name\"])" nobase/index.json >x &&
	mv x nobase/index.json &&
	login push oci:nobase "$ONE/nobase:1" 2>err; test $? = 5 &&
	grep "^error: blob $BASE_LAYER_DIGEST is not in the layout .nobase., and no base image" err
'

test_expect_success 'a corrupt blob in the layout is refused by the registry, no tag' '
	rm -rf bad && cp -r base bad &&
	printf "x" | dd of="$(oci_blob bad "$BASE_CONFIG_DIGEST")" bs=1 seek=5 conv=notrunc 2>/dev/null &&
	login push oci:bad "$ONE/corrupt:1" 2>err; test $? = 9 &&
	grep "^error: .$ONE. refused blob $BASE_CONFIG_DIGEST: its content does not match the digest$" err &&
	test_must_fail sk_digest "$ONE/corrupt:1"
'

test_expect_success 'in GitHub Actions every secret is masked, and appears nowhere else' '
	GITHUB_ACTIONS=true login push oci:base "$ONE/masked:1" "$TWO/masked:1" >out 2>err &&
	grep "^::add-mask::" out | sed "s/^::add-mask:://" >secrets &&
	grep -x "$REG_PASS" secrets &&
	test "$(wc -l <secrets)" -ge 3 &&
	grep -v "^::add-mask::" out >rest &&
	test "$(cat rest)" = "$BASE_DIGEST" &&
	while read -r s; do
		test "$(grep -c "^::add-mask::$s$" out)" = 1 || return 1
		! grep -F "$s" err rest || return 1
		test "$s" = "$REG_PASS" && continue
		# a token: in no file of the run (registries, logs, layouts...)
		! grep -rlF "$s" "$TRASH" --exclude=out --exclude=secrets || return 1
	done <secrets
'

test_done
