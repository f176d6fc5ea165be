#!/bin/sh
# t2000: `publish build` to an OCI layout, FROM scratch: the files, modes,
# links and owners in the layers, the config and the manifest, checked with
# independent readers (skopeo, umoci, tar, jq).
. "$(dirname "$0")/test-lib.sh"

command -v skopeo >/dev/null && test_set_prereq SKOPEO
command -v umoci >/dev/null && test_set_prereq UMOCI
command -v jq >/dev/null || test_skip_all "no jq"
command -v zstd >/dev/null && test_set_prereq ZSTD

# blob DIR DIGEST: the path of a blob
blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
# manifest DIR: the manifest index.json names
manifest() { blob "$1" "$(jq -r '.manifests[0].digest' "$1/index.json")"; }
config() { blob "$1" "$(jq -r .config.digest "$(manifest "$1")")"; }
# layer_list DIR N: "mode owner path [-> target]" of layer N (0-based), sorted as written
layer_list() {
	_l=$(blob "$1" "$(jq -r ".layers[$2].digest" "$(manifest "$1")")")
	case "$(jq -r ".layers[$2].mediaType" "$(manifest "$1")")" in
	*zstd) zstd -dc <"$_l" ;;
	*) gzip -dc <"$_l" ;;
	esac | tar tvf - | awk '{ o = $1 " " $2 " " $6; for (i = 7; i <= NF; i++) o = o " " $i; print o }'
}

test_expect_success 'setup: a repository with files, modes, links' '
	git init -q ctx && (
		cd ctx &&
		mkdir -p app/sub empty &&
		echo hello >app/hello.txt &&
		printf "#!/bin/sh\necho run\n" >app/run.sh && chmod 755 app/run.sh &&
		ln -s hello.txt app/link &&
		ln -s ../../../etc/passwd app/outside &&
		ln app/hello.txt app/hard &&
		echo x >app/sub/x &&
		echo a >a.txt && echo b >b.txt && echo c >c.md &&
		cat >Dockerfile <<-\EOD &&
		FROM scratch
		ENV A=1 B=2
		WORKDIR /srv
		COPY app/ .
		COPY --chown=1000:1000 --chmod=640 app/hello.txt /etc/greeting
		COPY *.txt /opt/
		COPY app/hello.txt /usr/bin
		COPY app/hello.txt /data/renamed
		LABEL org.example.from=dockerfile org.example.both=dockerfile
		EXPOSE 8080 53/udp
		USER 1000:1000
		ENTRYPOINT ["/srv/run.sh"]
		CMD ["--flag"]
		EOD
		git add -A && git commit -qm init &&
		: untracked, so it keeps the work tree mode &&
		echo private >app/private && chmod 600 app/private
	)
'

test_expect_success 'build prints the manifest digest and writes an OCI layout' '
	publish build --context ctx --output oci:out --tag v1 \
		--label org.example.both=meta --label org.opencontainers.image.source=https://example.com/r \
		--annotation org.opencontainers.image.version=1.0 >digest 2>err &&
	grep -E "^sha256:[0-9a-f]{64}$" digest &&
	test -f out/oci-layout && test -f out/index.json &&
	jq -e ".manifests | length == 1" out/index.json &&
	jq -e ".manifests[0].digest == \"$(cat digest)\"" out/index.json &&
	jq -e ".manifests[0].annotations[\"org.opencontainers.image.ref.name\"] == \"v1\"" out/index.json &&
	test "sha256:$(sha256sum <"$(manifest out)" | cut -d" " -f1)" = "$(cat digest)"
'

test_expect_success SKOPEO 'skopeo inspect accepts the layout' '
	skopeo inspect oci:out:v1 >inspect.json &&
	jq -e ".Digest == \"$(cat digest)\"" inspect.json &&
	jq -e ".Architecture and .Os == \"linux\"" inspect.json &&
	jq -e ".Layers | length == 6" inspect.json
'

