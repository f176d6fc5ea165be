/*
 * dockerfile.h: parse a Dockerfile the way Docker (BuildKit's dockerfile
 * frontend) does, and refuse what a daemonless build cannot do.
 *
 * Two steps, because variable expansion needs the base image:
 *
 *   struct dockerfile df;
 *   dockerfile_init(&df);
 *   dockerfile_parse(&df, buf, len, "Dockerfile", &opts);
 *       syntax: directives, continuations, comments, keywords, flags,
 *       exec/shell form, refusals (RUN, ADD <url>, COPY --from, ONBUILD,
 *       heredocs, a second FROM).  Resolves the global ARGs and the FROM
 *       line (image, --platform, AS name) with --build-arg values, so the
 *       caller can fetch the base image.
 *   dockerfile_expand(&df, &base);
 *       evaluates the instructions after FROM in order, with the base
 *       image's Env, WorkingDir and Shell (all NULL for scratch): ARG, ENV, $VAR
 *       expansion in the instructions where Docker expands, WORKDIR and
 *       COPY destinations made absolute, shell form CMD/ENTRYPOINT
 *       prefixed with the current SHELL, HEALTHCHECK durations in ns...
 *       Each instruction then holds the values Docker would put in the
 *       image config.
 *   ... read df.from and df.instrs[] ...
 *   dockerfile_release(&df);
 *
 * Errors are "FILE:LINE: message" (FILE as passed to dockerfile_parse)
 * with code -EXIT_DOCKERFILE; df.error_line holds LINE (0 when the
 * error has no line), for "::error file=F,line=N::".
 *
 * Pure: no I/O.  Image-config merging (what ENTRYPOINT does to an
 * inherited CMD, Env replacing by key...) is the builder's; this module
 * gives each instruction's values.
 */
#ifndef DOCKERFILE_H
#define DOCKERFILE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/kvlist.h"
#include "lib/strlist.h"

struct strbuf;

enum dockerfile_cmd {
	DOCKERFILE_FROM = 1,
	DOCKERFILE_ARG,
	DOCKERFILE_ENV,
	DOCKERFILE_LABEL,
	DOCKERFILE_COPY,
	DOCKERFILE_ADD,
	DOCKERFILE_WORKDIR,
	DOCKERFILE_CMD,
	DOCKERFILE_ENTRYPOINT,
	DOCKERFILE_EXPOSE,
	DOCKERFILE_USER,
	DOCKERFILE_VOLUME,
	DOCKERFILE_STOPSIGNAL,
	DOCKERFILE_HEALTHCHECK,
	DOCKERFILE_SHELL,
	DOCKERFILE_MAINTAINER
};

/* The upper-case keyword of a command ("COPY"). */
const char *dockerfile_cmd_name(enum dockerfile_cmd cmd);

/* FROM [--platform=P] IMAGE [AS NAME], after global ARG expansion. */
struct dockerfile_from {
	char *image;		/* the reference, or "scratch" */
	int scratch;		/* image is "scratch" */
	char *platform;		/* --platform value, NULL when absent */
	char *name;		/* AS name (lower case), NULL when absent */
	int line;
};

/* COPY and ADD from the build context. */
/* uid or gid of a --chown given by name: the build looks it up in the base image */
#define DOCKERFILE_ID_NAME (-2)

struct dockerfile_copy {
	struct strlist sources;	/* expanded, as written: relative to the context */
	char *dest;		/* expanded, as written */
	/*
	 * dest made absolute against WORKDIR (Docker's rule); it ends with
	 * '/' when Docker treats it as a directory (written with a trailing
	 * '/', or ".").
	 */
	char *dest_path;
	char *chown;		/* expanded --chown value, NULL when absent */
	long uid, gid;		/* from --chown (numeric or "root"), -1 when absent,
				   DOCKERFILE_ID_NAME for a name (in chown) the build resolves */
	char *chmod;		/* expanded --chmod value, NULL when absent */
	int mode;		/* parsed --chmod (octal, <= 07777), -1 when absent */
	int link;		/* --link given (no effect: our layers are independent) */
	int unpack;		/* ADD --unpack: -1 not given (Docker extracts local tar archives), 0 or 1 */
};

/*
 * HEALTHCHECK, as Docker stores it in the image config: test is
 * ["NONE"], ["CMD", args...] (exec form) or ["CMD-SHELL", "command"].
 * Durations in nanoseconds; 0 means not set (omitted from the config).
 */
