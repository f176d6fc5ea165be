#!/bin/sh
# t2055: the base-tree record.  An image built in a git context on a base
# with layers records, as the manifest annotation
# dev.publish-action.base-tree, what the build looked up in the base's
# tree; a re-publish with --reuse-from on a fresh runner (every cache
# empty) whose previous image has the same base starts from that record
# and reads no base layer.  Whatever path a build takes (record, cold or
# warm cache, a lookup the record cannot answer, another base) its digest
# is a full build's.  The base is reached through the fault proxy, whose
# log shows every GET of its layers.  Last, every case of
# tests/data/base-tree-cases.txt (docker-verified by t2040) re-published
# from its record after a one-file change gives a full build's digest.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require GIT REGISTRY SKOPEO BUSYBOX

CASES=$TEST_DIR/data/base-tree-cases.txt
ANN=dev.publish-action.base-tree
start_registry || exit 1
make_distro_base distro || exit 1
push_base distro distro:1 >/dev/null || exit 1
start_fault_proxy || exit 1
P=$FAULT_PROXY
DOCKER_CONFIG=$TRASH/dc
SSL_CERT_FILE=$REGISTRY_CA
export DOCKER_CONFIG SSL_CERT_FILE
registry_docker_config "$DOCKER_CONFIG" || exit 1
REGISTRY=$FAULT_PROXY registry_docker_config "$DOCKER_CONFIG" || exit 1
unset PUBLISH_CACHE_DIR XDG_CACHE_HOME PUBLISH_REUSE_FROM

# the base's layer digests, one a line
jq -r '.layers[].digest' "$(oci_blob distro "$DISTRO_DIGEST")" >distro.layers || exit 1

# cold ARGS...: publish as on a fresh runner: PUBLISH_CACHE_DIR,
# XDG_CACHE_HOME and HOME each a new empty directory
cold() {
	_c=$(mktemp -d "$TRASH/cold.XXXXXX") &&
	mkdir "$_c/cache" "$_c/xdg" "$_c/home" &&
	PUBLISH_CACHE_DIR=$_c/cache XDG_CACHE_HOME=$_c/xdg HOME=$_c/home publish "$@"
}
# warm ARGS...: publish with the one cache kept across the script
warm() { PUBLISH_CACHE_DIR=$TRASH/warm publish "$@"; }
# full DIR OUT: a full build of DIR (warm cache, no --reuse-from); its digest in OUT
full() {
	warm build --context "$1" --thin-layout --output "oci:$2.oci" >"$2" 2>"$2.err" ||
		{ cat "$2.err" >&2; return 1; }
}
# base_gets [LAYERS]: the proxy's GETs of the base layers (default distro.layers) since the log was emptied
base_gets() {
	_n=0
	for _d in $(cat "${1:-distro.layers}"); do
		_n=$((_n + $(fault_log_count GET "/blobs/$_d"))) || return 1
	done
	echo $_n
}
# commit REPO DATE MSG: commit everything in REPO at DATE
commit() {
	(cd "$1" && git add -A && GIT_AUTHOR_DATE=$2 GIT_COMMITTER_DATE=$2 git commit -qm "$3")
}
# record DIGEST_FILE REPO:TAG: the base-tree annotation of the pushed image,
# whose manifest must have the digest in DIGEST_FILE
record() {
	skopeo_raw "$REGISTRY/$2" >raw.json &&
	test "sha256:$(sha256sum <raw.json | cut -d" " -f1)" = "$(cat "$1")" &&
	jq -er ".annotations[\"$ANN\"] | select(type == \"string\" and length > 0)" raw.json
}
# republish REPO OUT: publish REPO as on a fresh runner, reusing from svc:main and pushed there
republish() {
	: >"$FAULT_LOG" &&
	{ cold build --context "$1" --push --reuse-from "$P/svc:main" --tag "$P/svc:main" >"$2" 2>"$2.err" ||
		{ cat "$2.err" >&2; return 1; }; } &&
	base_gets >"$2.gets"
}

