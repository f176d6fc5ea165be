/*
 * registry_opts.h: the registry options shared by push, copy and inspect
 * (--username, --password-stdin, --insecure-registry, --jobs, --retries,
 * --quiet).  CLI layer only: it reads argv and stdin.
 */
#ifndef REGISTRY_OPTS_H
#define REGISTRY_OPTS_H

#include "registry/registry.h"

struct registry_cli {
	struct registry_options opts;
	char *username;		/* owned */
	char *password;		/* owned secret */
	const char **insecure;	/* owned array (strings borrowed from argv), NULL-terminated */
	size_t nr_insecure, alloc_insecure;
	int password_stdin;
};

#define REGISTRY_CLI_INIT { { NULL, CREDENTIAL_INIT, NULL, 0, 0, 0, 0 }, NULL, NULL, NULL, 0, 0, 0 }

/*
 * If argv[*i] is a registry option, consume it (and its value) and return
 * 1; 0 if it is not one; negative (-EXIT_USAGE) on a bad value.
 */
int registry_cli_option(struct registry_cli *rc, int argc, char **argv, int *i);
/* After parsing: read the password, fill rc->opts.  Negative on error. */
int registry_cli_finish(struct registry_cli *rc);
void registry_cli_release(struct registry_cli *rc);

/*
 * The whole of `publish copy` and `publish push`: parse argv (the shared
 * options and --digest-file), then copy SRC to every DST, tags last, print
 * a summary on stderr and the digest on stdout.  SRC is oci:DIR (an OCI
 * layout) or a reference; with src_is_layout it is always a layout and the
 * "oci:" is optional.  Returns the process exit code.
 */
int registry_cli_transfer(int argc, char **argv, const char *usage, int src_is_layout);

#define REGISTRY_CLI_USAGE \
	"  --username USER          registry user (with --password-stdin); copy and\n" \
	"                           push give it to the destination registries only\n" \
	"  --password-stdin         read the password or token from stdin\n" \
	"  --insecure-registry HOST allow plain http to HOST (loopback always may)\n" \
	"  --jobs N                 blobs uploaded at once (default 4)\n" \
	"  --retries N              tries per request (default 6)\n" \
	"  --quiet                  no progress lines\n"

#define REGISTRY_CLI_TRANSFER_USAGE \
	"  --digest-file FILE       write the pushed digest to FILE\n" \
	REGISTRY_CLI_USAGE

#endif