struct dockerfile_health {
	struct strlist test;
	int64_t interval, timeout, start_period, start_interval;
	int retries;
};

struct dockerfile_instr {
	enum dockerfile_cmd cmd;
	int line;		/* first line of the instruction (1-based) */
	int end_line;		/* last line (continuations) */
	char *text;		/* the instruction as written, continuations joined */

	/* Filled by dockerfile_expand(): */

	/*
	 * CMD, ENTRYPOINT: the argv for the config (shell form: the current
	 * SHELL, default ["/bin/sh", "-c"], then the command line);
	 * SHELL: the new shell; EXPOSE: port keys ("80/tcp", ranges
	 * expanded); VOLUME: paths.
	 */
	struct strlist args;
	int args_null;		/* ENTRYPOINT []: the config value is null (args empty) */
	int exec_form;		/* CMD/ENTRYPOINT/SHELL/VOLUME/COPY/ADD/HEALTHCHECK written as a JSON array */

	/*
	 * ENV, LABEL: pairs in order (expanded); ARG: the names declared
	 * here with their resolved values (--build-arg, default, or the
	 * global ARG), value NULL when none.
	 */
	struct kvlist kv;

	/*
	 * WORKDIR: the new absolute working directory; USER, STOPSIGNAL:
	 * the expanded value; MAINTAINER: the author.
	 */
	char *value;

	struct dockerfile_copy copy;	/* COPY, ADD */
	struct dockerfile_health health;	/* HEALTHCHECK */
};

struct dockerfile_options {
	/* --build-arg values, "KEY=VALUE" (a bare "KEY" is ignored, as without an environment) */
	const char *const *build_args;
	size_t build_args_nr;
	/* "os/arch[/variant]" for TARGETPLATFORM...; NULL: the host's, linux/<arch> */
	const char *target_platform;
	/* for BUILDPLATFORM...; NULL: the host's */
	const char *build_platform;
};

struct dockerfile {
	char *filename;		/* for messages */
	char escape;		/* '\\' or '`' (# escape=) */
	char *syntax;		/* # syntax= value (recorded, ignored), or NULL */
	char *check;		/* # check= value (recorded, ignored), or NULL */
	int error_line;		/* line of the last error, 0 when none */

	struct kvlist global_args;	/* ARGs before FROM, resolved (value NULL: none) */
	struct dockerfile_from from;

	/* Every instruction after FROM, in order (FROM itself not included). */
	struct dockerfile_instr *instrs;
	size_t nr, alloc;

	/* internal */
	void *priv;
};

void dockerfile_init(struct dockerfile *df);
void dockerfile_release(struct dockerfile *df);

/*
 * Parse buf (len bytes; need not be NUL-terminated) named filename.
 * 0 on success; -EXIT_DOCKERFILE with "FILE:LINE: ..." on a malformed
 * or refused line, or one that is not UTF-8 (its text goes into the
 * config's history, and most values into the config: JSON holds only
 * UTF-8; values made by expansion are checked by dockerfile_expand()).
 * A --build-arg value an ARG takes that is not UTF-8 is -EXIT_INPUT.
 * opts may be NULL.
 */
int dockerfile_parse(struct dockerfile *df, const char *buf, size_t len,
		     const char *filename, const struct dockerfile_options *opts);

/*
 * What dockerfile_expand() needs from the base image's config (all may
 * be NULL/0, as for scratch).
 */
struct dockerfile_base {
	const char *const *env;		/* config.Env, "KEY=VALUE" */
	size_t env_nr;
	const char *workdir;		/* config.WorkingDir; NULL or "" is "/" */
	const char *const *shell;	/* config.Shell (Docker's), NULL: ["/bin/sh", "-c"] */
	size_t shell_nr;
};

/*
 * Evaluate the instructions after FROM with the base image's config.
 * Call once, after a successful dockerfile_parse().  0 on success,
 * -EXIT_DOCKERFILE with "FILE:LINE: ..." (bad substitution, bad
 * --chown, invalid port or signal...).  Expansion is bounded: a value
 * over 1 MiB once expanded, more than 64 MiB expanded in the whole file,
 * or ${...} nested over 64 deep is refused the same way, before the
 * oversized value is allocated.
 */
int dockerfile_expand(struct dockerfile *df, const struct dockerfile_base *base);

/*
 * WORKDIR rule (Docker's NormalizeWorkdir): requested joined to current
 * when relative, cleaned.  Appends to out.
 */
void dockerfile_workdir_join(const char *current, const char *requested, struct strbuf *out);

#endif
