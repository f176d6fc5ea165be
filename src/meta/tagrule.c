/*
 * tagrule.c: see tagrule.h.
 */
#include "lib/common.h"
#include "meta/tagrule.h"
#include "lib/strlist.h"
#include "meta/csvrec.h"
#include "meta/metainput.h"
#include <math.h>
#include <ctype.h>

static const struct {
	const char *name;
	const char *priority;
} types[] = {
	[TAGRULE_SCHEDULE] = { "schedule", "1000" },
	[TAGRULE_SEMVER] = { "semver", "900" },
	[TAGRULE_PEP440] = { "pep440", "900" },
	[TAGRULE_MATCH] = { "match", "800" },
	[TAGRULE_EDGE] = { "edge", "700" },
	[TAGRULE_REF] = { "ref", "600" },
	[TAGRULE_RAW] = { "raw", "200" },
	[TAGRULE_SHA] = { "sha", "100" },
	[TAGRULE_DESCRIBE] = { "describe", "900" },
	[TAGRULE_CONVENTIONAL] = { "conventional", "900" },
};

const char *tagrule_type_name(enum tagrule_type t)
{
	return types[t].name;
}

const char *tagrule_get(const struct tagrule *r, const char *key)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!strcmp(r->attrs[i].key, key))
			return r->attrs[i].value;
	return NULL;
}

void tagrule_set(struct tagrule *r, const char *key, const char *value)
{
	for (size_t i = 0; i < r->nr; i++) {
		if (!strcmp(r->attrs[i].key, key)) {
			free(r->attrs[i].value);
			r->attrs[i].value = xstrdup(value);
			return;
		}
	}
	ALLOC_GROW(r->attrs, r->nr + 1, r->alloc);
	r->attrs[r->nr].key = xstrdup(key);
	r->attrs[r->nr].value = xstrdup(value);
	r->nr++;
}

static void set_default(struct tagrule *r, const char *key, const char *value)
{
	if (!tagrule_get(r, key))
		tagrule_set(r, key, value);
}

void tagrule_release(struct tagrule *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nr; i++) {
		free(r->attrs[i].key);
		free(r->attrs[i].value);
	}
	free(r->attrs);
	free(r->source);
	memset(r, 0, sizeof(*r));
}

int tagrule_js_number(const char *s, double *out)
{
	struct strbuf t = STRBUF_INIT;
	const char *p;
	char *end;
	double v;
	int rc = -1;

	metainput_trim(s, &t);
	p = t.buf;
	if (!*p) {
		v = 0;
		goto ok;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X' || p[1] == 'o' || p[1] == 'O' || p[1] == 'b' || p[1] == 'B')) {
		int base = (p[1] == 'x' || p[1] == 'X') ? 16 : (p[1] == 'o' || p[1] == 'O') ? 8 : 2;

		if (!p[2])
			goto out;
		v = 0;
		for (p += 2; *p; p++) {
			int d = (*p >= '0' && *p <= '9') ? *p - '0' :
				(*p >= 'a' && *p <= 'f') ? *p - 'a' + 10 :
				(*p >= 'A' && *p <= 'F') ? *p - 'A' + 10 : 99;
			if (d >= base)
				goto out;
			v = v * base + d;
		}
		goto ok;
	}
	{
		const char *q = p;

		if (*q == '+' || *q == '-')
			q++;
		if (!strcmp(q, "Infinity")) {
			v = *p == '-' ? -INFINITY : INFINITY;
			goto ok;
		}
		/* only decimal digits, one '.', an exponent: no "inf", "nan" or hex floats */
		for (const char *c = q; *c; c++)
			if (!strchr("0123456789.eE+-", *c))
				goto out;
		if (!(isdigit((unsigned char)*q) || (*q == '.' && isdigit((unsigned char)q[1]))))
			goto out;
	}
	v = strtod(p, &end);
	if (*end)
		goto out;
ok:
	*out = v;
	rc = 0;
out:
	strbuf_release(&t);
	return rc;
}

