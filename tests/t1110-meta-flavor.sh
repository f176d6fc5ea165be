#!/bin/sh
# t1110: publish meta, flavor (cases in tests/data/meta/flavor.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_require PYTHON
meta_cases flavor
test_done
