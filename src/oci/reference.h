/*
 * reference.h: image references, parsed and normalised the way Docker does.
 *
 *   busybox                      -> docker.io/library/busybox:latest
 *   ghcr.io/owner/app:1.2        -> ghcr.io / owner/app / tag 1.2
 *   localhost:5000/app@sha256:.. -> localhost:5000 / app / digest
 *   host/app:1.2@sha256:...      -> tag and digest both kept
 *
 * The first path component is a registry when it contains '.' or ':' or
 * is "localhost"; otherwise the registry is docker.io, and a one-component
 * name on docker.io gets "library/".  Names, tags and digests are checked
 * against the distribution-spec grammar; an error says which part is wrong
 * and why, and returns -EXIT_INPUT.
 *
 * Pure: no I/O, so unit tests feed it strings.
 */
#ifndef REFERENCE_H
#define REFERENCE_H

#include "lib/strbuf.h"

struct reference {
	char *registry;		/* "docker.io", "ghcr.io", "127.0.0.1:5000" (owned) */
	char *repository;	/* "library/busybox", "owner/app" (owned) */
	char *tag;		/* owned; "latest" when neither tag nor digest was given; NULL with a digest only */
	char *digest;		/* "sha256:<hex>" or NULL (owned) */
};

#define REFERENCE_INIT { NULL, NULL, NULL, NULL }

/* Parse s into out (set only on success; release with reference_release). */
int reference_parse(const char *s, struct reference *out);

/*
 * 1 when s names its registry: its first path component (before a '/')
 * contains '.' or ':', is "localhost" or a bracketed IPv6 address, the
 * rule reference_parse() follows; 0 for a Docker Hub name ("app",
 * "owner/app").  Nothing else is checked.
 */
int reference_names_registry(const char *s);
void reference_release(struct reference *r);
/* Deep copy of src into out. */
void reference_copy(const struct reference *src, struct reference *out);

/* "registry/repository[:tag][@digest]" appended to out. */
void reference_format(const struct reference *r, struct strbuf *out);
/* "registry/repository" appended to out. */
void reference_format_name(const struct reference *r, struct strbuf *out);
/* The tag or digest to address the manifest by: digest when set, else tag (borrowed). */
const char *reference_manifest_ref(const struct reference *r);

/*
 * The host:port to talk to for the API (docker.io -> registry-1.docker.io).
 * Borrowed from r or a static string.
 */
const char *reference_api_host(const struct reference *r);

/* Grammar checks: 0 when valid, else an error (-EXIT_INPUT) naming what. */
int reference_check_tag(const char *tag);
int reference_check_repository(const char *name);

#endif
