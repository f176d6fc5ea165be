#!/bin/sh
# t2004: .dockerignore, case by case (tests/data/dockerignore-cases.txt):
# what `COPY . /ctx/` puts in the image matches the documented expectation
# and, when a Docker engine runs here (prereq DOCKER), what a real
# `docker build` (BuildKit) puts in the image for the same context.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-docker.sh"

command -v jq >/dev/null || test_skip_all "no jq"
CASES=$TEST_DIR/data/dockerignore-cases.txt
SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH

start_dockerd >/dev/null 2>&1
ENGINE_MAJOR=0
if test_have_prereq DOCKER; then
	ENGINE_MAJOR=$("$DOCKER" version --format "{{.Server.Version}}" 2>/dev/null | cut -d. -f1)
	say "docker engine $("$DOCKER" version --format "{{.Server.Version}}" 2>/dev/null)"
fi

# split_case N DIR: case N's files into the context DIR with its
# .dockerignore; its sections and fields into DIR.d, its name into DIR.name
split_case() {
	mkdir -p "$2" &&
	casefile_split "$CASES" "$1" "$2.d" >"$2.name" &&
	sed '/^[[:space:]]*$/d' "$2.d/files" >"$2.files" &&
	sed '/^[[:space:]]*$/d' "$2.d/expect" >"$2.expect" &&
	if [ -f "$2.d/.dockerignore" ]; then cp "$2.d/.dockerignore" "$2/.dockerignore"; fi &&
	if [ -f "$2.d/engine.field" ]; then cp "$2.d/engine.field" "$2.engine"; fi &&
	while IFS= read -r f; do
		case "$f" in
		*/) mkdir -p "$2/$f" ;;
		*) mkdir -p "$2/$(dirname "$f")" && echo "$f" >"$2/$f" ;;
		esac
	done <"$2.files" &&
	printf "FROM scratch\nCOPY . /ctx/\n" >"$2/Dockerfile"
}

# ctx_listing: paths under ctx/ of a tar on stdin, sorted, without ctx/ and trailing '/'
ctx_listing() {
	sed -n "s|^\./||; s|^ctx/||p" | sed "s|/\$||" | grep -v "^\$" | LC_ALL=C sort
}

n=$(casefile_count "$CASES") || exit 1
i=1
while [ $i -le $n ]; do
	split_case $i case$i || exit 1
	test_expect_success "publish: $(cat case$i.name)" "
		publish build --context case$i --output oci:out$i >digest$i &&
		m=out$i/blobs/sha256/\$(cut -c8- digest$i) &&
		l=out$i/blobs/sha256/\$(jq -r '.layers[0].digest' \"\$m\" | cut -c8-) &&
		gzip -dc <\"\$l\" | tar tf - | ctx_listing >actual$i &&
		test_cmp case$i.expect actual$i
	"
	prereq=DOCKER
	if [ -f case$i.engine ] && [ "${ENGINE_MAJOR:-0}" -lt "$(cat case$i.engine)" ]; then
		prereq=DOCKER_ENGINE_$(cat case$i.engine)
	fi
	test_expect_success $prereq "docker build agrees: $(cat case$i.name)" "
		DOCKER_BUILDKIT=1 \"\$DOCKER\" build -q -t ign$i case$i >/dev/null &&
		\"\$DOCKER\" create --name c$i ign$i /none >/dev/null &&
		\"\$DOCKER\" export c$i | tar tf - | ctx_listing >docker$i &&
		\"\$DOCKER\" rm c$i >/dev/null &&
		test_cmp docker$i actual$i
	"
	i=$((i + 1))
done

test_done
