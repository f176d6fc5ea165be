#!/bin/sh
# t2080: the three hashes of a layer (the digest, the diff_id and the reuse
# key's git blob ids), fed on threads of their own while the layer is
# written, are those of the bytes: the digest is the sha256 of the blob,
# the diff_id that of the decompressed tar, and the key the one computed
# from git's own blob ids (the next build reuses the layer).  The files
# cross the hashing slots' edges (128 KiB), and there are more of them
# than the slots and the queues hold, so slots are waited for and reused.
. "$(dirname "$0")/test-lib.sh"

command -v jq >/dev/null || test_skip_all "no jq"
command -v zstd >/dev/null || test_skip_all "no zstd"

# manifest DIR: the path of the image manifest in oci:DIR
manifest() { echo "$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)"; }
# check_hashes DIR DECOMPRESS: each layer's digest and diff_id against sha256sum
check_hashes() {
	_m=$(manifest "$1") &&
	_c=$1/blobs/sha256/$(jq -r .config.digest "$_m" | cut -c8-) &&
	jq -r '.layers[].digest' "$_m" >layers.$$ &&
	jq -r '.rootfs.diff_ids[]' "$_c" >diffs.$$ &&
	test_line_count layers.$$ = 2 &&
	paste -d" " layers.$$ diffs.$$ | while read -r dig diff; do
		b=$1/blobs/sha256/${dig#sha256:} &&
		test "sha256:$(sha256sum <"$b" | cut -d" " -f1)" = "$dig" &&
		test "sha256:$($2 <"$b" | sha256sum | cut -d" " -f1)" = "$diff" || return 1
	done
}
# reused ERRFILE: the layers' Dockerfile lines noted as reused, one a line
reused() { sed -n 's/^.*Dockerfile:\([0-9]*\) [A-Z]*: .*, reused$/\1/p' "$1" | tr '\n' ' '; }

test_expect_success 'setup: a repository of large files on slot edges and many small ones' '
	git init -q src && (
		cd src &&
		mkdir -p big small &&
		for n in 0 1 131071 131072 131073 262144 393217; do
			head -c $n /dev/urandom >big/f$n || return 1
		done &&
		head -c 3000000 /dev/urandom >big/random &&
		seq 1 400000 >big/text &&
		i=0 && while [ $i -lt 300 ]; do echo "small $i" >small/s$i; i=$((i + 1)); done &&
		printf "%s\n" "FROM scratch" "COPY big /big/" "COPY small /small/" >Dockerfile &&
		git add -A && git commit -qm one
	)
'

test_expect_success 'gzip: the digest and the diff_id are the sha256 of the blob and of the tar' '
	publish build --context src --output oci:gz >dgz &&
	check_hashes gz "gzip -dc"
'

test_expect_success 'zstd: the digest and the diff_id are the sha256 of the blob and of the tar' '
	publish build --context src --compression zstd --output oci:zs >dzs &&
	check_hashes zs "zstd -dc"
'

test_expect_success 'one compression thread: the same hashes and the same image' '
	PUBLISH_THREADS=1 publish build --context src --compression zstd --output oci:zs1 >dzs1 &&
	check_hashes zs1 "zstd -dc" &&
	test_cmp dzs dzs1
'

test_expect_success 'the reuse keys hashed from the files are the ones from git: both layers reused' '
	publish build --context src --reuse-from zs --compression zstd --output oci:again >dagain 2>err &&
	test "$(reused err)" = "2 3 " &&
	test_cmp dzs dagain
'

test_expect_success 'a changed large file: its layer alone is rebuilt, with the hashes of its bytes' '
	(cd src && head -c 200000 /dev/urandom >big/f131072 && git commit -qam two) &&
	publish build --context src --reuse-from zs --compression zstd --output oci:two >dtwo 2>err &&
	test "$(reused err)" = "3 " &&
	check_hashes two "zstd -dc" &&
	publish build --context src --compression zstd --output oci:full >dfull &&
	test_cmp dfull dtwo
'

test_done
