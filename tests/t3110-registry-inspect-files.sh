#!/bin/sh
# t3110: publish inspect --files: an image's file tree from its layers'
# tar headers (basetree), checked against GNU tar's listing of the same
# blobs, with whiteouts applied and the cache by layer digest.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_busybox_base base || exit 1
push_base base base:1 || exit 1
start_fault_proxy || exit 1
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE
PUBLISH_CACHE_DIR=$TRASH/cache
export PUBLISH_CACHE_DIR

# tar_list BLOB: "type mode uid:gid path[ -> target]" lines as GNU tar sees them
tar_list() {
	tar --numeric-owner -tvzf "$1" | awk '{
		t = substr($1, 1, 1); if (t == "-") t = "-"
		path = $6; for (i = 7; i <= NF; i++) path = path " " $i
		sub(/^\.\//, "", path); sub(/\/$/, "", path)
		if (path == "" || path == ".") next
		split($2, o, "/")
		print t, o[1] ":" o[2], path
	}' | sort
}

test_expect_success 'the files of a one-layer image are what tar lists' '
	publish inspect --files "$REGISTRY/base:1" >out &&
	awk "{ t = \$1; if (t == \"h\") t = \"h\"; p = \$4; for (i = 5; i <= NF; i++) p = p \" \" \$i; print t, \$3, p }" out |
		sed "s/ => / link to /" | sort >got &&
	tar_list "$(oci_blob base "$BASE_LAYER_DIGEST")" >want &&
	test_cmp want got
'

test_expect_success 'modes are the tar headers modes' '
	grep " bin/busybox$" out >line &&
	mode=$(tar --numeric-owner -tvzf "$(oci_blob base "$BASE_LAYER_DIGEST")" | grep " bin/busybox$" | cut -c2-10) &&
	test "$mode" = "rwxr-xr-x" &&
	grep -q "^- 0755 0:0 bin/busybox$" out
'

test_expect_success 'a second look reads no layer: the cache answers' '
	test -s "$PUBLISH_CACHE_DIR/basetree/${BASE_LAYER_DIGEST#sha256:}" &&
	fault_set "500,method=GET,path=/blobs/$BASE_LAYER_DIGEST" &&
	: >"$FAULT_LOG" &&
	publish inspect --files "$FAULT_PROXY/base:1" >out2 &&
	test_cmp out out2 &&
	test "$(fault_log_count GET "/blobs/$BASE_LAYER_DIGEST")" = 0 &&
	fault_set ""
'

test_expect_success 'whiteouts of an upper layer remove files and subtrees' '
	mkdir up && (cd up && mkdir -p etc tmp && : >etc/.wh.group && : >tmp/.wh..wh..opq && mkdir -p opt && echo x >opt/new) &&
	tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C up -czf up.tgz etc tmp opt &&
	python3 - base up.tgz <<-\PY &&
	import hashlib, json, os, sys
	d, layer = sys.argv[1], sys.argv[2]
	def put(b):
	    h = hashlib.sha256(b).hexdigest()
	    open(os.path.join(d, "blobs", "sha256", h), "wb").write(b)
	    return "sha256:" + h, len(b)
	idx = json.load(open(os.path.join(d, "index.json")))
	m = json.load(open(os.path.join(d, "blobs", "sha256", idx["manifests"][0]["digest"][7:])))
	cfg = json.load(open(os.path.join(d, "blobs", "sha256", m["config"]["digest"][7:])))
	lb = open(layer, "rb").read()
	import gzip
	ld, ls = put(lb)
	cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(gzip.decompress(lb)).hexdigest())
	cd, cs = put(json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode())
	m["config"] = {"mediaType": m["config"]["mediaType"], "digest": cd, "size": cs}
	m["layers"].append({"mediaType": m["layers"][0]["mediaType"], "digest": ld, "size": ls})
	md, ms = put(json.dumps(m, sort_keys=True, separators=(",", ":")).encode())
	idx["manifests"][0].update(digest=md, size=ms)
	json.dump(idx, open(os.path.join(d, "index.json"), "w"))
	PY
	push_base base base:2 &&
	publish inspect --files "$REGISTRY/base:2" >out3 &&
	grep -q " etc/passwd$" out3 &&
	! grep -q " etc/group$" out3 &&
	grep -q "^- 0644 0:0 opt/new$" out3 &&
	grep -q "^d [0-9]* 0:0 tmp$" out3
'

test_expect_success 'a layer that does not match its digest is exit 9, and is not cached' '
	rm -rf "$PUBLISH_CACHE_DIR" &&
	fault_set "corrupt,method=GET,path=/blobs/$BASE_LAYER_DIGEST" &&
	{ publish inspect --retries 1 --files "$FAULT_PROXY/base:1" >out4 2>err; test $? = 9; } &&
	grep "$BASE_LAYER_DIGEST" err &&
	! test -e "$PUBLISH_CACHE_DIR/basetree/${BASE_LAYER_DIGEST#sha256:}" &&
	fault_set ""
'

test_expect_success 'a layer that never ends: exit 9, stopped at its size, nothing left behind' '
	rm -rf "$PUBLISH_CACHE_DIR" &&
	mkdir -p tmp &&
	fault_set "endless,method=GET,path=/blobs/$BASE_LAYER_DIGEST" &&
	{ TMPDIR=$PWD/tmp test_file_limit $((BASE_LAYER_SIZE + 65536)) publish inspect --files "$FAULT_PROXY/base:1" >out5 2>err; test $? = 9; } &&
	grep "larger than the $BASE_LAYER_SIZE bytes" err &&
	test -z "$(ls -A tmp)" &&
	fault_set ""
'

test_done
