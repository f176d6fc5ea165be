/*
 * error.c: see error.h.  One place prints errors, so the format is the
 * same everywhere: "error: " + lower-case message, no full stop.
 */
#include "lib/common.h"

/* Reported from the main thread only (pgzip's compression threads report nothing). */
static char last_error[1024];
static int quiet;

void error_set_quiet(int q)
{
	quiet = q;
}

const char *error_last(void)
{
	return last_error;
}

static void report(const char *prefix, const char *fmt, va_list ap, int keep)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (keep)
		snprintf(last_error, sizeof(last_error), "%s", msg);
	if (!quiet) {
		fprintf(stderr, "%s%s\n", prefix, msg);
		fflush(stderr);
	}
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap, 1);
	va_end(ap);
	return -1;
}

int error_as(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap, 1);
	va_end(ap);
	return code > 0 ? -code : -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap, 0);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap, 0);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("fatal: ", fmt, ap, 1);
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
