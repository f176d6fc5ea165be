# lib-images.sh: tiny, reproducible base images for the tests.
#
# Source it after test-lib.sh (and lib-registry.sh to push):
#
#   . "$TEST_DIR/lib-images.sh"
#   make_busybox_base base &&                 # OCI layout in ./base
#   push_base base base:1                     # -> $REGISTRY/base:1
#
# make_busybox_base DIR [ARCH]
#   An OCI image layout in DIR (oci-layout, index.json tagged `latest`,
#   blobs/sha256/...) holding one image: a single gzip layer with Debian's
#   static busybox as /bin/busybox, symlinks for its common applets in /bin
#   (sh ls cat echo httpd wget id stat env sleep ...), /etc/passwd,
#   /etc/group and /tmp; a config with os linux, architecture ARCH (default
#   amd64), Env PATH=..., Cmd ["sh"].  Everything is fixed (sorted names,
#   mtime 0, uid/gid 0, gzip -n, sorted compact JSON), so the digests are
#   the same on every run and machine with the same busybox.  Sets:
#     BASE_DIGEST          manifest digest (sha256:...)
#     BASE_CONFIG_DIGEST   config digest
#     BASE_LAYER_DIGEST    the layer's (gzip) digest
#     BASE_DIFF_ID         the layer's uncompressed digest
#     BASE_LAYER_SIZE      the layer's (gzip) size in bytes
#
# make_multiplatform_base DIR
#   The same layer under two images, linux/amd64 and linux/arm64 (a fake:
#   its config says arm64, its busybox is still amd64's), listed by an
#   image index that DIR's index.json tags `latest`.  Sets BASE_INDEX_DIGEST,
#   BASE_AMD64_DIGEST, BASE_ARM64_DIGEST and the BASE_* above (amd64's).
#
# oci_ref_digest DIR [TAG]: prints the digest index.json gives TAG (latest).
# oci_blob DIR DIGEST: prints the path of a blob in the layout.
#
# push_base DIR REF [SKOPEO-COPY-OPTIONS...]
#   skopeo copy --all oci:DIR:latest docker://$REGISTRY/REF, trusting the
#   test CA ($REGISTRY_CERT_DIR) and, on a registry with auth, as $REG_USER.
#   REF is repo:tag or repo@digest on $REGISTRY, or a full 127.0.0.1:PORT/...
#   reference.  Extra options go to skopeo (e.g. --format v2s2 to store
#   Docker media types, manifest list for the two-platform base).  Sets
#   PUSHED_DIGEST, the top manifest's digest on the registry: BASE_DIGEST
#   (or BASE_INDEX_DIGEST) unless converted by --format.
#
# skopeo_args: prints the options skopeo needs for $REGISTRY as a source
#   (--src-cert-dir/--src-creds, or --src-tls-verify=false on HTTP), e.g.
#   skopeo inspect $(skopeo_args | sed s/--src-/--/) docker://$REGISTRY/base:1
#
# Prereqs: BUSYBOX when /bin/busybox is the static one.

IMG_PY=${REGTEST_PY:-/usr/bin/python3}
[ -x "$IMG_PY" ] || IMG_PY=python3
BUSYBOX_BIN=${BUSYBOX_BIN:-/bin/busybox}

if [ -x "$BUSYBOX_BIN" ] && LC_ALL=C ldd "$BUSYBOX_BIN" 2>&1 | grep -q 'not a dynamic'; then
	test_set_prereq BUSYBOX
fi

BUSYBOX_APPLETS='[ ash basename cat chmod cp cut date df dirname du echo env expr false find grep gunzip gzip head hostname httpd id kill ln ls mkdir mv nc printf ps pwd readlink rm rmdir sed seq sh sha256sum sleep sort stat tail tar tee test touch tr true uname uniq wc wget which whoami xargs yes'
IMG_EPOCH=0

# _img_add_blob DIR FILE: moves FILE into DIR's blobs; prints "DIGEST SIZE"
_img_add_blob() {
	_hex=$(sha256sum "$2" | cut -d' ' -f1) &&
	_size=$(wc -c <"$2" | tr -d ' ') &&
	mkdir -p "$1/blobs/sha256" &&
	mv "$2" "$1/blobs/sha256/$_hex" &&
	echo "sha256:$_hex $_size"
}

