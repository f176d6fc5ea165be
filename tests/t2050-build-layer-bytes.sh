#!/bin/sh
# t2050: a layer's bytes are a function of its content: the same digest
# across commits that leave its files alone, across checkouts with other
# mtimes and umasks, and for any number of compression threads; the
# config keeps the commit time.
. "$(dirname "$0")/test-lib.sh"

command -v jq >/dev/null || test_skip_all "no jq"

# layers DIR: the layer digests of the image in oci:DIR, one a line
layers() {
	_m=$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
	jq -r '.layers[].digest' "$_m"
}
# created DIR: the config's created
created() {
	_m=$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
	jq -r .created "$1/blobs/sha256/$(jq -r .config.digest "$_m" | cut -c8-)"
}

test_expect_success 'setup: a repository with two layers' '
	git init -q src && (
		cd src &&
		mkdir -p app/lib/deep bin web &&
		for i in 1 2 3 4 5; do echo "module $i" >app/lib/m$i.js; done &&
		echo deep >app/lib/deep/x &&
		printf "#!/bin/sh\necho hi\n" >bin/tool && chmod 755 bin/tool &&
		ln -s ../app/lib/m1.js bin/m1 &&
		echo "<h1>v1</h1>" >web/index.html &&
		echo notes >README &&
		printf "%s\n" "FROM scratch" "COPY app /app/" "COPY bin /usr/local/bin/" "COPY web /srv/web/" >Dockerfile &&
		git add -A && git commit -qm one
	) &&
	publish build --context src --output oci:c1 >d1 &&
	layers c1 >l1 && test_line_count l1 = 3
'

test_expect_success 'a commit touching only a file outside every layer keeps every layer' '
	(cd src && echo more >>README && GIT_COMMITTER_DATE="2021-05-05T05:05:05Z" git commit -qam readme) &&
	publish build --context src --output oci:c2 >d2 &&
	layers c2 >l2 &&
	test_cmp l1 l2 &&
	! test_cmp d1 d2 >/dev/null &&
	test "$(created c1)" = "2020-01-10T00:30:00Z" &&
	test "$(created c2)" = "2021-05-05T05:05:05Z"
'

test_expect_success 'a commit touching one layer changes that layer only' '
	(cd src && echo "<h1>v2</h1>" >web/index.html && GIT_COMMITTER_DATE="2022-01-01T00:00:00Z" git commit -qam web) &&
	publish build --context src --output oci:c3 >d3 &&
	layers c3 >l3 &&
	sed -n 1,2p l1 >keep1 && sed -n 1,2p l3 >keep3 && test_cmp keep1 keep3 &&
	test "$(sed -n 3p l1)" != "$(sed -n 3p l3)"
'

test_expect_success 'checkouts with other mtimes and umasks give the same layers' '
	(umask 077 && git clone -q src tight) &&
	(umask 002 && git clone -q src loose) &&
	(cd tight && find . -path ./.git -prune -o -exec touch -h -d "2001-02-03 04:05:06" {} +) &&
	(cd loose && find . -path ./.git -prune -o -type f -exec touch -d "2030-12-31 23:59:59" {} +) &&
	test "$(stat -c %a tight/web/index.html)" = 600 &&
	test "$(stat -c %a loose/bin/tool)" = 775 &&
	test "$(stat -c %a loose/app/lib)" = 775 &&
	publish build --context tight --output oci:t >dt &&
	publish build --context loose --output oci:o >do &&
	layers t >lt && layers o >lo &&
	test_cmp l3 lt && test_cmp l3 lo &&
	test_cmp d3 dt && test_cmp d3 do
'

test_expect_success 'tracked files and their directories get the modes git records' '
	m=$(jq -r .layers[0].digest "t/blobs/sha256/$(cut -c8- dt)" | cut -c8-) &&
	gzip -dc <t/blobs/sha256/$m | tar tvf - | awk "{print \$1, \$6}" >list &&
	grep "^drwxr-xr-x app/lib/$" list &&
	grep "^-rw-r--r-- app/lib/m1.js$" list &&
	m=$(jq -r .layers[1].digest "o/blobs/sha256/$(cut -c8- do)" | cut -c8-) &&
	gzip -dc <o/blobs/sha256/$m | tar tvf - | awk "{print \$1, \$6}" >list &&
	grep "^-rwxr-xr-x usr/local/bin/tool$" list
