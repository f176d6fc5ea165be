/*
 * exitcode.h: the process exit codes of publish.
 *
 * These numbers are part of the interface: scripts and workflows test
 * them.  They are documented in README.md ("Exit codes") and are never
 * renumbered; new codes are appended.
 *
 * Domain code returns 0 on success and a negative number on error; the
 * negative of an exit code (-EXIT_AUTH) says which class of error
 * it was, plain -1 is EXIT_FAILURE.  See error_as() in error.h.
 */
#ifndef EXITCODE_H
#define EXITCODE_H

enum publish_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* unexpected failure, I/O error */
	EXIT_USAGE = 2,		/* bad command line: unknown option, missing argument */
	EXIT_INPUT = 3,		/* bad input: tag rule, flavor, label, event payload */
	EXIT_DOCKERFILE = 4,	/* Dockerfile syntax or an instruction we refuse */
	EXIT_CONTEXT = 5,	/* build context or repository: missing file, git error */
	EXIT_AUTH = 6,		/* registry refused credentials or permission (401/403) */
	EXIT_NOT_FOUND = 7,	/* image, manifest or blob not found (404) */
	EXIT_NETWORK = 8,	/* registry unreachable, TLS failure, retries exhausted */
	EXIT_REGISTRY = 9,	/* registry protocol error, digest mismatch, rejected upload */
	EXIT_INTERNAL = 10	/* a bug in publish */
};

#endif
