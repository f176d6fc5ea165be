/*
 * test-tagrule.c: tagrule_parse() (defaults per type, trimmed and
 * lower-cased keys, bare values), tagrule_list_parse() (the four default
 * rules, priority order sorted as V8 sorts it) and tagrule_js_number().
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "meta/tagrule.h"
#include "tap.h"

static void test_tagrule(void)
{
	struct tagrule r;
	struct tagrule_list l = TAGRULE_LIST_INIT;
	struct strlist in = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	double n;

	ok(tagrule_parse(&r, "type=sha", &err) == 0, "sha rule");
	is_str(tagrule_get(&r, "prefix"), "sha-", "sha prefix default");
	is_str(tagrule_get(&r, "format"), "short", "sha format default");
	is_str(tagrule_get(&r, "priority"), "100", "sha priority default");
	tagrule_release(&r);
	ok(tagrule_parse(&r, " Type = ref , EVENT=pr", &err) == 0 && r.type == TAGRULE_REF, "keys are trimmed, lower-cased");
	is_str(tagrule_get(&r, "prefix"), "pr-", "pr prefix default");
	tagrule_release(&r);
	ok(tagrule_parse(&r, "foo", &err) == 0 && r.type == TAGRULE_RAW, "a bare value is a raw rule");
	is_str(tagrule_get(&r, "value"), "foo", "with that value");
	tagrule_release(&r);
	ok(tagrule_parse(&r, "type=raw,value=a=b=c", &err) == 0 && !strcmp(tagrule_get(&r, "value"), "a=b=c"),
	   "values keep their '='");
	tagrule_release(&r);
	strbuf_reset(&err);
	ok(tagrule_parse(&r, "type=nope", &err) < 0 && strstr(err.buf, "unknown tag type 'nope'"), "unknown type");

	ok(tagrule_list_parse(&l, &in, &err) == 0 && l.nr == 4, "no entries: the four defaults");
	ok(l.rules[0].type == TAGRULE_SCHEDULE && l.rules[3].type == TAGRULE_REF &&
	   !strcmp(tagrule_get(&l.rules[3], "event"), "pr"), "defaults in order");
	tagrule_list_release(&l);
	strlist_push(&in, "type=raw,value=a");
	strlist_push(&in, "type=sha");
	strlist_push(&in, "type=raw,value=b,priority=x");
	strlist_push(&in, "type=raw,value=c,priority=300");
	strlist_push(&in, "type=edge");
	ok(tagrule_list_parse(&l, &in, &err) == 0, "a list with a priority that is not a number");
	{
		struct strbuf o = STRBUF_INIT;
		for (size_t i = 0; i < l.nr; i++)
			strbuf_addf(&o, "%s%s,", tagrule_type_name(l.rules[i].type),
				    tagrule_get(&l.rules[i], "value") ? tagrule_get(&l.rules[i], "value") : "");
		/* V8: the run a,sha,b,c stops at edge (b's NaN compares equal), edge is inserted after b */
		is_str(o.buf, "rawa,sha,rawb,edge,rawc,", "sorted as V8 sorts it, NaN included");
		strbuf_release(&o);
	}
	tagrule_list_release(&l);
	strlist_release(&in);

	ok(tagrule_js_number(" 0x1F ", &n) == 0 && n == 31, "Number('0x1F')");
	ok(tagrule_js_number("", &n) == 0 && n == 0, "Number('') is 0");
	ok(tagrule_js_number("1e3", &n) == 0 && n == 1000, "Number('1e3')");
	ok(tagrule_js_number("inf", &n) < 0 && tagrule_js_number("12px", &n) < 0, "NaN cases");
	strbuf_release(&err);
}

int main(void)
{
	test_tagrule();
	return tap_done();
}
