/*
 * test-reference.c: image reference parsing, normalisation and the grammar.
 */
#include "lib/common.h"
#include "oci/reference.h"
#include "tap.h"

#define D "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void good(const char *in, const char *reg, const char *repo, const char *tag,
		 const char *dig, const char *canon)
{
	struct reference r = REFERENCE_INIT;
	struct strbuf sb = STRBUF_INIT;

	if (!ok(reference_parse(in, &r) == 0, "'%s' parses", in))
		return;
	is_str(r.registry, reg, "'%s' registry", in);
	is_str(r.repository, repo, "'%s' repository", in);
	is_str(r.tag, tag, "'%s' tag", in);
	is_str(r.digest, dig, "'%s' digest", in);
	reference_format(&r, &sb);
	is_str(sb.buf, canon, "'%s' formats", in);
	strbuf_release(&sb);
	reference_release(&r);
}

static void bad(const char *in, const char *msg)
{
	struct reference r = REFERENCE_INIT;

	is_int(reference_parse(in, &r), -EXIT_INPUT, "'%s' is refused", in);
	is_str(error_last(), msg, "'%s' message", in);
	ok(r.registry == NULL, "'%s' leaves out untouched", in);
}

int main(void)
{
	struct reference r = REFERENCE_INIT;

	ok(reference_names_registry("ghcr.io/o/app:1") && reference_names_registry("localhost/app") &&
	   reference_names_registry("127.0.0.1:5000/app") && reference_names_registry("[::1]:5000/app") &&
	   reference_names_registry("host:5000/app@sha256:x"), "names_registry: hosts by the parser's rule");
	ok(!reference_names_registry("app:1") && !reference_names_registry("owner/app:1") &&
	   !reference_names_registry("Owner/app") && !reference_names_registry("ghcr.io") &&
	   !reference_names_registry("/app"), "names_registry: Docker Hub names and no component are not");
	good("busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest");
	good("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "docker.io/library/busybox:1.36");
	good("user/app", "docker.io", "user/app", "latest", NULL, "docker.io/user/app:latest");
	good("docker.io/busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest");
	good("index.docker.io/library/alpine:3", "docker.io", "library/alpine", "3", NULL, "docker.io/library/alpine:3");
	good("ghcr.io/owner/app:v1.2.3", "ghcr.io", "owner/app", "v1.2.3", NULL, "ghcr.io/owner/app:v1.2.3");
	good("localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest");
	good("localhost:5000/a/b/c:t", "localhost:5000", "a/b/c", "t", NULL, "localhost:5000/a/b/c:t");
	good("127.0.0.1:5000/app@" D, "127.0.0.1:5000", "app", NULL, D, "127.0.0.1:5000/app@" D);
	good("host.example/app:1@" D, "host.example", "app", "1", D, "host.example/app:1@" D);
	good("busybox@" D, "docker.io", "library/busybox", NULL, D, "docker.io/library/busybox@" D);
	good("[::1]:5000/app:x", "[::1]:5000", "app", "x", NULL, "[::1]:5000/app:x");
	good("reg.io/a__b/c-d/e.f--g:_T.ag-1", "reg.io", "a__b/c-d/e.f--g", "_T.ag-1", NULL,
	     "reg.io/a__b/c-d/e.f--g:_T.ag-1");

	error_set_quiet(1);
	bad("", "empty image reference");
	bad("ghcr.io/Owner/App:1", "repository name 'Owner/App' must be lower case (try 'owner/app')");
	bad("Owner/app", "repository name 'Owner/app' must be lower case (try 'owner/app')");
	bad("ghcr.io/owner/app:", "empty tag");
	bad("ghcr.io/owner/app:-x", "tag '-x' must start with a letter, digit or '_'");
	bad("ghcr.io/owner/app:a+b", "tag 'a+b' has '+': only letters, digits, '_', '.' and '-' are allowed");
	bad("ghcr.io/owner/app@sha256:abc", "digest 'sha256:abc' in 'ghcr.io/owner/app@sha256:abc' must be sha256: and 64 lower-case hex digits");
	bad("ghcr.io/owner/app@md5:abc", "digest 'md5:abc' in 'ghcr.io/owner/app@md5:abc': only sha256 is supported");
	bad("ghcr.io/owner//app", "repository name 'owner//app' has an empty path component");
	bad("ghcr.io/owner/-app", "repository name 'owner/-app': a separator ('-') must sit between letters or digits");
	bad("ghcr.io/owner/app-", "repository name 'owner/app-': a separator ('-') must sit between letters or digits");
	bad("ghcr.io/owner/a...b", "repository name 'owner/a...b': a separator ('.') must sit between letters or digits");
	bad("ghcr.io/owner/a___b", "repository name 'owner/a___b': a separator ('_') must sit between letters or digits");
	bad("ghcr.io/own er/app", "image reference 'ghcr.io/own er/app' contains white space");
	bad("https://ghcr.io/owner/app", "image reference 'https://ghcr.io/owner/app' must not have a scheme (drop 'https://')");
	bad("ghcr.io/", "image reference 'ghcr.io/' has no repository name");
	bad("host:port/app", "registry 'host:port' in 'host:port/app' has a port that is not a number");
	bad("-bad.io/app", "registry '-bad.io' in '-bad.io/app' is not a valid host name");
	bad("ghcr.io/owner/app$", "repository name 'owner/app$' has '$': only a-z, 0-9, '.', '_', '-' and '/' are allowed");

	ok(reference_parse("busybox", &r) == 0, "parse for api host");
	is_str(reference_api_host(&r), "registry-1.docker.io", "docker.io talks to registry-1.docker.io");
	is_str(reference_manifest_ref(&r), "latest", "manifest by tag");
	reference_release(&r);
	ok(reference_check_tag("0123456789012345678901234567890123456789012345678901234567890123"
			       "0123456789012345678901234567890123456789012345678901234567890123x") < 0,
	   "a 128+ character tag is refused");
	return tap_done();
}
