/*
 * test-datefmt.c: moment.js format() in moment-timezone zones, against
 * tests/data/datefmt.cases (computed with moment-timezone), plus the
 * zone errors and the TZ environment being left as it was.
 */
#include "lib/common.h"
#include "meta/datefmt.h"
#include "tap.h"
#include "casefile.h"

static void run_case(const struct case_block *b, const char *file)
{
	const char *ms = case_get(b, "ms"), *tz = case_get(b, "tz");
	const char *fmt = case_get(b, "fmt"), *want = case_get(b, "out");
	struct strbuf sb = STRBUF_INIT;
	char shown[128];
	int rc;

	if (!ms || !fmt || !want) {
		ok(0, "case at line %d is incomplete", b->line);
		return;
	}
	/* the description stays on one TAP line */
	snprintf(shown, sizeof(shown), "%s", fmt);
	for (char *p = shown; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = '?';
	rc = datefmt_format(strtoll(ms, NULL, 10), fmt, tz, &sb);
	if (!ok(rc == 0, "line %d: formats", b->line))
		printf("#   error: %s\n", error_last());
	is_str(sb.buf, want, "line %d: %s in %s", b->line, shown, tz ? tz : "UTC");
	strbuf_release(&sb);
}

static void refuses_zone(const char *tz)
{
	struct strbuf sb = STRBUF_INIT;

	is_int(datefmt_format(0, "YYYY", tz, &sb), -EXIT_INPUT, "zone '%s' refused", tz);
	is_int(sb.len, 0, "and nothing written");
	is_int(datefmt_zone_check(tz), -EXIT_INPUT, "zone_check refuses '%s'", tz);
	strbuf_release(&sb);
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	int n;

	if ((n = casefile_run("datefmt.cases", run_case)) < 0)
		return tap_done();
	ok(n > 1000, "ran %d cases", n);

	error_set_quiet(1);
	refuses_zone("Nope/Zone");
	refuses_zone("");
	refuses_zone("../../../etc/passwd");
	refuses_zone("Asia/../Asia/Tokyo");
	refuses_zone("/usr/share/zoneinfo/Asia/Tokyo");
	refuses_zone("Asia/");
	refuses_zone("Asia");
	refuses_zone("zone.tab");
	refuses_zone("right/Asia/Tokyo");
	is_str(error_last(), "unknown time zone 'right/Asia/Tokyo'", "the message names the zone");
	ok(datefmt_zone_check(NULL) == 0, "NULL is UTC");
	ok(datefmt_zone_check("Asia/Tokyo") == 0, "Asia/Tokyo is known");
	ok(datefmt_zone_check("AMERICA/NEW_YORK") == 0, "zone names ignore case");

	is_int(datefmt_format(8640000000000001LL, "x", NULL, &sb), -EXIT_INPUT, "past JS Date range");
	is_int(datefmt_format(0, "\n\n", NULL, &sb), -EXIT_INPUT, "a format of line breaks only");
	is_int(sb.len, 0, "nothing written on errors");

	/* TZ is restored, set or unset */
	setenv("TZ", "America/Denver", 1);
	ok(datefmt_format(0, "HH Z", "Asia/Tokyo", &sb) == 0, "format with TZ set");
	is_str(sb.buf, "09 +09:00", "zone applied");
	is_str(getenv("TZ"), "America/Denver", "TZ restored");
	unsetenv("TZ");
	strbuf_reset(&sb);
	ok(datefmt_format(0, "HH", "Europe/Paris", &sb) == 0, "format with TZ unset");
	is_str(sb.buf, "01", "zone applied");
	ok(getenv("TZ") == NULL, "TZ left unset");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "tag-");
	ok(datefmt_format(1705287845678LL, "YYYYMMDD", NULL, &sb) == 0, "appends");
	is_str(sb.buf, "tag-20240115", "to what out held");
	strbuf_release(&sb);
	return tap_done();
}
