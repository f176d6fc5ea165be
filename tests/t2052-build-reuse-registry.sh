#!/bin/sh
# t2052: --reuse-from REGISTRY/REPO:TAG reuses the unchanged layers of an
# image in a registry: one manifest GET and the config, never a layer;
# the result is byte for byte a full build; the layout lacks the reused
# blobs and names where they are, and push knows them in the same
# repository (no request), mounts them into another, streams them from
# another registry.  A missing image is a notice, a manifest without keys (or
# with keys that do not match its layers) a warning: every layer built.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"

test_require REGISTRY
command -v jq >/dev/null || test_skip_all "no jq"

start_registry two || exit 1
TWO=$REGISTRY
start_registry one || exit 1
start_fault_proxy || exit 1
DOCKER_CONFIG=$TRASH/dc
SSL_CERT_FILE=$REGISTRY_CA
export DOCKER_CONFIG SSL_CERT_FILE
registry_docker_config "$DOCKER_CONFIG" || exit 1
REGISTRY=$FAULT_PROXY registry_docker_config "$DOCKER_CONFIG" || exit 1
REGISTRY=$TWO registry_docker_config "$DOCKER_CONFIG" || exit 1
P=$FAULT_PROXY

# reused ERRFILE: the layers' Dockerfile lines noted as reused, one a line
reused() { sed -n 's/^.*Dockerfile:\([0-9]*\) [A-Z]*: .*, reused$/\1/p' "$1" | tr '\n' ' '; }
# layer_digests LAYOUT DIGEST_FILE: the manifest's layer digests, one a line
layer_digests() { jq -r ".layers[].digest" "$1/blobs/sha256/$(cut -c8- "$2")"; }

test_expect_success 'setup: a repository with three layers, its image pushed as app:main' '
	git init -q src && (
		cd src &&
		mkdir -p deps/lib app web &&
		for i in 1 2 3 4; do echo "dep $i" >deps/lib/d$i.js; done &&
		printf "#!/bin/sh\necho app\n" >app/run && chmod 755 app/run &&
		echo "v1" >app/version &&
		echo "<h1>hi</h1>" >web/index.html &&
		printf "%s\n" "FROM scratch" "COPY deps /opt/deps/" "COPY app /opt/app/" "COPY web /srv/web/" \
			>Dockerfile &&
		git add -A && git commit -qm one
	) &&
	publish build --context src --output oci:one >d0 &&
	publish push oci:one "$REGISTRY/app:main" >p0 2>err &&
	test_cmp d0 p0
'

test_expect_success 'nothing changed: every layer reused, read from one manifest and the config' '
	: >"$FAULT_LOG" &&
	publish build --reuse-from "$P/app:main" --context src --thin-layout --output oci:r1 >d1 2>err &&
	test "$(reused err)" = "2 3 4 " &&
	test_cmp d0 d1 &&
	test "$(fault_log_count GET /manifests/ 200)" = 1 &&
	test "$(fault_log_count GET /blobs/)" = 1 &&
	test "$(fault_log_count GET "/blobs/$(jq -r .config.digest "one/blobs/sha256/$(cut -c8- d0)")")" = 1 &&
	grep "reusing unchanged layers from .$P/app@sha256:" err
'

test_expect_success '--reuse-from repeated: the first image that exists, a notice only when none does' '
	publish build --reuse-from "$P/app:gone" --reuse-from "$P/app:main" --context src --thin-layout \
		--output oci:r0 >d 2>err &&
	test "$(reused err)" = "2 3 4 " &&
	test_cmp d0 d &&
	! grep "no previous image" err &&
	publish build --reuse-from "$P/app:gone" --reuse-from "$P/app:gone2" --context src --thin-layout \
		--output oci:r0b >d 2>err &&
	test "$(reused err)" = "" &&
	grep "^notice: no previous image .$P/app:gone. to reuse layers from: every layer is built (.*); nor any of the 1 others named" err &&
	test_cmp d0 d
'

test_expect_success 'the layout lacks the reused blobs and names where they are' '
	for d in $(layer_digests one d0); do
		! test -e "r1/blobs/sha256/$(echo $d | cut -c8-)" || return 1
	done &&
	jq -r ".manifests[0].annotations[\"dev.publish-action.reused-from\"]" r1/index.json >from &&
	grep "^$P/app@sha256:[0-9a-f]\{64\}$" from &&
	jq -r ".manifests[0].annotations[\"dev.publish-action.reused-blobs\"]" r1/index.json | tr " " "\n" | sort >blobs &&
	layer_digests one d0 | sort >expect &&
	test_cmp expect blobs
'

test_expect_success 'a one-line change: that layer alone is built, the image is a full build' '
	(cd src && echo v2 >app/version && GIT_COMMITTER_DATE="2021-01-01T00:00:00Z" git commit -qam v2) &&
	publish build --reuse-from "$P/app:main" --context src --thin-layout --output oci:r2 >d2 2>err &&
	test "$(reused err)" = "2 4 " &&
	publish build --context src --output oci:full2 >f2 &&
	test_cmp f2 d2 &&
	ls r2/blobs/sha256 | grep -c "^[0-9a-f]\{64\}$" >n &&
	echo 3 >expect && test_cmp expect n
