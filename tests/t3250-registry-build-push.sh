#!/bin/sh
# t3250: publish build --push builds and pushes in one process: the same
# image as build --output + push, each layer uploaded while the next is
# built, tags checked before anything is sent, no tag and no temporary
# layout left when the registry fails, --output kept, a re-run that
# sends nothing and moves no tag, several platforms.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry two || exit 1
TWO=$REGISTRY
TWO_TOKEN_LOG=$TOKEN_LOG
make_busybox_base base || exit 1
push_base base base:1 || exit 1
start_registry one || exit 1
ONE=$REGISTRY
push_base base base:1 || exit 1
make_multiplatform_base mbase || exit 1
push_base mbase mbase:1 || exit 1
start_fault_proxy || exit 1
P=$FAULT_PROXY
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE

# line ERE FILE: the number of the first line of FILE matching ERE
line() { grep -n -m1 -E "$1" "$2" | cut -d: -f1; }

test_expect_success 'setup: a context on the registry base' '
	mkdir -p ctx/app &&
	echo "hello" >ctx/app/hello.txt &&
	printf "#!/bin/sh\necho hi\n" >ctx/app/run &&
	printf "%s\n" "FROM $ONE/base:1" "COPY app /app/" "WORKDIR /app" "CMD [\"/app/run\"]" >ctx/Dockerfile
'

test_expect_success 'build --push: the digest build --output + push gives, readable by skopeo' '
	publish build --context ctx --output oci:two >d_build &&
	login push oci:two "$ONE/two:1" >d_push 2>/dev/null &&
	test_cmp d_build d_push &&
	login build --context ctx --push -t "$ONE/one:1" -t "$ONE/one:latest" >d_one 2>err &&
	test_line_count d_one = 1 &&
	test_cmp d_build d_one &&
	echo "sha256:$(skopeo_raw "$ONE/one:1" | sha256sum | cut -d" " -f1)" >d_raw &&
	test_cmp d_one d_raw &&
	grep "^tagged  $ONE/one:1 $(cat d_one)$" err &&
	grep "^tagged  $ONE/one:latest $(cat d_one)$" err &&
	grep "^[0-9]* blobs pushed (.* MiB), [0-9]* mounted, [0-9]* already there; 1 manifests$" err &&
	skopeo copy --quiet --policy "$(_img_policy)" --src-cert-dir "$REGISTRY_CERT_DIR" \
		--src-creds "$REG_USER:$REG_PASS" "docker://$ONE/one:1" oci:read:x &&
	test "$(jq -r ".manifests[0].digest" read/index.json)" = "$(cat d_one)"
'

test_expect_success '--quiet: the digest alone, no progress line' '
	login build -q --context ctx --push -t "$ONE/quiet:1" >out 2>err &&
	test_cmp d_build out &&
	! grep -E "^(pushed |mounted |exists |tagged |[0-9]+ blobs pushed)" err &&
	! grep "COPY: " err
'

test_expect_success 'setup: a small first layer, a large compressible last one' '
	mkdir -p big/small big/big &&
	echo "small" >big/small/a &&
	i=0 && while [ $i -lt 6 ]; do
		head -c 6000000 /dev/urandom | base64 >big/big/part$i || return 1
		i=$((i + 1))
	done &&
	printf "%s\n" "FROM $ONE/base:1" "COPY small /small/" "COPY big /big/" >big/Dockerfile
'

test_expect_success 'the first layer is pushed before the last is written' '
	login build --context big --push -t "$ONE/overlap:1" >d_over 2>err &&
	small=$(sed -n "s/^.*Dockerfile:2 COPY: \(sha256:[0-9a-f]*\),.*/\1/p" err) &&
	bigl=$(sed -n "s/^.*Dockerfile:3 COPY: \(sha256:[0-9a-f]*\),.*/\1/p" err) &&
	test -n "$small" && test -n "$bigl" &&
	test "$(line "^pushed  $small " err)" -lt "$(line "Dockerfile:3 COPY: " err)" &&
	test "$(line "Dockerfile:3 COPY: " err)" -lt "$(line "^pushed  $bigl " err)" &&
	test "$(grep -c "^pushed  $small " err)" = 1 &&
	test "$(grep -c "^pushed  $bigl " err)" = 1 &&
	echo "sha256:$(skopeo_raw "$ONE/overlap:1" | sha256sum | cut -d" " -f1)" >d_raw &&
	test_cmp d_over d_raw
