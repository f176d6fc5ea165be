#!/bin/sh
# t0100: the fuzz harnesses (tests/fuzz/) replayed once over the committed
# corpus and regression inputs, built with the tests' compiler and
# ASan + UBSan (build/san/fuzz/replay-T, `make san`).  No fuzzing: seconds.
# A known crash or hang, kept in tests/fuzz/crashes/T/ until src/ is
# fixed, is a TAP TODO: it does not fail the run, and says so when it
# stops crashing.  A hang is cut after KNOWN_CRASH_LIMIT seconds.
. "$(dirname "$0")/test-lib.sh"

FUZZ=$ROOT/tests/fuzz
REPLAY=$BUILD/san/fuzz
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
KNOWN_CRASH_LIMIT=${KNOWN_CRASH_LIMIT:-3}

# test_known_crash 'description' 'body': a TODO test, expected to fail
test_known_crash() {
	test_count=$((test_count + 1))
	if _test_run "$2"; then
		echo "ok $test_count - $1 # TODO known crash no longer crashes: move it to tests/fuzz/corpus/"
	else
		echo "not ok $test_count - $1 # TODO known crash, see tests/fuzz/README.md"
	fi
}

for src in "$FUZZ"/fuzz-*.c; do
	t=${src##*/fuzz-}
	t=${t%.c}
	test_expect_success "$t: replay binary is built and the corpus is there" '
		test -x "$REPLAY/replay-$t" &&
		ls "$FUZZ/corpus/$t"/* >/dev/null
	'
	test_expect_success "$t: corpus and regression inputs replay without a finding" '
		"$REPLAY/replay-$t" "$FUZZ/corpus/$t"/* 2>err || { tail -n 40 err; false; }
	'
	for crash in "$FUZZ/crashes/$t"/*; do
		[ -f "$crash" ] || continue
		test_known_crash "$t: known crash ${crash##*/}" '
			timeout "$KNOWN_CRASH_LIMIT" "$REPLAY/replay-$t" "$crash"
		'
	done
done

test_expect_success 'an input the driver cannot read fails the replay (exit 2)' '
	printf "1.2.3" >in &&
	test_exit_code 2 "$REPLAY/replay-semver" in missing-file 2>err &&
	grep "cannot read .missing-file." err
'

test_done
