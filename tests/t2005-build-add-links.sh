#!/bin/sh
# t2005: ADD extracts local tar archives (any compression), COPY follows a
# symlinked source inside the context but never out of it, hard links in a
# copied tree and in an archive stay hard links, sockets and fifos are
# skipped with a warning.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-images.sh"

command -v jq >/dev/null || test_skip_all "no jq"
command -v umoci >/dev/null && test_have_prereq BUSYBOX && test_set_prereq BUSYBOX_UMOCI
SOURCE_DATE_EPOCH=1600000000
export SOURCE_DATE_EPOCH

# layer_list DIR N: "mode owner path [-> target]" of layer N
layer_list() {
	_m=$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
	_l=$1/blobs/sha256/$(jq -r ".layers[$2].digest" "$_m" | cut -c8-)
	gzip -dc <"$_l" | tar tvf - | awk '{ o = $1 " " $2 " " $6; for (i = 7; i <= NF; i++) o = o " " $i; print o }'
}

test_expect_success 'setup: archives, links, a fifo' '
	mkdir -p ctx/tree/sub stage/pkg/bin &&
	echo one >stage/pkg/one &&
	printf "#!/bin/sh\n" >stage/pkg/bin/tool && chmod 755 stage/pkg/bin/tool &&
	ln stage/pkg/one stage/pkg/one-again &&
	ln -s one stage/pkg/sym &&
	tar -C stage --owner=12 --group=34 -czf ctx/pkg.tar.gz pkg &&
	tar -C stage --owner=0 --group=0 -cJf ctx/pkg.tar.xz pkg &&
	tar -C stage --owner=0 --group=0 -cf ctx/pkg.tar pkg &&
	echo "not an archive" >ctx/notes.gz &&
	echo data >ctx/tree/data &&
	ln -s tree ctx/tree-link &&
	ln -s tree/data ctx/data-link &&
	ln -s /tree/data ctx/abs-link &&
	ln -s ../../../../etc/passwd ctx/escape &&
	mkfifo ctx/tree/fifo &&
	cat >ctx/Dockerfile <<-\EOF
	FROM scratch
	ADD pkg.tar.gz /opt/
	ADD pkg.tar.xz pkg.tar /x/
	ADD notes.gz /notes/
	COPY data-link /copied-data
	COPY abs-link /abs-data
	COPY tree-link /via-link/
	EOF
'

test_expect_success 'build succeeds and warns about the fifo' '
	publish build --context ctx --output oci:out >digest 2>err &&
	grep "warning: skipping .*fifo" err
'

test_expect_success 'ADD extracts a tar.gz: owners, modes, links, hard links kept' '
	layer_list out 0 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 opt/
	drwxr-xr-x 12/34 opt/pkg/
	drwxr-xr-x 12/34 opt/pkg/bin/
	-rwxr-xr-x 12/34 opt/pkg/bin/tool
	-rw-r--r-- 12/34 opt/pkg/one
	hrw-r--r-- 12/34 opt/pkg/one-again link to opt/pkg/one
	lrwxrwxrwx 12/34 opt/pkg/sym -> one
	EOF
	test_cmp expect actual
'

test_expect_success 'ADD of two archives (xz, plain) into one directory' '
	layer_list out 1 | sed "s/^h/-/" | awk "{print \$3}" >actual &&
	cat >expect <<-\EOF &&
	x/
	x/pkg/
	x/pkg/bin/
	x/pkg/bin/tool
	x/pkg/one
	x/pkg/one-again
	x/pkg/sym
	EOF
	test_cmp expect actual
'

test_expect_success 'ADD of a file that is not an archive copies it' '
	layer_list out 2 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 notes/
	-rw-r--r-- 0/0 notes/notes.gz
	EOF
	test_cmp expect actual
'

test_expect_success 'a symlinked source is followed inside the context' '
	layer_list out 3 >actual &&
	echo "-rw-r--r-- 0/0 copied-data" >expect &&
	test_cmp expect actual &&
	layer_list out 4 >actual &&
	echo "-rw-r--r-- 0/0 abs-data" >expect &&
	test_cmp expect actual &&
	layer_list out 5 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 via-link/
	-rw-r--r-- 0/0 via-link/data
	drwxr-xr-x 0/0 via-link/sub/
	EOF
	test_cmp expect actual
'

