/*
 * registry_opts.h: the registry options shared by push, copy and inspect
 * (--username, --password-stdin, --insecure-registry, --jobs, --retries,
 * --quiet).  CLI layer only: it reads argv and stdin.
 */
#ifndef REGISTRY_OPTS_H
#define REGISTRY_OPTS_H

#include "registry/registry.h"
#include "cli/parse-options.h"

struct registry_cli {
	struct registry_options opts;
	const char *username;	/* borrowed from argv */
	char *password;		/* owned secret */
	const char **insecure;	/* owned array (strings borrowed from argv), NULL-terminated */
	size_t nr_insecure, alloc_insecure;
	int password_stdin;
};

#define REGISTRY_CLI_INIT { { NULL, CREDENTIAL_INIT, NULL, 0, 0, 0, 0, NULL }, NULL, NULL, NULL, 0, 0, 0 }

/* parse_opt_cb of --insecure-registry: opt->value is the struct registry_cli */
int registry_cli_add_insecure(const struct option *opt, const char *arg);

/*
 * The shared options as a fragment of a command's option table, filling
 * the struct registry_cli *rc:
 *   struct option options[] = { ..., REGISTRY_CLI_OPTIONS(&rc), OPT_END() };
 */
#define REGISTRY_CLI_OPTIONS(rc) \
	OPT_STRING(0, "username", &(rc)->username, "<user>", \
		   "registry user (with --password-stdin); copy and\n" \
		   "push give it to the destination registries only"), \
	OPT_FLAG(0, "password-stdin", &(rc)->password_stdin, "read the password or token from stdin"), \
	OPT_CALLBACK(0, "insecure-registry", (rc), "<host>", \
		     "allow plain http to HOST (loopback always may)", registry_cli_add_insecure), \
	OPT_INT(0, "jobs", &(rc)->opts.jobs, "<n>", 1, 32, "blobs uploaded at once (default 4)"), \
	OPT_INT(0, "retries", &(rc)->opts.max_tries, "<n>", 1, 20, "tries per request (default 6)"), \
	OPT_FLAG('q', "quiet", &(rc)->opts.quiet, "no progress lines")

/* After parsing: read the password, fill rc->opts.  Negative on error. */
int registry_cli_finish(struct registry_cli *rc);
void registry_cli_release(struct registry_cli *rc);

/*
 * The end of a push, copy or merge: rep's digest to digest_file (when not
 * NULL), the summary on stderr (unless --quiet), the digest on stdout.
 */
int registry_cli_report(const struct registry_cli *rc, const struct push_report *rep,
			const char *digest_file);

/*
 * 1 if the reference s names a tag ("REG/REPO:TAG"), which
 * reference_parse() cannot say ("latest" is filled in): a ':' after the
 * last '/' and before any '@'.
 */
int registry_cli_names_tag(const char *s);

/*
 * The whole of `publish copy` and `publish push`: parse argv (the shared
 * options, --digest-file, and for push --by-digest: every REF a
 * repository without a tag, none written), then copy SRC to every DST, tags last, print
 * a summary on stderr and the digest on stdout.  SRC is oci:DIR (an OCI
 * layout) or a reference; with src_is_layout it is always a layout and the
 * "oci:" is optional.  usage is the command's usage lines (parse-options.h).
 * Returns the process exit code.
 */
int registry_cli_transfer(int argc, char **argv, const char *const *usage, int src_is_layout);

/*
 * push --sbom / --provenance: attach them to the images of the layout
 * just pushed to dsts (cmd_push.c, over build_attest()).
 */
int push_attest(struct registry_client *c, const char *layout, const struct reference *dsts, size_t nr,
		int sbom, int provenance);

#endif