'

test_expect_success 'a complete layout (the default) fetches the reused layers: skopeo reads it alone' '
	publish build --reuse-from "$P/app:main" --context src --output oci:c2 >dc2 2>err &&
	test_cmp f2 dc2 &&
	for d in $(layer_digests full2 f2); do
		test -f "c2/blobs/sha256/$(echo $d | cut -c8-)" || return 1
	done &&
	skopeo --policy "$(_img_policy)" copy --quiet "oci:c2" "dir:c2dir" &&
	test "$(ls c2dir | grep -c "^[0-9a-f]\{64\}$")" -ge 4
'

test_expect_success 'push to the same repository: the reused blobs are there (not even a HEAD), one layer uploaded' '
	: >"$FAULT_LOG" &&
	publish push oci:r2 "$P/app:main" >p2 2>err &&
	test_cmp d2 p2 &&
	grep -c "^exists " err >n && echo 2 >expect && test_cmp expect n &&
	for d in $(jq -r ".manifests[0].annotations[\"dev.publish-action.reused-blobs\"]" r2/index.json); do
		grep "^exists  $d $P/app " err &&
		test "$(fault_log_count "*" "/blobs/$d")" = 0 || return 1
	done &&
	grep -c "^pushed " err >n && echo 2 >expect && test_cmp expect n &&
	grep "^pushed  $(jq -r .config.digest "full2/blobs/sha256/$(cut -c8- f2)") " err &&
	test "$(fault_log_count PUT /blobs/uploads/)" = 2 &&
	test "$(fault_log_count GET /blobs/)" = 0
'

test_expect_success 'push to another repository: the reused blobs are mounted' '
	publish push oci:r2 "$P/other:x" >p3 2>err &&
	test_cmp d2 p3 &&
	grep -c "^mounted " err >n && echo 2 >expect && test_cmp expect n
'

test_expect_success 'push to another registry: the reused blobs are copied from the source' '
	publish push oci:r2 "$TWO/app:x" >p4 2>err &&
	test_cmp d2 p4 &&
	grep -c "^pushed " err >n && echo 4 >expect && test_cmp expect n &&
	publish inspect "$TWO/app:x" >/dev/null
'

test_expect_success 'a docker archive holds the reused layers, fetched from the registry' '
	publish build --reuse-from "$REGISTRY/app:main" --context src --output docker:img.tar >d5 2>err &&
	test "$(reused err)" = "2 3 4 " &&
	test_cmp d2 d5 &&
	tar -tf img.tar >list &&
	for d in $(layer_digests full2 f2); do
		grep "$(echo $d | cut -c8-)" list || return 1
	done
'

test_expect_success 'no previous image (a first publish): a notice, every layer built' '
	publish build --reuse-from "$REGISTRY/app:nothing" --context src >d6 2>err &&
	grep "^notice: no previous image .$REGISTRY/app:nothing. to reuse layers from" err &&
	! grep "^warning" err &&
	test "$(reused err)" = "" &&
	test_cmp f2 d6
'

# put_edited LAYOUT DIGEST_FILE JQ TAG: push the image with its manifest edited by JQ
put_edited() {
	m=$1/blobs/sha256/$(cut -c8- "$2") &&
	jq -c "$3" "$m" | tr -d "\n" >edited.json &&
	reg_curl -f -X PUT -H "Authorization: Bearer $(registry_token -u "$REG_USER:$REG_PASS" repository:app:pull,push)" \
		-H "Content-Type: application/vnd.oci.image.manifest.v1+json" --data-binary @edited.json \
		"$REGISTRY_URL/v2/app/manifests/$4" >/dev/null
}

test_expect_success 'a manifest without keys: a warning, every layer built' '
	put_edited full2 f2 "del(.annotations)" nokeys &&
	publish build --reuse-from "$REGISTRY/app:nokeys" --context src >d7 2>err &&
	grep "^warning: not reusing layers from .$REGISTRY/app:nokeys.: its manifest records no layer keys" err &&
	test "$(reused err)" = "" &&
	test_cmp f2 d7
'

test_expect_success 'keys that do not match the layers: a warning, every layer built' '
	put_edited full2 f2 ".annotations[\"dev.publish-action.layer-keys\"] |= (split(\" \") | .[1:] | join(\" \"))" short &&
	publish build --reuse-from "$REGISTRY/app:short" --context src >d8 2>err &&
	grep "^warning: not reusing layers from .$REGISTRY/app:short.: its layer keys do not match its layers" err &&
	test "$(reused err)" = "" &&
	put_edited full2 f2 ".annotations[\"dev.publish-action.layer-keys\"] |= sub(\"sha256:\"; \"md5:\")" bad &&
	publish build --reuse-from "$REGISTRY/app:bad" --context src >d9 2>err &&
	grep "its layer keys are malformed" err &&
	test "$(reused err)" = "" &&
	test_cmp f2 d9
'

test_expect_success 'another compression reuses nothing' '
	publish build --reuse-from "$REGISTRY/app:main" --context src --compression zstd >d10 2>err &&
	test "$(reused err)" = "" &&
	publish build --context src --compression zstd >f10 &&
	test_cmp f10 d10
'

test_done
