#!/bin/sh
# t1130: publish meta, outputs (cases in tests/data/meta/outputs.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_require PYTHON
meta_cases outputs
test_done
