/*
 * ghoutput.h: the GitHub Actions runner's file commands: step outputs
 * ($GITHUB_OUTPUT) and exported environment variables ($GITHUB_ENV).
 *
 * Every value is written as @actions/core writes it, in the heredoc
 * form that survives any content:
 *
 *     name<<ghadelimiter_<random uuid>
 *     value
 *     ghadelimiter_<random uuid>
 *
 * The delimiter is random for each value (from getrandom()); a name or
 * value that contains it is refused.  Used by `publish meta` and
 * `publish action`.
 */
#ifndef GHOUTPUT_H
#define GHOUTPUT_H

/*
 * Append name=value to the file-command file at path (created if
 * missing).  Returns 0, or -1 with the error printed.
 */
int ghoutput_append(const char *path, const char *name, const char *value);

/* ghoutput_append() to $GITHUB_OUTPUT; 1 (nothing written) when it is not set. */
int ghoutput_set(const char *name, const char *value);

/* ghoutput_append() to $GITHUB_ENV; 1 (nothing written) when it is not set. */
int ghoutput_export(const char *name, const char *value);

/* 1 when running in GitHub Actions with an output file ($GITHUB_OUTPUT set). */
int ghoutput_enabled(void);

#endif
