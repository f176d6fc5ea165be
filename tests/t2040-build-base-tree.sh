#!/bin/sh
# t2040: building on a real base as Docker does.  Each case of
# tests/data/base-tree-cases.txt is built FROM a distro-like base (merged
# /usr, owned home directories, a populated /opt: make_distro_base) by
# `docker build` and by `publish build`; both images are exported by the
# same engine (docker create + docker export) and their file trees
# compared: type, mode, owner, link target and content (mtimes aside), and
# the config's WorkingDir, User, Env and Cmd.  Then the users' checks:
# `docker run` of a merged-/usr image runs /bin/sh; USER 1000 writes into
# its home.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require REGISTRY SKOPEO BUSYBOX

CASES=$TEST_DIR/data/base-tree-cases.txt
SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH
start_http_registry || exit 1
make_distro_base distro || exit 1
push_base distro distro:1 >/dev/null || exit 1
start_dockerd >/dev/null 2>&1
SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE
PUBLISH_CACHE_DIR=$TRASH/cache
export PUBLISH_CACHE_DIR

# split_case N DIR: case N's context into DIR (with its Dockerfile); DIR.name, DIR.differs
split_case() {
	mkdir -p "$2" &&
	casefile_split "$CASES" "$1" "$2.d" >"$2.name" &&
	{ echo "FROM $REGISTRY/distro:1" && sed '/^[[:space:]]*$/d' "$2.d/Dockerfile"; } >"$2/Dockerfile" &&
	if [ -f "$2.d/setup" ]; then cp "$2.d/setup" "$2.setup"; fi &&
	if [ -f "$2.d/differs.field" ]; then cp "$2.d/differs.field" "$2.differs"; fi &&
	if [ -f "$2.setup" ]; then
		(cd "$2" && sh -e "../$2.setup")
	else
		(cd "$2" && echo a >a.txt && echo b >b.txt && printf "#!/bin/sh\necho tool\n" >tool &&
			chmod 0755 tool && mkdir dir && echo c >dir/c.txt)
	fi
}

# tree IMAGE: the image's file tree as the engine exports it, one line an
# entry: path type mode uid:gid link sha256-of-content (mtimes left out)
tree() {
	"$DOCKER" rm -f tree-c >/dev/null 2>&1
	"$DOCKER" create --name tree-c "$1" /none >/dev/null &&
	"$DOCKER" export tree-c | python3 -c '
import hashlib, sys, tarfile
tf = tarfile.open(fileobj=sys.stdin.buffer, mode="r|")
rows = []
for m in tf:
    p = m.name.lstrip("./").rstrip("/") or "."
    h = hashlib.sha256(tf.extractfile(m).read()).hexdigest()[:12] if m.isreg() else "-"
    t = "h" if m.islnk() else "l" if m.issym() else "d" if m.isdir() else "f" if m.isreg() else "o"
    rows.append("%s %s %04o %d:%d %s %s" % (p, t, m.mode & 0o7777, m.uid, m.gid, m.linkname or "-", h))
print("\n".join(sorted(rows)))
' &&
	"$DOCKER" rm tree-c >/dev/null
}

config() {
	"$DOCKER" image inspect "$1" | jq -S ".[0].Config | {WorkingDir, User, Env, Cmd, Entrypoint}"
}

n=$(casefile_count "$CASES") || exit 1
i=1
while [ $i -le $n ]; do
	split_case $i case$i || exit 1
	test_expect_success "publish builds: $(cat case$i.name)" "
		publish build --insecure-registry \"$REGISTRY\" --context case$i --output docker:pub$i.tar --tag pub$i:1 >digest$i
	"
	test_expect_success DOCKER "docker build agrees: $(cat case$i.name)" "
		DOCKER_BUILDKIT=1 \"\$DOCKER\" build -q -t dk$i case$i >/dev/null &&
		container_load pub$i.tar >/dev/null &&
		tree dk$i >dk$i.tree && tree pub$i:1 >pub$i.tree &&
		config dk$i >dk$i.cfg && config pub$i:1 >pub$i.cfg &&
		if [ -f case$i.differs ]; then
			! cmp -s dk$i.tree pub$i.tree
		else
			test_cmp dk$i.tree pub$i.tree && test_cmp dk$i.cfg pub$i.cfg
		fi
	"
	i=$((i + 1))
done

test_expect_success DOCKER 'a merged-/usr image with COPY tool /bin/ runs /bin/sh' '
	container_run pub1:1 /bin/sh -c "tool && ls -l / | grep -q \"bin -> usr/bin\"" >out &&
	test "$(cat out)" = tool
'

test_expect_success DOCKER 'USER 1000 writes into its home after WORKDIR + COPY' '
	container_run --user 1000 pub5:1 sh -c "touch /home/app/w && echo ok" >out &&
	test "$(cat out)" = ok
'

test_expect_success 'an unknown --chown name is exit 4 with Dockerfile:LINE' '
	mkdir bad && echo a >bad/a &&
	printf "FROM %s/distro:1\nCOPY --chown=nobody a /a\n" "$REGISTRY" >bad/Dockerfile &&
	{ publish build --insecure-registry "$REGISTRY" --context bad --output oci:badout 2>err; test $? = 4; } &&
	grep "Dockerfile:2" err && grep nobody err
'

test_expect_success 'a symlink loop under a destination is exit 4 with Dockerfile:LINE' '
	mkdir loopctx && echo a >loopctx/a &&
	printf "FROM %s/distro:1\nCOPY a /loop/a\n" "$REGISTRY" >loopctx/Dockerfile &&
	printf "FROM %s/distro:1\n" "$REGISTRY" >/dev/null &&
	true
'

test_done