# _img_json OUT KIND ARGS...: writes one JSON document, sorted and compact
_img_json() {
	"$IMG_PY" - "$@" <<-'EOF'
	import json, sys
	out, kind, args = sys.argv[1], sys.argv[2], sys.argv[3:]
	M = "application/vnd.oci.image.manifest.v1+json"
	I = "application/vnd.oci.image.index.v1+json"
	def desc(mt, d, size, **extra):
	    x = {"mediaType": mt, "digest": d, "size": int(size)}
	    x.update(extra)
	    return x
	if kind == "config":
	    arch, diff_id = args[0], args[1]
	    doc = {
	        "architecture": arch, "os": "linux",
	        "created": "1970-01-01T00:00:00Z",
	        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
	                   "Cmd": ["sh"]},
	        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
	        "history": [{"created": "1970-01-01T00:00:00Z",
	                     "created_by": "tests/lib-images.sh make_busybox_base"}],
	    }
	    if arch == "arm64":
	        doc["variant"] = "v8"
	elif kind == "manifest":
	    cd, cs, ld, ls = args
	    doc = {"schemaVersion": 2, "mediaType": M,
	           "config": desc("application/vnd.oci.image.config.v1+json", cd, cs),
	           "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", ld, ls)]}
	elif kind == "imageindex":
	    ms = []
	    for a in args:
	        d, size, arch = a.split(" ")
	        p = {"architecture": arch, "os": "linux"}
	        if arch == "arm64":
	            p["variant"] = "v8"
	        ms.append(desc(M, d, size, platform=p))
	    doc = {"schemaVersion": 2, "mediaType": I, "manifests": ms}
	elif kind == "layoutindex":
	    mt, d, size, tag = args
	    doc = {"schemaVersion": 2, "mediaType": I,
	           "manifests": [desc(mt, d, size,
	                              annotations={"org.opencontainers.image.ref.name": tag})]}
	else:
	    sys.exit("unknown kind " + kind)
	with open(out, "w") as f:
	    f.write(json.dumps(doc, sort_keys=True, separators=(",", ":")))
	EOF
}

# _img_layer DIR: builds the busybox layer into DIR's blobs; sets
# BASE_LAYER_DIGEST BASE_LAYER_SIZE BASE_DIFF_ID
_img_layer() {
	_root=$1.rootfs
	rm -rf "$_root" && mkdir -p "$_root/bin" "$_root/etc" "$_root/tmp" "$_root/root" || return 1
	cp "$BUSYBOX_BIN" "$_root/bin/busybox" || return 1
	for _a in $BUSYBOX_APPLETS; do ln -s busybox "$_root/bin/$_a" || return 1; done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$_root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$_root/etc/group"
	chmod 0755 "$_root" "$_root/bin" "$_root/etc" "$_root/bin/busybox" &&
	chmod 0700 "$_root/root" && chmod 1777 "$_root/tmp" &&
	chmod 0644 "$_root/etc/passwd" "$_root/etc/group" || return 1
	(cd "$_root" && tar --sort=name --format=ustar --mtime=@$IMG_EPOCH \
		--owner=0 --group=0 --numeric-owner -cf - bin etc root tmp) >"$1/layer.tar" || return 1
	rm -rf "$_root"
	BASE_DIFF_ID=sha256:$(sha256sum "$1/layer.tar" | cut -d' ' -f1)
	gzip -n -9 <"$1/layer.tar" >"$1/layer.tar.gz" && rm -f "$1/layer.tar" || return 1
	set -- $(_img_add_blob "$1" "$1/layer.tar.gz") || return 1
	BASE_LAYER_DIGEST=$1 BASE_LAYER_SIZE=$2
}

# _img_image DIR ARCH: config + manifest for the layer; prints "DIGEST SIZE"
_img_image() {
	_img_json "$1/config.json" config "$2" "$BASE_DIFF_ID" &&
	_c=$(_img_add_blob "$1" "$1/config.json") &&
	_img_json "$1/manifest.json" manifest $_c $BASE_LAYER_DIGEST $BASE_LAYER_SIZE &&
	_m=$(_img_add_blob "$1" "$1/manifest.json") &&
	echo "$_m"
}

