/*
 * error.c: see error.h.  One place prints errors, so the format is the
 * same everywhere: "error: " + lower-case message, no full stop.
 */
#include "lib/common.h"

/*
 * Each thread its own: the last error and the quiet flag (the upload
 * thread of registry_prepush_* reports while the build, on the main
 * thread, goes on and may be quiet; pgzip's threads report nothing).
 */
static __thread char last_error[1024];
static __thread int quiet;

void error_set_quiet(int q)
{
	quiet = q;
}

const char *error_last(void)
{
	return last_error;
}

static error_warning_hook_fn warning_hook;
static __thread int in_hook;

void error_set_warning_hook(error_warning_hook_fn fn)
{
	warning_hook = fn;
}

static void report(const char *prefix, const char *fmt, va_list ap, int keep, int warn)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (keep)
		snprintf(last_error, sizeof(last_error), "%s", msg);
	if (!quiet) {
		fprintf(stderr, "%s%s\n", prefix, msg);
		fflush(stderr);
		/* a warning inside the hook is printed, not annotated again */
		if (warn && warning_hook && !in_hook) {
			in_hook = 1;
			warning_hook(msg);
			in_hook = 0;
		}
	}
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap, 1, 0);
	va_end(ap);
	return -1;
}

int error_as(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap, 1, 0);
	va_end(ap);
	return code > 0 ? -code : -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap, 0, 1);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap, 0, 0);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("fatal: ", fmt, ap, 1, 0);
	va_end(ap);
	exit(code);
}

int error_exit_code(int rc)
{
	if (rc >= 0)
		return EXIT_OK;
	if (rc < -EXIT_INTERNAL)
		return EXIT_FAIL;
	return -rc;
}
