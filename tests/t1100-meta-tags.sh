#!/bin/sh
# t1100: every tag type and its attributes (cases in tests/data/meta/tags.test).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-meta.sh"
test_have_prereq PYTHON || test_skip_all "python3 is needed"
meta_cases tags
test_done
