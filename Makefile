# publish-action: build, test, demo.
#
#   make          build/publish
#   make test     deps, build, every test through prove (TAP), unit tests
#                 again under AddressSanitizer + UndefinedBehaviorSanitizer,
#                 and the metadata-action conformance replay when ../shared exists
#   make demo     deps, build, local registry, publish the example service, run it
#   make deps     install missing Debian packages (sudo when not root)

CC      ?= cc
PKGS    := libgit2 libcurl jansson libarchive libcrypto zlib libzstd libpcre2-8
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS_ALL = -Isrc -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SUBSYS   := lib oci registry meta git build github
LIB_SRC  := $(sort $(foreach d,$(SUBSYS),$(wildcard src/$(d)/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
HDRS     := $(foreach d,$(SUBSYS) cli,$(wildcard src/$(d)/*.h)) $(wildcard tests/unit/*.h)

LIB_OBJ  := $(LIB_SRC:src/%.c=build/obj/%.o)
CLI_OBJ  := $(CLI_SRC:src/%.c=build/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/unit/%)
SAN_LIB_OBJ := $(LIB_SRC:src/%.c=build/san/obj/%.o)
SAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/san/unit/%)

# Debian packages: to build, and to run the tests (registry, checkers, docker).
BUILD_DEBS := build-essential pkg-config libgit2-dev libcurl4-openssl-dev libjansson-dev \
	libarchive-dev libssl-dev zlib1g-dev libzstd-dev libpcre2-dev tzdata ca-certificates
TEST_DEBS  := git perl python3 python3-cryptography openssl curl jq docker-registry skopeo \
	umoci busybox-static docker.io podman zstd iproute2
BENCH_DEBS := hyperfine nodejs time python3 openssl curl docker-registry busybox-static skopeo \
	docker.io buildah

.PHONY: all test unit san deps deps-test demo bench clean
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

unit: $(UNIT_BIN)
san: $(SAN_UNIT_BIN)

deps:
	@sh tests/deps.sh $(BUILD_DEBS)

deps-test:
	@sh tests/deps.sh $(BUILD_DEBS) $(TEST_DEBS)

test: deps-test
	$(MAKE) all unit san
	prove -j2 $(PROVE_OPTS) tests/t[0-9]*.sh $(UNIT_BIN) $(SAN_UNIT_BIN)

demo: deps-test
	$(MAKE) all
	sh tests/demo.sh

bench: all
	@sh tests/deps.sh $(BENCH_DEBS)
	sh bench/run.sh

clean:
	rm -rf build
