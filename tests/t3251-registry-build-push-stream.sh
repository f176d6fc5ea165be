#!/bin/sh
# t3251: publish build --push streams a layer's upload while the layer is
# written (POST, a chunked PATCH that follows the file, PUT ?digest=) when
# the registry is unlikely to have it: a first publish (the previous
# image named by --reuse-from does not exist), or a layer of tracked
# files that the previous image lacks.  Never for a layer without a key
# (outside git) once a previous image exists, nor without --reuse-from:
# those ask the registry first (HEAD).  The image is the one a plain
# build gives, in each repository pushed to, a layer two platforms share
# streamed once; a refused PATCH or a lost session falls back to the
# whole file, and a registry that refused one gets no more streams; a
# build that fails after a streamed layer, or while writing it (a file
# size limit), commits and tags nothing.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
R=$REGISTRY
make_busybox_base base || exit 1
push_base base base:1 || exit 1
start_fault_proxy || exit 1
P=$FAULT_PROXY
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE

# the completed requests (method and path) of the registry since the mark
requests() {
	since_mark | grep "response.status" |
		sed -n 's/.*http.request.method=\([A-Z]*\).*http.request.uri="\([^"?]*\).*/\1 \2/p'
}
commit() {
	git -C "$1" add -A &&
	GIT_AUTHOR_DATE="2026-01-0$2T10:00:00Z" GIT_COMMITTER_DATE="2026-01-0$2T10:00:00Z" \
		git -C "$1" -c user.name=t -c user.email=t@example.com commit -q -m "c$2"
}
# layer_digests REF: the image's layer digests, one a line
layer_digests() { skopeo_raw "$1" | jq -r '.layers[].digest'; }

test_expect_success 'setup: a git context, a small layer and a large one (16 MiB)' '
	mkdir -p ctx/small ctx/big &&
	echo "small" >ctx/small/a &&
	head -c 12000000 /dev/urandom | base64 >ctx/big/data &&
	printf "%s\n" "FROM $R/base:1" "COPY small /small/" "COPY big /big/" >ctx/Dockerfile &&
	git init -q ctx && commit ctx 1 &&
	publish build --context ctx --output oci:plain >d_plain
'

test_expect_success 'a first publish streams the large layer: the plain build image' '
	mark &&
	login build --context ctx --push --reuse-from "$R/s:1" -t "$R/s:1" >d_s 2>err &&
	test_cmp d_plain d_s &&
	registry_digest s:1 >d_raw &&
	test_cmp d_s d_raw &&
	requests >req &&
	test "$(grep -c "^PATCH /v2/s/blobs/uploads/" req)" = 1 &&
	big=$(layer_digests "$R/s:1" | tail -n 1) &&
	small=$(layer_digests "$R/s:1" | sed -n 2p) &&
	! grep "^HEAD /v2/s/blobs/$big" req &&
	grep "^HEAD /v2/s/blobs/$small" req &&
	grep "^pushed  $big " err
'

