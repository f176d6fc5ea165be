/*
 * reference.c: see reference.h.  The grammar is distribution-spec's
 * (docker/distribution reference/regexp.go), written out as small
 * hand-rolled scanners so each failure can say what is wrong.
 */
#include "lib/common.h"
#include "oci/reference.h"
#include "lib/digest.h"

#include <ctype.h>

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

void reference_release(struct reference *r)
{
	if (!r)
		return;
	free(r->registry);
	free(r->repository);
	free(r->tag);
	free(r->digest);
	r->registry = r->repository = r->tag = r->digest = NULL;
}

void reference_copy(const struct reference *src, struct reference *out)
{
	out->registry = src->registry ? xstrdup(src->registry) : NULL;
	out->repository = src->repository ? xstrdup(src->repository) : NULL;
	out->tag = src->tag ? xstrdup(src->tag) : NULL;
	out->digest = src->digest ? xstrdup(src->digest) : NULL;
}

static int is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_word(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

int reference_check_tag(const char *tag)
{
	size_t len = strlen(tag);

	if (!len)
		return error_as(EXIT_INPUT, "empty tag");
	if (len > TAG_MAX_LEN)
		return error_as(EXIT_INPUT, "tag '%s' is longer than %d characters", tag, TAG_MAX_LEN);
	if (!is_word(tag[0]))
		return error_as(EXIT_INPUT, "tag '%s' must start with a letter, digit or '_'", tag);
	for (size_t i = 1; i < len; i++)
		if (!is_word(tag[i]) && tag[i] != '.' && tag[i] != '-')
			return error_as(EXIT_INPUT, "tag '%s' has '%c': only letters, digits, '_', '.' and '-' are allowed",
					tag, tag[i]);
	return 0;
}

/* One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static int check_component(const char *name, const char *p, size_t len)
{
	size_t i = 0;

	if (!len)
		return error_as(EXIT_INPUT, "repository name '%s' has an empty path component", name);
	while (i < len) {
		size_t run = 0;

		while (i < len && is_lower_alnum(p[i]))
			i++, run++;
		if (!run) {
			if (isupper((unsigned char)p[i]))
				goto upper;
			if (p[i] == '.' || p[i] == '_' || p[i] == '-')
				return error_as(EXIT_INPUT, "repository name '%s': a separator ('%c') must sit between letters or digits",
						name, p[i]);
			return error_as(EXIT_INPUT, "repository name '%s' has '%c': only a-z, 0-9, '.', '_', '-' and '/' are allowed",
					name, p[i]);
		}
		if (i == len)
			break;
		if (isupper((unsigned char)p[i]))
			goto upper;
		if (p[i] == '.') {
			i++;
		} else if (p[i] == '_') {
			i++;
			if (i < len && p[i] == '_')
				i++;
		} else if (p[i] == '-') {
			while (i < len && p[i] == '-')
				i++;
		} else {
			return error_as(EXIT_INPUT, "repository name '%s' has '%c': only a-z, 0-9, '.', '_', '-' and '/' are allowed",
					name, p[i]);
		}
		if (i == len || !is_lower_alnum(p[i])) {
			if (i < len && isupper((unsigned char)p[i]))
				goto upper;
			return error_as(EXIT_INPUT, "repository name '%s': a separator ('%c') must sit between letters or digits",
					name, p[i - 1]);
		}
	}
	return 0;
upper:
	{
		struct strbuf lc = STRBUF_INIT;
		int ret;

		strbuf_addstr(&lc, name);
		strbuf_tolower(&lc);
		ret = error_as(EXIT_INPUT, "repository name '%s' must be lower case (try '%s')", name, lc.buf);
		strbuf_release(&lc);
		return ret;
	}
}

int reference_check_repository(const char *name)
{
	const char *p = name;

	if (!*name)
		return error_as(EXIT_INPUT, "empty repository name");
	if (strlen(name) > NAME_MAX_LEN)
		return error_as(EXIT_INPUT, "repository name '%s' is longer than %d characters", name, NAME_MAX_LEN);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		int ret = check_component(name, p, len);

		if (ret)
			return ret;
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

/* host: components [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? joined by '.', or [ipv6]; then :port */
static int check_registry(const char *host, const char *whole)
{
	const char *p = host;
	const char *colon;

	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (!close || close == p + 1)
			return error_as(EXIT_INPUT, "registry '%s' in '%s' is not a valid address", host, whole);
		for (const char *q = p + 1; q < close; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.')
				return error_as(EXIT_INPUT, "registry '%s' in '%s' is not a valid address", host, whole);
		colon = *(close + 1) == ':' ? close + 1 : NULL;
		if (!colon && close[1])
			return error_as(EXIT_INPUT, "registry '%s' in '%s' is not a valid address", host, whole);
	} else {
		colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		size_t start = 0;

		if (!len)
			return error_as(EXIT_INPUT, "registry '%s' in '%s' has an empty host name", host, whole);
		for (size_t i = 0; i <= len; i++) {
			if (i == len || p[i] == '.') {
				if (i == start || p[start] == '-' || p[i - 1] == '-')
					return error_as(EXIT_INPUT, "registry '%s' in '%s' is not a valid host name", host, whole);
				start = i + 1;
			} else if (!isalnum((unsigned char)p[i]) && p[i] != '-') {
				return error_as(EXIT_INPUT, "registry '%s' in '%s' has '%c': not a valid host name",
						host, whole, p[i]);
			}
		}
	}
	if (colon) {
		const char *q = colon + 1;

		if (!*q)
			return error_as(EXIT_INPUT, "registry '%s' in '%s' has an empty port", host, whole);
		for (; *q; q++)
			if (!isdigit((unsigned char)*q))
				return error_as(EXIT_INPUT, "registry '%s' in '%s' has a port that is not a number",
						host, whole);
	}
	return 0;
}

static int check_digest(const char *d, const char *whole)
{
	const char *colon = strchr(d, ':');

	if (!colon)
		return error_as(EXIT_INPUT, "digest '%s' in '%s' has no algorithm (want sha256:<64 hex>)", d, whole);
	if ((size_t)(colon - d) != 6 || strncmp(d, "sha256", 6))
		return error_as(EXIT_INPUT, "digest '%s' in '%s': only sha256 is supported", d, whole);
	if (!digest_is_valid(d))
		return error_as(EXIT_INPUT, "digest '%s' in '%s' must be sha256: and 64 lower-case hex digits", d, whole);
	return 0;
}

static int host_component(const char *s, size_t n)
{
	return n && (memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !strncmp(s, "localhost", 9)) ||
		     s[0] == '[');
}

