#!/bin/sh
# t1110: publish meta, flavor (cases in tests/data/meta/flavor.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_have_prereq PYTHON || test_skip_all "python3 is needed"
meta_cases flavor
test_done
