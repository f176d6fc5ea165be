/*
 * registry_opts.c: see registry_opts.h.
 */
#include "lib/common.h"
#include "cli/registry_opts.h"

#include <errno.h>
#include <unistd.h>

static int int_value(const char *opt, const char *v, int min, int max, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < min || n > max)
		return error_as(EXIT_USAGE, "%s wants a number from %d to %d, not '%s'", opt, min, max, v);
	*out = (int)n;
	return 0;
}

int registry_cli_option(struct registry_cli *rc, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	int ret;

	if (!strcmp(a, "--password-stdin")) {
		rc->password_stdin = 1;
		return 1;
	}
	if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
		rc->opts.quiet = 1;
		return 1;
	}
	if (strcmp(a, "--username") && strcmp(a, "--insecure-registry") && strcmp(a, "--jobs") &&
	    strcmp(a, "--retries"))
		return 0;
	if (!v)
		return error_as(EXIT_USAGE, "option '%s' needs a value", a);
	(*i)++;
	if (!strcmp(a, "--username")) {
		free(rc->username);
		rc->username = xstrdup(v);
	} else if (!strcmp(a, "--insecure-registry")) {
		ALLOC_GROW(rc->insecure, rc->nr_insecure + 2, rc->alloc_insecure);
		rc->insecure[rc->nr_insecure++] = v;
		rc->insecure[rc->nr_insecure] = NULL;
	} else if (!strcmp(a, "--jobs")) {
		if ((ret = int_value(a, v, 1, 32, &rc->opts.jobs)))
			return ret;
	} else {
		if ((ret = int_value(a, v, 1, 20, &rc->opts.max_tries)))
			return ret;
	}
	return 1;
}

int registry_cli_finish(struct registry_cli *rc)
{
	struct strbuf pw = STRBUF_INIT;
	char buf[4096];
	ssize_t n;

	if (rc->password_stdin) {
		if (!rc->username)
			return error_as(EXIT_USAGE, "--password-stdin needs --username");
		while ((n = read(0, buf, sizeof(buf))) > 0)
			if (strbuf_add_capped(&pw, buf, (size_t)n, 64u << 10) < 0) {
				strbuf_release(&pw);
				return error_as(EXIT_USAGE, "the password on stdin is longer than 64 KiB");
			}
		while (pw.len && (pw.buf[pw.len - 1] == '\n' || pw.buf[pw.len - 1] == '\r'))
			strbuf_setlen(&pw, pw.len - 1);
		if (!pw.len) {
			strbuf_release(&pw);
			return error_as(EXIT_USAGE, "--password-stdin read an empty password");
		}
		rc->password = strbuf_detach(&pw, NULL);
	} else if (rc->username) {
		return error_as(EXIT_USAGE, "--username needs --password-stdin (passwords are not taken on the command line)");
	}
	rc->opts.cred.username = rc->username;
	rc->opts.cred.password = rc->password;
	rc->opts.cred.source = "--username";
	rc->opts.insecure_registries = rc->insecure;
	return 0;
}

void registry_cli_release(struct registry_cli *rc)
{
	free(rc->username);
	if (rc->password)
		memset(rc->password, 0, strlen(rc->password));
	free(rc->password);
	free(rc->insecure);
	rc->username = rc->password = NULL;
	rc->insecure = NULL;
}