test_expect_success 'a symlinked source never leads out of the context' '
	printf "FROM scratch\nCOPY escape /e\n" >ctx/Dockerfile &&
	test_exit_code 5 publish build --context ctx 2>err &&
	grep "escape" err
'

test_expect_success 'the layer is byte-identical when built again' '
	printf "FROM scratch\nADD pkg.tar.gz /opt/\n" >ctx/Dockerfile &&
	publish build --context ctx >a &&
	publish build --context ctx >b &&
	test_cmp a b
'

test_expect_success '--chmod and --chown never touch a system destination directory' '
	printf "FROM scratch\nCOPY --chmod=600 --chown=7:7 tree/data /etc/\nCOPY --chown=7:7 tree/data /tmp/\nCOPY tree/data /root/.config/x\n" >ctx/Dockerfile &&
	publish build --context ctx --output oci:sys >/dev/null &&
	layer_list sys 0 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 etc/
	-rw------- 7/7 etc/data
	EOF
	test_cmp expect actual &&
	layer_list sys 1 >actual &&
	cat >expect <<-\EOF &&
	drwxrwxrwt 0/0 tmp/
	-rw-r--r-- 7/7 tmp/data
	EOF
	test_cmp expect actual &&
	layer_list sys 2 >actual &&
	cat >expect <<-\EOF &&
	drwx------ 0/0 root/
	drwxr-xr-x 0/0 root/.config/
	-rw-r--r-- 0/0 root/.config/x
	EOF
	test_cmp expect actual
'

test_expect_success 'a destination an earlier instruction made a directory is copied into' '
	printf "FROM scratch\nWORKDIR /app\nCOPY tree/data /app\nCOPY tree /lib2/\nCOPY tree/data /lib2/sub\nCOPY tree/data /newname\n" >ctx/Dockerfile &&
	publish build --context ctx --output oci:into >/dev/null 2>&1 &&
	layer_list into 1 | awk "{print \$3}" >actual &&
	printf "app/\napp/data\n" >expect &&
	test_cmp expect actual &&
	layer_list into 3 | awk "{print \$3}" >actual &&
	printf "lib2/\nlib2/sub/\nlib2/sub/data\n" >expect &&
	test_cmp expect actual &&
	layer_list into 4 | awk "{print \$3}" >actual &&
	printf "newname\n" >expect &&
	test_cmp expect actual
'

long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
uname=$(printf "h\303\251llo w\303\266rld.txt")

test_expect_success 'WORKDIR makes a layer only for a directory not made yet' '
	printf "FROM scratch\nWORKDIR /app\nCOPY tree /app/\nWORKDIR /app\nWORKDIR /app/sub\nWORKDIR rel\n" >ctx/Dockerfile &&
	publish build --context ctx --output oci:wd >dwd 2>/dev/null &&
	m=wd/blobs/sha256/$(cut -c8- dwd) &&
	c=wd/blobs/sha256/$(jq -r .config.digest "$m" | cut -c8-) &&
	jq -e ".layers | length == 3" "$m" &&
	jq -e ".config.WorkingDir == \"/app/sub/rel\"" "$c" &&
	jq -e "[.history[] | select(.empty_layer) | .created_by] == [\"WORKDIR /app\", \"WORKDIR /app/sub\"]" "$c" &&
	layer_list wd 2 | awk "{print \$3}" >actual &&
	printf "app/\napp/sub/\napp/sub/rel/\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'long and non-ASCII names survive (pax)' '
	mkdir -p "ctx/names/$long/$long" &&
	echo deep >"ctx/names/$long/$long/$long.txt" &&
	echo u >"ctx/names/$uname" &&
	printf "FROM scratch\nCOPY names /n/\n" >ctx/Dockerfile.names &&
	publish build --context ctx --file ctx/Dockerfile.names --output oci:names >dn &&
	m=names/blobs/sha256/$(cut -c8- dn) &&
	l=names/blobs/sha256/$(jq -r ".layers[0].digest" "$m" | cut -c8-) &&
	gzip -dc <"$l" | tar tf - --quoting-style=literal >actual &&
	printf "%s\n" n/ "n/$long/" "n/$long/$long/" "n/$long/$long/$long.txt" "n/$uname" >expect &&
	test_cmp expect actual &&
	mkdir x && gzip -dc <"$l" | tar xf - -C x &&
	test "$(cat "x/n/$long/$long/$long.txt")" = deep &&
	test "$(cat "x/n/$uname")" = u