test_expect_success 'setup: a service on the distro base, published with every cache empty: the record' '
	git init -q svc && (
		cd svc &&
		mkdir src &&
		echo "{\"name\": \"svc\"}" >package.json &&
		echo "console.log(\"v1\")" >src/index.js &&
		echo "module.exports = 1" >src/lib.js &&
		printf "#!/bin/sh\necho tool\n" >tool && chmod 755 tool &&
		printf "%s\n" "FROM $P/distro:1" \
			"COPY --chown=app:app package.json /home/app/app/" \
			"COPY src /home/app/app/src" \
			"COPY tool /bin/" \
			"WORKDIR /home/app/app" >Dockerfile
	) &&
	commit svc 2021-01-01T00:00:00Z one &&
	: >"$FAULT_LOG" &&
	cold build --context svc --push --reuse-from "$P/svc:main" --tag "$P/svc:main" >d1 2>err &&
	grep "^notice: no previous image .$P/svc:main." err &&
	test "$(base_gets)" -ge 2 &&
	record d1 svc:main >rec1 &&
	# what the build looked up: the --chown names, /bin (merged /usr), /home/app
	grep "^u app 1000 1000$" rec1 &&
	grep "^g app 1000$" rec1 &&
	grep "^p bin l 777 0 0 usr/bin$" rec1 &&
	grep "^p home/app d 750 1000 1000$" rec1
'

test_expect_success 'the record is the same whichever path built the image: a full build agrees' '
	full svc f1 &&
	test_cmp d1 f1 &&
	jq -er ".annotations[\"$ANN\"]" "f1.oci/blobs/sha256/$(cut -c8- f1)" >frec1 &&
	test_cmp rec1 frec1
'

test_expect_success 'a one-line change re-published on a fresh runner: no base layer read, a full build'"'"'s digest' '
	echo "console.log(\"v2\")" >svc/src/index.js &&
	commit svc 2021-01-02T00:00:00Z two &&
	republish svc d2 &&
	echo 0 >expect && test_cmp expect d2.gets &&
	test "$(fault_log_count GET /manifests/)" -ge 2 &&
	full svc f2 &&
	test_cmp f2 d2 &&
	! test_cmp d1 d2 >/dev/null &&
	record d2 svc:main >rec2
'

test_expect_success 'the same commit again: cold or warm, with or without the record, one digest' '
	republish svc d3 &&
	echo 0 >expect && test_cmp expect d3.gets &&
	test_cmp d2 d3 &&
	warm build --context svc --push --reuse-from "$P/svc:main" --tag "$P/svc:main" >d3w 2>err &&
	test_cmp d2 d3w &&
	: >"$FAULT_LOG" &&
	cold build --context svc --thin-layout --output oci:nor >d3c 2>err &&
	test "$(base_gets)" -ge 2 &&
	test_cmp d2 d3c &&
	test "$(registry_digest svc:main)" = "$(cat d2)"
'

test_expect_success 'a lookup the record cannot answer (COPY into /etc): the base is read, a full build'"'"'s digest' '
	mkdir svc/conf && echo "port=8080" >svc/conf/app.conf &&
	echo "COPY conf /etc/myapp/" >>svc/Dockerfile &&
	commit svc 2021-01-03T00:00:00Z conf &&
	republish svc d4 &&
	test "$(cat d4.gets)" -ge 1 &&
	full svc f4 &&
	test_cmp f4 d4
'

test_expect_success 'the next change is answered by the new record: no base layer read' '
	echo "port=9090" >svc/conf/app.conf &&
	commit svc 2021-01-04T00:00:00Z port &&
	republish svc d5 &&
	echo 0 >expect && test_cmp expect d5.gets &&
	full svc f5 &&
	test_cmp f5 d5
'

