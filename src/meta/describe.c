/*
 * describe.c: see describe.h.
 */
#include "lib/common.h"
#include "meta/describe.h"

void describe_history_release(struct describe_history *h)
{
	if (!h)
		return;
	free(h->tag_prefix);
	free(h->paths);
	free(h->head);
	free(h->short_sha);
	free(h->tag);
	strlist_release(&h->tags_at);
	strlist_release(&h->messages);
	memset(h, 0, sizeof(*h));
}

void describe_version_release(struct describe_version *v)
{
	if (!v)
		return;
	free(v->tag);
	free(v->raw);
	free(v->version);
	semver_release(&v->base);
	memset(v, 0, sizeof(*v));
}

/* The version of tag name after the prefix ("v" allowed), 0 and out set, or -1. */
static int tag_version(const char *name, const char *prefix, struct semver *out)
{
	size_t plen = strlen(prefix);

	if (strncmp(name, prefix, plen))
		return -1;
	name += plen;
	/* strict: no spaces, no "=" (semver_parse trims and would accept " 1.2.3") */
	if (!*name || strchr(name, ' ') || strchr(name, '\t'))
		return -1;
	return semver_parse(out, name);
}

int describe_resolve(const struct describe_history *h, struct describe_version *out, struct strbuf *err)
{
	struct describe_version v;
	struct strbuf sb = STRBUF_INIT;
	const char *prefix = h->tag_prefix ? h->tag_prefix : "";
	size_t best = (size_t)-1;
	struct semver bv;

	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < h->tags_at.nr; i++) {
		struct semver s;

		if (tag_version(h->tags_at.items[i], prefix, &s) < 0)
			continue;
		if (best == (size_t)-1 || semver_compare(&s, &bv) > 0) {
			if (best != (size_t)-1)
				semver_release(&bv);
			bv = s;
			best = i;
		} else {
			semver_release(&s);
		}
	}
	if (h->tag && best == (size_t)-1) {
		strbuf_addf(err, "the nearest tag '%s' is not a version%s%s", h->tag,
			    *prefix ? " after the tag-prefix " : "", prefix);
		return -1;
	}
	v.distance = h->paths && *h->paths ? h->counted : h->distance;
	if (best != (size_t)-1) {
		const char *name = h->tags_at.items[best];

		v.have_tag = 1;
		v.tag = xstrdup(name);
		v.base = bv;
		strbuf_addstr(&sb, name);
		if (v.distance)
			strbuf_addf(&sb, "-%zu-g%s", v.distance, h->short_sha);
		v.raw = strbuf_detach(&sb, NULL);
		strbuf_addstr(&sb, bv.version);
		if (v.distance)
			strbuf_addf(&sb, "-%zu-g%s", v.distance, h->short_sha);
		v.version = strbuf_detach(&sb, NULL);
	} else {
		if (semver_parse(&v.base, "0.0.0") < 0)
			return -1;
		v.raw = xstrdup(h->short_sha ? h->short_sha : "");
		strbuf_addf(&sb, "0.0.0-%zu-g%s", v.distance, h->short_sha ? h->short_sha : "");
		v.version = strbuf_detach(&sb, NULL);
	}
	*out = v;
	return 0;
}
