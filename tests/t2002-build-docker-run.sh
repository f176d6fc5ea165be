#!/bin/sh
# t2002: an image built FROM a busybox base on the local registry (only its
# manifest and config fetched) runs: `docker load` of the docker: output and
# `docker run` show the files, modes, symlinks, owner, WORKDIR, ENV, USER and
# CMD.  The oci: output of the same build has the base layers left out and
# named by org.opencontainers.image.base.name.  `podman load` reads the same
# archive (podman cannot run containers in this sandbox: it sets rlimits).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_busybox_base base || exit 1
push_base base base:1 >/dev/null || exit 1
start_dockerd >/dev/null 2>&1

SSL_CERT_FILE=$REGISTRY_CA
export SSL_CERT_FILE
printf "%s" "$REG_PASS" >"$TRASH/.regpass"

test_expect_success 'setup: a service repository' '
	git init -q svc && (
		cd svc &&
		mkdir -p bin conf &&
		printf "#!/bin/sh\necho \"hello from \$(pwd) as \$(id -u):\$(id -g) A=\$A\"\n" >bin/hello &&
		chmod 755 bin/hello &&
		echo "key=value" >conf/app.conf &&
		ln -s app.conf conf/current &&
		cat >Dockerfile <<-EOD &&
		FROM $REGISTRY/base:1
		ENV A=from-env
		WORKDIR /srv/app
		COPY bin/ /usr/local/bin/
		COPY --chown=1000:1000 conf ./conf/
		USER 1000:1000
		CMD ["hello"]
		EOD
		git add -A && git commit -qm init &&
		: untracked, so it keeps the work tree mode &&
		echo secret >conf/secret && chmod 600 conf/secret
	)
'

test_expect_success 'build to oci --thin-layout: the base layer is read once for its file tree, not stored' '
	PUBLISH_CACHE_DIR=$TRASH/cache publish build --context svc --output oci:out --thin-layout --tag app:1 >digest &&
	m=out/blobs/sha256/$(cut -c8- digest) &&
	jq -e ".layers[0].digest == \"$BASE_LAYER_DIGEST\"" "$m" &&
	jq -e ".layers | length == 4" "$m" &&
	! test -f "out/blobs/sha256/${BASE_LAYER_DIGEST#sha256:}" &&
	jq -e ".annotations[\"org.opencontainers.image.base.name\"] == \"$REGISTRY/base:1\"" "$m" &&
	jq -e ".annotations[\"org.opencontainers.image.base.digest\"] == \"$PUSHED_DIGEST\"" "$m" &&
	jq -e ".manifests[0].annotations[\"org.opencontainers.image.base.name\"] == \"$REGISTRY/base:1\"" out/index.json &&
	test "$(grep -c "GET /v2/base/blobs/$BASE_LAYER_DIGEST" "$REGISTRY_LOG")" = 1
'

test_expect_success 'a second build on the same base reads no base layer: the tree is cached by digest' '
	PUBLISH_CACHE_DIR=$TRASH/cache publish build --context svc --output oci:out2 --thin-layout --tag app:1 >digest.again &&
	test_cmp digest digest.again &&
	test "$(grep -c "GET /v2/base/blobs/$BASE_LAYER_DIGEST" "$REGISTRY_LOG")" = 1
'

test_expect_success 'the config starts from the base: its diff_id and history first' '
	m=out/blobs/sha256/$(cut -c8- digest) &&
	c=out/blobs/sha256/$(jq -r .config.digest "$m" | cut -c8-) &&
	jq -e ".rootfs.diff_ids[0] == \"$BASE_DIFF_ID\"" "$c" &&
	jq -e ".config.Env[0] | startswith(\"PATH=\")" "$c" &&
	jq -e ".config.Cmd == [\"hello\"] and .config.User == \"1000:1000\" and .config.WorkingDir == \"/srv/app\"" "$c"
'

test_expect_success 'build to docker: writes a loadable archive with the base layer' '
	publish build --context svc --output docker:app.tar --tag app:1 >digest2 &&
	test_cmp digest digest2 &&
	tar tf app.tar >list &&
	grep "^manifest.json$" list &&
	grep "blobs/sha256/${BASE_LAYER_DIGEST#sha256:}" list &&
	tar xOf app.tar manifest.json | jq -e ".[0].RepoTags == [\"app:1\"] and (.[0].Layers | length == 4)"
'

test_expect_success 'containers/image (skopeo) reads the docker archive' '
	skopeo inspect docker-archive:app.tar >arch.json &&
	jq -e ".Layers | length == 4" arch.json &&
	jq -e ".Layers[0] == \"$BASE_DIFF_ID\"" arch.json &&
	skopeo copy -q docker-archive:app.tar oci:fromarchive:x &&
	skopeo inspect --config oci:fromarchive:x | jq -e ".rootfs.diff_ids[0] == \"$BASE_DIFF_ID\""
'

# podman, with its own storage (its runroot must be a short path)
if command -v podman >/dev/null && test_have_prereq ROOT && PODMAN_RUN=$(mktemp -d /tmp/pm.XXXXXX); then
	test_cleanup "rm -rf '$PODMAN_RUN'"
	test_set_prereq PODMAN
