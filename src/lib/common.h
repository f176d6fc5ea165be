/*
 * common.h: what every source file of publish includes first.
 *
 * It brings the exit codes, the error helpers, the allocation wrappers
 * and the string buffer, and poisons the banned functions.  Nothing here
 * does I/O except error reporting to stderr.
 */
#ifndef COMMON_H
#define COMMON_H

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/exitcode.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "lib/strbuf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "lib/banned.h"

#endif
