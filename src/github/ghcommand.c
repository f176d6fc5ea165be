/*
 * ghcommand.c: see ghcommand.h.
 */
#include "lib/common.h"
#include "github/ghcommand.h"

static void escape(const char *s, int property, struct strbuf *out)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '%': strbuf_addstr(out, "%25"); break;
		case '\r': strbuf_addstr(out, "%0D"); break;
		case '\n': strbuf_addstr(out, "%0A"); break;
		case ':':
			if (property) { strbuf_addstr(out, "%3A"); break; }
			strbuf_addch(out, *s);
			break;
		case ',':
			if (property) { strbuf_addstr(out, "%2C"); break; }
			strbuf_addch(out, *s);
			break;
		default:
			strbuf_addch(out, *s);
		}
	}
}

void ghcommand_escape_data(const char *s, struct strbuf *out)
{
	escape(s, 0, out);
}

void ghcommand_escape_property(const char *s, struct strbuf *out)
{
	escape(s, 1, out);
}

void ghcommand_format(const char *name, const struct ghcommand_props *props,
		      const char *message, struct strbuf *out)
{
	int first = 1;

	strbuf_addstr(out, "::");
	strbuf_addstr(out, name);
	if (props && props->file && *props->file) {
		strbuf_addstr(out, first ? " " : ",");
		strbuf_addstr(out, "file=");
		ghcommand_escape_property(props->file, out);
		first = 0;
	}
	if (props && props->line > 0) {
		strbuf_addstr(out, first ? " " : ",");
		strbuf_addf(out, "line=%d", props->line);
		first = 0;
	}
	if (props && props->title && *props->title) {
		strbuf_addstr(out, first ? " " : ",");
		strbuf_addstr(out, "title=");
		ghcommand_escape_property(props->title, out);
		first = 0;
	}
	strbuf_addstr(out, "::");
	ghcommand_escape_data(message, out);
	strbuf_addch(out, '\n');
}

void ghcommand_print(const char *name, const struct ghcommand_props *props,
		     const char *message)
{
	struct strbuf sb = STRBUF_INIT;

	ghcommand_format(name, props, message, &sb);
	fflush(stderr);
	fwrite(sb.buf, 1, sb.len, stdout);
	fflush(stdout);
	strbuf_release(&sb);
}