'

test_expect_success 'an untracked file keeps the work tree mode' '
	(umask 002 && echo gen >loose/web/generated.txt) &&
	publish build --context loose --output oci:u >du &&
	m=$(jq -r .layers[2].digest "u/blobs/sha256/$(cut -c8- du)" | cut -c8-) &&
	gzip -dc <u/blobs/sha256/$m | tar tvf - | awk "{print \$1, \$6}" >list &&
	grep "^-rw-rw-r-- srv/web/generated.txt$" list &&
	grep "^-rw-r--r-- srv/web/index.html$" list &&
	rm loose/web/generated.txt
'

test_expect_success 'SOURCE_DATE_EPOCH still pins the files mtimes' '
	SOURCE_DATE_EPOCH=86400 publish build --context src --output oci:e >de &&
	m=$(jq -r .layers[0].digest "e/blobs/sha256/$(cut -c8- de)" | cut -c8-) &&
	gzip -dc <e/blobs/sha256/$m | tar tvf - --full-time | awk "{print \$4, \$5}" | sort -u >times &&
	echo "1970-01-02 00:00:00" >expect &&
	test_cmp expect times &&
	test "$(created e)" = "1970-01-02T00:00:00Z"
'

test_expect_success 'setup: a layer spanning many compression blocks' '
	mkdir big && (
		cd big && git init -q &&
		mkdir data &&
		seq 1 3000000 >data/numbers &&
		head -c 3000000 /dev/zero | tr "\0" "a" >data/as &&
		printf "%s\n" "FROM scratch" "COPY data /data/" >Dockerfile &&
		git add -A && git commit -qm big
	)
'

for comp in gzip zstd; do
	test_expect_success "$comp: 1, 2 and 8 compression threads give the same layer" "
		PUBLISH_THREADS=1 publish build --context big --compression $comp >$comp.1 &&
		PUBLISH_THREADS=2 publish build --context big --compression $comp >$comp.2 &&
		PUBLISH_THREADS=8 publish build --context big --compression $comp >$comp.8 &&
		publish build --context big --compression $comp >$comp.any &&
		test_cmp $comp.1 $comp.2 && test_cmp $comp.1 $comp.8 && test_cmp $comp.1 $comp.any
	"
done

test_expect_success 'gzip: a layer of many blocks (a member each) is read whole by gzip and Python' '
	publish build --context big --output oci:bigout >d &&
	m=bigout/blobs/sha256/$(cut -c8- d) &&
	l=bigout/blobs/sha256/$(jq -r ".layers[0].digest" "$m" | cut -c8-) &&
	c=bigout/blobs/sha256/$(jq -r ".config.digest" "$m" | cut -c8-) &&
	gzip -t "$l" &&
	test "sha256:$(gzip -dc "$l" | sha256sum | cut -d" " -f1)" = "$(jq -r ".rootfs.diff_ids[0]" "$c")" &&
	python3 -c "import gzip, sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())" "$l" | sha256sum >py &&
	gzip -dc "$l" | sha256sum >gz && test_cmp gz py &&
	test "$(gzip -dc "$l" | wc -c)" -gt $((8 << 20)) &&
	python3 -c "import tarfile, sys; print(\"\\n\".join(tarfile.open(sys.argv[1]).getnames()))" "$l" >names &&
	grep -x "data/numbers" names && grep -x "data/as" names
'

test_expect_success 'PUBLISH_THREADS out of range is bad input' '
	test_exit_code 3 env PUBLISH_THREADS=0 publish build --context big 2>err &&
	grep "PUBLISH_THREADS" err &&
	test_exit_code 3 env PUBLISH_THREADS=9x publish build --context big 2>err
'

test_done
