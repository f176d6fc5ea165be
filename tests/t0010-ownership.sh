#!/bin/sh
# t0010: tests/helper/check-ownership.py: libarchive, libgit2, jansson's
# json_error_t, libcurl and getenv() are used only in the files that own
# them, and each folder of src/ includes only the folders it may (lib:
# libc only; oci: lib; registry: oci, lib; meta: lib; build: oci,
# registry, lib; github: meta, build, registry, oci, lib; cli: all).  The
# checker runs on the real tree, then on copies of it under $TRASH with
# one violation added each, which it must name as FILE:LINE.
. "$(dirname "$0")/test-lib.sh"

CHECK=$HELPER/check-ownership.py
test_have_prereq PYTHON || test_skip_all "no python3"

# fresh: a copy of src/ in ./src, without violations beyond the known exceptions
fresh() { rm -rf src && cp -R "$ROOT/src" src; }

test_expect_success 'src/ keeps the ownership rules' '
	python3 "$CHECK" "$ROOT/src" >out 2>&1 || { cat out; false; } &&
	! test -s out
'

test_expect_success 'a copy of src/ passes' '
	fresh && python3 "$CHECK" src
'

test_expect_success 'getenv in meta is refused with FILE:LINE' '
	fresh &&
	printf "#include <stdlib.h>\n\nconst char *meta_home(void) { return getenv(\"HOME\"); }\n" >src/meta/home.c &&
	test_exit_code 1 python3 "$CHECK" src >out &&
	cat out &&
	grep "^src/meta/home.c:3: getenv outside its owners" out &&
	test_line_count out = 1
'

test_expect_success 'getenv in a comment or a string is not a use' '
	fresh &&
	printf "/* getenv() is not called here, nor curl_easy_perform() */\nconst char *s = \"getenv archive_read_new json_error_t\";\n" >src/meta/quiet.c &&
	python3 "$CHECK" src
'

test_expect_success 'json_error_t, curl_*, archive_* and git_* outside their owners' '
	fresh &&
	printf "#include <jansson.h>\nstatic json_error_t e;\n" >src/registry/j.c &&
	printf "#include <curl/curl.h>\n\nvoid f(void) { curl_global_init(0); }\n" >src/build/c.c &&
	printf "void g(void)\n{\n\tarchive_write_new();\n}\n" >src/oci/a.c &&
	printf "int h(void) { return git_libgit2_init(); }\n" >src/meta/g.h &&
	test_exit_code 1 python3 "$CHECK" src >out &&
	cat out &&
	grep "^src/registry/j.c:2: json_error_t outside its owners (oci/image.c, oci/manifest.c)" out &&
	grep "^src/build/c.c:3: curl_global_init outside its owners (registry/http.c)" out &&
	grep "^src/oci/a.c:3: archive_write_new outside its owners (build/layer.c)" out &&
	grep -F "src/meta/g.h:1: git_libgit2_init outside its owners (build/build.c, git/*)" out &&
	test_line_count out = 4
'

test_expect_success 'the owner of a symbol may use it' '
	fresh &&
	printf "\nconst char *cmd_x_home(void) { return getenv(\"HOME\"); }\n" >>src/cli/main.c &&
	python3 "$CHECK" src
'

test_expect_success 'a folder that includes a folder it may not is refused with FILE:LINE' '
	fresh &&
	printf "#include \"lib/strbuf.h\"\n#include \"oci/reference.h\"\n" >src/lib/x.c &&
	printf "#include \"meta/semver.h\"\n" >src/registry/y.h &&
	printf "#include \"registry/http.h\"\n" >src/meta/z.c &&
	printf "#include \"cli/builtin.h\"\n" >src/github/w.c &&
	test_exit_code 1 python3 "$CHECK" src >out &&
	cat out &&
	grep "^src/lib/x.c:2: lib may not include oci/reference.h (allowed: libc only)" out &&
	grep "^src/registry/y.h:1: registry may not include meta/semver.h" out &&
	grep "^src/meta/z.c:1: meta may not include registry/http.h (allowed: lib)" out &&
	grep "^src/github/w.c:1: github may not include cli/builtin.h" out &&
	test_line_count out = 4
'

test_expect_success 'allowed includes pass: cli any, github build, build registry' '
	fresh &&
	printf "#include \"github/action.h\"\n#include \"meta/meta.h\"\n" >src/cli/ok.c &&
	printf "#include \"build/build.h\"\n" >src/github/ok.c &&
	printf "#include \"registry/registry.h\"\n#include \"oci/image.h\"\n" >src/build/ok.c &&
	python3 "$CHECK" src
'

test_expect_success 'a new folder needs a rule' '
	fresh &&
	mkdir src/extra && printf "int x;\n" >src/extra/x.c &&
	test_exit_code 1 python3 "$CHECK" src >out &&
	grep "^src/extra/x.c:1: folder .extra. has no rule" out
'

test_expect_success 'a known exception that no longer occurs must be removed from the list' '
	fresh &&
	grep -v "#include \"github/ghctx.h\"" src/meta/meta.c >meta.c && mv meta.c src/meta/meta.c &&
	test_exit_code 1 python3 "$CHECK" src >out &&
	cat out &&
	grep "known exception .include github. in meta/meta.c no longer occurs" out &&
	test_line_count out = 1
'

test_done
