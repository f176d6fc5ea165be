/*
 * test-imageoutput.c: the action's outputs input: the forms users paste
 * (build-push-action's type=docker / type=oci,tar=false, publish build's
 * docker:/oci:) into paths relative to the workspace; what is not
 * supported, and a path leaving the workspace, refused naming the input.
 */
#include "lib/common.h"
#include "github/imageoutput.h"
#include "github/wspath.h"
#include "tap.h"

/* as a container action sees it: the runner's workspace is /home/runner/work/app/app */
static struct wspath ws = WSPATH_INIT;

static void good(const char *text, const char *oci, const char *docker, const char *what)
{
	struct imageoutput o = IMAGEOUTPUT_INIT;

	ok(imageoutput_parse(text, &ws, &o) == 0, "%s: parses", what);
	ok((!oci && !o.oci) || (oci && o.oci && !strcmp(o.oci, oci)), "%s: oci '%s'", what, o.oci ? o.oci : "(none)");
	ok((!docker && !o.docker) || (docker && o.docker && !strcmp(o.docker, docker)), "%s: docker '%s'", what,
	   o.docker ? o.docker : "(none)");
	imageoutput_release(&o);
}

static void bad(const char *text, const char *want, const char *what)
{
	struct imageoutput o = IMAGEOUTPUT_INIT;
	int ret;

	error_set_quiet(1);
	ret = imageoutput_parse(text, &ws, &o);
	error_set_quiet(0);
	ok(ret == -EXIT_INPUT && !o.oci && !o.docker, "%s: exit 3, nothing", what);
	ok(strstr(error_last(), "input 'outputs'") && strstr(error_last(), want), "%s: '%s' has '%s'", what,
	   error_last(), want);
}

int main(void)
{
	wspath_init(&ws, "/github/workspace", "/home/runner/work/app/", "acme/app");
	good(NULL, NULL, NULL, "NULL");
	good(" \n\n", NULL, NULL, "blank");
	good("type=docker,dest=out/image.tar", NULL, "out/image.tar", "type=docker");
	good("type=docker,name=app,dest=./img.tar,tar=true", NULL, "img.tar", "docker with name and tar=true");
	good("type=oci,dest=layout/,tar=false", "layout", NULL, "type=oci,tar=false");
	good("oci:l\n  docker:/github/workspace/d.tar  \n", "l", "d.tar", "publish build's forms, absolute inside");
	bad("type=oci,dest=x.tar", "an OCI tar archive is not supported", "oci tar");
	bad("type=oci,dest=x,tar=true", "add tar=false", "oci tar=true");
	bad("type=docker,dest=x,tar=false", "tar=false is not supported", "docker tar=false");
	bad("type=local,dest=x", "type=local is not supported", "local");
	bad("type=tar,dest=x", "type=tar is not supported", "tar");
	bad("type=image,name=r/x,push=true", "'push' is not supported", "image with push");
	bad("type=registry", "the push input pushes to the tags", "registry");
	bad("type=cacheonly", "type=cacheonly is not supported", "cacheonly");
	bad("type=wasm,dest=x", "unknown type 'wasm'", "unknown type");
	bad("dest=x", "has no type", "no type");
	bad("type=docker", "has no dest", "no dest");
	bad("type=docker,dest=", "has no dest", "empty dest");
	bad("type=docker,dest=x,compression=zstd", "'compression' is not supported", "unknown key");
	bad("type=docker,out.tar", "is not key=value", "a field without =");
	bad("type=docker,dest=../x.tar", "is not a path inside the workspace", "..");
	bad("oci:a/../../b", "is not a path inside the workspace", "a/../../b");
	bad("oci:.", "is not a path inside the workspace", "the workspace itself");
	bad("docker:/tmp/x.tar", "is outside the workspace", "absolute elsewhere");
	bad("docker:/github/workspace2/x.tar", "is outside the workspace", "a sibling with the same prefix");
	good("type=docker,dest=/home/runner/work/app/app/out/i.tar", NULL, "out/i.tar",
	     "the runner's path of the workspace (${{ github.workspace }} in a longer value)");
	good("type=oci,tar=false,dest=/home/runner/work/app/app//l/", "l", NULL, "the runner's path, slashes");
	bad("docker:/home/runner/work/app/x.tar", "is outside the workspace", "RUNNER_WORKSPACE itself is not in it");
	bad("docker:/home/runner/work/_temp/x.tar", "on the runner '/home/runner/work/app/app'",
	    "the runner's temp: the message says both paths");
	bad("docker:/github/workspace/a/../../x.tar", "'..'", "absolute, up and out");
	bad("oci:a\noci:b", "a second oci output", "two oci outputs");
	wspath_release(&ws);
	return tap_done();
}
