/*
 * registryauth.c: see registryauth.h.  libyaml's event parser, walked
 * in the one shape the input has (stream, one document, a sequence of
 * mappings of scalars); anything else ends the walk with a message.
 * libyaml's errors are read here and nowhere else.
 */
#include "lib/common.h"
#include "github/registryauth.h"

#include <yaml.h>

#define INPUT "input 'registry-auth'"

struct walk {
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_ev;		/* ev holds an event to delete */
	void (*secret)(const char *);
};

/* The next event into w->ev; an error for bad YAML and for aliases. */
static int walk_next(struct walk *w)
{
	if (w->have_ev)
		yaml_event_delete(&w->ev);
	w->have_ev = 0;
	if (!yaml_parser_parse(&w->parser, &w->ev))
		return error_as(EXIT_INPUT, INPUT ": not YAML (line %lu: %s)",
				(unsigned long)w->parser.problem_mark.line + 1,
				w->parser.problem ? w->parser.problem : "parse error");
	w->have_ev = 1;
	if (w->ev.type == YAML_ALIAS_EVENT)
		return error_as(EXIT_INPUT, INPUT ": line %lu: YAML aliases are not supported",
				(unsigned long)w->ev.start_mark.line + 1);
	return 0;
}

static unsigned long walk_line(const struct walk *w)
{
	return (unsigned long)w->ev.start_mark.line + 1;
}

struct entry {
	char *registry, *username, *password, *ecr, *scope;
};

static void entry_release(struct entry *e)
{
	free(e->registry);
	free(e->username);
	if (e->password)
		memset(e->password, 0, strlen(e->password));
	free(e->password);
	free(e->ecr);
	free(e->scope);
	memset(e, 0, sizeof(*e));
}

/* The slot of key in e, or NULL for a key login-action does not have. */
static char **entry_slot(struct entry *e, const char *key)
{
	if (!strcmp(key, "registry"))
		return &e->registry;
	if (!strcmp(key, "username"))
		return &e->username;
	if (!strcmp(key, "password"))
		return &e->password;
	if (!strcmp(key, "ecr"))
		return &e->ecr;
	if (!strcmp(key, "scope"))
		return &e->scope;
	return NULL;
}

/* One mapping (its MAPPING_START is w->ev) into e. */
static int read_entry(struct walk *w, size_t nr, struct entry *e)
{
	unsigned long line = walk_line(w);
	struct strbuf key = STRBUF_INIT;
	int ret = 0;

	for (;;) {
		char **slot;

		if ((ret = walk_next(w)) < 0)
			goto out;
		if (w->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (w->ev.type != YAML_SCALAR_EVENT) {
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu has a key that is not a string",
				       walk_line(w), nr);
			goto out;
		}
		strbuf_reset(&key);
		strbuf_add(&key, (const char *)w->ev.data.scalar.value, w->ev.data.scalar.length);
		if (!(slot = entry_slot(e, key.buf))) {
			/* a misplaced password lands here as a key: only a short word is echoed */
			if (key.len <= 16 && strspn(key.buf, "abcdefghijklmnopqrstuvwxyz_-") == key.len)
				ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu: unknown key '%s' "
					       "(registry, username, password, ecr, scope)", walk_line(w), nr, key.buf);
			else
				ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu: unknown key (not shown: "
					       "it may be a secret; registry, username, password, ecr, scope)",
					       walk_line(w), nr);
			goto out;
		}
		if (*slot) {
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu gives '%s' twice",
				       walk_line(w), nr, key.buf);
			goto out;
		}
		if ((ret = walk_next(w)) < 0)
			goto out;
		if (w->ev.type != YAML_SCALAR_EVENT) {
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu: '%s' is not a string",
				       walk_line(w), nr, key.buf);
			goto out;
		}
		*slot = xstrndup((const char *)w->ev.data.scalar.value, w->ev.data.scalar.length);
		if (strlen(*slot) != w->ev.data.scalar.length) {
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu: '%s' holds a NUL byte",
				       walk_line(w), nr, key.buf);
			goto out;
		}
		if (slot == &e->password && w->secret)
			w->secret(e->password);
	}
	if (!e->password || !*e->password)
		ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu (registry '%.100s') has no password",
			       line, nr, e->registry ? e->registry : "docker.io");
	else if (!e->username || !*e->username)
		ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu (registry '%.100s') has no username",
			       line, nr, e->registry ? e->registry : "docker.io");
	else if (e->ecr && strcmp(e->ecr, "auto") && strcmp(e->ecr, "false"))
		ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu: ecr '%.20s' is not supported "
			       "(auto or false: give the registry's password)", line, nr, e->ecr);
	else if (e->scope && *e->scope)
		warning(INPUT ": line %lu: entry %zu: scope is not applied: the credentials go to "
			"every repository of '%s'", line, nr, e->registry ? e->registry : "docker.io");
