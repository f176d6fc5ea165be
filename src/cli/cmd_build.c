/*
 * cmd_build.c: `publish build`.  Not written yet: see the issue that owns it.
 */
#include "lib/common.h"
#include "cli/builtin.h"

int cmd_build(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return error_exit_code(error_as(EXIT_INTERNAL, "'publish build' is not implemented yet"));
}
