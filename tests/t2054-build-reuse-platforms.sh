#!/bin/sh
# t2054: --reuse-from REGISTRY/REPO:TAG with several platforms: the
# previous image is an index, and each platform reuses the unchanged
# layers of its own manifest there (its keys, its config's diff_ids).
# The index layout lacks the reused blobs and names them (their union)
# on its descriptor, so that push knows them in the same repository; the
# result is byte for byte a full build of both platforms.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"

test_require REGISTRY
command -v jq >/dev/null || test_skip_all "no jq"

start_registry one || exit 1
DOCKER_CONFIG=$TRASH/dc
SSL_CERT_FILE=$REGISTRY_CA
export DOCKER_CONFIG SSL_CERT_FILE
registry_docker_config "$DOCKER_CONFIG" || exit 1
PLATS=linux/amd64,linux/arm64

# reused ERRFILE: how many layers are noted as reused
reused() { grep -c "Dockerfile:[0-9]* [A-Z]*: .*, reused$" "$1" || :; }

test_expect_success 'setup: a repository with three layers, its two-platform index pushed as app:main' '
	git init -q src && (
		cd src &&
		mkdir -p deps app web &&
		for i in 1 2 3; do echo "dep $i" >deps/d$i.js; done &&
		echo "v1" >app/version &&
		echo "<h1>hi</h1>" >web/index.html &&
		printf "%s\n" "FROM scratch" "COPY deps /opt/deps/" "COPY app /opt/app/" "COPY web /srv/web/" \
			>Dockerfile &&
		git add -A && git commit -qm one
	) &&
	publish build --platform $PLATS --context src --output oci:one >d0 &&
	publish push oci:one "$REGISTRY/app:main" >p0 2>err &&
	test_cmp d0 p0
'

test_expect_success "a one-line change: that layer alone is built, once (the second platform takes the first's), the index a full build's" '
	(cd src && echo v2 >app/version && GIT_COMMITTER_DATE="2021-01-01T00:00:00Z" git commit -qam v2) &&
	publish build --platform $PLATS --reuse-from "$REGISTRY/app:main" --context src --thin-layout \
		--output oci:r2 >d2 2>err &&
	! grep "not reused" err &&
	test "$(grep -c "reusing unchanged layers from .$REGISTRY/app@sha256:" err)" = 2 &&
	test "$(reused err)" = 5 &&
	test "$(grep -c "^Dockerfile:3 COPY: .*, reused$" err)" = 1 &&
	test "$(grep -c "^Dockerfile:3 COPY: .*[0-9] bytes$" err)" = 1 &&
	publish build --platform $PLATS --context src --output oci:full2 >f2 &&
	test_cmp f2 d2
'

test_expect_success 'the index layout names the reused blobs; push knows them, uploads no layer of them' '
	jq -r ".manifests[0].annotations[\"dev.publish-action.reused-from\"]" r2/index.json >from &&
	grep "^$REGISTRY/app@sha256:[0-9a-f]\{64\}$" from &&
	jq -r ".manifests[0].annotations[\"dev.publish-action.reused-blobs\"]" r2/index.json | tr " " "\n" >blobs &&
	test "$(grep -c "^sha256:" blobs)" = 2 &&
	for d in $(cat blobs); do
		! test -e "r2/blobs/sha256/${d#sha256:}" || return 1
	done &&
	publish push oci:r2 "$REGISTRY/app:main" >p2 2>err &&
	test_cmp d2 p2 &&
	for d in $(cat blobs); do
		grep "^exists  $d " err || return 1
	done
'

test_done
