#!/bin/sh
# t1120: publish meta, expressions (cases in tests/data/meta/expressions.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_have_prereq PYTHON || test_skip_all "python3 is needed"
meta_cases expressions
test_done
