/*
 * flavor.c: see flavor.h.  Each entry is a CSV record of key=value
 * fields; like metadata-action, a field is split at every '=' and only
 * the first two pieces count, both trimmed.
 */
#include "lib/common.h"
#include "meta/flavor.h"
#include "lib/strlist.h"
#include "meta/csvrec.h"
#include "meta/metainput.h"

static void set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int parse_entry(struct flavor *f, const char *entry, struct strbuf *err)
{
	struct strlist fields = STRLIST_INIT, parts = STRLIST_INIT;
	struct strbuf key = STRBUF_INIT, val = STRBUF_INIT;
	const char *onlatestfor = "";
	int rc = -1;

	if (csvrec_split(entry, 0, &fields, err) < 0) {
		strbuf_addf(err, " in flavor entry '%s'", entry);
		goto out;
	}
	for (size_t i = 0; i < fields.nr; i++) {
		strlist_release(&parts);
		strlist_split(&parts, fields.items[i], '=');
		if (parts.nr == 1) {
			strbuf_addf(err, "invalid flavor entry '%s'", entry);
			goto out;
		}
		strbuf_reset(&key);
		strbuf_reset(&val);
		metainput_trim(parts.items[0], &key);
		metainput_trim(parts.items[1], &val);
		strbuf_tolower(&key);
		if (!strcmp(key.buf, "latest")) {
			if (strcmp(val.buf, "auto") && strcmp(val.buf, "true") && strcmp(val.buf, "false")) {
				strbuf_addf(err, "invalid latest flavor entry '%s'", entry);
				goto out;
			}
			set(&f->latest, val.buf);
		} else if (!strcmp(key.buf, "prefix")) {
			set(&f->prefix, val.buf);
			onlatestfor = "prefix";
		} else if (!strcmp(key.buf, "suffix")) {
			set(&f->suffix, val.buf);
			onlatestfor = "suffix";
		} else if (!strcmp(key.buf, "onlatest")) {
			if (strcmp(val.buf, "true") && strcmp(val.buf, "false")) {
				strbuf_addf(err, "invalid value '%s' for onlatest in flavor entry '%s'", val.buf, entry);
				goto out;
			}
			if (!strcmp(onlatestfor, "prefix"))
				f->prefix_latest = !strcmp(val.buf, "true");
			else if (!strcmp(onlatestfor, "suffix"))
				f->suffix_latest = !strcmp(val.buf, "true");
		} else {
			strbuf_addf(err, "unknown flavor key '%s' in '%s'", key.buf, entry);
			goto out;
		}
	}
	rc = 0;
out:
	strlist_release(&fields);
	strlist_release(&parts);
	strbuf_release(&key);
	strbuf_release(&val);
	return rc;
}

int flavor_parse(struct flavor *out, const struct strlist *entries, struct strbuf *err)
{
	struct flavor f = { xstrdup("auto"), xstrdup(""), xstrdup(""), 0, 0 };

	for (size_t i = 0; i < entries->nr; i++) {
		if (parse_entry(&f, entries->items[i], err) < 0) {
			flavor_release(&f);
			return -1;
		}
	}
	*out = f;
	return 0;
}

void flavor_release(struct flavor *f)
{
	if (!f)
		return;
	free(f->latest);
	free(f->prefix);
	free(f->suffix);
	f->latest = f->prefix = f->suffix = NULL;
}