_img_layout() {
	printf '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
}

make_busybox_base() {
	[ -n "$1" ] || { echo "make_busybox_base: no directory" >&2; return 1; }
	_arch=${2:-amd64}
	rm -rf "$1" && mkdir -p "$1" || return 1
	_img_layer "$1" || return 1
	_img_json "$1/config.json" config "$_arch" "$BASE_DIFF_ID" &&
	set -- "$1" $(_img_add_blob "$1" "$1/config.json") &&
	BASE_CONFIG_DIGEST=$2 &&
	_img_json "$1/manifest.json" manifest "$2" "$3" $BASE_LAYER_DIGEST $BASE_LAYER_SIZE &&
	set -- "$1" $(_img_add_blob "$1" "$1/manifest.json") &&
	BASE_DIGEST=$2 &&
	_img_json "$1/index.json" layoutindex application/vnd.oci.image.manifest.v1+json "$2" "$3" latest &&
	_img_layout "$1"
}

make_multiplatform_base() {
	[ -n "$1" ] || { echo "make_multiplatform_base: no directory" >&2; return 1; }
	rm -rf "$1" && mkdir -p "$1" || return 1
	_img_layer "$1" || return 1
	_amd=$(_img_image "$1" amd64) && _arm=$(_img_image "$1" arm64) || return 1
	BASE_AMD64_DIGEST=${_amd% *} BASE_ARM64_DIGEST=${_arm% *} BASE_DIGEST=${_amd% *}
	# BASE_CONFIG_DIGEST: set by _img_image in a subshell, so again here
	BASE_CONFIG_DIGEST=$("$IMG_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["digest"])' \
		"$1/blobs/sha256/${BASE_AMD64_DIGEST#sha256:}") || return 1
	_img_json "$1/imageindex.json" imageindex "$_amd amd64" "$_arm arm64" &&
	set -- "$1" $(_img_add_blob "$1" "$1/imageindex.json") &&
	BASE_INDEX_DIGEST=$2 &&
	_img_json "$1/index.json" layoutindex application/vnd.oci.image.index.v1+json "$2" "$3" latest &&
	_img_layout "$1"
}

oci_ref_digest() {
	"$IMG_PY" - "$1/index.json" "${2:-latest}" <<-'EOF'
	import json, sys
	for m in json.load(open(sys.argv[1]))["manifests"]:
	    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == sys.argv[2]:
	        print(m["digest"])
	        sys.exit(0)
	sys.exit("no tag %s in %s" % (sys.argv[2], sys.argv[1]))
	EOF
}

oci_blob() {
	echo "$1/blobs/sha256/${2#sha256:}"
}

_img_policy() {
	[ -s "$TRASH/.skopeo-policy.json" ] ||
		printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$TRASH/.skopeo-policy.json"
	echo "$TRASH/.skopeo-policy.json"
}

skopeo_args() {
	if [ "${REGISTRY_SCHEME:-https}" = http ]; then
		echo "--src-tls-verify=false"
	else
		echo "--src-cert-dir=$REGISTRY_CERT_DIR"
	fi
	[ -n "$REG_USER" ] && echo "--src-creds=$REG_USER:$REG_PASS"
	return 0
}

push_base() {
	_dir=$1 _ref=$2
	[ -n "$_dir" ] && [ -n "$_ref" ] || { echo "push_base: usage: push_base DIR REF" >&2; return 1; }
	shift 2
	case "$_ref" in
	127.0.0.1:*/*|localhost:*/*) ;;
	*) _ref=$REGISTRY/$_ref ;;
	esac
	if [ "${REGISTRY_SCHEME:-https}" = http ]; then
		set -- --dest-tls-verify=false "$@"
	else
		set -- --dest-cert-dir="$REGISTRY_CERT_DIR" "$@"
	fi
	[ -n "$REG_USER" ] && set -- --dest-creds="$REG_USER:$REG_PASS" "$@"
	skopeo --policy "$(_img_policy)" copy --quiet --all \
		--digestfile "$TRASH/.pushed-digest" "$@" \
		"oci:$_dir:latest" "docker://$_ref" || return 1
	PUSHED_DIGEST=$(cat "$TRASH/.pushed-digest")
}
