/*
 * fuzz-dockerfile.c: dockerfile_parse() then dockerfile_expand() over
 * the whole input as a Dockerfile (bytes as read from disk, NULs and
 * all), with two --build-arg values and a base image config that has
 * an Env, a WorkingDir and a Shell, so ARG/ENV/$VAR, WORKDIR and the
 * shell form all run.  Checks: an error leaves a "FILE:LINE: ..."
 * message, and every instruction names a known command.
 */
#include "fuzz.h"
#include "build/dockerfile.h"

#define MAX_LEN 8192	/* -max_len: Dockerfiles are small; keeps each run fast */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const build_args[] = { "VERSION=1.2.3", "BASE=alpine:3.20", "EMPTY=" };
	static const char *const env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "LANG" };
	static const char *const shell[] = { "/bin/bash", "-eo", "pipefail", "-c" };
	struct dockerfile_options opts = { build_args, ARRAY_SIZE(build_args), "linux/arm64/v8", NULL };
	struct dockerfile_base base = { env, ARRAY_SIZE(env), "/srv", shell, ARRAY_SIZE(shell) };
	struct dockerfile df;
	int rc;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	fuzz_error_reset();
	dockerfile_init(&df);
	rc = dockerfile_parse(&df, (const char *)data, size, "Dockerfile", &opts);
	if (!rc) {
		FUZZ_CHECK(df.from.image != NULL);
		rc = dockerfile_expand(&df, &base);
	}
	if (rc) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK_MESSAGE();
		FUZZ_CHECK(!strncmp(error_last(), "Dockerfile:", 11));
	} else {
		for (size_t i = 0; i < df.nr; i++) {
			FUZZ_CHECK(dockerfile_cmd_name(df.instrs[i].cmd) != NULL);
			FUZZ_CHECK(df.instrs[i].line <= df.instrs[i].end_line);
			if (df.instrs[i].cmd == DOCKERFILE_WORKDIR)
				FUZZ_CHECK(df.instrs[i].value && df.instrs[i].value[0] == '/');
		}
	}
	dockerfile_release(&df);
	return 0;
}
