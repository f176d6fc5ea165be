/*
 * flavor.h: the `flavor` input of docker/metadata-action: latest=auto|
 * true|false, prefix=, suffix= and onlatest=true|false (which applies to
 * the prefix or suffix named just before it on the same line).
 *
 * Unknown keys, an entry without '=', a bad latest or onlatest value are
 * errors (the whole entry is quoted back in the message).  Pure, no I/O.
 */
#ifndef FLAVOR_H
#define FLAVOR_H

struct strlist;
struct strbuf;

struct flavor {
	char *latest;		/* "auto", "true" or "false" */
	char *prefix;
	char *suffix;
	int prefix_latest;	/* prefix also goes on the latest tag */
	int suffix_latest;
};

#define FLAVOR_INIT { NULL, NULL, NULL, 0, 0 }

/* Parse the flavor entries into out (defaults first); -1 and reason in err. */
int flavor_parse(struct flavor *out, const struct strlist *entries, struct strbuf *err);
void flavor_release(struct flavor *f);

#endif