'

test_expect_success 'ADD of a pax archive with long and non-ASCII names' '
	tar -C ctx --format=pax -czf ctx/names.tgz names &&
	printf "FROM scratch\nADD names.tgz /a/\n" >ctx/Dockerfile.names &&
	publish build --context ctx --file ctx/Dockerfile.names --output oci:names2 >dn2 &&
	m=names2/blobs/sha256/$(cut -c8- dn2) &&
	l=names2/blobs/sha256/$(jq -r ".layers[0].digest" "$m" | cut -c8-) &&
	gzip -dc <"$l" | tar tf - --quoting-style=literal >actual &&
	printf "%s\n" a/ a/names/ "a/names/$long/" "a/names/$long/$long/" "a/names/$long/$long/$long.txt" "a/names/$uname" >expect &&
	test_cmp expect actual
'

test_expect_success BUSYBOX '--base-layout: the base from a local layout, its layers copied in' '
	make_busybox_base base >/dev/null &&
	printf "FROM example.com/base:1\nCOPY tree/data /data\nCMD [\"cat\", \"/data\"]\n" >ctx/Dockerfile &&
	publish build --context ctx --base-layout base --output oci:withbase >d &&
	m=withbase/blobs/sha256/$(cut -c8- d) &&
	jq -e ".annotations[\"org.opencontainers.image.base.name\"] == \"example.com/base:1\"" "$m" &&
	jq -e ".annotations[\"org.opencontainers.image.base.digest\"] == \"$BASE_DIGEST\"" "$m" &&
	test -f "withbase/blobs/sha256/${BASE_LAYER_DIGEST#sha256:}"
'

test_expect_success BUSYBOX_UMOCI 'umoci unpacks base and layers together' '
	umoci unpack --rootless --image withbase:latest bundle >/dev/null &&
	test -x bundle/rootfs/bin/busybox &&
	test "$(cat bundle/rootfs/data)" = data
'

test_expect_success BUSYBOX 'docker: output from a local base needs no registry' '
	publish build --context ctx --base-layout base --output docker:img.tar --tag t:1 >d2 &&
	test_cmp d d2 &&
	tar tf img.tar | grep "${BASE_LAYER_DIGEST#sha256:}"
'

test_expect_success BUSYBOX 'config: ENTRYPOINT drops the base CMD; HEALTHCHECK, STOPSIGNAL, VOLUME, SHELL, ARG' '
	cat >ctx/Dockerfile <<-\EOF &&
	ARG TAG=1
	FROM example.com/base:${TAG}
	ARG GREETING=hi
	ENV GREETING=${GREETING} PATH=/app/bin:${PATH}
	SHELL ["/bin/sh", "-ec"]
	ENTRYPOINT echo $GREETING
	HEALTHCHECK --interval=30s --timeout=5s --retries=2 CMD ["true"]
	STOPSIGNAL SIGTERM
	VOLUME /data /cache
	LABEL version=${TAG}
	EOF
	publish build --context ctx --base-layout base --build-arg GREETING=hello --output oci:cfg >dcfg &&
	m=cfg/blobs/sha256/$(cut -c8- dcfg) &&
	c=cfg/blobs/sha256/$(jq -r .config.digest "$m" | cut -c8-) &&
	jq -e ".config | has(\"Cmd\") | not" "$c" &&
	jq -e ".config.Entrypoint == [\"/bin/sh\", \"-ec\", \"echo \$GREETING\"]" "$c" &&
	jq -e ".config.Shell == [\"/bin/sh\", \"-ec\"]" "$c" &&
	jq -e "[.config.Env[] | select(startswith(\"GREETING=\"))] == [\"GREETING=hello\"]" "$c" &&
	jq -e "[.config.Env[] | select(startswith(\"PATH=/app/bin:/\"))] | length == 1" "$c" &&
	jq -e ".config.Healthcheck == {\"Test\":[\"CMD\",\"true\"],\"Interval\":30000000000,\"Timeout\":5000000000,\"Retries\":2}" "$c" &&
	jq -e ".config.StopSignal == \"SIGTERM\" and .config.Volumes == {\"/data\":{},\"/cache\":{}}" "$c" &&
	jq -e ".config.Labels.version == \"\"" "$c" &&
	jq -e "[.history[] | select(.empty_layer)] | length == 8" "$c"
'

test_done
