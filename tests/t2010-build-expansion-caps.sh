#!/bin/sh
# t2010: $VAR expansion is bounded (issue 13): an expanded value over
# 1 MiB, or an image config over 16 MiB, is refused with exit 4 naming
# Dockerfile:LINE, quickly and without allocating the oversized value.
. "$(dirname "$0")/test-lib.sh"

SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH

command -v python3 >/dev/null && command -v jq >/dev/null || test_skip_all "no python3 or jq"
mkdir ctx || exit 1

# ms_since START: milliseconds since START (date +%s%N)
ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

# bomb: ENV A=64 bytes, then B..G each 32 copies of the previous: G would be 2 TB
python3 - <<'PY' || exit 1
lines = ["FROM scratch", "ENV A=" + "a" * 64]
prev = "A"
for v in "BCDEFG":
    lines.append("ENV %s=%s" % (v, ("$" + prev) * 32))
    prev = v
lines.append("LABEL x=$G")
open("bomb.Dockerfile", "w").write("\n".join(lines) + "\n")
# 1 MiB - 64 KiB values: each fits; 20 of them make a 20 MiB config
lines = ["FROM scratch", "ENV A=" + "a" * 64, "ENV B=" + "$A" * 32, "ENV C=" + "$B" * 32,
         "ENV D=" + "$C" * 15]
lines += ["LABEL x%d=$D" % i for i in range(20)]
open("config.Dockerfile", "w").write("\n".join(lines) + "\n")
# a thousand 1 MiB expansions: the total for the file stops it
lines = lines[:5] + ["ENV E%d=$D" % i for i in range(1000)]
open("total.Dockerfile", "w").write("\n".join(lines) + "\n")
PY

test_expect_success 'the ENV bomb is refused at once, in bounded memory, naming its line' '
	test $(wc -c <bomb.Dockerfile) -lt 600 &&
	start=$(date +%s%N) &&
	test_exit_code 4 sh -c "ulimit -v 1000000 && exec publish build --context ctx --file bomb.Dockerfile --output oci:out" 2>stderr &&
	ms=$(ms_since $start) &&
	say "refused in $ms ms" &&
	test $ms -lt 4000 &&
	cat stderr &&
	grep "^error: bomb.Dockerfile:5: ENV D: expanding \$C makes a value longer than 1 MiB" stderr &&
	! test -f out/index.json
'

test_expect_success 'a 100 KB build arg used 32 times in one value is refused' '
	printf "FROM scratch\nARG BIG\nLABEL x=%s\n" "$(python3 -c "print(\"\$BIG\" * 32)")" >ctx/Dockerfile &&
	big=$(python3 -c "print(\"b\" * 100000)") &&
	start=$(date +%s%N) &&
	test_exit_code 4 sh -c "ulimit -v 1000000 && exec publish build --context ctx --build-arg \"BIG=$big\" --output oci:out" 2>stderr &&
	ms=$(ms_since $start) &&
	say "refused in $ms ms" &&
	test $ms -lt 4000 &&
	grep "^error: Dockerfile:3: LABEL x: expanding \$BIG makes a value longer than 1 MiB" stderr
'

test_expect_success 'the same build arg used 10 times fits' '
	printf "FROM scratch\nARG BIG\nLABEL x=%s\n" "$(python3 -c "print(\"\$BIG\" * 10)")" >ctx/Dockerfile &&
	big=$(python3 -c "print(\"b\" * 100000)") &&
	publish build --context ctx --build-arg "BIG=$big" --output oci:ok &&
	m=ok/blobs/sha256/$(jq -r ".manifests[0].digest" ok/index.json | cut -c8-) &&
	c=ok/blobs/sha256/$(jq -r ".config.digest" "$m" | cut -c8-) &&
	test "$(jq -r ".config.Labels.x | length" "$c")" = 1000000
'

test_expect_success 'an image config over 16 MiB is refused' '
	test_exit_code 4 publish build --context ctx --file config.Dockerfile --output oci:out 2>stderr &&
	cat stderr &&
	grep "^error: the image config is [0-9]* bytes, over the 16 MiB limit" stderr &&
	! test -f out/index.json
'

test_expect_success 'the expansions of one Dockerfile are bounded in total' '
	test_exit_code 4 sh -c "ulimit -v 1000000 && exec publish build --context ctx --file total.Dockerfile --output oci:out" 2>stderr &&
	cat stderr &&
	grep "^error: total.Dockerfile:[0-9]*: ENV E[0-9]*: expanding \$D takes the expansions of this Dockerfile over 64 MiB in total" stderr
'

test_expect_success 'substitutions nested too deep are refused' '
	python3 -c "print(\"FROM scratch\nLABEL x=\" + \"\${A:-\" * 100 + \"y\" + \"}\" * 100)" >ctx/Dockerfile &&
	test_exit_code 4 publish build --context ctx --output oci:out 2>stderr &&
	grep "^error: Dockerfile:2: LABEL x: substitutions nested more than 64 deep" stderr
'

test_done