/* Split a field at its first '=' that has at least one character before it. */
static void split_field(const char *field, struct strbuf *key, struct strbuf *value, int *has_value)
{
	const char *eq = field[0] ? strchr(field + 1, '=') : NULL;

	strbuf_reset(key);
	strbuf_reset(value);
	if (!eq) {
		metainput_trim(field, key);
		*has_value = 0;
		return;
	}
	{
		char *k = xstrndup(field, eq - field);
		metainput_trim(k, key);
		free(k);
	}
	metainput_trim(eq + 1, value);
	*has_value = 1;
}

static int one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return 1;
	return 0;
}

int tagrule_parse(struct tagrule *out, const char *entry, struct strbuf *err)
{
	static const char *const events[] = { "branch", "tag", "pr", NULL };
	static const char *const formats[] = { "short", "long", NULL };
	struct tagrule r = { TAGRULE_RAW, NULL, 0, 0, NULL };
	struct strlist fields = STRLIST_INIT;
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	int has_type = 0, rc = -1, after_paths = 0;
	double num;

	r.source = xstrdup(entry);
	if (csvrec_split(entry, 0, &fields, err) < 0) {
		strbuf_addf(err, " in tag rule '%s'", entry);
		goto out;
	}
	for (size_t i = 0; i < fields.nr; i++) {
		int has_value;

		split_field(fields.items[i], &key, &value, &has_value);
		if (!has_value && after_paths) {
			struct strbuf p = STRBUF_INIT;

			strbuf_addf(&p, "%s,%s", tagrule_get(&r, "paths"), key.buf);
			tagrule_set(&r, "paths", p.buf);
			strbuf_release(&p);
			continue;
		}
		if (!has_value) {
			tagrule_set(&r, "value", key.buf);
			continue;
		}
		strbuf_tolower(&key);
		after_paths = !strcmp(key.buf, "paths");
		if (!strcmp(key.buf, "type")) {
			size_t t;

			for (t = 0; t < ARRAY_SIZE(types); t++)
				if (!strcmp(value.buf, types[t].name))
					break;
			if (t == ARRAY_SIZE(types)) {
				strbuf_addf(err, "unknown tag type '%s' in '%s'", value.buf, entry);
				goto out;
			}
			r.type = (enum tagrule_type)t;
			has_type = 1;
		} else {
			tagrule_set(&r, key.buf, value.buf);
		}
	}
	(void)has_type;

	switch (r.type) {
	case TAGRULE_SCHEDULE:
		set_default(&r, "pattern", "nightly");
		break;
	case TAGRULE_SEMVER:
	case TAGRULE_PEP440:
		if (!tagrule_get(&r, "pattern")) {
			strbuf_addf(err, "missing pattern attribute in '%s'", entry);
			goto out;
		}
		set_default(&r, "value", "");
		set_default(&r, "match", "");
		break;
	case TAGRULE_MATCH:
		if (!tagrule_get(&r, "pattern")) {
			strbuf_addf(err, "missing pattern attribute in '%s'", entry);
			goto out;
		}
		set_default(&r, "group", "0");
		if (tagrule_js_number(tagrule_get(&r, "group"), &num) < 0) {
			strbuf_addf(err, "invalid match group '%s' in '%s'", tagrule_get(&r, "group"), entry);
			goto out;
		}
		set_default(&r, "value", "");
		break;
	case TAGRULE_EDGE:
		set_default(&r, "branch", "");
		break;
	case TAGRULE_REF:
		if (!tagrule_get(&r, "event")) {
			strbuf_addf(err, "missing event attribute in '%s'", entry);
			goto out;
		}
		if (!one_of(tagrule_get(&r, "event"), events)) {
			strbuf_addf(err, "invalid event '%s' in '%s' (branch, tag or pr)", tagrule_get(&r, "event"), entry);
			goto out;
		}
		if (!strcmp(tagrule_get(&r, "event"), "pr"))
			set_default(&r, "prefix", "pr-");
		break;
	case TAGRULE_RAW:
		if (!tagrule_get(&r, "value")) {
			strbuf_addf(err, "missing value attribute in '%s'", entry);
			goto out;
		}
		break;
	case TAGRULE_SHA:
		set_default(&r, "prefix", "sha-");
		set_default(&r, "format", "short");
		if (!one_of(tagrule_get(&r, "format"), formats)) {
			strbuf_addf(err, "invalid format '%s' in '%s' (short or long)", tagrule_get(&r, "format"), entry);
			goto out;
		}
		break;
	case TAGRULE_DESCRIBE:
	case TAGRULE_CONVENTIONAL: {
		static const char *const known[] = { "pattern", "prefix", "suffix", "enable", "priority",
						     "tag-prefix", "paths", "pre", NULL };

		for (size_t i = 0; i < r.nr; i++) {
			if (!one_of(r.attrs[i].key, known) ||
			    (r.type == TAGRULE_DESCRIBE && !strcmp(r.attrs[i].key, "pre"))) {
				strbuf_addf(err, "unknown attribute '%s' for type=%s in '%s'",
					    r.attrs[i].key, types[r.type].name, entry);
				goto out;
			}
		}
		set_default(&r, "pattern", "{{version}}");
		set_default(&r, "tag-prefix", "");
		set_default(&r, "paths", "");
		if (r.type == TAGRULE_CONVENTIONAL)
			set_default(&r, "pre", "dev");
		break;
	}
	}
	set_default(&r, "enable", "true");
	set_default(&r, "priority", types[r.type].priority);
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	tagrule_release(&r);
	strlist_release(&fields);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

/* metadata-action's comparator: descending Number(priority); NaN compares equal to all. */
static int compare(const struct tagrule *a, const struct tagrule *b)
{
	double pa, pb;

	if (tagrule_js_number(tagrule_get(a, "priority"), &pa) < 0)
		pa = NAN;
	if (tagrule_js_number(tagrule_get(b, "priority"), &pb) < 0)
		pb = NAN;
	if (pa < pb)
		return 1;
	if (pa > pb)
		return -1;
	return 0;
}

/*
 * V8's TimSort for the lengths a tag list has: one run (descending runs
 * reversed) then binary insertion of the rest.  Reproducing it keeps the
 * order identical even with a priority that is not a number.
 */
static void v8_sort(struct tagrule *a, size_t n)
{
	size_t run = 2, start;

	if (n < 2)
		return;
	{
		int desc = compare(&a[1], &a[0]) < 0;

		for (size_t i = 2; i < n; i++) {
			int o = compare(&a[i], &a[i - 1]);
			if (desc ? o >= 0 : o < 0)
				break;
			run++;
		}
		if (desc) {
			for (size_t i = 0, j = run - 1; i < j; i++, j--) {
				struct tagrule t = a[i];
				a[i] = a[j];
				a[j] = t;
			}
		}
	}
	for (start = run; start < n; start++) {
		size_t left = 0, right = start;
		struct tagrule pivot = a[start];

		while (left < right) {
			size_t mid = left + ((right - left) >> 1);
			if (compare(&pivot, &a[mid]) < 0)
				right = mid;
			else
				left = mid + 1;
		}
		memmove(&a[left + 1], &a[left], (start - left) * sizeof(*a));
		a[left] = pivot;
	}
}

int tagrule_list_parse(struct tagrule_list *out, const struct strlist *entries, struct strbuf *err)
{
	static const char *const defaults[] = {
		"type=schedule", "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr"
	};
	struct tagrule_list l = TAGRULE_LIST_INIT;
	size_t n = entries->nr ? entries->nr : ARRAY_SIZE(defaults);

	for (size_t i = 0; i < n; i++) {
		const char *e = entries->nr ? entries->items[i] : defaults[i];

		ALLOC_GROW(l.rules, l.nr + 1, l.alloc);
		if (tagrule_parse(&l.rules[l.nr], e, err) < 0) {
			tagrule_list_release(&l);
			return -1;
		}
		l.nr++;
	}
	v8_sort(l.rules, l.nr);
	*out = l;
	return 0;
}

void tagrule_list_release(struct tagrule_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr; i++)
		tagrule_release(&l->rules[i]);
	free(l->rules);
	l->rules = NULL;
	l->nr = l->alloc = 0;
}
