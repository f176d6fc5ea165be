#!/bin/sh
# t1120: publish meta, expressions (cases in tests/data/meta/expressions.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_require PYTHON
meta_cases expressions
test_done
