/*
 * test-csvrec.c: csvrec_split() in strict and relaxed quoting;
 * csvrec_join() is its inverse for fields holding quotes, commas and line
 * breaks; csvrec_join_input() keeps a bare quote bare, as
 * metadata-action's input lists do.
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "meta/csvrec.h"
#include "tap.h"

static const char *joined(const struct strlist *l)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	strlist_join(l, "|", &sb);
	return sb.buf;
}

static void test_csv(void)
{
	struct strlist f = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;

	ok(csvrec_split("a,\"b,c\",d", 0, &f, &err) == 0, "csv: quoted field");
	is_str(joined(&f), "a|b,c|d", "csv: the comma stays in the quoted field");
	strlist_release(&f);
	ok(csvrec_split("\"say \"\"hi\"\"\"", 0, &f, &err) == 0 && !strcmp(f.items[0], "say \"hi\""),
	   "csv: doubled quotes");
	strlist_release(&f);
	ok(csvrec_split("a\"b", 0, &f, &err) < 0, "csv: a quote inside a field is an error");
	strlist_release(&f);
	ok(csvrec_split("a\"b", 1, &f, &err) == 0 && !strcmp(f.items[0], "a\"b"), "csv: relaxed quotes keep it");
	strlist_release(&f);
	ok(csvrec_split("\"open", 1, &f, &err) < 0, "csv: an unclosed quote is an error");
	strlist_release(&f);
	ok(csvrec_split("\"a\"b", 1, &f, &err) < 0, "csv: text after a closing quote is an error");
	strlist_release(&f);
	strbuf_release(&err);
}

static void round_trip(const char **fields, size_t nr, const char *want, const char *what)
{
	struct strlist in = STRLIST_INIT, back = STRLIST_INIT;
	struct strbuf line = STRBUF_INIT, err = STRBUF_INIT;
	int same;

	for (size_t i = 0; i < nr; i++)
		strlist_push(&in, fields[i]);
	csvrec_join(&in, &line);
	if (want)
		is_str(line.buf, want, "%s: joined", what);
	if (!ok(csvrec_split(line.buf, 0, &back, &err) == 0, "%s: strict split accepts it", what))
		printf("#   %s\n", err.buf);
	same = back.nr == in.nr;
	for (size_t i = 0; same && i < in.nr; i++)
		same = !strcmp(back.items[i], in.items[i]);
	ok(same, "%s: the same fields come back", what);
	strlist_release(&in);
	strlist_release(&back);
	strbuf_release(&line);
	strbuf_release(&err);
}

int main(void)
{
	struct strlist f = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;

	test_csv();
	round_trip((const char *[]){ "a", "b" }, 2, "a,b", "plain fields");
	round_trip((const char *[]){ "say \"hi\"", "x" }, 2, "\"say \"\"hi\"\"\",x", "a quote");
	round_trip((const char *[]){ "\"" }, 1, "\"\"\"\"", "only a quote");
	round_trip((const char *[]){ "a\"b", "c" }, 2, "\"a\"\"b\",c", "a quote inside");
	round_trip((const char *[]){ "x", "b,c" }, 2, "x,\"b,c\"", "a comma");
	round_trip((const char *[]){ "l1\nl2", "r\rs", "t\r\nu" }, 3, NULL, "line breaks");
	round_trip((const char *[]){ "\",\"", "\"\"", "" }, 3, "\"\"\",\"\"\",\"\"\"\"\"\",", "quotes and commas");
	round_trip((const char *[]){ "", "" }, 2, ",", "empty fields");

	/* input lists: commas quoted again, a bare quote left for the strict parse to refuse */
	strlist_push(&f, "type=match");
	strlist_push(&f, "pattern=\\d{1,2}");
	csvrec_join_input(&f, &sb);
	is_str(sb.buf, "type=match,\"pattern=\\d{1,2}\"", "input: a comma is quoted again");
	strlist_release(&f);
	strbuf_reset(&sb);
	strlist_push(&f, "type=raw");
	strlist_push(&f, "value=a\"b");
	csvrec_join_input(&f, &sb);
	is_str(sb.buf, "type=raw,value=a\"b", "input: a bare quote stays bare");
	strlist_release(&f);
	strbuf_release(&sb);
	return tap_done();
}