fi
podman_() {
	podman --root "$TRASH/podman" --runroot "$PODMAN_RUN" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file "$@"
}
test_expect_success PODMAN 'podman load reads the docker archive: tag, layers, config' '
	podman_ load -i app.tar >podman.out &&
	grep "^Loaded image: localhost/app:1$" podman.out &&
	podman_ image inspect localhost/app:1 >pi.json &&
	jq -e ".[0].RootFS.Layers | length == 4" pi.json &&
	jq -e ".[0].RootFS.Layers[0] == \"$BASE_DIFF_ID\"" pi.json &&
	jq -e ".[0].Config.Cmd == [\"hello\"] and .[0].Config.User == \"1000:1000\" and .[0].Config.WorkingDir == \"/srv/app\"" pi.json
'

test_expect_success DOCKER 'docker load + docker run: CMD, WORKDIR, USER, ENV' '
	container_load app.tar &&
	container_run app:1 >out.txt &&
	echo "hello from /srv/app as 1000:1000 A=from-env" >expect &&
	test_cmp expect out.txt
'

test_expect_success DOCKER 'docker run: files, modes, symlinks, owners' '
	container_run app:1 stat -c "%A %u:%g %n" /usr/local/bin/hello /srv/app/conf/app.conf \
		/srv/app/conf/secret /srv/app/conf /srv/app >out.txt &&
	cat >expect <<-\EOF &&
	-rwxr-xr-x 0:0 /usr/local/bin/hello
	-rw-r--r-- 1000:1000 /srv/app/conf/app.conf
	-rw------- 1000:1000 /srv/app/conf/secret
	drwxr-xr-x 1000:1000 /srv/app/conf
	drwxr-xr-x 0:0 /srv/app
	EOF
	test_cmp expect out.txt &&
	container_run app:1 readlink /srv/app/conf/current >out.txt &&
	echo app.conf >expect &&
	test_cmp expect out.txt &&
	container_run app:1 cat /srv/app/conf/current >out.txt &&
	echo key=value >expect &&
	test_cmp expect out.txt &&
	container_run app:1 sh -c "ls /bin/busybox && ls -ld /tmp" >out.txt &&
	grep "^/bin/busybox$" out.txt
'

test_expect_success DOCKER 'the same layer twice loads (one copy in the archive)' '
	mkdir -p twice && echo same >twice/f &&
	printf "FROM $REGISTRY/base:1\nCOPY f /f\nCOPY f /f\nCMD [\"cat\", \"/f\"]\n" >twice/Dockerfile &&
	SOURCE_DATE_EPOCH=0 publish build --context twice --output docker:twice.tar --tag twice:1 >/dev/null &&
	tar xOf twice.tar manifest.json | jq -e ".[0].Layers | length == 3 and .[1] == .[2]" &&
	test "$(tar tf twice.tar | sort | uniq -d | wc -l)" = 0 &&
	container_load twice.tar &&
	container_run twice:1 >out.txt &&
	echo same >expect &&
	test_cmp expect out.txt
'

test_expect_success 'FROM an index: --platform picks the base manifest' '
	make_multiplatform_base multi >/dev/null &&
	push_base multi multi:1 >/dev/null &&
	mkdir -p mp && echo x >mp/x &&
	printf "FROM $REGISTRY/multi:1\nCOPY x /x\n" >mp/Dockerfile &&
	SOURCE_DATE_EPOCH=0 publish build --context mp --platform linux/arm64 --output oci:mpout >mpd &&
	m=mpout/blobs/sha256/$(cut -c8- mpd) &&
	c=mpout/blobs/sha256/$(jq -r .config.digest "$m" | cut -c8-) &&
	jq -e ".architecture == \"arm64\" and .os == \"linux\"" "$c" &&
	jq -e ".annotations[\"org.opencontainers.image.base.digest\"] == \"$BASE_ARM64_DIGEST\"" "$m" &&
	jq -e ".manifests[0].platform.architecture == \"arm64\"" mpout/index.json &&
	test_must_fail publish build --context mp --platform linux/s390x 2>err &&
	grep "linux/s390x" err
'

test_expect_success 'publish push of the layout mounts the base layer' '
	publish push --username "$REG_USER" --password-stdin oci:out "$REGISTRY/app:1" \
		<"$TRASH/.regpass" >pushed &&
	test_cmp digest pushed &&
	skopeo inspect $(skopeo_args | sed s/--src-/--/g) "docker://$REGISTRY/app:1" >inspect.json &&
	jq -e ".Digest == \"$(cat digest)\"" inspect.json
'

test_expect_success DOCKER 'docker pull + docker run of the pushed image' '
	container_login &&
	container_pull "$REGISTRY/app:1" >/dev/null &&
	container_run "$REGISTRY/app:1" >out.txt &&
	echo "hello from /srv/app as 1000:1000 A=from-env" >expect &&
	test_cmp expect out.txt
'

test_done
