#!/bin/sh
# t2051: unchanged layers are reused from the previous image (an OCI
# layout, PUBLISH_REUSE_FROM) without being written, and the result is
# byte for byte a full build; a dirty or untracked file, a changed
# .dockerignore, a changed build arg each rebuild the layers they touch,
# and only those.
. "$(dirname "$0")/test-lib.sh"

command -v jq >/dev/null || test_skip_all "no jq"

# reused ERRFILE: the layers' Dockerfile lines noted as reused, one a line
reused() { sed -n 's/^.*Dockerfile:\([0-9]*\) [A-Z]*: .*, reused$/\1/p' "$1" | tr '\n' ' '; }

test_expect_success 'setup: a repository with three layers, a previous build' '
	git init -q src && (
		cd src &&
		mkdir -p deps/lib app web &&
		for i in 1 2 3 4; do echo "dep $i" >deps/lib/d$i.js; done &&
		printf "#!/bin/sh\necho app\n" >app/run && chmod 755 app/run &&
		echo "v1" >app/version &&
		echo "<h1>hi</h1>" >web/index.html && echo "notes" >web/NOTES &&
		printf "%s\n" "FROM scratch" "ARG WEB=/srv/web" "COPY deps /opt/deps/" "COPY app /opt/app/" \
			"COPY web \$WEB/" >Dockerfile &&
		git add -A && git commit -qm one
	) &&
	publish build --context src --output oci:prev >d0 2>err0 &&
	test "$(reused err0)" = ""
'

test_expect_success 'the manifest records a key for each layer' '
	m=prev/blobs/sha256/$(cut -c8- d0) &&
	jq -r ".annotations[\"dev.publish-action.layer-keys\"]" "$m" | tr " " "\n" >keys &&
	test_line_count keys = 3 &&
	grep -c "^sha256:[0-9a-f]\{64\}$" keys >n && test "$(cat n)" = 3
'

test_expect_success 'nothing changed: every layer reused, the same image' '
	PUBLISH_REUSE_FROM=prev publish build --context src --output oci:r1 >d1 2>err &&
	test "$(reused err)" = "3 4 5 " &&
	test_cmp d0 d1 &&
	(cd prev && find . -type f | sort | xargs sha256sum) >s0 &&
	(cd r1 && find . -type f | sort | xargs sha256sum) >s1 &&
	test_cmp s0 s1
'

test_expect_success '--reuse-from DIR is the same as PUBLISH_REUSE_FROM=DIR' '
	publish build --reuse-from prev --context src --output oci:r1b >d1b 2>err &&
	test "$(reused err)" = "3 4 5 " &&
	test_cmp d0 d1b &&
	publish build --reuse-from oci:prev --context src >d1c 2>err &&
	test "$(reused err)" = "3 4 5 " &&
	test_cmp d0 d1c
'

test_expect_success 'a commit changing one layer: it alone is built, the image is a full build' '
	(cd src && echo v2 >app/version && GIT_COMMITTER_DATE="2021-01-01T00:00:00Z" git commit -qam v2) &&
	PUBLISH_REUSE_FROM=prev publish build --context src --output oci:r2 >d2 2>err &&
	test "$(reused err)" = "3 5 " &&
	publish build --context src --output oci:full2 >f2 &&
	test_cmp f2 d2 &&
	! test_cmp d0 d2 >/dev/null
'

test_expect_success 'a dirty file rebuilds its layer only' '
	echo local >>src/deps/lib/d2.js &&
	PUBLISH_REUSE_FROM=full2 publish build --context src >d3 2>err &&
	test "$(reused err)" = "4 5 " &&
	publish build --context src >f3 &&
	test_cmp f3 d3 &&
	(cd src && git checkout -q deps)
'

test_expect_success 'an untracked file rebuilds its layer only' '
	echo extra >src/web/extra.html &&
	PUBLISH_REUSE_FROM=full2 publish build --context src >d4 2>err &&
	test "$(reused err)" = "3 4 " &&
	publish build --context src >f4 &&
	test_cmp f4 d4 &&
	rm src/web/extra.html
'

test_expect_success 'a changed .dockerignore rebuilds the layers it changes only' '
	echo "web/NOTES" >src/.dockerignore &&
	PUBLISH_REUSE_FROM=full2 publish build --context src >d5 2>err &&
	test "$(reused err)" = "3 4 " &&
	publish build --context src >f5 &&
	test_cmp f5 d5 &&
	rm src/.dockerignore
'

test_expect_success 'a changed build arg rebuilds the layers it changes only' '
	PUBLISH_REUSE_FROM=full2 publish build --context src --build-arg WEB=/var/www >d6 2>err &&
	test "$(reused err)" = "3 4 " &&
	publish build --context src --build-arg WEB=/var/www >f6 &&
	test_cmp f6 d6
'

test_expect_success 'another compression reuses nothing' '
	PUBLISH_REUSE_FROM=full2 publish build --context src --compression zstd >d7 2>err &&
	test "$(reused err)" = "" &&
	publish build --context src --compression zstd >f7 &&
	test_cmp f7 d7
'

test_expect_success 'a stat-dirty but unchanged checkout still reuses (git compares the content)' '
	git clone -q src other &&
	(cd other && find . -path ./.git -prune -o -type f -exec touch -d "2030-01-01" {} +) &&
	PUBLISH_REUSE_FROM=full2 publish build --context other >d8 2>err &&
	test "$(reused err)" = "3 4 5 " &&
	test_cmp f2 d8
