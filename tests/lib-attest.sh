# lib-attest.sh: reading back the attestations publish attaches (t3710,
# t4370).  Source it after lib-registry.sh and lib-images.sh; the
# functions talk to $REGISTRY as $REG_USER.
#
# raw REPO REF: a manifest (by tag or digest) as the registry serves it
# blob REPO DIGEST: a blob's bytes on stdout
# referrer REPO SUBJECT TYPE: the document of artifact type TYPE attached
#   to SUBJECT, found through the fallback tag sha256-<hex> (its index in
#   fallback.json, the artifact manifest in artifact.json, checked: its
#   subject is SUBJECT, its config the empty descriptor, one layer)
# layer_files REPO REF BASE: (REF a tag or digest) "sha256 sha1 ./path" of every regular file
#   of the image's layers that are not those of the base image manifest
#   BASE (in $ATTEST_BASE_REPO, default busybox-multi), read with
#   Python's tarfile (hard links: their target's checksums), sorted
# sbom_files: the same lines from sbom.json
# spdx_validate FILE: FILE against SPDX 2.3's JSON schema (tests/data/spdx)
# Prereq JSONSCHEMA: python3-jsonschema (Debian) is there.

SPDX=application/spdx+json
INTOTO=application/vnd.in-toto+json
SPDX_SCHEMA=$TEST_DIR/data/spdx/spdx-2.3-schema.json
ATTEST_BASE_REPO=${ATTEST_BASE_REPO:-busybox-multi}

"$REGTEST_PY" -c "import jsonschema" 2>/dev/null && test_set_prereq JSONSCHEMA ||
	say "no python3-jsonschema: the SPDX schema checks are skipped"

_attest_sk() {
	skopeo "$@" --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS"
}

# raw REPO REF: a manifest as the registry serves it
raw() {
	_attest_sk inspect --raw "docker://$REGISTRY/$1$(case $2 in sha256:*) echo "@$2" ;; *) echo ":$2" ;; esac)"
}
# blob REPO DIGEST: a blob's bytes on stdout
blob() {
	_tok=$(registry_token -u "$REG_USER:$REG_PASS" "repository:$1:pull") &&
	reg_curl -f -L -H "Authorization: Bearer $_tok" "https://$REGISTRY/v2/$1/blobs/$2"
}
# referrer REPO SUBJECT TYPE: the document of that artifact type attached to SUBJECT
referrer() {
	raw "$1" "sha256-${2#sha256:}" >fallback.json &&
	_m=$(jq -r --arg t "$3" '[.manifests[] | select(.artifactType == $t)] |
		if length == 1 then .[0].digest else error("want one \($t), got \(length)") end' fallback.json) &&
	raw "$1" "$_m" >artifact.json &&
	jq -e --arg t "$3" --arg s "$2" '.artifactType == $t and .subject.digest == $s and
		.subject.mediaType == "application/vnd.oci.image.manifest.v1+json" and
		.config.mediaType == "application/vnd.oci.empty.v1+json" and .config.size == 2 and
		(.layers | length) == 1 and .layers[0].mediaType == $t' artifact.json >/dev/null &&
	blob "$1" "$(jq -r ".layers[0].digest" artifact.json)"
}
# layer_files REPO REF BASE: (REF a tag or digest) "sha256 sha1 ./path" of every regular file of the
# image's layers that are not the base's (hard links: their target's), sorted
layer_files() {
	rm -rf img &&
	skopeo copy -q $(skopeo_args) "docker://$REGISTRY/$1$(case $2 in sha256:*) echo "@$2" ;; *) echo ":$2" ;; esac)" \
		oci:img:x >/dev/null &&
	"$REGTEST_PY" - img "$(raw "$ATTEST_BASE_REPO" "$3" | jq -r '.layers[].digest' | tr '\n' ' ')" <<-'EOF'
	import hashlib, json, sys, tarfile
	d, base = sys.argv[1], sys.argv[2].split()
	idx = json.load(open(d + "/index.json"))
	m = json.load(open(d + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
	files = {}
	def clean(n):
	    while n.startswith("./") or n.startswith("/"):
	        n = n[1:] if n.startswith("/") else n[2:]
	    return n
	for l in m["layers"]:
	    if l["digest"] in base:
	        continue
	    with tarfile.open(d + "/blobs/sha256/" + l["digest"][7:]) as t:
	        for e in t:
	            name = clean(e.name)
	            if e.isreg():
	                data = t.extractfile(e).read()
	                files[name] = (hashlib.sha256(data).hexdigest(), hashlib.sha1(data).hexdigest())
	            elif e.islnk():
	                files[name] = files[clean(e.linkname)]
	for p in sorted(files):
	    print(files[p][0], files[p][1], "./" + p)
	EOF
}
# sbom_files: the same from sbom.json
sbom_files() {
	jq -r '.files[] | [(.checksums[] | select(.algorithm == "SHA256") | .checksumValue),
		(.checksums[] | select(.algorithm == "SHA1") | .checksumValue), .fileName] | join(" ")' sbom.json |
	sort -k3
}

spdx_validate() {
	"$REGTEST_PY" -c "
import json, sys, jsonschema
jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
" "$SPDX_SCHEMA" "$1"
}
