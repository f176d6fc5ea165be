#!/bin/sh
# t2063: issue 12's first "done when", end to end as a user does it: a
# two-platform image from per-arch files made by earlier workflow steps
# (`COPY dist/app-${TARGETOS}-${TARGETARCH} /app`: a tiny static program
# per architecture, the arm64 one cross-compiled), built by
# `publish build --platform linux/amd64,linux/arm64` and pushed:
# `skopeo inspect --raw` shows the index, `--override-arch arm64` the
# arm64 config and program, and the amd64 image runs under `docker run`.
# (t2061 checks the layout's index, TARGET*, annotations and bad input.)
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"

command -v jq >/dev/null || test_skip_all "no jq"
command -v gcc >/dev/null || test_skip_all "no gcc"
test_require REGISTRY SKOPEO
[ "$(uname -m)" = x86_64 ] || test_skip_all "the docker run check needs an amd64 host"

start_registry || exit 1
start_dockerd || say "no Docker engine: the docker run test is skipped"

SSL_CERT_FILE=$REGISTRY_CA
SOURCE_DATE_EPOCH=1600000000
export SSL_CERT_FILE SOURCE_DATE_EPOCH
R=$REGISTRY
INDEX=application/vnd.oci.image.index.v1+json

sk() {
	skopeo "$@" --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS"
}

test_expect_success 'setup: dist/app-linux-amd64 and dist/app-linux-arm64, static programs' '
	mkdir -p ctx/dist &&
	cat >app.c <<-\EOF &&
	#include <unistd.h>
	int main(void)
	{
		static const char msg[] = "app for " ARCH "\n";
		return write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 1;
	}
	EOF
	gcc -static -Os -s -DARCH="\"linux/amd64\"" -o ctx/dist/app-linux-amd64 app.c &&
	ctx/dist/app-linux-amd64 >out && echo "app for linux/amd64" >expect && test_cmp expect out &&
	if aarch64-linux-gnu-gcc -static -Os -s -DARCH="\"linux/arm64\"" -o ctx/dist/app-linux-arm64 app.c 2>cc.err
	then
		od -An -tx1 -j18 -N2 ctx/dist/app-linux-arm64 | tr -d " " >machine &&
		echo b700 >expect && test_cmp expect machine	# e_machine EM_AARCH64
	else
		say "no aarch64 cross compiler: the arm64 file is a script" &&
		printf "#!/bin/sh\necho app for linux/arm64\n" >ctx/dist/app-linux-arm64
	fi &&
	chmod 755 ctx/dist/* &&
	cat >ctx/Dockerfile <<-\EOF
	FROM scratch
	ARG TARGETOS
	ARG TARGETARCH
	COPY dist/app-${TARGETOS}-${TARGETARCH} /app
	ENTRYPOINT ["/app"]
	EOF
'

test_expect_success 'build both platforms and push the index' '
	publish build -q --context ctx --platform linux/amd64,linux/arm64 --tag app:1 --output oci:layout >digest &&
	echo "$REG_PASS" | publish push -q --username "$REG_USER" --password-stdin oci:layout "$R/multi/app:1"
'

test_expect_success 'skopeo inspect --raw: the index, one manifest per platform' '
	sk inspect --raw "docker://$R/multi/app:1" >index &&
	jq -e ".mediaType == \"$INDEX\"" index &&
	jq -r ".manifests[] | .platform.os + \"/\" + .platform.architecture" index | sort >platforms &&
	printf "%s\n" linux/amd64 linux/arm64 >expect && test_cmp expect platforms &&
	echo "sha256:$(sha256sum index | cut -d" " -f1)" >pushed &&
	test_cmp digest pushed
'

test_expect_success 'skopeo inspect --override-arch arm64: the arm64 config and its program' '
	sk inspect --override-arch arm64 --config "docker://$R/multi/app:1" >config &&
	jq -e ".architecture == \"arm64\" and .os == \"linux\"" config &&
	jq -e ".config.Entrypoint == [\"/app\"]" config &&
	sk inspect --override-arch arm64 "docker://$R/multi/app:1" >inspect &&
	jq -e ".Architecture == \"arm64\"" inspect &&
	arm=$(jq -r ".Layers[0]" inspect) &&
	sk inspect --override-arch amd64 "docker://$R/multi/app:1" | jq -r ".Layers[0]" >amd &&
	test "$arm" != "$(cat amd)" &&
	skopeo --policy "$(_img_policy)" copy -q --src-cert-dir "$REGISTRY_CERT_DIR" \
		--src-creds "$REG_USER:$REG_PASS" --override-arch arm64 "docker://$R/multi/app:1" oci:arm:x &&
	tar xzOf "$(oci_blob arm "$arm")" app >app-arm64 &&
	cmp app-arm64 ctx/dist/app-linux-arm64
'

test_expect_success DOCKER 'the amd64 image runs under docker run (docker pulls it from the index)' '
	container_login &&
	container_pull "$R/multi/app:1" &&
	container_run "$R/multi/app:1" >out &&
	echo "app for linux/amd64" >expect && test_cmp expect out
'

test_done
