/*
 * test-flavor.c: flavor_parse(): latest, prefix and suffix with their
 * onlatest, and a bad onlatest refused naming the key.
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "meta/flavor.h"
#include "tap.h"

int main(void)
{
	struct strlist in = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	struct flavor f;

	strlist_push(&in, "prefix=p-,onlatest=true");
	strlist_push(&in, "latest=false");
	ok(flavor_parse(&f, &in, &err) == 0 && !strcmp(f.latest, "false") && !strcmp(f.prefix, "p-") &&
	   f.prefix_latest && !f.suffix_latest, "flavor");
	flavor_release(&f);
	strlist_release(&in);
	strlist_push(&in, "suffix=-s,onlatest=maybe");
	strbuf_reset(&err);
	ok(flavor_parse(&f, &in, &err) < 0 && strstr(err.buf, "onlatest"), "bad onlatest");
	strlist_release(&in);
	strbuf_release(&err);
	return tap_done();
}
