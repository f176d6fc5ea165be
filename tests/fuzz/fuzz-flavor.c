/*
 * fuzz-flavor.c: the `flavor` input of metadata-action, one entry a line
 * (read by metainput_list(), as the action and publish meta read it),
 * through flavor_parse().
 *
 * Checks: an error has a reason; a parsed flavor has latest one of
 * auto/true/false and a prefix and suffix (perhaps empty).
 */
#include "fuzz.h"
#include "meta/flavor.h"
#include "lib/strlist.h"
#include "meta/metainput.h"

#define MAX_LEN 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist entries = STRLIST_INIT;
	struct flavor f = FLAVOR_INIT;
	struct strbuf err = STRBUF_INIT;
	char *in;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	in = xstrndup((const char *)data, size);
	/* the input as the action and publish meta read it: lines, comments, CSV */
	if (metainput_list(in, &entries, &err)) {
		FUZZ_CHECK(err.len > 0);
		goto out;
	}

	if (flavor_parse(&f, &entries, &err)) {
		FUZZ_CHECK(err.len > 0);
	} else {
		FUZZ_CHECK(f.latest && (!strcmp(f.latest, "auto") || !strcmp(f.latest, "true") ||
					!strcmp(f.latest, "false")));
		FUZZ_CHECK(f.prefix && f.suffix);
		flavor_release(&f);
	}

out:
	strbuf_release(&err);
	strlist_release(&entries);
	free(in);
	return 0;
}