test_expect_success 'every blob matches its digest and size' '
	for d in $(jq -r ".config.digest, .layers[].digest" "$(manifest out)"); do
		test "sha256:$(sha256sum <"$(blob out "$d")" | cut -d" " -f1)" = "$d" || return 1
	done &&
	jq -r ".layers[] | \"\(.digest) \(.size)\"" "$(manifest out)" | while read d s; do
		test "$(wc -c <"$(blob out "$d")")" = "$s" || return 1
	done
'

test_expect_success 'diff_ids are the sha256 of the uncompressed layers' '
	i=0 &&
	for d in $(jq -r ".layers[].digest" "$(manifest out)"); do
		test "sha256:$(gzip -dc <"$(blob out "$d")" | sha256sum | cut -d" " -f1)" = \
			"$(jq -r ".rootfs.diff_ids[$i]" "$(config out)")" || return 1
		i=$((i + 1))
	done
'

test_expect_success 'gzip headers carry no name and no time' '
	for d in $(jq -r ".layers[].digest" "$(manifest out)"); do
		od -An -tx1 -N10 "$(blob out "$d")" | tr -d " \n" >hdr &&
		test "$(cat hdr)" = "1f8b08000000000000ff" || return 1
	done
'

test_expect_success 'WORKDIR makes a layer with the directory' '
	layer_list out 0 >actual &&
	echo "drwxr-xr-x 0/0 srv/" >expect &&
	test_cmp expect actual
'

test_expect_success 'COPY dir/ copies its contents, sorted, modes, links, hard links kept' '
	layer_list out 1 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 srv/
	-rw-r--r-- 0/0 srv/hard
	hrw-r--r-- 0/0 srv/hello.txt link to srv/hard
	lrwxrwxrwx 0/0 srv/link -> hello.txt
	lrwxrwxrwx 0/0 srv/outside -> ../../../etc/passwd
	-rw------- 0/0 srv/private
	-rwxr-xr-x 0/0 srv/run.sh
	drwxr-xr-x 0/0 srv/sub/
	-rw-r--r-- 0/0 srv/sub/x
	EOF
	test_cmp expect actual
'

test_expect_success "--chown and --chmod; a file to a new name (a parent the COPY makes gets the --chown owner, as in Docker: t2040)" '
	layer_list out 2 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 1000/1000 etc/
	-rw-r----- 1000/1000 etc/greeting
	EOF
	test_cmp expect actual &&
	layer_list out 5 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 data/
	-rw-r--r-- 0/0 data/renamed
	EOF
	test_cmp expect actual
'

test_expect_success 'a glob copies every match into the directory' '
	layer_list out 3 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 opt/
	-rw-r--r-- 0/0 opt/a.txt
	-rw-r--r-- 0/0 opt/b.txt
	EOF
	test_cmp expect actual
'

test_expect_success 'a system directory without a trailing slash is copied into' '
	layer_list out 4 >actual &&
	cat >expect <<-\EOF &&
	drwxr-xr-x 0/0 usr/
	drwxr-xr-x 0/0 usr/bin/
	-rw-r--r-- 0/0 usr/bin/hello.txt
	EOF
	test_cmp expect actual
'

test_expect_success 'every entry has mtime 0, not the commit time' '
	for i in 0 1 2 3 4 5; do
		d=$(jq -r ".layers[$i].digest" "$(manifest out)") &&
		gzip -dc <"$(blob out "$d")" | tar tvf - --full-time | awk "{print \$4 \" \" \$5}" | sort -u >times &&
		echo "1970-01-01 00:00:00" >expect &&
		test_cmp expect times || return 1
	done
'

test_expect_success 'the config: Env, WorkingDir, User, Entrypoint, Cmd, ports, labels in order' '
	c=$(config out) &&
	jq -e ".config.Env == [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"A=1\",\"B=2\"]" "$c" &&
	jq -e ".config.WorkingDir == \"/srv\" and .config.User == \"1000:1000\"" "$c" &&
	jq -e ".config.Entrypoint == [\"/srv/run.sh\"] and .config.Cmd == [\"--flag\"]" "$c" &&
	jq -e ".config.ExposedPorts == {\"8080/tcp\":{},\"53/udp\":{}}" "$c" &&
	jq -e ".config.Labels == {\"org.example.from\":\"dockerfile\",\"org.example.both\":\"meta\",\"org.opencontainers.image.source\":\"https://example.com/r\"}" "$c" &&
	jq -e ".created == \"2020-01-10T00:30:00Z\"" "$c" &&
	jq -e "[.history[] | select(.empty_layer | not)] | length == 6" "$c" &&
	jq -e ".history | length == 12" "$c" &&
	jq -e "[.history[].created] | unique == [\"2020-01-10T00:30:00Z\"]" "$c"
