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
test_prereq_why BUSYBOX "no static busybox (busybox-static)"

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

# make_distro_base DIR
#   An OCI layout in DIR (tagged `latest`) laid out like Debian 12: two
#   gzip layers; the first has merged /usr (bin, lib, sbin symlinks into
#   usr/), the static busybox as usr/bin/busybox with its applets, /etc
#   passwd and group (root, app 1000:1000, node 1001:1001, www-data 33:33),
#   /tmp 1777, /root 0700; the second adds /home/app (1000:1000 0750),
#   /home/node (1001:1001 0755), /srv/data (33:33 0750), /opt/app holding
#   old.txt, and /usr/local/bin.  Fixed owners, modes and mtimes, so the
#   digests are the same on every run.  Sets DISTRO_DIGEST.
make_distro_base() {
	rm -rf "$1" && mkdir -p "$1/blobs/sha256" || return 1
	"$IMG_PY" - "$1" "$BUSYBOX_BIN" "$BUSYBOX_APPLETS" <<-'EOF2'
	import gzip, hashlib, io, json, os, sys, tarfile
	out, busybox, applets = sys.argv[1], sys.argv[2], sys.argv[3].split()
	def put(b):
	    h = hashlib.sha256(b).hexdigest()
	    open(os.path.join(out, "blobs", "sha256", h), "wb").write(b)
	    return {"digest": "sha256:" + h, "size": len(b)}
	def layer(entries):
	    raw = io.BytesIO()
	    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tf:
	        for e in sorted(entries, key=lambda e: e[0]):
	            path, kind, mode, uid, gid, data = e
	            ti = tarfile.TarInfo(path)
	            ti.mode, ti.uid, ti.gid, ti.mtime = mode, uid, gid, 0
	            if kind == "d":
	                ti.type = tarfile.DIRTYPE
	                tf.addfile(ti)
	            elif kind == "l":
	                ti.type, ti.linkname = tarfile.SYMTYPE, data
	                tf.addfile(ti)
	            else:
	                ti.size = len(data)
	                tf.addfile(ti, io.BytesIO(data))
	    tb = raw.getvalue()
	    d = put(gzip.compress(tb, 9, mtime=0))
	    d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
	    return d, "sha256:" + hashlib.sha256(tb).hexdigest()
	passwd = b"root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\nnode:x:1001:1001::/home/node:/bin/sh\n"
	group = b"root:x:0:\nwww-data:x:33:\napp:x:1000:\nnode:x:1001:\nstaff:x:50:app\n"
	l1 = [("bin", "l", 0o777, 0, 0, "usr/bin"), ("lib", "l", 0o777, 0, 0, "usr/lib"),
	      ("sbin", "l", 0o777, 0, 0, "usr/sbin"),
	      ("usr", "d", 0o755, 0, 0, None), ("usr/bin", "d", 0o755, 0, 0, None),
	      ("usr/lib", "d", 0o755, 0, 0, None), ("usr/sbin", "d", 0o755, 0, 0, None),
	      ("usr/bin/busybox", "f", 0o755, 0, 0, open(busybox, "rb").read()),
	      ("etc", "d", 0o755, 0, 0, None), ("etc/passwd", "f", 0o644, 0, 0, passwd),
	      ("etc/group", "f", 0o644, 0, 0, group),
	      ("tmp", "d", 0o1777, 0, 0, None), ("root", "d", 0o700, 0, 0, None),
	      ("home", "d", 0o755, 0, 0, None), ("var", "d", 0o755, 0, 0, None)]
	l1 += [("usr/bin/" + a, "l", 0o777, 0, 0, "busybox") for a in applets]
	l2 = [("home/app", "d", 0o750, 1000, 1000, None), ("home/app/.profile", "f", 0o644, 1000, 1000, b"# app\n"),
	      ("home/node", "d", 0o755, 1001, 1001, None),
	      ("srv", "d", 0o755, 0, 0, None), ("srv/data", "d", 0o750, 33, 33, None),
	      ("opt", "d", 0o755, 0, 0, None), ("opt/app", "d", 0o755, 0, 0, None),
	      ("opt/app/old.txt", "f", 0o644, 0, 0, b"old\n"),
	      ("usr/local", "d", 0o755, 0, 0, None), ("usr/local/bin", "d", 0o755, 0, 0, None)]
	(d1, id1), (d2, id2) = layer(l1), layer(l2)
	cfg = {"architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
	       "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
	       "rootfs": {"type": "layers", "diff_ids": [id1, id2]},
	       "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "make_distro_base"}] * 2}
	c = put(json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode())
	c["mediaType"] = "application/vnd.oci.image.config.v1+json"
	m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c, "layers": [d1, d2]}
	md = put(json.dumps(m, sort_keys=True, separators=(",", ":")).encode())
	md["mediaType"] = m["mediaType"]
	md["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
	json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [md]},
	          open(os.path.join(out, "index.json"), "w"), sort_keys=True, separators=(",", ":"))
	open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
	EOF2
	DISTRO_DIGEST=$(oci_ref_digest "$1")
}
