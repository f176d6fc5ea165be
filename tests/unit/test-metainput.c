/*
 * test-metainput.c: metainput_list() reads an input list as
 * metadata-action does: '#' comments, trimmed lines, quoted commas kept.
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "meta/metainput.h"
#include "tap.h"

static const char *joined(const struct strlist *l)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	strlist_join(l, "|", &sb);
	return sb.buf;
}

int main(void)
{
	struct strlist f = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;

	ok(metainput_list("# c\n  one  \r\n\ntype=match,\"pattern=\\d{1,2}\"\nk=v#x\n", &f, &err) == 0,
	   "input list parses");
	is_str(joined(&f), "one|type=match,\"pattern=\\d{1,2}\"|k=v#x", "input list: comments, trim, quoted commas");
	strlist_release(&f);
	strbuf_release(&err);
	return tap_done();
}
