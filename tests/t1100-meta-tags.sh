#!/bin/sh
# t1100: every tag type and its attributes (cases in tests/data/meta/tags.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_require PYTHON
meta_cases tags
test_done
