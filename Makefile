# publish-action: build, test, demo.
#
#   make          build/publish
#   make test     deps, build, every test through prove (TAP), unit tests
#                 again under AddressSanitizer + UndefinedBehaviorSanitizer,
#                 and the metadata-action conformance replay when ../shared exists;
#                 t0010 runs tests/helper/check-ownership.py (make ownership alone)
#   make demo     deps, build, local registry, publish the example service, run it
#   make fuzz     libFuzzer targets (clang), FUZZ_SECONDS each (default 60);
#                 TARGET=dockerfile for one (tests/fuzz/README.md)
#   make deps     install missing Debian packages (sudo when not root)

CC      ?= cc
PKGS    := libgit2 libcurl jansson libarchive libcrypto zlib libdeflate libzstd libpcre2-8 yaml-0.1
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS_ALL = -Isrc -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SUBSYS   := lib oci attest registry meta git build github
LIB_SRC  := $(sort $(foreach d,$(SUBSYS),$(wildcard src/$(d)/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
# the option parser goes in the library too, so that its unit test links it
LIB_SRC  += src/cli/parse-options.c
CLI_SRC  := $(filter-out src/cli/parse-options.c,$(CLI_SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
HDRS     := $(foreach d,$(SUBSYS) cli,$(wildcard src/$(d)/*.h)) $(wildcard tests/unit/*.h)

LIB_OBJ  := $(LIB_SRC:src/%.c=build/obj/%.o)
CLI_OBJ  := $(CLI_SRC:src/%.c=build/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/unit/%)
SAN_LIB_OBJ := $(LIB_SRC:src/%.c=build/san/obj/%.o)
SAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/san/unit/%)

# Debian packages: to build, and to run the tests (registry, checkers, docker).
BUILD_DEBS := build-essential pkg-config libgit2-dev libcurl4-openssl-dev libjansson-dev \
	libarchive-dev libssl-dev zlib1g-dev libdeflate-dev libzstd-dev libpcre2-dev libyaml-dev tzdata ca-certificates
TEST_DEBS  := git perl python3 python3-cryptography openssl curl jq docker-registry skopeo \
	umoci busybox-static docker.io podman zstd iproute2 python3-jsonschema
BENCH_DEBS := hyperfine nodejs time python3 openssl curl docker-registry busybox-static skopeo \
	docker.io buildah

# Fuzzing (tests/fuzz/README.md): each tests/fuzz/fuzz-T.c is built with
# clang + libFuzzer into build/fuzz/fuzz-T for `make fuzz`, and with $(CC)
# and replay.c into build/san/fuzz/replay-T, which `make test` runs over
# the committed corpus (t0100).  FUZZ_MAX_LEN_T is the harness's MAX_LEN.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_DEBS    := clang-14 libclang-rt-14-dev python3
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_ALL     := $(FUZZ_SRC:tests/fuzz/fuzz-%.c=%)
FUZZ_TARGETS  = $(if $(TARGET),$(TARGET),$(FUZZ_ALL))
FUZZ_LIB_OBJ := $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
REPLAY_BIN   := $(FUZZ_ALL:%=build/san/fuzz/replay-%)
FUZZ_MAX_LEN_dockerfile   := 8192
FUZZ_MAX_LEN_dockerword   := 2048
FUZZ_MAX_LEN_dockerignore := 4096
FUZZ_MAX_LEN_reference    := 1024
FUZZ_MAX_LEN_auth         := 4096
FUZZ_MAX_LEN_tagrule      := 4096
FUZZ_MAX_LEN_flavor       := 2048
FUZZ_MAX_LEN_expr         := 4096
FUZZ_MAX_LEN_jsregex      := 512
FUZZ_MAX_LEN_semver       := 1024
FUZZ_MAX_LEN_pep440       := 1024

.PHONY: all test unit san deps deps-test demo bench clean fuzz fuzz-build ownership release-bin deps-release
.DELETE_ON_ERROR:

all: build/publish

build/publish: $(CLI_OBJ) build/libpublish.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

build/libpublish.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_ALL) -c -o $@ $<

build/unit/%: tests/unit/%.c build/libpublish.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_ALL) -Itests/unit -o $@ $< build/libpublish.a $(LIBS)

build/san/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SAN) $(WARN) $(CPPFLAGS_ALL) -c -o $@ $<

build/san/libpublish.a: $(SAN_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/san/unit/%: tests/unit/%.c build/san/libpublish.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SAN) $(WARN) $(CPPFLAGS_ALL) -Itests/unit -o $@ $< build/san/libpublish.a $(LIBS)

build/san/fuzz/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c tests/fuzz/fuzz.h build/san/libpublish.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SAN) $(WARN) $(CPPFLAGS_ALL) -Itests/fuzz -o $@ tests/fuzz/replay.c $< build/san/libpublish.a $(LIBS)

build/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) $(CPPFLAGS_ALL) -c -o $@ $<

build/fuzz/libpublish.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h build/fuzz/libpublish.a $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $(WARN) $(CPPFLAGS_ALL) -Itests/fuzz -o $@ $< build/fuzz/libpublish.a $(LIBS)

unit: $(UNIT_BIN)
san: $(SAN_UNIT_BIN) $(REPLAY_BIN)

# Seeds: the test data's inputs (generated) then the committed corpus; new
# inputs go to build/fuzz/corpus/T, crashes to build/fuzz/findings/T/.
fuzz-build:
	@sh tests/helper/deps.sh $(BUILD_DEBS) $(FUZZ_DEBS)
	$(MAKE) $(FUZZ_TARGETS:%=build/fuzz/fuzz-%)

# One target's run, a shell fragment: T's seeds, its -max_len and dictionary.
fuzz_run = mkdir -p build/fuzz/corpus/$(1) build/fuzz/findings/$(1) && \
	echo "fuzz: $(1) for $(FUZZ_SECONDS) s" && \
	build/fuzz/fuzz-$(1) -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN_$(1)) \
		-timeout=10 -print_final_stats=1 -artifact_prefix=build/fuzz/findings/$(1)/ \
		$(addprefix -dict=,$(wildcard tests/fuzz/$(1).dict)) \
		build/fuzz/corpus/$(1) $(wildcard tests/fuzz/corpus/$(1)) || failed="$$failed $(1)";

fuzz: fuzz-build
	python3 tests/fuzz/seed-corpus.py build/fuzz/corpus
	@failed=; $(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t))) \
	if [ -n "$$failed" ]; then echo "fuzz: findings in:$$failed (see build/fuzz/findings/)"; exit 1; fi

# The action's prebuilt image (action/release.sh, README "Releasing the
# action"): build/ARCH/publish for ARCH amd64 or arm64 (cross-compiled with
# gcc-aarch64-linux-gnu and Debian's :arm64 -dev packages), stripped, with
# the libraries that drag a chain of others linked statically (libarchive
# without libxml2 and ICU, libgit2 without mbedtls and http-parser) and
# --gc-sections dropping the code no caller reaches (libarchive's
# format table); libcurl stays shared with what it needs.
ARCH        ?= amd64
REL_TRIPLET  = $(if $(filter arm64,$(ARCH)),aarch64-linux-gnu,x86_64-linux-gnu)
REL_CC       = $(if $(filter arm64,$(ARCH)),aarch64-linux-gnu-gcc,$(CC))
REL_DIR      = build/$(ARCH)
REL_SYSROOT  = $(REL_DIR)/sysroot
REL_PKGCONF  = PKG_CONFIG_LIBDIR=/usr/lib/$(REL_TRIPLET)/pkgconfig:$(REL_SYSROOT)/usr/lib/$(REL_TRIPLET)/pkgconfig pkg-config
REL_STATIC  := -lgit2 -lmbedtls -lmbedx509 -lmbedcrypto -lhttp_parser -larchive -llzma -lbz2 -ljansson -lpcre2-8 -lyaml -ldeflate
REL_SHARED  := -lcurl -lssh2 -lnettle -lzstd -lz -l:liblz4.so.1 -l:libgssapi_krb5.so.2 -lcrypto -lpthread
REL_OBJ      = $(LIB_SRC:src/%.c=$(REL_DIR)/obj/%.o) $(CLI_SRC:src/%.c=$(REL_DIR)/obj/%.o)
CROSS_DEBS  := gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6:arm64 $(foreach p,libcurl4-openssl-dev \
	libjansson-dev libarchive-dev libssl-dev zlib1g-dev libdeflate-dev libzstd-dev libpcre2-dev libmbedtls-dev \
	libssh2-1-dev liblzma-dev libbz2-dev nettle-dev libyaml-dev,$(p):arm64)

release-bin: $(REL_DIR)/publish

$(REL_DIR)/sysroot/.done:
	sh action/sysroot.sh $(ARCH) $(REL_SYSROOT)
	@touch $@

$(REL_DIR)/obj/%.o: src/%.c $(HDRS) $(REL_DIR)/sysroot/.done
	@mkdir -p $(dir $@)
	$(REL_CC) -O2 -g0 $(WARN) -Isrc -D_GNU_SOURCE $(if $(REL_VERSION),-DPUBLISH_VERSION='"$(REL_VERSION)"') \
		$$($(REL_PKGCONF) --cflags $(PKGS)) -c -o $@ $<

$(REL_DIR)/publish: $(REL_OBJ)
	$(REL_CC) -s -Wl,--gc-sections -Wl,--as-needed -o $@ $(REL_OBJ) -L$(REL_SYSROOT)/usr/lib/$(REL_TRIPLET) \
		-Wl,-Bstatic $(REL_STATIC) -Wl,-Bdynamic $(REL_SHARED)

deps-release:
	@sh tests/helper/deps.sh $(BUILD_DEBS) binutils file jq $(if $(filter arm64,$(ARCH)),$(CROSS_DEBS))

deps:
	@sh tests/helper/deps.sh $(BUILD_DEBS)

deps-test:
	@sh tests/helper/deps.sh $(BUILD_DEBS) $(TEST_DEBS) $(CROSS_DEBS)

test: deps-test
	$(MAKE) all unit san
	prove -j2 $(PROVE_OPTS) tests/t[0-9]*.sh $(UNIT_BIN) $(SAN_UNIT_BIN)

# libraries and getenv only in their owners, folders include only what they may
ownership:
	python3 tests/helper/check-ownership.py src

demo:
	@sh tests/helper/deps.sh $(BUILD_DEBS) $(TEST_DEBS)	# not the arm64 cross packages: only t5100 needs them
	$(MAKE) all
	sh tests/helper/demo.sh

bench: all
	@sh tests/helper/deps.sh $(BENCH_DEBS)
	sh bench/run.sh

clean:
	rm -rf build
