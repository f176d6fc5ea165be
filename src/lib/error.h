/*
 * error.h: recording and printing errors and warnings.
 *
 * error() prints "error: MESSAGE" to stderr and returns -1, so a failing
 * function can say `return error("cannot open '%s'", path);`.  error_as()
 * does the same but returns -code, carrying the exit code class up the
 * stack unchanged.  The last message is kept (error_last()) for step
 * summaries and GitHub annotations.
 *
 * warning() prints "warning: MESSAGE" (and hands MESSAGE to the warning
 * hook, when one is set) and returns nothing.  note() prints
 * an informational line to stderr.
 *
 * die() is for the CLI layer only; domain code never exits.
 */
#ifndef ERROR_H
#define ERROR_H

#include <stdarg.h>

#if defined(__GNUC__)
#define PUBLISH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PUBLISH_NORETURN __attribute__((noreturn))
#else
#define PUBLISH_PRINTF(f, a)
#define PUBLISH_NORETURN
#endif

int error(const char *fmt, ...) PUBLISH_PRINTF(1, 2);
int error_as(int code, const char *fmt, ...) PUBLISH_PRINTF(2, 3);
void warning(const char *fmt, ...) PUBLISH_PRINTF(1, 2);
void note(const char *fmt, ...) PUBLISH_PRINTF(1, 2);
void die(int code, const char *fmt, ...) PUBLISH_PRINTF(2, 3) PUBLISH_NORETURN;

/* The last error message recorded, or "" (borrowed, valid until the next error). */
const char *error_last(void);

/* Turn a negative return value into a process exit code. */
int error_exit_code(int rc);

/*
 * A function called with each warning's message (no "warning: " prefix)
 * after it is printed; NULL removes it.  The GitHub action installs one
 * that repeats the warning as a ::warning:: annotation, so domain code
 * only ever calls warning().  A message that starts "FILE:LINE: " (as
 * errors about a Dockerfile line do) may be put on that line.
 */
typedef void (*error_warning_hook_fn)(const char *message);
void error_set_warning_hook(error_warning_hook_fn fn);

/*
 * When set, error() and warning() are silent (they still record the
 * message).  Unit tests use this to test error paths quietly.  The
 * flag and error_last() are per thread: another thread's errors neither
 * replace this thread's message nor follow its quiet.
 */
void error_set_quiet(int quiet);

#endif