test_expect_success 'another user by name (--chown=node): the base is read, a full build'"'"'s digest' '
	sed -i "s|^COPY tool /bin/$|COPY --chown=node tool /bin/|" svc/Dockerfile &&
	grep "^COPY --chown=node tool /bin/$" svc/Dockerfile &&
	commit svc 2021-01-05T00:00:00Z node &&
	republish svc d6 &&
	test "$(cat d6.gets)" -ge 1 &&
	full svc f6 &&
	test_cmp f6 d6
'

# distro2: the distro base with a third layer where app is 2000:2000 and
# /home/app is 0700: a build that took distro:1's answers on it would differ
test_expect_success 'setup: distro:2, the distro base with a layer that changes app and /home/app' '
	cp -R distro distro2 &&
	python3 - distro2 <<-\EOF &&
	import gzip, hashlib, io, json, os, sys, tarfile
	out = sys.argv[1]
	def blob(d):
	    return os.path.join(out, "blobs", "sha256", d.split(":")[1])
	def put(b):
	    h = hashlib.sha256(b).hexdigest()
	    open(os.path.join(out, "blobs", "sha256", h), "wb").write(b)
	    return "sha256:" + h, len(b)
	raw = io.BytesIO()
	with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tf:
	    for path, mode, uid, data in [
	            ("etc/group", 0o644, 0, b"root:x:0:\nwww-data:x:33:\napp:x:2000:\nnode:x:1001:\nstaff:x:50:app\n"),
	            ("etc/passwd", 0o644, 0, b"root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\napp:x:2000:2000::/home/app:/bin/sh\nnode:x:1001:1001::/home/node:/bin/sh\n"),
	            ("home/app", 0o700, 2000, None)]:
	        ti = tarfile.TarInfo(path)
	        ti.mode, ti.uid, ti.gid, ti.mtime = mode, uid, uid, 0
	        if data is None:
	            ti.type = tarfile.DIRTYPE
	            tf.addfile(ti)
	        else:
	            ti.size = len(data)
	            tf.addfile(ti, io.BytesIO(data))
	tb = raw.getvalue()
	ld, ls = put(gzip.compress(tb, 9, mtime=0))
	index = json.load(open(os.path.join(out, "index.json")))
	m = json.load(open(blob(index["manifests"][0]["digest"])))
	cfg = json.load(open(blob(m["config"]["digest"])))
	cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(tb).hexdigest())
	cfg["history"].append({"created": "1970-01-01T00:00:00Z", "created_by": "t2055 distro:2"})
	cd, cs = put(json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode())
	m["config"]["digest"], m["config"]["size"] = cd, cs
	m["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ls})
	md, ms = put(json.dumps(m, sort_keys=True, separators=(",", ":")).encode())
	index["manifests"][0]["digest"], index["manifests"][0]["size"] = md, ms
	json.dump(index, open(os.path.join(out, "index.json"), "w"), sort_keys=True, separators=(",", ":"))
	EOF
	push_base distro2 distro:2 >/dev/null &&
	jq -r ".layers[].digest" "$(oci_blob distro2 "$(oci_ref_digest distro2)")" >distro2.layers &&
	test_line_count distro2.layers = 3 &&
	test "$(head -2 distro2.layers)" = "$(cat distro.layers)"
'

test_expect_success 'a changed FROM (distro:2): the record is not used, the base is read, a full build'"'"'s digest' '
	sed -i "1s|.*|FROM $P/distro:2|" svc/Dockerfile &&
	commit svc 2021-01-06T00:00:00Z distro2 &&
	republish svc d7 &&
	base_gets distro2.layers >gets &&
	test "$(cat gets)" -ge 1 &&
	full svc f7 &&
	test_cmp f7 d7 &&
	! test_cmp d6 d7 >/dev/null
'

test_expect_success 'the same FROM, its tag moved to another base: the record is not used, a full build'"'"'s digest' '
	push_base distro distro:2 >/dev/null &&
	echo "console.log(\"v3\")" >svc/src/index.js &&
	commit svc 2021-01-07T00:00:00Z three &&
	republish svc d8 &&
	test "$(cat d8.gets)" -ge 1 &&
	full svc f8 &&
	test_cmp f8 d8
'

test_expect_success 'a record that does not parse is ignored: the base is read, a full build'"'"'s digest' '
	skopeo_raw "$REGISTRY/svc:main" >prev.json &&
	jq -c ".annotations[\"$ANN\"] = \"not a record\"" prev.json | tr -d "\n" >edited.json &&
	reg_curl -f -X PUT -H "Authorization: Bearer $(registry_token -u "$REG_USER:$REG_PASS" repository:svc:pull,push)" \
		-H "Content-Type: application/vnd.oci.image.manifest.v1+json" --data-binary @edited.json \
		"$REGISTRY_URL/v2/svc/manifests/main" >/dev/null &&
	echo "console.log(\"v4\")" >svc/src/index.js &&
	commit svc 2021-01-08T00:00:00Z four &&
	republish svc d9 &&
	grep "^warning: .*record" d9.err &&
	test "$(cat d9.gets)" -ge 1 &&
	full svc f9 &&
	test_cmp f9 d9
'

# The oracle: each docker-verified case of t2040 as a git repository on
# distro:1, pushed, one tracked file inside a COPY/ADD source changed (the
# first, archives aside; none: the same commit), re-published from the
# record with every cache empty: no base layer read, a full build's digest.

# split_case N DIR: case N's context as a git repository in DIR, as t2040 makes it
split_case() {
	mkdir -p "$2" &&
	casefile_split "$CASES" "$1" "$2.d" >"$2.name" &&
	{ echo "FROM $P/distro:1" && sed '/^[[:space:]]*$/d' "$2.d/Dockerfile"; } >"$2/Dockerfile" &&
	if [ -f "$2.d/setup" ]; then
		(cd "$2" && sh -e "../$2.d/setup")
	else
		(cd "$2" && echo a >a.txt && echo b >b.txt && printf "#!/bin/sh\necho tool\n" >tool &&
			chmod 0755 tool && mkdir dir && echo c >dir/c.txt)
	fi &&
	(cd "$2" && git init -q && git add -A && git commit -qm one)
}

# to_change DIR: the first tracked file (not the Dockerfile, not an archive)
# that a COPY or ADD source covers; nothing when there is none
to_change() {
	(cd "$1" && git ls-files) | python3 -c '
import shlex, sys
srcs = []
for line in open(sys.argv[1]):
    w = shlex.split(line)
    if w and w[0].upper() in ("COPY", "ADD"):
        srcs += [s.rstrip("/") or "." for s in [x for x in w[1:] if not x.startswith("--")][:-1]]
for f in sys.stdin.read().split():
    if f == "Dockerfile" or f.endswith((".tar", ".tgz", ".gz")):
        continue
    if any(s == "." or f == s or f.startswith(s + "/") for s in srcs):
        print(f)
        break
' "$1/Dockerfile"
}

n=$(casefile_count "$CASES") || exit 1
i=1
while [ $i -le $n ]; do
	split_case $i case$i || exit 1
	test_expect_success "from the record as from the base: $(cat case$i.name)" "
		warm build --context case$i --push --tag \"\$P/oracle:case$i\" >prev$i 2>prev$i.err &&
		f=\$(to_change case$i) &&
		if [ -n \"\$f\" ]; then
			echo changed >>\"case$i/\$f\" &&
			commit case$i 2021-02-01T00:00:00Z change
		fi &&
		: >\"\$FAULT_LOG\" &&
		cold build --context case$i --reuse-from \"\$P/oracle:case$i\" --thin-layout --output oci:orec$i >r$i &&
		echo 0 >expect && base_gets >gets && test_cmp expect gets &&
		full case$i full$i &&
		test_cmp full$i r$i &&
		if [ -n \"\$f\" ]; then ! test_cmp prev$i r$i >/dev/null; fi
	"
	i=$((i + 1))
done

test_done
