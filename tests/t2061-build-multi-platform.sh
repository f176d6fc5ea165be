#!/bin/sh
# t2061: `publish build --platform linux/amd64,linux/arm64` (a list, or
# repeated) builds the image once per platform into one OCI index, FROM
# scratch and FROM a two-platform base on the local registry (each platform
# on its own base manifest); TARGETARCH... are predefined per platform
# (COPY bin-${TARGETARCH} takes each platform's file), BUILDPLATFORM is the
# host's; the --annotations go on the index as well as on each manifest
# (ghcr.io shows the index's); platforms are normalised (x86_64 is amd64)
# and kept once; a bad one is exit 3 naming it before anything is fetched;
# several platforms into a docker archive are exit 2.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"

command -v jq >/dev/null || test_skip_all "no jq"
test_require REGISTRY SKOPEO BUSYBOX

start_registry || exit 1
make_multiplatform_base base >/dev/null || exit 1
push_base base base-multi:1 >/dev/null || exit 1

SSL_CERT_FILE=$REGISTRY_CA
SOURCE_DATE_EPOCH=1600000000
export SSL_CERT_FILE SOURCE_DATE_EPOCH

INDEX=application/vnd.oci.image.index.v1+json
DESC=org.opencontainers.image.description
SRC=org.opencontainers.image.source

case $(uname -m) in
x86_64) HOST=linux/amd64 ;;
aarch64) HOST=linux/arm64 ;;
*) HOST= ;;
esac

# manifest DIR ARCH: the path of ARCH's manifest under the index in DIR
manifest() {
	_i=$(oci_blob "$1" "$(jq -r '.manifests[0].digest' "$1/index.json")") &&
	oci_blob "$1" "$(jq -r ".manifests[] | select(.platform.architecture == \"$2\") | .digest" "$_i")"
}
# config DIR ARCH: ARCH's image config
config() {
	cat "$(oci_blob "$1" "$(jq -r .config.digest "$(manifest "$1" "$2")")")"
}
# app DIR ARCH: /app in ARCH's last layer
app() {
	tar xzOf "$(oci_blob "$1" "$(jq -r '.layers[-1].digest' "$(manifest "$1" "$2")")")" app
}

test_expect_success 'setup: a context with a file per architecture' '
	mkdir ctx &&
	echo "amd64 binary" >ctx/bin-amd64 &&
	echo "arm64 binary" >ctx/bin-arm64 &&
	echo "arm binary" >ctx/bin-arm &&
	cat >ctx/Dockerfile.scratch <<-\EOF &&
	FROM scratch
	ARG TARGETPLATFORM
	ARG TARGETOS
	ARG TARGETARCH
	ARG TARGETVARIANT
	ARG BUILDPLATFORM
	ARG BUILDOS
	ARG BUILDARCH
	COPY bin-${TARGETARCH} /app
	LABEL t.platform=${TARGETPLATFORM} t.os=${TARGETOS} t.arch=${TARGETARCH} t.variant=${TARGETVARIANT} \
	      b.platform=${BUILDPLATFORM} b.os=${BUILDOS} b.arch=${BUILDARCH}
	EOF
	cat >ctx/Dockerfile.base <<-EOF
	FROM $REGISTRY/base-multi:1
	ARG TARGETARCH
	COPY bin-\${TARGETARCH} /app
	EOF
'

test_expect_success 'FROM scratch, two platforms: the index digest on stdout, an index of two manifests' '
	publish build -q --context ctx -f ctx/Dockerfile.scratch --platform linux/amd64,linux/arm64 \
		--annotation "$DESC=two platforms" --annotation "$SRC=https://example.com/app" \
		--tag app:1 --output oci:out >digest &&
	skopeo inspect --raw oci:out >index &&
	echo "sha256:$(sha256sum <index | cut -d" " -f1)" >expect && test_cmp expect digest &&
	jq -e ".mediaType == \"$INDEX\" and (.manifests | length == 2)" index &&
	jq -r ".manifests[] | .platform.os + \"/\" + .platform.architecture + \"/\" + (.platform.variant // \"\")" index >plats &&
	printf "%s\n" linux/amd64/ linux/arm64/ >expect && test_cmp expect plats &&
	jq -e ".manifests[0].annotations[\"org.opencontainers.image.ref.name\"] == \"app:1\"" out/index.json
