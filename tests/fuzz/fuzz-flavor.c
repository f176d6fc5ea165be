/*
 * fuzz-flavor.c: the `flavor` input of metadata-action, one entry a line
 * (empty lines dropped), through flavor_parse().
 *
 * Checks: an error has a reason; a parsed flavor has latest one of
 * auto/true/false and a prefix and suffix (perhaps empty).
 */
#include "fuzz.h"
#include "meta/flavor.h"
#include "lib/strlist.h"

#define MAX_LEN 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist lines = STRLIST_INIT, entries = STRLIST_INIT;
	struct flavor f = FLAVOR_INIT;
	struct strbuf err = STRBUF_INIT;
	char *in;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	in = xstrndup((const char *)data, size);
	strlist_split(&lines, in, '\n');
	for (size_t i = 0; i < lines.nr; i++)
		if (*lines.items[i])
			strlist_push(&entries, lines.items[i]);

	if (flavor_parse(&f, &entries, &err)) {
		FUZZ_CHECK(err.len > 0);
	} else {
		FUZZ_CHECK(f.latest && (!strcmp(f.latest, "auto") || !strcmp(f.latest, "true") ||
					!strcmp(f.latest, "false")));
		FUZZ_CHECK(f.prefix && f.suffix);
		flavor_release(&f);
	}

	strbuf_release(&err);
	strlist_release(&lines);
	strlist_release(&entries);
	free(in);
	return 0;
}
