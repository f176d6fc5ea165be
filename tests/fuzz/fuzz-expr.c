/*
 * fuzz-expr.c: the Handlebars subset of metadata-action templates,
 * expr_render() and expr_is_raw_statement() over the input as a
 * template (up to the first NUL), with a context like a `type=semver`
 * pattern's: the fields of a parsed version (semver_field()), "fail"
 * failing with a reason, every other name unknown.  expr_escape() runs
 * over the raw bytes.
 *
 * Checks: an error has a reason; a template without "{{" renders as
 * itself; the escaped text holds none of the characters Handlebars
 * escapes.
 */
#include "fuzz.h"
#include "meta/expr.h"
#include "meta/semver.h"

#define MAX_LEN 4096

static int resolve(void *data, const struct expr_call *call, struct strbuf *out,
		   struct strbuf *err)
{
	const struct semver *v = data;

	FUZZ_CHECK(call->name != NULL);
	for (size_t i = 0; i < call->params_nr; i++)
		FUZZ_CHECK(call->params[i].kind == EXPR_ARG_UNDEFINED || call->params[i].kind == EXPR_ARG_NULL ||
			   call->params[i].text != NULL);
	for (size_t i = 0; i < call->hash_nr; i++)
		FUZZ_CHECK(call->hash[i].key != NULL);
	if (!strcmp(call->name, "fail")) {
		strbuf_addstr(err, "fail was called");
		return -1;
	}
	if (!strcmp(call->name, "echo")) {
		for (size_t i = 0; i < call->params_nr; i++)
			if (call->params[i].text)
				strbuf_addstr(out, call->params[i].text);
		return 0;
	}
	return semver_field(v, call->name, out) ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct semver v;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, esc = STRBUF_INIT;
	char *tmpl;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	FUZZ_CHECK(!semver_parse(&v, "v1.2.3-rc.1+build.7"));
	tmpl = xstrndup((const char *)data, size);

	if (expr_render(tmpl, resolve, &v, &out, &err))
		FUZZ_CHECK(err.len > 0);
	else if (!strstr(tmpl, "{{"))
		FUZZ_CHECK(!strcmp(out.buf, tmpl));
	(void)expr_is_raw_statement(tmpl);

	expr_escape((const char *)data, size, &esc);
	FUZZ_CHECK(!memchr(esc.buf, '<', esc.len) && !memchr(esc.buf, '>', esc.len) &&
		   !memchr(esc.buf, '"', esc.len) && !memchr(esc.buf, '\'', esc.len) &&
		   !memchr(esc.buf, '`', esc.len) && !memchr(esc.buf, '=', esc.len));

	semver_release(&v);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&esc);
	free(tmpl);
	return 0;
}
