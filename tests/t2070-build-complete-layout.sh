#!/bin/sh
# t2070: `publish build --output oci:DIR` on a base from a registry writes
# a complete layout: every blob, the base's layers included (streamed
# from the registry once: the file tree reads them from the layout), so
# umoci unpacks it and skopeo copies it into a Docker engine, which runs
# it.  --thin-layout keeps today's layout without the base's layers, and
# `publish push` takes both (same digest).  A docker: archive downloads
# each base layer once too.  --base-layout gives the base's blobs from a
# local layout, also complete.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require REGISTRY SKOPEO BUSYBOX
command -v umoci >/dev/null && test_set_prereq UMOCI

start_registry || exit 1
make_distro_base distro >/dev/null || exit 1
push_base distro distro:12 >/dev/null || exit 1
start_dockerd || say "no Docker engine: the docker run test is skipped"

SSL_CERT_FILE=$REGISTRY_CA
SOURCE_DATE_EPOCH=1600000000
export SSL_CERT_FILE SOURCE_DATE_EPOCH

# base_layers: the digests of the base's layers, one per line
base_layers() {
	jq -r ".layers[].digest" "$(oci_blob distro "$(oci_ref_digest distro)")"
}

# manifest DIR: the path of the manifest index.json names
manifest() {
	oci_blob "$1" "$(jq -r ".manifests[0].digest" "$1/index.json")"
}

# gets DIGEST: how many times the registry served that base blob
gets() {
	grep -c "GET /v2/distro/blobs/$1" "$REGISTRY_LOG"
}

# build NAME ARGS...: publish build of the app with a fresh tree cache
build() {
	_n=$1; shift
	rm -rf "$TRASH/cache-$_n" &&
	PUBLISH_CACHE_DIR=$TRASH/cache-$_n publish build -q --context app --tag app:1 "$@"
}

test_expect_success 'setup: an app on the two-layer base of the registry' '
	mkdir -p app &&
	echo "hello from the app" >app/hello.txt &&
	printf "%s\n" "FROM $REGISTRY/distro:12" "COPY hello.txt /srv/hello.txt" \
		"CMD [\"/usr/bin/busybox\", \"cat\", \"/srv/hello.txt\"]" >app/Dockerfile &&
	base_layers >layers && test_line_count layers = 2
'

test_expect_success 'oci: holds every blob its manifest names, the base layers first' '
	build full --output oci:full >digest &&
	m=$(manifest full) &&
	jq -r ".layers[0].digest, .layers[1].digest" "$m" >first && test_cmp layers first &&
	jq -r ".config.digest, .layers[].digest" "$m" >blobs &&
	test_line_count blobs = 4 &&
	while read d; do
		test -f "$(oci_blob full "$d")" || { echo "missing $d"; return 1; }
		echo "$d  $(sha256sum <"$(oci_blob full "$d")" | cut -d" " -f1)" |
			sed "s/^sha256:\([0-9a-f]*\)  \(.*\)/\1 \2/" | awk "\$1 != \$2 { exit 1 }" || return 1
	done <blobs
'

test_expect_success 'each base layer was downloaded once (the tree read it from the layout)' '
	while read d; do
		test "$(gets "$d")" = 1 || { echo "$d: $(gets "$d") GETs"; return 1; }
	done <layers
'

test_expect_success UMOCI 'umoci unpacks it: the base'"'"'s files and ours' '
	umoci unpack --rootless --image full:app:1 bundle >/dev/null &&
	test -x bundle/rootfs/usr/bin/busybox &&
	test -f bundle/rootfs/opt/app/old.txt &&
	echo "hello from the app" >expect && test_cmp expect bundle/rootfs/srv/hello.txt
'

test_expect_success 'skopeo reads it alone (oci: to a docker archive, every layer)' '
	skopeo --policy "$(_img_policy)" copy --quiet oci:full:app:1 docker-archive:full.tar:app:1 &&
	tar -tf full.tar >listing &&
	test "$(grep -c "\.tar$\|^[0-9a-f]\{64\}$" listing)" -ge 3
'

test_expect_success DOCKER 'skopeo copy oci:DIR docker-daemon: and docker run' '
	skopeo --policy "$(_img_policy)" copy --quiet --dest-daemon-host "$DOCKER_HOST" \
		oci:full:app:1 docker-daemon:t2070/app:1 &&
	container_run t2070/app:1 >out &&
	echo "hello from the app" >expect && test_cmp expect out
'

test_expect_success '--thin-layout: the same image without the base layers' '
	build thin --output oci:thin --thin-layout >digest.thin &&
	test_cmp digest digest.thin &&
	while read d; do
		! test -e "$(oci_blob thin "$d")" || return 1
	done <layers &&
	jq -e ".manifests[0].annotations[\"org.opencontainers.image.base.name\"] == \"$REGISTRY/distro:12\"" thin/index.json
'

test_expect_success '--thin-layout with a docker: output is a usage error (exit 2)' '
	test_exit_code 2 publish build --context app --output docker:x.tar --thin-layout 2>err &&
	grep "^error: --thin-layout needs an oci:DIR output" err &&
	! test -e x.tar
'

test_expect_success 'publish push takes both layouts: one digest in the registry' '
	publish push --username "$REG_USER" --password-stdin oci:full "$REGISTRY/app/full:1" <<-EOF &&
	$REG_PASS
	EOF
	publish push --username "$REG_USER" --password-stdin oci:thin "$REGISTRY/app/thin:1" <<-EOF &&
	$REG_PASS
	EOF
	for r in full thin; do
		skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
			"docker://$REGISTRY/app/$r:1" | sha256sum | cut -d" " -f1 >"pushed.$r" || return 1
	done &&
	test_cmp pushed.full pushed.thin &&
	echo "sha256:$(cat pushed.full)" >expect && test_cmp expect digest
'

test_expect_success 'docker: downloads each base layer once' '
	for d in $(cat layers); do gets "$d"; done >before &&
	build tar --output docker:app.tar >/dev/null &&
	for d in $(cat layers); do echo $(( $(gets "$d") - 1 )); done >after &&
	test_cmp before after &&
	tar -xOf app.tar manifest.json | jq -e ".[0].Layers | length == 3"
'

test_expect_success '--base-layout: the base blobs come from the local layout, none from the registry' '
	for d in $(cat layers); do gets "$d"; done >before &&
	build local --base-layout distro --output oci:local >digest.local &&
	while read d; do test -f "$(oci_blob local "$d")" || return 1; done <layers &&
	for d in $(cat layers); do gets "$d"; done >after &&
	test_cmp before after
'

test_done