test_expect_success 'skopeo copies it whole; its layer reads back as the plain build' '
	skopeo copy --quiet --policy "$(_img_policy)" --src-cert-dir "$REGISTRY_CERT_DIR" \
		--src-creds "$REG_USER:$REG_PASS" "docker://$R/s:1" oci:read:x &&
	big=$(layer_digests "$R/s:1" | tail -n 1) &&
	cmp read/blobs/sha256/${big#sha256:} plain/blobs/sha256/${big#sha256:}
'

test_expect_success 'a re-publish that changes the small layer: no stream (the large one is reused)' '
	echo "small 2" >ctx/small/a && commit ctx 2 &&
	publish build --context ctx --output oci:plain2 >d_plain2 &&
	mark &&
	login build --context ctx --push --reuse-from "$R/s:1" -t "$R/s:1" >d_s2 2>err &&
	test_cmp d_plain2 d_s2 &&
	requests >req &&
	! grep "^PATCH " req
'

test_expect_success 'a re-publish that changes the large tracked layer streams it' '
	head -c 12000000 /dev/urandom | base64 >ctx/big/data && commit ctx 3 &&
	publish build --context ctx --output oci:plain3 >d_plain3 &&
	mark &&
	login build --context ctx --push --reuse-from "$R/s:1" -t "$R/s:1" >d_s3 2>err &&
	test_cmp d_plain3 d_s3 &&
	requests >req &&
	test "$(grep -c "^PATCH /v2/s/blobs/uploads/" req)" = 1
'

test_expect_success 'outside git, once the image exists: the layer is asked for, not streamed' '
	mkdir nogit && cp -R ctx/small ctx/big ctx/Dockerfile nogit/ &&
	login build --context nogit --push --reuse-from "$R/ng:1" -t "$R/ng:1" >d_ng 2>err &&
	mark &&
	login build --context nogit --push --reuse-from "$R/ng:1" -t "$R/ng:1" >d_ng2 2>err &&
	test_cmp d_ng d_ng2 &&
	requests >req &&
	! grep "^PATCH " req &&
	! grep "^PUT /v2/ng/blobs/uploads/" req &&
	big=$(layer_digests "$R/ng:1" | tail -n 1) &&
	grep "^HEAD /v2/ng/blobs/$big" req
'

test_expect_success 'without --reuse-from: no stream' '
	mark &&
	login build --context ctx --push -t "$R/plain:1" >d_p 2>err &&
	test_cmp d_plain3 d_p &&
	requests >req &&
	! grep "^PATCH " req
'

test_expect_success 'setup: FROM scratch, a large layer (its upload starts before it is written)' '
	mkdir -p sctx/big &&
	head -c 12000000 /dev/urandom | base64 >sctx/big/data &&
	printf "%s\n" "FROM scratch" "COPY big /big/" >sctx/Dockerfile &&
	git init -q sctx && commit sctx 1 &&
	publish build --context sctx --output oci:splain >d_splain
'

test_expect_success 'two repositories: a stream to each, the same image in both' '
	mark &&
	login build --context sctx --push --reuse-from "$R/m1:1" -t "$R/m1:1" -t "$R/m2:1" -t "$R/m1:latest" \
		>d_m 2>err &&
	test_cmp d_splain d_m &&
	requests >req &&
	test "$(grep -c "^PATCH /v2/m1/blobs/uploads/" req)" = 1 &&
	test "$(grep -c "^PATCH /v2/m2/blobs/uploads/" req)" = 1 &&
	for ref in m1:1 m2:1 m1:latest; do
		registry_digest "$ref" >d_raw &&
		test_cmp d_m d_raw || return 1
	done
'

test_expect_success 'two platforms sharing the large layer: built and streamed once, the plain build index' '
	publish build --context sctx --platform linux/amd64,linux/arm64 --output oci:mplain >d_mplain &&
	mark &&
	login build --context sctx --platform linux/amd64,linux/arm64 --push --reuse-from "$R/mp:1" \
		-t "$R/mp:1" >d_mp 2>err &&
	test_cmp d_mplain d_mp &&
	requests >req &&
	test "$(grep -c "^PATCH /v2/mp/blobs/uploads/" req)" = 1 &&
	test "$(grep -c "^Dockerfile:2 COPY: sha256:[0-9a-f]*, [0-9]* bytes, reused$" err)" = 1 &&
	registry_digest mp:1 >d_raw &&
	test_cmp d_mp d_raw
'

test_expect_success 'a refused PATCH: a warning, the whole layer once written, the same image' '
	fault_set "500,method=PATCH,times=1" &&
	: >"$FAULT_LOG" &&
	login build --context sctx --push --reuse-from "$P/f1:1" -t "$P/f1:1" >d_f1 2>err &&
	test_cmp d_splain d_f1 &&
	test "$(fault_log_count PATCH /blobs/uploads/ 500)" = 1 &&
	grep "^warning: streaming a layer to .$P. failed: .* HTTP 500 to PATCH blob; uploading it once it is complete$" err &&
	registry_digest f1:1 >d_raw &&
	test_cmp d_f1 d_raw &&
	fault_set ""
'

test_expect_success 'a registry that refuses every PATCH: no stream starts after the refusal' '
	mkdir -p sctx2/a sctx2/b sctx2/c &&
	for d in a b c; do
		head -c 12000000 /dev/urandom | base64 >sctx2/$d/data || return 1
	done &&
	printf "%s\n" "FROM scratch" "COPY a /a/" "COPY b /b/" "COPY c /c/" >sctx2/Dockerfile &&
	git init -q sctx2 && commit sctx2 1 &&
	publish build --context sctx2 --output oci:s2plain >d_s2plain &&
	fault_set "500,method=PATCH" &&
	: >"$FAULT_LOG" &&
	login build --context sctx2 --push --reuse-from "$P/f3:1" -t "$P/f3:1" >d_f3 2>err &&
	test_cmp d_s2plain d_f3 &&
	# the first refusal comes when its layer is written; the next layer
	# may have begun its stream meanwhile, the third starts after it
	test "$(fault_log_count PATCH /blobs/uploads/)" -le 2 &&
	test "$(grep -c "^warning: streaming a layer" err)" = "$(fault_log_count PATCH /blobs/uploads/)" &&
	test "$(grep -c "^pushed  sha256:" err)" = 4 &&
	registry_digest f3:1 >d_raw &&
	test_cmp d_f3 d_raw &&
	fault_set ""
'

test_expect_success 'a session lost after the PATCH: uploaded again whole' '
	fault_set "lost-upload,method=PUT,path=/blobs/uploads/.*digest=,times=1" &&
	: >"$FAULT_LOG" &&
	login build --context sctx --push --reuse-from "$P/f2:1" -t "$P/f2:1" >d_f2 2>err &&
	test_cmp d_splain d_f2 &&
	test "$(fault_log_count PUT /blobs/uploads/ 404)" = 1 &&
	grep "lost the upload session of" err &&
	registry_digest f2:1 >d_raw &&
	test_cmp d_f2 d_raw &&
	fault_set ""
'

test_expect_success 'a build that fails after a streamed layer: no manifest, no tag' '
	printf "%s\n" "FROM $R/base:1" "COPY big /big/" "COPY missing /missing/" >ctx/Dockerfile.bad &&
	mark &&
	{ login build --context ctx --file ctx/Dockerfile.bad --push \
		--reuse-from "$R/bad:1" -t "$R/bad:1" >out 2>err; echo $? >rc; } &&
	test "$(cat rc)" = 5 &&
	test ! -s out &&
	requests >req &&
	grep "^PATCH /v2/bad/blobs/uploads/" req &&
	! grep "^PUT /v2/bad/manifests/" req &&
	test_must_fail skopeo_raw "$R/bad:1"
'

test_expect_success 'a layer that cannot be written whole: its stream stopped, nothing committed, no tag' '
	mark &&
	{ python3 -c "import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (3000000, 3000000))
os.execvp(sys.argv[1], sys.argv[1:])" sh -c "echo \"\$REG_PASS\" | publish build --context sctx --push \
		--reuse-from \"\$0/big:1\" -t \"\$0/big:1\" --username \"\$REG_USER\" --password-stdin" "$R" \
		>out 2>err; echo $? >rc; } &&
	test "$(cat rc)" != 0 &&
	test ! -s out &&
	grep "^error: .*File too large" err &&
	! grep "^warning: streaming" err &&
	requests >req &&
	grep "^PATCH /v2/big/blobs/uploads/" req &&
	! grep "^PUT /v2/big/" req &&
	test_must_fail skopeo_raw "$R/big:1"
'

test_done
