#!/bin/sh
# t3600: `publish push oci:DIR` and `publish copy oci:DIR` check the
# layout's digests first: a malformed one in index.json or in a manifest
# is exit 5 (the layout is bad input), naming the layout and the digest,
# before any registry is asked.
. "$(dirname "$0")/test-lib.sh"
test_require PYTHON
command -v jq >/dev/null || test_skip_all "no jq"

test_expect_success 'setup: a built layout' '
	mkdir ctx && echo x >ctx/a &&
	printf "FROM scratch\nCOPY a /a\n" >ctx/Dockerfile &&
	SOURCE_DATE_EPOCH=0 publish build -q --context ctx --output oci:good >digest
'

test_expect_success 'a malformed digest in index.json' '
	cp -r good bad1 &&
	jq -c ".manifests[0].digest = \"sha256:NOT-HEX\"" good/index.json >bad1/index.json &&
	test_exit_code 5 publish push oci:bad1 127.0.0.1:$(free_port)/x/y:1 2>err &&
	test_line_count err = 1 &&
	grep "^error: malformed digest .sha256:NOT-HEX. in .bad1/index.json. of the OCI layout .bad1.$" err &&
	test_exit_code 5 publish copy oci:bad1 127.0.0.1:$(free_port)/x/y:1 2>err &&
	grep "malformed digest .sha256:NOT-HEX." err
'

test_expect_success 'a malformed layer digest in the manifest' '
	cp -r good bad2 &&
	python3 - bad2 <<-\EOF &&
	import hashlib, json, sys
	d = sys.argv[1]
	idx = json.load(open(d + "/index.json"))
	m = json.load(open(d + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
	m["layers"][0]["digest"] = "sha256:../../../etc/passwd"
	b = json.dumps(m).encode()
	h = hashlib.sha256(b).hexdigest()
	open(d + "/blobs/sha256/" + h, "wb").write(b)
	idx["manifests"][0]["digest"] = "sha256:" + h
	idx["manifests"][0]["size"] = len(b)
	json.dump(idx, open(d + "/index.json", "w"))
	EOF
	test_exit_code 5 publish push oci:bad2 127.0.0.1:$(free_port)/x/y:1 2>err &&
	grep "^error: malformed digest .sha256:../../../etc/passwd. in .bad2/blobs/sha256/[0-9a-f]*. of the OCI layout .bad2.$" err
'

test_expect_success 'a digest that is not a string' '
	cp -r good bad3 &&
	jq -c ".manifests[0].digest = 7" good/index.json >bad3/index.json &&
	test_exit_code 5 publish push oci:bad3 127.0.0.1:$(free_port)/x/y:1 2>err &&
	grep "malformed digest .(not a string)." err
'

test_expect_success 'a good layout passes the check (then the registry is asked)' '
	test_exit_code 8 publish push --retries 1 oci:good 127.0.0.1:$(free_port)/x/y:1 2>err &&
	! grep "malformed" err
'

test_done
