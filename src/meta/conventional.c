/*
 * conventional.c: see conventional.h.
 */
#include "lib/common.h"
#include "meta/conventional.h"
#include "lib/strlist.h"
#include <ctype.h>
#include <strings.h>

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

/*
 * The header against ^(\w*)(?:\((.*)\))?(!?): (.*)$: 1 and the type's
 * length and bang set when it matches.  The scope is greedy: the last
 * ")" that is followed by "!: " or ": " ends it.
 */
static int parse_header(const char *h, size_t len, size_t *type_len, int *bang)
{
	size_t t = 0;

	while (t < len && is_word((unsigned char)h[t]))
		t++;
	*type_len = t;
	/* without a scope */
	if (len - t >= 2 && h[t] == ':' && h[t + 1] == ' ') {
		*bang = 0;
		return 1;
	}
	if (len - t >= 3 && h[t] == '!' && h[t + 1] == ':' && h[t + 2] == ' ') {
		*bang = 1;
		return 1;
	}
	if (t < len && h[t] == '(') {
		/* greedy .* then ")": try the last candidates first, as backtracking does */
		for (size_t e = len; e-- > t + 1;) {
			if (h[e] != ')')
				continue;
			if (len - e >= 3 && h[e + 1] == ':' && h[e + 2] == ' ') {
				*bang = 0;
				return 1;
			}
			if (len - e >= 4 && h[e + 1] == '!' && h[e + 2] == ':' && h[e + 3] == ' ') {
				*bang = 1;
				return 1;
			}
		}
	}
	return 0;
}

/* ^[\s|*]*(BREAKING CHANGE|BREAKING-CHANGE)[:\s]+ with the i flag */
static int is_breaking_note(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len && (isspace((unsigned char)l[i]) || l[i] == '|' || l[i] == '*'))
		i++;
	if (len - i < 16 || strncasecmp(l + i, "breaking", 8) ||
	    (l[i + 8] != ' ' && l[i + 8] != '-') || strncasecmp(l + i + 9, "change", 6))
		return 0;
	return l[i + 15] == ':' || isspace((unsigned char)l[i + 15]);
}

enum semver_bump conventional_bump(const char *message)
{
	const char *p = message, *nl;
	size_t type_len, len;
	int bang = 0, first = 1, header = 0;
	enum semver_bump bump = SEMVER_PATCH;

	/* conventional-commits-parser trims the message first */
	while (*p && isspace((unsigned char)*p))
		p++;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		len = nl - p;
		if (len && p[len - 1] == '\r')
			len--;
		if (first) {
			header = parse_header(p, len, &type_len, &bang);
			if (header && bang)
				return SEMVER_MAJOR;
			if (header && ((type_len == 4 && !strncmp(p, "feat", 4)) ||
				       (type_len == 7 && !strncmp(p, "feature", 7))))
				bump = SEMVER_MINOR;
			first = 0;
		} else if (is_breaking_note(p, len)) {
			return SEMVER_MAJOR;
		}
		if (!*nl)
			break;
	}
	return bump;
}

enum semver_bump conventional_bump_all(const struct strlist *messages, const struct semver *base)
{
	enum semver_bump bump = SEMVER_PATCH;

	for (size_t i = 0; i < messages->nr && bump != SEMVER_MAJOR; i++) {
		enum semver_bump b = conventional_bump(messages->items[i]);

		if (b < bump)
			bump = b;
	}
	if (base->major == 0 && bump != SEMVER_PATCH)
		bump++;
	return bump;
}

void conventional_version(const struct semver *base, const struct strlist *messages,
			  size_t distance, const char *pre, struct strbuf *out)
{
	if (!distance) {
		strbuf_addstr(out, base->version);
		return;
	}
	semver_inc(base, conventional_bump_all(messages, base), out);
	if (pre && *pre)
		strbuf_addf(out, "-%s.%zu", pre, distance);
}
