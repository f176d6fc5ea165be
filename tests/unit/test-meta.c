/*
 * test-meta.c: the pure core of `publish meta`: key collation and
 * meta_derive() on a hand-made context (no I/O).  Its parts have their
 * own tests: test-csvrec.c, test-metainput.c, test-expr.c,
 * test-tagrule.c, test-flavor.c, test-ghctx.c.
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "meta/metainput.h"
#include "github/ghctx.h"
#include "meta/meta.h"
#include "tap.h"

static const char *joined(const struct strlist *l)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	strlist_join(l, "|", &sb);
	return sb.buf;
}

static void test_collation(void)
{
	ok(meta_key_compare("a", "B") < 0 && meta_key_compare("B", "c") < 0, "case is secondary");
	ok(meta_key_compare("a", "A") < 0, "lower case first");
	ok(meta_key_compare("_x", "-x") < 0 && meta_key_compare("-x", ".x") < 0 && meta_key_compare(".x", "1") < 0 &&
	   meta_key_compare("9", "a") < 0, "punctuation, digits, letters");
	ok(meta_key_compare("org.a", "org.a.b") < 0, "a prefix first");
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
	test_collation();
	test_derive();
	return tap_done();
}
