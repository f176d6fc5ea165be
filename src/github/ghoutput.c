/*
 * ghoutput.c: see ghoutput.h.
 */
#include "lib/common.h"
#include "github/ghoutput.h"
#include <errno.h>
#include <sys/random.h>

static void random_delimiter(struct strbuf *out)
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	strbuf_addstr(out, "ghadelimiter_");
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			strbuf_addch(out, '-');
		strbuf_addf(out, "%02x", b[i]);
	}
}

int ghoutput_append(const char *path, const char *name, const char *value)
{
	struct strbuf delim = STRBUF_INIT, text = STRBUF_INIT;
	FILE *f = NULL;
	int rc = -1;

	random_delimiter(&delim);
	if (strstr(name, delim.buf) || strstr(value, delim.buf)) {
		rc = error("unexpected input: name or value of output '%s' contains the delimiter", name);
		goto out;
	}
	strbuf_addf(&text, "%s<<%s\n%s\n%s\n", name, delim.buf, value, delim.buf);
	f = fopen(path, "a");
	if (!f) {
		rc = error("cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fwrite(text.buf, 1, text.len, f) != text.len) {
		rc = error("cannot write to '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fclose(f)) {
		f = NULL;
		rc = error("cannot write to '%s': %s", path, strerror(errno));
		goto out;
	}
	f = NULL;
	rc = 0;
out:
	if (f)
		fclose(f);
	strbuf_release(&delim);
	strbuf_release(&text);
	return rc;
}

int ghoutput_set(const char *name, const char *value)
{
	const char *p = getenv("GITHUB_OUTPUT");

	if (!p || !*p)
		return 1;
	return ghoutput_append(p, name, value);
}

int ghoutput_export(const char *name, const char *value)
{
	const char *p = getenv("GITHUB_ENV");

	if (!p || !*p)
		return 1;
	return ghoutput_append(p, name, value);
}

int ghoutput_enabled(void)
{
	const char *p = getenv("GITHUB_OUTPUT");

	return p && *p;
}