'

test_expect_success 'the base layers go up while the build runs: mounted on the same registry, streamed from another' '
	base=$(skopeo_raw "$ONE/base:1" | jq -r ".layers[0].digest") &&
	login build --context big --push -t "$ONE/early:1" >d_early 2>err &&
	test "$(line "^mounted sha256:${base#sha256:} " err)" -lt "$(line "Dockerfile:3 COPY: " err)" &&
	test "$(grep -c "sha256:${base#sha256:}" err)" = 1 &&
	printf "%s\n" "FROM $TWO/base:1" "COPY small /small/" "COPY big /big/" >big/Dockerfile.two &&
	login build --context big -f big/Dockerfile.two --push -t "$ONE/early2:1" >d_early2 2>err &&
	test "$(line "^pushed  sha256:${base#sha256:} " err)" -lt "$(line "Dockerfile.two:3 COPY: " err)" &&
	echo "sha256:$(skopeo_raw "$ONE/early2:1" | sha256sum | cut -d" " -f1)" >d_raw &&
	test_cmp d_early2 d_raw
'

test_expect_success 'a tag without a registry, or none: exit 3 naming it, nothing built or sent' '
	mark &&
	test_exit_code 3 login build --context ctx --push -t app:1 --output oci:notbuilt >out 2>err &&
	test_line_count err = 1 &&
	grep "^error: --push: tag .app:1. names no registry" err &&
	test_exit_code 3 login build --context ctx --push -t "$ONE/fine:1" -t acme/app:1 >out 2>err &&
	grep "^error: --push: tag .acme/app:1. names no registry" err &&
	test_exit_code 3 login build --context ctx --push >out 2>err &&
	grep "^error: --push needs a --tag" err &&
	test_exit_code 3 login build --context ctx --push -t "$ONE/fine:1" --output docker:x.tar >out 2>err &&
	grep "^error: --push with --output .docker:x.tar." err &&
	test ! -s out &&
	! test -e notbuilt && ! test -e x.tar &&
	since_mark >requests &&
	test ! -s requests
'

test_expect_success 'a registry failing the manifest: no tag, no temporary layout left' '
	mkdir tmp1 &&
	fault_set "400,method=PUT,path=/manifests/" &&
	: >"$FAULT_LOG" &&
	TMPDIR=$TRASH/tmp1 test_must_fail login build --context ctx --push -t "$P/failed:1" >out 2>err &&
	test "$(fault_log_count PUT /manifests/ 400)" -ge 1 &&
	test "$(fault_log_count PUT "/blobs/uploads/")" -ge 1 &&
	test_line_count err -ge 1 && grep "^error: " err &&
	test ! -s out &&
	ls -A tmp1 >left && test ! -s left &&
	test_must_fail skopeo_raw "$ONE/failed:1" &&
	fault_set ""
'

test_expect_success 'a registry failing a layer: the build stops, no manifest, no tag, no layout left' '
	mkdir tmp2 &&
	fault_set "400,method=PUT,path=/blobs/uploads/" &&
	: >"$FAULT_LOG" &&
	TMPDIR=$TRASH/tmp2 test_must_fail login build --context big --push -t "$P/failed2:1" >out 2>err &&
	test "$(fault_log_count PUT "/blobs/uploads/" 400)" -ge 1 &&
	test "$(fault_log_count PUT /manifests/)" = 0 &&
	! grep "Dockerfile:3 COPY: " err &&
	ls -A tmp2 >left && test ! -s left &&
	test_must_fail skopeo_raw "$ONE/failed2:1" &&
	fault_set ""
'

test_expect_success '--output oci:DIR with --push: the layout stays, complete' '
	login build --context ctx --push -t "$ONE/kept:1" --output oci:kept >d_kept 2>err &&
	test_cmp d_build d_kept &&
	test "$(oci_ref_digest kept "$ONE/kept:1")" = "$(cat d_kept)" &&
	test -f "$(oci_blob kept "$BASE_LAYER_DIGEST")" &&
	login build --context ctx --push -t "$ONE/kept:1" --output oci:thin --thin-layout >d_thin 2>err &&
	test_cmp d_build d_thin &&
	! test -e "$(oci_blob thin "$BASE_LAYER_DIGEST")"
'

test_expect_success 'the same build --push again: no layer uploaded, no tag moved' '
	mark &&
	login build --context big --push -t "$ONE/overlap:1" >d_again 2>err &&
	test_cmp d_over d_again &&
	grep "^tagged  $ONE/overlap:1 $(cat d_over) (unchanged)$" err &&
	! grep "^pushed " err &&
	since_mark >requests &&
	! grep "\"PUT /v2/" requests &&
	! grep "\"POST /v2/" requests &&
	! grep "\"DELETE /v2/" requests
'

test_expect_success '--username goes to the registry of the tags, not to a base on another one' '
	printf "%s\n" "FROM $TWO/base:1" "COPY app /app/" >ctx/Dockerfile.two &&
	: >"$TOKEN_LOG" && : >"$TWO_TOKEN_LOG" &&
	login build --context ctx -f ctx/Dockerfile.two --push -t "$ONE/cross:1" >d_cross 2>err &&
	echo "sha256:$(skopeo_raw "$ONE/cross:1" | sha256sum | cut -d" " -f1)" >d_raw &&
	test_cmp d_cross d_raw &&
	grep "	$REG_USER	repository:cross:pull,push	200$" "$TOKEN_LOG" &&
	grep "	repository:base:pull	200$" "$TWO_TOKEN_LOG" &&
	! grep "	$REG_USER	" "$TWO_TOKEN_LOG"
'

test_expect_success 'several platforms: one index pushed, every platform in it' '
	printf "%s\n" "FROM $ONE/mbase:1" "COPY app /app/" >ctx/Dockerfile.multi &&
	login build --context ctx -f ctx/Dockerfile.multi --platform linux/amd64,linux/arm64 \
		--push -t "$ONE/multi:1" >d_multi 2>err &&
	skopeo_raw "$ONE/multi:1" >raw &&
	test "sha256:$(sha256sum <raw | cut -d" " -f1)" = "$(cat d_multi)" &&
	jq -e ".mediaType == \"application/vnd.oci.image.index.v1+json\"" raw &&
	jq -r ".manifests[].platform.architecture" raw >archs &&
	printf "amd64\narm64\n" >want && test_cmp want archs
'

test_expect_success 'several platforms overlap too: a platform goes up while the next is built, a shared layer once' '
	# a small layer for the first platform, a slow one to write for the
	# second: the first goes up while the second is written
	head -c 3000 /dev/urandom | base64 >ctx/app-amd64 &&
	i=0 && while [ $i -lt 6 ]; do
		head -c 4000000 /dev/urandom | base64 >>ctx/app-arm64 || return 1
		i=$((i + 1))
	done &&
	printf "%s\n" "FROM $ONE/mbase:1" "COPY app /app/" "ARG TARGETARCH" \
		"COPY app-\${TARGETARCH} /bin/app" >ctx/Dockerfile.multi2 &&
	login build --context ctx -f ctx/Dockerfile.multi2 --platform linux/amd64,linux/arm64 \
		--push -t "$ONE/multi2:1" >d_multi2 2>err &&
	sed -n "s/^.*Dockerfile.multi2:4 COPY: \(sha256:[0-9a-f]*\),.*/\1/p" err >arch_layers &&
	test_line_count arch_layers = 2 &&
	amd=$(sed -n 1p arch_layers) && arm=$(sed -n 2p arch_layers) && test "$amd" != "$arm" &&
	shared=$(sed -n "s/^.*Dockerfile.multi2:2 COPY: \(sha256:[0-9a-f]*\),.*/\1/p" err | sort -u) &&
	test "$(echo "$shared" | wc -l)" = 1 &&
	test "$(line "^platform linux/arm64" err)" -lt "$(line "Dockerfile.multi2:4 COPY: $arm" err)" &&
	test "$(line "^pushed  $amd " err)" -lt "$(line "Dockerfile.multi2:4 COPY: $arm" err)" &&
	test "$(grep -c "^pushed  $amd " err)" = 1 &&
	test "$(grep -c "^pushed  $arm " err)" = 1 &&
	test "$(grep -c "^pushed  $shared " err)" = 1 &&
	publish build -q --context ctx -f ctx/Dockerfile.multi2 --platform linux/amd64,linux/arm64 \
		--output oci:multi2 >d_multi2_build &&
	test_cmp d_multi2 d_multi2_build &&
	test "sha256:$(skopeo_raw "$ONE/multi2:1" | sha256sum | cut -d" " -f1)" = "$(cat d_multi2)"
'

test_done
