# lib-meta.sh: run every case of tests/data/meta/$1.test as a test
# (sourced by the t1xxx-meta-*.sh scripts after test-lib.sh).
meta_cases() {
	_file=$TEST_DIR/data/meta/$1.test
	_n=$(python3 "$HELPER/meta-cases.py" "$PUBLISH" "$_file" count) || return 1
	_i=1
	while [ "$_i" -le "$_n" ]; do
		_name=$(python3 "$HELPER/meta-cases.py" "$PUBLISH" "$_file" "name$_i")
		test_expect_success "$1: $_name" "python3 \"\$HELPER/meta-cases.py\" \"\$PUBLISH\" \"$_file\" $_i"
		_i=$((_i + 1))
	done
}