'

test_expect_success 'each platform: its config, its own file through the layer, TARGET* as Docker sets them' '
	for arch in amd64 arm64; do
		config out $arch >c-$arch &&
		jq -e ".architecture == \"$arch\" and .os == \"linux\"" c-$arch &&
		app out $arch >got && echo "$arch binary" >expect && test_cmp expect got &&
		jq -S .config.Labels c-$arch >labels &&
		jq -S -n --arg a $arch "{\"t.platform\": (\"linux/\" + \$a), \"t.os\": \"linux\", \"t.arch\": \$a, \"t.variant\": \"\"}" >expect &&
		jq -S "with_entries(select(.key | startswith(\"t.\")))" labels >got && test_cmp expect got ||
		return 1
	done
'

test_expect_success 'BUILDPLATFORM is the host'"'"'s, the same for every platform' '
	jq -r ".config.Labels[\"b.platform\"]" c-amd64 >b1 &&
	jq -r ".config.Labels[\"b.platform\"]" c-arm64 >b2 &&
	test_cmp b1 b2 &&
	jq -e ".config.Labels[\"b.platform\"] == .config.Labels[\"b.os\"] + \"/\" + .config.Labels[\"b.arch\"]" c-amd64 &&
	if test -n "$HOST"; then echo "$HOST" >expect && test_cmp expect b1; fi
'

test_expect_success 'the annotations are on the index and on each manifest' '
	jq -e ".annotations[\"$DESC\"] == \"two platforms\" and .annotations[\"$SRC\"] == \"https://example.com/app\"" index &&
	for arch in amd64 arm64; do
		jq -e ".annotations[\"$DESC\"] == \"two platforms\" and .annotations[\"$SRC\"] == \"https://example.com/app\"" \
			"$(manifest out $arch)" || return 1
	done
'

test_expect_success 'skopeo reads each platform: copy with --override-arch, then its config and file' '
	for arch in amd64 arm64; do
		skopeo copy -q --override-arch $arch oci:out:app:1 oci:one-$arch:x &&
		skopeo inspect --config oci:one-$arch:x | jq -e ".architecture == \"$arch\"" &&
		m=$(oci_blob one-$arch "$(oci_ref_digest one-$arch x)") &&
		tar xzOf "$(oci_blob one-$arch "$(jq -r ".layers[-1].digest" "$m")")" app >got &&
		echo "$arch binary" >expect && test_cmp expect got ||
		return 1
	done
'

test_expect_success 'a variant: linux/arm/v7 has TARGETVARIANT v7 and TARGETARCH arm' '
	publish build -q --context ctx -f ctx/Dockerfile.scratch --platform linux/amd64 --platform linux/arm/v7 \
		--output oci:v7 >/dev/null &&
	config v7 arm >c &&
	jq -e ".architecture == \"arm\" and .variant == \"v7\"" c &&
	jq -e ".config.Labels[\"t.variant\"] == \"v7\" and .config.Labels[\"t.platform\"] == \"linux/arm/v7\"" c &&
	app v7 arm >got && echo "arm binary" >expect && test_cmp expect got
'

