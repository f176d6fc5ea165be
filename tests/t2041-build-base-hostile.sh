#!/bin/sh
# t2041: the base image's layers are read for their file tree (basetree),
# and a hostile base cannot make the build write without bound or accept
# what it should not: a layer that never ends stops at its descriptor's
# size (exit 9, under a file-size limit, TMPDIR left empty), a changed
# byte is a digest mismatch (exit 9), a layer that is not a tar is exit 9
# naming it, and nothing bad is cached.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_busybox_base base || exit 1
push_base base base:1 >/dev/null || exit 1
# a base whose only layer is not a tar (its digest is right)
mkdir junk && python3 - junk <<-\EOF || exit 1
	import hashlib, json, os, sys
	d = sys.argv[1]
	os.makedirs(os.path.join(d, "blobs", "sha256"))
	def put(b):
	    h = hashlib.sha256(b).hexdigest()
	    open(os.path.join(d, "blobs", "sha256", h), "wb").write(b)
	    return {"digest": "sha256:" + h, "size": len(b)}
	layer = put(b"this is not a tar archive, not gzip either\n" * 20)
	layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar"
	cfg = put(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
	    "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
	cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
	m = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
	    "config": cfg, "layers": [layer]}).encode())
	m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
	m["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
	json.dump({"schemaVersion": 2, "manifests": [m]}, open(os.path.join(d, "index.json"), "w"))
	open(os.path.join(d, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
	EOF
push_base junk junk:1 >/dev/null || exit 1
SSL_CERT_FILE=$REGISTRY_CA
TMPDIR=$TRASH/tmp
PUBLISH_CACHE_DIR=$TRASH/cache
SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH
export SSL_CERT_FILE TMPDIR PUBLISH_CACHE_DIR
mkdir "$TMPDIR"
start_fault_proxy || exit 1
P=$FAULT_PROXY

ctx() {
	rm -rf ctx && mkdir ctx && echo a >ctx/a && printf "FROM %s\nCOPY a /bin/a\n" "$1" >ctx/Dockerfile
}

test_expect_success 'a base layer that never ends: exit 9, stopped at its size, nothing left behind' '
	ctx "$P/base:1" &&
	fault_set "endless,method=GET,path=/blobs/$BASE_LAYER_DIGEST" && : >"$FAULT_LOG" &&
	test_file_limit $((BASE_LAYER_SIZE + 65536)) publish build --context ctx --output oci:out1 >out 2>err; test $? = 9 &&
	grep "$BASE_LAYER_DIGEST" err &&
	grep "larger than the $BASE_LAYER_SIZE bytes" err &&
	test -z "$(ls -A "$TMPDIR")" &&
	! test -e out1/index.json &&
	! test -e "$PUBLISH_CACHE_DIR/basetree/${BASE_LAYER_DIGEST#sha256:}"
'

test_expect_success 'a base layer with a changed byte: exit 9, not cached' '
	fault_set "corrupt,method=GET,path=/blobs/$BASE_LAYER_DIGEST" &&
	publish build --retries 1 --context ctx --output oci:out2 >out 2>err; test $? = 9 &&
	grep "$BASE_LAYER_DIGEST" err &&
	! test -e "$PUBLISH_CACHE_DIR/basetree/${BASE_LAYER_DIGEST#sha256:}"
' 

test_expect_success 'a base layer that is not a tar: exit 9 naming the layer and the base' '
	fault_set "" &&
	ctx "$REGISTRY/junk:1" &&
	publish build --context ctx --output oci:out3 >out 2>err; test $? = 9 &&
	test_line_count err = 1 &&
	grep "^error: layer sha256:[0-9a-f]\{64\} of base image .$REGISTRY/junk:1. is not a tar archive" err
'

test_expect_success 'the same base, well served: builds, and the tree is cached' '
	ctx "$P/base:1" &&
	publish build --context ctx --output oci:out4 >digest &&
	test -s "$PUBLISH_CACHE_DIR/basetree/${BASE_LAYER_DIGEST#sha256:}" &&
	grep -q "^sha256:" digest
'

test_done
