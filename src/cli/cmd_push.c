/*
 * cmd_push.c: `publish push`.  Not written yet: see the issue that owns it.
 */
#include "lib/common.h"
#include "cli/builtin.h"

int cmd_push(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return error_exit_code(error_as(EXIT_INTERNAL, "'publish push' is not implemented yet"));
}
