/*
 * test-expr.c: expr_render(), the handlebars subset of tag templates:
 * escaping, parameters and hashes, whitespace control, comments, and
 * what it refuses; expr_is_raw_statement().
 */
#include "lib/common.h"
#include "meta/expr.h"
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

int main(void)
{
	test_expr();
	return tap_done();
}
