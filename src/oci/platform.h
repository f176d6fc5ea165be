/*
 * platform.h: an image's platform (os, architecture, variant), parsed,
 * normalised, written and matched in one place.
 *
 * Normalised as Docker and containerd do, so "linux/x86_64" and
 * "linux/amd64" name one platform: lower case; x86_64 and x86-64 are
 * amd64, aarch64 is arm64 (and arm64/v8 is arm64: v8 is its only
 * variant), armhf is arm/v7, armel arm/v6, i386..i686 are 386.  A lone
 * architecture ("arm64") is on linux.  Matching: same os and
 * architecture; a wanted variant must be the one present, except that an
 * arm without one is v7; no wanted variant takes any.
 *
 * Used by build (--platform, FROM --platform, the base's config), the
 * registry (picking from an index), the action (platforms input) and
 * inspect.  Pure: no I/O.
 */
#ifndef OCI_PLATFORM_H
#define OCI_PLATFORM_H

#include <jansson.h>

#include "lib/strbuf.h"

struct platform {
	char *os;		/* owned, "linux" */
	char *architecture;	/* owned, "amd64" */
	char *variant;		/* owned, may be NULL ("v7") */
};

#define PLATFORM_INIT { NULL, NULL, NULL }

/*
 * Parse "os/arch[/variant]" (or a lone architecture) into out,
 * normalised.  -EXIT_INPUT naming s on bad input; out untouched then.
 */
int platform_parse(const char *s, struct platform *out);
/* The platform of this machine (linux/amd64 on x86-64). */
void platform_host(struct platform *out);
/* A copy of src into out. */
void platform_copy(const struct platform *src, struct platform *out);
void platform_release(struct platform *p);

/*
 * From a JSON "platform" object (an index entry) or an image config
 * ("os", "architecture", "variant" members), normalised.  -1 without a
 * message when os or architecture is missing.
 */
int platform_from_json(const json_t *j, struct platform *out);
/* {"architecture", "os"[, "variant"]}: a new reference. */
json_t *platform_to_json(const struct platform *p);
/* "os/arch[/variant]" appended to out. */
void platform_format(const struct platform *p, struct strbuf *out);

/* 1 if have (an image's) is what want asks for; see the top. */
int platform_match(const struct platform *have, const struct platform *want);
/* 1 if a and b name the same platform, variant included. */
int platform_equal(const struct platform *a, const struct platform *b);

#endif
