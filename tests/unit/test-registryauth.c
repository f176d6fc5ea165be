/*
 * test-registryauth.c: the registry-auth input (login-action's YAML list)
 * into per-registry credentials; each bad input one message naming the
 * input, exit code 3, no credentials; passwords handed to the mask
 * callback as they are read; the credential set's lookup.
 */
#include "lib/common.h"
#include "github/registryauth.h"
#include "tap.h"

static struct strbuf masked = STRBUF_INIT;

static void mask(const char *secret)
{
	strbuf_addf(&masked, "[%s]", secret);
}

/* text must be refused: -EXIT_INPUT, a message naming the input and holding want */
static void bad(const char *text, const char *want, const char *what)
{
	struct credential_set set = CREDENTIAL_SET_INIT;
	int ret;

	error_set_quiet(1);
	ret = registryauth_parse(text, mask, &set);
	error_set_quiet(0);
	ok(ret == -EXIT_INPUT, "%s: exit 3 (got %d)", what, ret);
	ok(set.nr == 0, "%s: no credentials", what);
	ok(strstr(error_last(), "input 'registry-auth'") && strstr(error_last(), want),
	   "%s: message '%s' has '%s'", what, error_last(), want);
	credential_set_release(&set);
}

int main(void)
{
	struct credential_set set = CREDENTIAL_SET_INIT;
	const struct credential *c;
	struct strbuf big = STRBUF_INIT;

	ok(registryauth_parse(NULL, mask, &set) == 0 && set.nr == 0, "NULL: no entries");
	ok(registryauth_parse(" \n\t\n", mask, &set) == 0 && set.nr == 0, "blank: no entries");
	ok(registryauth_parse("# nothing yet\n", mask, &set) == 0 && set.nr == 0, "comments only: no entries");

	ok(registryauth_parse("- username: hubuser\n"
			      "  password: hubpass\n"
			      "- registry: ghcr.io\n"
			      "  username: octo\n"
			      "  password: 'gh:pass'\n"
			      "- registry: https://LOCALHOST:5000/\n"
			      "  username: me\n"
			      "  password: \"p w\"\n"
			      "  ecr: auto\n", mask, &set) == 0, "login-action's example parses");
	is_int((int)set.nr, 3, "three registries");
	c = credential_set_find(&set, "docker.io");
	ok(c && !strcmp(c->username, "hubuser") && !strcmp(c->password, "hubpass"),
	   "no registry: Docker Hub's entry");
	c = credential_set_find(&set, "ghcr.io");
	ok(c && !strcmp(c->username, "octo") && !strcmp(c->password, "gh:pass"), "ghcr.io's own");
	c = credential_set_find(&set, "localhost:5000");
	ok(c && !strcmp(c->password, "p w"), "a URL is its host[:port], lower-cased");
	is_str(c ? c->source : "", "the registry-auth input", "source names the input");
	ok(!credential_set_find(&set, "quay.io"), "another registry: nothing");
	ok(!credential_set_find(NULL, "ghcr.io"), "NULL set: nothing");
	is_str(masked.buf, "[hubpass][gh:pass][p w]", "each password masked, in order");
	credential_set_release(&set);
	ok(set.nr == 0 && !set.items, "released");

	ok(registryauth_parse("- registry: index.docker.io\n  username: a\n  password: b\n", NULL, &set) == 0 &&
	   credential_set_find(&set, "docker.io"), "index.docker.io is docker.io; no mask callback is fine");
	credential_set_release(&set);

	/* a password is masked before the error that follows it */
	strbuf_reset(&masked);
	bad("- registry: a.example\n  username: u\n  password: early\n- registry: a.example\n  username: v\n  password: late\n",
	    "registry 'a.example' is given twice", "duplicate registry");
	is_str(masked.buf, "[early][late]", "both passwords masked before the error");
	bad("- registry: docker.io\n  username: u\n  password: x\n- username: v\n  password: y\n",
	    "registry 'docker.io' is given twice", "docker.io twice (once by default)");
	bad("- registry: ghcr.io\n  username: octo\n", "entry 1 (registry 'ghcr.io') has no password", "no password");
	bad("- registry: ghcr.io\n  username: octo\n  password: ''\n", "has no password", "empty password");
	bad("- registry: ghcr.io\n  password: x\n", "has no username", "no username");
	bad("registry: ghcr.io\nusername: a\npassword: b\n", "not a list", "a mapping, not a list");
	bad("just text", "not a list", "a scalar");
	bad("- ghcr.io\n", "entry 1 is not a mapping", "a list of strings");
	bad("- registry: [a, b]\n  username: u\n  password: p\n", "'registry' is not a string", "nested value");
	bad("- registry: ghcr.io\n  user: u\n  password: p\n", "unknown key 'user'", "unknown key");
	bad("- registry: ghcr.io\n  username: u\n  password: p\n  ghp_S3cretT0ken: x\n", "unknown key (not shown",
	    "an unknown key that may be a secret is not echoed");
	ok(!strstr(error_last(), "S3cret"), "the secret is not in the message");
	bad("- {registry: ghcr.io, username: u, password: p, 's3cr3t value'}\n", "unknown key (not shown",
	    "nor one in a flow mapping");
	bad("- registry: ghcr.io\n  username: u\n  username: v\n  password: p\n", "gives 'username' twice",
	    "key twice");
	bad("- registry: ghcr.io\n  username: u\n  password: p\n  ecr: true\n", "ecr 'true' is not supported",
	    "ecr true");
	bad("- registry: 'ghcr.io\n  username: u\n", "not YAML", "broken YAML (unterminated quote)");
	bad("- &a {registry: x, username: u, password: p}\n- *a\n", "aliases are not supported", "an alias");
	bad("- registry: a\n  username: u\n  password: p\n---\n- registry: b\n  username: u\n  password: p\n",
	    "more than one YAML document", "two documents");
	bad("- registry: /\n  username: u\n  password: p\n", "names no registry host", "no host");

	/* the caps */
	for (int i = 0; i <= REGISTRYAUTH_MAX_ENTRIES; i++)
		strbuf_addf(&big, "- registry: r%d.example\n  username: u\n  password: p%d\n", i, i);
	bad(big.buf, "more than 64 entries", "too many entries");
	strbuf_reset(&big);
	strbuf_addstr(&big, "- registry: r.example\n  username: u\n  password: p\n");
	while (big.len <= REGISTRYAUTH_MAX_BYTES)
		strbuf_addstr(&big, "# padding padding padding padding padding padding padding\n");
	bad(big.buf, "bytes, more than", "too big");
	strbuf_reset(&big);
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&big, '[');
	bad(big.buf, "input 'registry-auth'", "deeply nested flow sequences");

	strbuf_release(&big);
	strbuf_release(&masked);
	return tap_done();
}
