/*
 * test-ghctx.c: the timestamps of the GitHub context: ghctx_parse_time()
 * reads what JavaScript's Date reads (offsets, milliseconds, a bare date),
 * ghctx_format_iso() writes what toISOString() writes.
 */
#include "lib/common.h"
#include "github/ghctx.h"
#include "tap.h"

static void test_time(void)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t ms;

	ok(ghctx_parse_time("2020-01-10T01:30:00+01:00", &ms) == 0 && ms == 1578616200000LL, "offset time");
	ok(ghctx_parse_time("2020-01-10T00:30:00.250Z", &ms) == 0 && ms == 1578616200250LL, "milliseconds");
	ok(ghctx_parse_time("2020-01-10", &ms) == 0 && ms == 1578614400000LL, "a bare date is UTC midnight");
	ok(ghctx_parse_time("yesterday", &ms) < 0, "not a time");
	ghctx_format_iso(1578616200250LL, &sb);
	is_str(sb.buf, "2020-01-10T00:30:00.250Z", "toISOString");
	strbuf_reset(&sb);
	ghctx_format_iso(-1, &sb);
	is_str(sb.buf, "1969-12-31T23:59:59.999Z", "before the epoch");
	strbuf_release(&sb);
}

int main(void)
{
	test_time();
	return tap_done();
}