int reference_names_registry(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash && host_component(s, (size_t)(slash - s));
}

int reference_parse(const char *s, struct reference *out)
{
	struct reference r = REFERENCE_INIT;
	char *work = NULL, *at, *name, *slash, *colon;
	int ret = 0;

	if (!s || !*s)
		return error_as(EXIT_INPUT, "empty image reference");
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return error_as(EXIT_INPUT, "image reference '%s' contains white space", s);
	if (strstr(s, "://"))
		return error_as(EXIT_INPUT, "image reference '%s' must not have a scheme (drop '%.*s://')",
				s, (int)(strstr(s, "://") - s), s);
	work = xstrdup(s);
	at = strchr(work, '@');
	if (at) {
		*at = '\0';
		if ((ret = check_digest(at + 1, s)))
			goto out;
		r.digest = xstrdup(at + 1);
	}
	name = work;
	slash = strchr(name, '/');
	colon = strrchr(name, ':');
	if (colon && (!strrchr(name, '/') || colon > strrchr(name, '/'))) {
		/* a ':' after the last '/' is the tag */
		*colon = '\0';
		if ((ret = reference_check_tag(colon + 1)))
			goto out;
		r.tag = xstrdup(colon + 1);
	}
	slash = strchr(name, '/');
	if (slash) {
		int is_host = host_component(name, (size_t)(slash - name));

		/* Docker takes "Owner/app" as host "Owner"; a capital there is
		 * far more often a GitHub owner name, so it is a name error. */
		if (is_host) {
			*slash = '\0';
			if ((ret = check_registry(name, s)))
				goto out;
			r.registry = xstrdup(name);
			name = slash + 1;
		}
	}
	if (!r.registry)
		r.registry = xstrdup("docker.io");
	else if (!strcmp(r.registry, "index.docker.io") || !strcmp(r.registry, "registry-1.docker.io")) {
		free(r.registry);
		r.registry = xstrdup("docker.io");
	}
	if (!*name) {
		ret = error_as(EXIT_INPUT, "image reference '%s' has no repository name", s);
		goto out;
	}
	if ((ret = reference_check_repository(name)))
		goto out;
	if (!strcmp(r.registry, "docker.io") && !strchr(name, '/')) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "library/%s", name);
		r.repository = strbuf_detach(&sb, NULL);
	} else {
		r.repository = xstrdup(name);
	}
	if (strlen(r.registry) + 1 + strlen(r.repository) > NAME_MAX_LEN) {
		ret = error_as(EXIT_INPUT, "image name in '%s' is longer than %d characters", s, NAME_MAX_LEN);
		goto out;
	}
	if (!r.tag && !r.digest)
		r.tag = xstrdup("latest");
	*out = r;
	free(work);
	return 0;
out:
	reference_release(&r);
	free(work);
	return ret;
}

void reference_format_name(const struct reference *r, struct strbuf *out)
{
	strbuf_addf(out, "%s/%s", r->registry, r->repository);
}

void reference_format(const struct reference *r, struct strbuf *out)
{
	reference_format_name(r, out);
	if (r->tag)
		strbuf_addf(out, ":%s", r->tag);
	if (r->digest)
		strbuf_addf(out, "@%s", r->digest);
}

const char *reference_manifest_ref(const struct reference *r)
{
	return r->digest ? r->digest : r->tag;
}

const char *reference_api_host(const struct reference *r)
{
	if (!strcmp(r->registry, "docker.io"))
		return "registry-1.docker.io";
	return r->registry;
}
