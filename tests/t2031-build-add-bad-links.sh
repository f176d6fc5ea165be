#!/bin/sh
# t2031: ADD refuses an archive whose hard links form a cycle or point at
# nothing earlier in it (a layer no tool could unpack): exit 5, naming
# the instruction (and so the archive) and the entry.  Good chains, and
# links to a path that sorts later, still work.
. "$(dirname "$0")/test-lib.sh"
test_require PYTHON
command -v jq >/dev/null || test_skip_all "no jq"
SOURCE_DATE_EPOCH=1600000000
export SOURCE_DATE_EPOCH

# mktar OUT SPEC...: SPEC is f:NAME (a file) or l:NAME:TARGET (a hard link)
mktar() {
	python3 - "$@" <<-\EOF
	import io, sys, tarfile
	with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
	    for spec in sys.argv[2:]:
	        kind, name, *rest = spec.split(":")
	        i = tarfile.TarInfo(name)
	        i.mode = 0o644
	        if kind == "f":
	            i.size = 5
	            t.addfile(i, io.BytesIO(b"data\n"))
	        else:
	            i.type = tarfile.LNKTYPE
	            i.linkname = rest[0]
	            t.addfile(i)
	EOF
}

layer_tar() {
	_m=$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
	gzip -dc <"$1/blobs/sha256/$(jq -r ".layers[0].digest" "$_m" | cut -c8-)"
}

test_expect_success 'a cycle of hard links is refused' '
	mkdir ctx &&
	mktar ctx/cycle.tar l:a:b l:b:a &&
	printf "FROM scratch\nADD cycle.tar /opt/\n" >ctx/Dockerfile &&
	test_exit_code 5 publish build -q --context ctx 2>err &&
	test_line_count err = 1 &&
	grep "^error: ADD cycle.tar /opt/: hard link .opt/a. points at .opt/b., which is not a file earlier in the archive$" err
'

test_expect_success 'a hard link to itself is refused' '
	mktar ctx/self.tar f:x l:a:a &&
	printf "FROM scratch\nADD self.tar /\n" >ctx/Dockerfile &&
	test_exit_code 5 publish build -q --context ctx 2>err &&
	grep "hard link .a. points at .a." err
'

test_expect_success 'a hard link to nothing, or to a file only later in the archive, is refused' '
	mktar ctx/none.tar f:x l:y:missing &&
	printf "FROM scratch\nADD none.tar /\n" >ctx/Dockerfile &&
	test_exit_code 5 publish build -q --context ctx 2>err &&
	grep "hard link .y. points at .missing." err &&
	mktar ctx/later.tar l:y:x f:x &&
	printf "FROM scratch\nADD later.tar /\n" >ctx/Dockerfile &&
	test_exit_code 5 publish build -q --context ctx 2>err &&
	grep "hard link .y. points at .x." err
'

test_expect_success 'in a chain, the first bad link is named' '
	mktar ctx/chain.tar l:m:n l:k:m &&
	printf "FROM scratch\nADD chain.tar /\n" >ctx/Dockerfile &&
	test_exit_code 5 publish build -q --context ctx 2>err &&
	grep "hard link .m. points at .n." err
'

test_expect_success 'good links: a chain, and a link to a path that sorts later' '
	mktar ctx/good.tar f:z l:a:z l:b:a f:c &&
	printf "FROM scratch\nADD good.tar /g/\n" >ctx/Dockerfile &&
	publish build -q --context ctx --output oci:out >/dev/null &&
	layer_tar out >layer.tar &&
	mkdir x && tar -xf layer.tar -C x &&
	test "$(stat -c %i x/g/a)" = "$(stat -c %i x/g/z)" &&
	test "$(stat -c %i x/g/b)" = "$(stat -c %i x/g/z)" &&
	test "$(cat x/g/b)" = data
'

test_done