'

test_expect_success 'config and manifest are compact with sorted keys' '
	for f in "$(config out)" "$(manifest out)"; do
		jq -cS . "$f" | tr -d "\n" >sorted &&
		test "$(cat sorted)" = "$(cat "$f")" || return 1
	done
'

test_expect_success 'the manifest: OCI media types, annotations' '
	m=$(manifest out) &&
	jq -e ".mediaType == \"application/vnd.oci.image.manifest.v1+json\"" "$m" &&
	jq -e ".config.mediaType == \"application/vnd.oci.image.config.v1+json\"" "$m" &&
	jq -e "[.layers[].mediaType] | unique == [\"application/vnd.oci.image.layer.v1.tar+gzip\"]" "$m" &&
	jq -e ".annotations | del(.[\"dev.publish-action.layer-keys\"]) == {\"org.opencontainers.image.version\":\"1.0\"}" "$m" &&
	jq -e ".annotations[\"dev.publish-action.layer-keys\"] | split(\" \") | length == 6" "$m"
'

test_expect_success UMOCI 'umoci unpacks the image' '
	umoci unpack --rootless --image out:v1 bundle >/dev/null &&
	test "$(cat bundle/rootfs/srv/hello.txt)" = hello &&
	test -x bundle/rootfs/srv/run.sh &&
	test "$(readlink bundle/rootfs/srv/link)" = hello.txt &&
	test "$(stat -c %a bundle/rootfs/srv/private)" = 600 &&
	test "$(cat bundle/rootfs/opt/b.txt)" = b &&
	jq -e ".process.cwd == \"/srv\" and .process.args == [\"/srv/run.sh\",\"--flag\"]" bundle/config.json
'

test_expect_success '--media-types docker writes Docker schema 2' '
	publish build --context ctx --output oci:out-docker --media-types docker >d2 &&
	m=$(manifest out-docker) &&
	jq -e ".mediaType == \"application/vnd.docker.distribution.manifest.v2+json\"" "$m" &&
	jq -e ".config.mediaType == \"application/vnd.docker.container.image.v1+json\"" "$m" &&
	jq -e "[.layers[].mediaType] | unique == [\"application/vnd.docker.image.rootfs.diff.tar.gzip\"]" "$m" &&
	jq -e "has(\"annotations\") | not" "$m" &&
	test "$(cat d2)" != "$(cat digest)"
'

test_expect_success ZSTD '--compression zstd writes tar+zstd layers with the same diff_ids' '
	publish build --context ctx --output oci:out-zstd --compression zstd >dz &&
	m=$(manifest out-zstd) &&
	jq -e "[.layers[].mediaType] | unique == [\"application/vnd.oci.image.layer.v1.tar+zstd\"]" "$m" &&
	jq -c .rootfs.diff_ids "$(config out)" >expect &&
	jq -c .rootfs.diff_ids "$(config out-zstd)" >actual &&
	test_cmp expect actual &&
	layer_list out-zstd 1 >actual &&
	layer_list out 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'without --output only the digest is printed, and it is the same' '
	publish build --context ctx --tag v1 \
		--label org.example.both=meta --label org.opencontainers.image.source=https://example.com/r \
		--annotation org.opencontainers.image.version=1.0 >d3 &&
	test_cmp digest d3
'

test_expect_success 'a second build into the same layout replaces the image' '
	publish build --context ctx --output oci:out --tag v2 >d4 &&
	jq -e ".manifests | length == 1" out/index.json &&
	jq -e ".manifests[0].digest == \"$(cat d4)\"" out/index.json &&
	jq -e ".manifests[0].annotations[\"org.opencontainers.image.ref.name\"] == \"v2\"" out/index.json
'

test_done
