#!/bin/sh
# t1140: publish meta, errors (cases in tests/data/meta/errors.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_require PYTHON
meta_cases errors
test_done
