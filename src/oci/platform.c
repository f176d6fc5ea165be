/*
 * platform.c: see platform.h.
 */
#include "lib/common.h"
#include "oci/platform.h"

#include <ctype.h>

/* architectures a lone "arch" may name (then the os is linux) */
static const char *const known_arches[] = {
	"amd64", "386", "arm", "arm64", "ppc64le", "ppc64", "s390x", "riscv64",
	"mips64le", "mips64", "mipsle", "mips", "loong64", "wasm",
};

static void set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static void lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static void normalise(struct platform *p)
{
	const char *a;

	lower(p->os);
	lower(p->architecture);
	lower(p->variant);
	if (p->variant && !*p->variant)
		set(&p->variant, NULL);
	a = p->architecture;
	if (is(a, "x86_64") || is(a, "x86-64")) {
		set(&p->architecture, "amd64");
	} else if (is(a, "aarch64")) {
		set(&p->architecture, "arm64");
	} else if (is(a, "armhf")) {
		set(&p->architecture, "arm");
		set(&p->variant, "v7");
	} else if (is(a, "armel")) {
		set(&p->architecture, "arm");
		set(&p->variant, "v6");
	} else if (is(a, "i386") || is(a, "i486") || is(a, "i586") || is(a, "i686")) {
		set(&p->architecture, "386");
	}
	if (is(p->architecture, "arm64") && (is(p->variant, "v8") || is(p->variant, "8")))
		set(&p->variant, NULL);
	if (is(p->architecture, "arm") && p->variant && isdigit((unsigned char)p->variant[0])) {
		struct strbuf v = STRBUF_INIT;

		strbuf_addf(&v, "v%s", p->variant);
		free(p->variant);
		p->variant = strbuf_detach(&v, NULL);
	}
}

static int known_arch(const struct platform *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_arches); i++)
		if (is(p->architecture, known_arches[i]))
			return 1;
	return 0;
}

int platform_parse(const char *s, struct platform *out)
{
	struct platform p = PLATFORM_INIT;
	const char *a = strchr(s, '/'), *v = a ? strchr(a + 1, '/') : NULL;

	if (!*s || (a && (a == s || !a[1] || a[1] == '/')) || (v && (!v[1] || strchr(v + 1, '/'))))
		goto bad;
	if (!a) {
		p.architecture = xstrdup(s);
		normalise(&p);
		if (!known_arch(&p))
			goto bad;
		p.os = xstrdup("linux");
	} else {
		p.os = xstrndup(s, (size_t)(a - s));
		p.architecture = v ? xstrndup(a + 1, (size_t)(v - a - 1)) : xstrdup(a + 1);
		p.variant = v ? xstrdup(v + 1) : NULL;
		normalise(&p);
	}
	*out = p;
	return 0;
bad:
	platform_release(&p);
	return error_as(EXIT_INPUT, "platform '%s' is not os/arch[/variant] (e.g. linux/amd64)", s);
}

void platform_host(struct platform *out)
{
	out->os = xstrdup("linux");
#if defined(__aarch64__)
	out->architecture = xstrdup("arm64");
	out->variant = NULL;
#elif defined(__arm__)
	out->architecture = xstrdup("arm");
	out->variant = xstrdup("v7");
#elif defined(__i386__)
	out->architecture = xstrdup("386");
	out->variant = NULL;
#else
	out->architecture = xstrdup("amd64");
	out->variant = NULL;
#endif
}

void platform_copy(const struct platform *src, struct platform *out)
{
	out->os = src->os ? xstrdup(src->os) : NULL;
	out->architecture = src->architecture ? xstrdup(src->architecture) : NULL;
	out->variant = src->variant ? xstrdup(src->variant) : NULL;
}

void platform_release(struct platform *p)
{
	if (!p)
		return;
	free(p->os);
	free(p->architecture);
	free(p->variant);
	p->os = p->architecture = p->variant = NULL;
}

int platform_from_json(const json_t *j, struct platform *out)
{
	const char *os = json_string_value(json_object_get(j, "os"));
	const char *arch = json_string_value(json_object_get(j, "architecture"));
	const char *variant = json_string_value(json_object_get(j, "variant"));
	struct platform p = PLATFORM_INIT;

	if (!os || !*os || !arch || !*arch)
		return -1;
	p.os = xstrdup(os);
	p.architecture = xstrdup(arch);
	p.variant = variant ? xstrdup(variant) : NULL;
	normalise(&p);
	*out = p;
	return 0;
}

json_t *platform_to_json(const struct platform *p)
{
	json_t *j = json_object();

	json_object_set_new(j, "architecture", json_string(p->architecture));	/* steals */
	json_object_set_new(j, "os", json_string(p->os));	/* steals */
	if (p->variant)
		json_object_set_new(j, "variant", json_string(p->variant));	/* steals */
	return j;
}

void platform_format(const struct platform *p, struct strbuf *out)
{
	strbuf_addf(out, "%s/%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?");
	if (p->variant)
		strbuf_addf(out, "/%s", p->variant);
}

int platform_match(const struct platform *have, const struct platform *want)
{
	if (!have->os || !have->architecture || !is(have->os, want->os) ||
	    !is(have->architecture, want->architecture))
		return 0;
	if (!want->variant || is(have->variant, want->variant))
		return 1;
	/* an arm without a variant is v7, as containerd takes it */
	return !have->variant && is(want->architecture, "arm") && is(want->variant, "v7");
}

int platform_equal(const struct platform *a, const struct platform *b)
{
	return is(a->os, b->os) && is(a->architecture, b->architecture) &&
	       (a->variant ? is(b->variant, a->variant) : !b->variant);
}