test_expect_success 'FROM a two-platform base: each platform on its own base manifest, the base layer stored (a complete layout)' '
	publish build -q --context ctx -f ctx/Dockerfile.base --platform linux/amd64,linux/arm64 \
		--annotation "$DESC=on a base" --output oci:fb >digest &&
	skopeo inspect --raw oci:fb >index &&
	jq -e ".mediaType == \"$INDEX\" and (.manifests | length == 2)" index &&
	jq -e ".annotations[\"$DESC\"] == \"on a base\"" index &&
	for arch in amd64 arm64; do
		m=$(manifest fb $arch) &&
		jq -e ".layers | length == 2" "$m" &&
		jq -e ".layers[0].digest == \"$BASE_LAYER_DIGEST\"" "$m" &&
		jq -e ".annotations[\"$DESC\"] == \"on a base\"" "$m" &&
		config fb $arch | jq -e ".architecture == \"$arch\" and .rootfs.diff_ids[0] == \"$BASE_DIFF_ID\"" &&
		app fb $arch >got && echo "$arch binary" >expect && test_cmp expect got ||
		return 1
	done &&
	jq -e ".annotations[\"org.opencontainers.image.base.digest\"] == \"$BASE_AMD64_DIGEST\"" "$(manifest fb amd64)" &&
	jq -e ".annotations[\"org.opencontainers.image.base.digest\"] == \"$BASE_ARM64_DIGEST\"" "$(manifest fb arm64)" &&
	test -f "$(oci_blob fb "$BASE_LAYER_DIGEST")"
'

test_expect_success 'x86_64 is amd64, and a platform given twice (in any spelling) is built once' '
	publish build -q --context ctx -f ctx/Dockerfile.base --platform linux/x86_64,linux/arm64 \
		--annotation "$DESC=on a base" --output oci:n1 >d1 &&
	test_cmp digest d1 &&
	publish build -q --context ctx -f ctx/Dockerfile.base --platform " linux/amd64 , aarch64" \
		--platform linux/arm64/v8 --platform AMD64,linux/amd64 \
		--annotation "$DESC=on a base" --output oci:n2 >d2 &&
	test_cmp digest d2 &&
	skopeo inspect --raw oci:n2 | jq -e ".manifests | length == 2"
'

test_expect_success 'one platform (even given twice) is a manifest, as before: no index' '
	publish build -q --context ctx -f ctx/Dockerfile.scratch --platform linux/arm64 --output oci:s1 >d1 &&
	publish build -q --context ctx -f ctx/Dockerfile.scratch --platform linux/arm64,linux/aarch64 --output oci:s2 >d2 &&
	test_cmp d1 d2 &&
	skopeo inspect --raw oci:s2 | jq -e ".mediaType == \"application/vnd.oci.image.manifest.v1+json\"" &&
	tar xzOf "$(oci_blob s2 "$(jq -r ".layers[-1].digest" "$(oci_blob s2 "$(cat d2)")")")" app >got &&
	echo "arm64 binary" >expect && test_cmp expect got
'

for p in linux "linux/amd64,linux" "linux/amd64,/arm64" "linux/amd64,,linux/arm64" a/b/c/d; do
	test_expect_success "a bad platform in '$p': exit 3 naming it, nothing fetched" '
		bad=$(echo "'"$p"'" | tr "," "\n" | grep -v "^linux/a[mr][dm]64$" | head -n 1) &&
		before=$(wc -l <"$REGISTRY_LOG") &&
		test_exit_code 3 publish build -q --context ctx -f ctx/Dockerfile.base --platform linux/arm64 \
			--platform "'"$p"'" --output oci:bad 2>err &&
		test_line_count err = 1 &&
		grep -F "error: platform '\''$bad'\'' is not os/arch[/variant]" err &&
		test "$(wc -l <"$REGISTRY_LOG")" = "$before" &&
		! test -e bad
	'
done

test_expect_success 'several platforms into a docker archive (or no layout): exit 2, one line, nothing written' '
	before=$(wc -l <"$REGISTRY_LOG") &&
	test_exit_code 2 publish build -q --context ctx -f ctx/Dockerfile.base \
		--platform linux/amd64,linux/arm64 --output docker:app.tar 2>err &&
	test_line_count err = 1 && grep "^error: .*2 platforms.*oci:" err &&
	! test -e app.tar &&
	test_exit_code 2 publish build -q --context ctx -f ctx/Dockerfile.base \
		--platform linux/amd64 --platform linux/arm64 2>err &&
	test_line_count err = 1 && grep "^error: .*2 platforms.*oci:" err &&
	test "$(wc -l <"$REGISTRY_LOG")" = "$before"
'

test_done
