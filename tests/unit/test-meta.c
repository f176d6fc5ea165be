/*
 * test-meta.c: the pure core of `publish meta`: CSV records, input
 * lists, templates, tag rules and their order, flavor, key collation,
 * timestamps, and meta_derive() on a hand-made context (no I/O).
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "meta/csvrec.h"
#include "meta/metainput.h"
#include "meta/expr.h"
#include "meta/tagrule.h"
#include "meta/flavor.h"
#include "github/ghctx.h"
#include "meta/meta.h"
#include "tap.h"

static int resolve(void *data, const struct expr_call *c, struct strbuf *out, struct strbuf *err)
{
	if (!strcmp(c->name, "who")) {
		strbuf_addstr(out, "<you & me>");
		return 0;
	}
	if (!strcmp(c->name, "echo")) {
		for (size_t i = 0; i < c->params_nr; i++)
			strbuf_addf(out, "[%d:%s]", c->params[i].kind, c->params[i].text ? c->params[i].text : "");
		for (size_t i = 0; i < c->hash_nr; i++)
			strbuf_addf(out, "{%s=%s}", c->hash[i].key, c->hash[i].text);
		return 0;
	}
	return 1;
}

static const char *render(const char *t)
{
	static struct strbuf out = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc;

	strbuf_reset(&out);
	rc = expr_render(t, resolve, NULL, &out, &err);
	if (rc < 0) {
		strbuf_reset(&out);
		strbuf_addf(&out, "ERROR %s", err.buf);
	}
	strbuf_release(&err);
	return out.buf;
}

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

	ok(metainput_list("# c\n  one  \r\n\ntype=match,\"pattern=\\d{1,2}\"\nk=v#x\n", &f, &err) == 0,
	   "input list parses");
	is_str(joined(&f), "one|type=match,\"pattern=\\d{1,2}\"|k=v#x", "input list: comments, trim, quoted commas");
	strlist_release(&f);
	strbuf_release(&err);
}

static void test_expr(void)
{
	is_str(render("plain text"), "plain text", "text is unchanged");
	is_str(render("a{{who}}b"), "a&lt;you &amp; me&gt;b", "{{x}} is HTML-escaped");
	is_str(render("{{{who}}}"), "<you & me>", "{{{x}}} is not");
	is_str(render("{{& who}}"), "<you & me>", "{{& x}} is not");
	is_str(render("[{{none}}]"), "[]", "an unknown name is empty");
	is_str(render("{{{echo 'a b' \"c\" 12 -1.5 true null undefined p.q k='v'}}}"),
	       "[2:a b][2:c][3:12][3:-1.5][4:true][1:][0:][5:p.q]{k=v}", "parameters and hash");
	is_str(render("x {{~who~}}  y"), "x&lt;you &amp; me&gt;y", "whitespace control");
	is_str(render("a{{! note }}b{{!-- }} --}}c"), "abc", "comments");
	is_str(render("\\{{who}}"), "{{who}}", "an escaped mustache");
	ok(!strncmp(render("{{who"), "ERROR", 5), "unterminated mustache");
	ok(!strncmp(render("{{}}"), "ERROR", 5), "empty mustache");
	ok(!strncmp(render("{{#if x}}y{{/if}}"), "ERROR", 5), "blocks are refused");
	ok(!strncmp(render("{{none 'x'}}"), "ERROR", 5), "a missing helper with arguments");
	ok(!strncmp(render("{{echo 'x}}"), "ERROR", 5), "unterminated string");
	ok(expr_is_raw_statement("{{raw}}") && expr_is_raw_statement("{{ raw}}") &&
	   expr_is_raw_statement("{{ raw }}"), "raw statements");
	ok(!expr_is_raw_statement("{{ raw }}.{{ version }}") && !expr_is_raw_statement("{{ version }},{{raw }.") &&
	   !expr_is_raw_statement("{{version}}") && !expr_is_raw_statement("{{raw}} "), "not raw statements");
}

static void test_rules(void)
{
	struct tagrule r;
	struct tagrule_list l = TAGRULE_LIST_INIT;
	struct strlist in = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	struct flavor f;
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
}

static void test_collation_and_time(void)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t ms;

	ok(meta_key_compare("a", "B") < 0 && meta_key_compare("B", "c") < 0, "case is secondary");
	ok(meta_key_compare("a", "A") < 0, "lower case first");
	ok(meta_key_compare("_x", "-x") < 0 && meta_key_compare("-x", ".x") < 0 && meta_key_compare(".x", "1") < 0 &&
	   meta_key_compare("9", "a") < 0, "punctuation, digits, letters");
	ok(meta_key_compare("org.a", "org.a.b") < 0, "a prefix first");

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

static void test_derive(void)
{
	struct meta_inputs in = META_INPUTS_INIT;
	struct meta_result r = META_RESULT_INIT;
	struct ghctx ctx;
	struct strbuf sb = STRBUF_INIT;

	ghctx_init(&ctx);
	free(ctx.ref);
	ctx.ref = xstrdup("refs/tags/v1.2.3");
	free(ctx.sha);
	ctx.sha = xstrdup("860c1904a1ce19322e91ac35af1ab07466440c37");
	ctx.now_ms = ctx.commit_date_ms = 1578616200000LL;
	ctx.repo.name = xstrdup("Hello-World");
	ctx.repo.default_branch = xstrdup("master");

	ok(meta_inputs_set(&in, "images", "org/App\nghcr.io/user/app") == 0, "images input");
	ok(meta_inputs_set(&in, "tags", "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=sha") == 0,
	   "tags input");
	ok(meta_inputs_set(&in, "labels", "vendor=Acme") == 0, "labels input");
	ok(meta_inputs_set(&in, "sep-tags", ",") == 0, "sep-tags input");
	ok(meta_inputs_set(&in, "nope", "x") < 0, "unknown input name");
	ok(meta_derive(&in, &ctx, &r) == 0, "derive");
	is_str(r.version, "1.2.3", "version");
	is_str(joined(&r.tags), "org/app:1.2.3|org/app:1.2|org/app:sha-860c190|org/app:latest|"
	       "ghcr.io/user/app:1.2.3|ghcr.io/user/app:1.2|ghcr.io/user/app:sha-860c190|ghcr.io/user/app:latest", "tags");
	is_str(joined(&r.tag_names), "1.2.3|1.2|sha-860c190|latest", "tag names");
	ok(r.latest, "latest");
	meta_output(&r, &in, "tags", &sb);
	ok(!strncmp(sb.buf, "org/app:1.2.3,org/app:1.2,", 26), "the tags output joins with sep-tags");
	ok(strlist_has(&r.labels, "org.opencontainers.image.title=Hello-World") &&
	   strlist_has(&r.labels, "vendor=Acme") &&
	   strlist_has(&r.labels, "org.opencontainers.image.created=2020-01-10T00:30:00.000Z"), "labels");
	ok(strlist_has(&r.annotations, "manifest:org.opencontainers.image.version=1.2.3"), "annotations");
	ok(strstr(r.json, "\"tag-names\":[\"1.2.3\",\"1.2\",\"sha-860c190\",\"latest\"]") != NULL, "json");
	meta_result_release(&r);

	error_set_quiet(1);
	ok(meta_inputs_set(&in, "flavor", "latest=true,colour=red") == 0, "a bad flavor is read");
	ok(meta_derive(&in, &ctx, &r) == -EXIT_INPUT, "and refused by derive with EXIT_INPUT");
	ok(strstr(error_last(), "flavor: unknown flavor key 'colour'") != NULL, "naming the input and the key");
	error_set_quiet(0);

	meta_inputs_release(&in);
	ghctx_release(&ctx);
	strbuf_release(&sb);
}

int main(void)
{
	test_csv();
	test_expr();
	test_rules();
	test_collation_and_time();
	test_derive();
	return tap_done();
}