'

test_expect_success 'a previous layout without keys or missing is a warning, and every layer is built' '
	PUBLISH_REUSE_FROM=nowhere publish build --context src >d9 2>err &&
	grep "warning: not reusing layers from .nowhere." err &&
	test "$(reused err)" = "" &&
	test_cmp f2 d9 &&
	rm -f full2/blobs/sha256/$(jq -r ".layers[0].digest" full2/blobs/sha256/$(cut -c8- f2) | cut -c8-) &&
	PUBLISH_REUSE_FROM=full2 publish build --context src >d10 2>err &&
	test "$(reused err)" = "4 5 " &&
	test_cmp f2 d10
'

test_expect_success 'outside git: the same layers, and no key recorded (no file hashed for one)' '
	mkdir plain && (cd src && git archive HEAD) | tar -C plain -xf - && chmod -R go-w plain &&
	SOURCE_DATE_EPOCH=1000 publish build --context src --output oci:g >dg &&
	SOURCE_DATE_EPOCH=1000 publish build --context plain --output oci:p >dp 2>/dev/null &&
	mg=g/blobs/sha256/$(cut -c8- dg) && mp=p/blobs/sha256/$(cut -c8- dp) &&
	jq -c "[.config, .layers]" "$mg" >lg && jq -c "[.config, .layers]" "$mp" >lp &&
	test_cmp lg lp &&
	test "$(jq -r ".annotations[\"dev.publish-action.layer-keys\"]" "$mp")" = "- - -" &&
	jq -r ".annotations[\"dev.publish-action.layer-keys\"]" "$mg" | tr " " "\n" | grep -c "^sha256:" >n &&
	test "$(cat n)" = 3 &&
	echo dirty >>src/web/NOTES && echo dirty >>plain/web/NOTES &&
	SOURCE_DATE_EPOCH=1000 PUBLISH_REUSE_FROM=g publish build --context src --output oci:g2 >dg2 2>err &&
	test "$(reused err)" = "3 4 " &&
	SOURCE_DATE_EPOCH=1000 PUBLISH_REUSE_FROM=g publish build --context plain --output oci:p2 >dp2 2>err &&
	test "$(reused err)" = "" &&
	mg=g2/blobs/sha256/$(cut -c8- dg2) && mp=p2/blobs/sha256/$(cut -c8- dp2) &&
	jq -c "[.config, .layers]" "$mg" >lg && jq -c "[.config, .layers]" "$mp" >lp &&
	test_cmp lg lp &&
	jq -r ".annotations[\"dev.publish-action.layer-keys\"]" "$mg" | tr " " "\n" | grep -c "^sha256:" >n &&
	test "$(cat n)" = 3 &&
	test "$(jq -r ".annotations[\"dev.publish-action.layer-keys\"]" "$mp")" = "- - -" &&
	(cd src && git checkout -q web)
'

test_expect_success 'a file git filters (eol=crlf): its bytes are not the blob, so they are read and hashed, and the layer reused by them' '
	(cd src && echo "app/version text eol=crlf" >.gitattributes && git add .gitattributes &&
	 rm app/version && git checkout -q app/version && git commit -qm attrs) &&
	grep -q "$(printf "\r")" src/app/version &&
	publish build --context src --output oci:full3 >f11 &&
	PUBLISH_REUSE_FROM=full3 publish build --context src >d11 2>err &&
	test "$(reused err)" = "3 4 5 " &&
	test_cmp f11 d11
'

test_expect_success 'untracked files (an npm ci'\''s ignored node_modules) are hashed, and their layer reused when their bytes are the same' '
	git init -q nm && mkdir -p nm/node_modules/dep nm/app &&
	echo "module.exports = 1;" >nm/node_modules/dep/index.js && echo "main" >nm/app/main.js &&
	echo "node_modules/" >nm/.gitignore &&
	printf "%s\n" "FROM scratch" "COPY node_modules /app/node_modules/" "COPY app /app/" >nm/Dockerfile &&
	(cd nm && git add -A && git commit -qm nm) &&
	test -z "$(git -C nm ls-files node_modules)" &&
	publish build --context nm --output oci:nm1 >n1 &&
	# installed again: the same bytes, another mtime
	touch -d "2001-02-03 04:05:06" nm/node_modules/dep/index.js &&
	PUBLISH_REUSE_FROM=nm1 publish build --context nm --output oci:nm2 >n2 2>err &&
	test "$(reused err)" = "2 3 " &&
	test_cmp n1 n2 &&
	# hashed on 1 or 8 threads: the same keys
	for n in 1 8; do
		PUBLISH_THREADS=$n PUBLISH_REUSE_FROM=nm1 publish build --context nm >n2t 2>err &&
		test "$(reused err)" = "2 3 " && test_cmp n1 n2t || return 1
	done &&
	# a dependency changed: its layer built, the other reused, a full build'\''s image
	echo "module.exports = 2;" >nm/node_modules/dep/index.js &&
	PUBLISH_REUSE_FROM=nm2 publish build --context nm >n3 2>err &&
	test "$(reused err)" = "3 " &&
	publish build --context nm --output oci:nm3 >n3full &&
	test_cmp n3full n3
'

test_done