out:
	strbuf_release(&key);
	return ret;
}

/* The entries of the sequence (its SEQUENCE_START is w->ev) into set. */
static int read_entries(struct walk *w, struct credential_set *set)
{
	struct entry e = { 0 };
	size_t nr = 0;
	int ret;

	for (;;) {
		struct credential c = CREDENTIAL_INIT;
		struct strbuf host = STRBUF_INIT;
		unsigned long line;

		if ((ret = walk_next(w)) < 0)
			return ret;
		if (w->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		line = walk_line(w);
		if (++nr > REGISTRYAUTH_MAX_ENTRIES)
			return error_as(EXIT_INPUT, INPUT ": line %lu: more than %d entries",
					line, REGISTRYAUTH_MAX_ENTRIES);
		if (w->ev.type != YAML_MAPPING_START_EVENT)
			return error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu is not a mapping of "
					"registry, username and password", line, nr);
		if ((ret = read_entry(w, nr, &e)) < 0) {
			entry_release(&e);
			return ret;
		}
		credentials_registry_host(e.registry && *e.registry ? e.registry : "docker.io", &host);
		c.username = e.username;
		c.password = e.password;
		c.source = "the registry-auth input";
		if (!host.len)
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: entry %zu: '%.100s' names no registry host",
				       line, nr, e.registry);
		else if (credential_set_add(set, host.buf, &c) < 0)
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: registry '%s' is given twice",
				       line, host.buf);
		strbuf_release(&host);
		entry_release(&e);
		if (ret < 0)
			return ret;
	}
}

int registryauth_parse(const char *text, void (*secret)(const char *), struct credential_set *out)
{
	struct credential_set set = CREDENTIAL_SET_INIT;
	struct walk w;
	size_t len = text ? strlen(text) : 0;
	int ret = 0, docs = 0;

	if (!len || strspn(text, " \t\r\n") == len)
		return 0;
	if (len > REGISTRYAUTH_MAX_BYTES)
		return error_as(EXIT_INPUT, INPUT ": %zu bytes, more than %u", len, REGISTRYAUTH_MAX_BYTES);
	memset(&w, 0, sizeof(w));
	w.secret = secret;
	if (!yaml_parser_initialize(&w.parser))
		return error("cannot start the YAML parser");
	yaml_parser_set_input_string(&w.parser, (const unsigned char *)text, len);

	if ((ret = walk_next(&w)) < 0)	/* STREAM_START */
		goto out;
	for (;;) {
		if ((ret = walk_next(&w)) < 0)
			goto out;
		if (w.ev.type == YAML_STREAM_END_EVENT)
			break;
		if (w.ev.type != YAML_DOCUMENT_START_EVENT) {
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: unexpected YAML event", walk_line(&w));
			goto out;
		}
		if (++docs > 1) {
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: more than one YAML document", walk_line(&w));
			goto out;
		}
		if ((ret = walk_next(&w)) < 0)
			goto out;
		if (w.ev.type == YAML_SCALAR_EVENT && !w.ev.data.scalar.length) {
			/* an empty document (comments only) */
		} else if (w.ev.type != YAML_SEQUENCE_START_EVENT) {
			ret = error_as(EXIT_INPUT, INPUT ": line %lu: not a list (give '- registry: ...' entries, "
				       "as docker/login-action)", walk_line(&w));
			goto out;
		} else if ((ret = read_entries(&w, &set)) < 0) {
			goto out;
		}
		if ((ret = walk_next(&w)) < 0)	/* DOCUMENT_END */
			goto out;
	}
	*out = set;
	memset(&set, 0, sizeof(set));
out:
	if (w.have_ev)
		yaml_event_delete(&w.ev);
	yaml_parser_delete(&w.parser);
	credential_set_release(&set);
	return ret;
}
