/*
 * dockerfile.c: the Dockerfile, parsed as BuildKit's dockerfile frontend
 * parses it (parser/parser.go, line_parsers.go, instructions/parse.go,
 * and the dispatch rules of dockerfile2llb), and refused where a
 * daemonless build cannot follow.
 *
 * The Dockerfile code owns the syntax and the per-instruction values;
 * the builder owns the image config.  Pure: bytes in, structs out.  It
 * is three files (see dockerfile_priv.h); this one holds the public API
 * and phase 1.
 *
 * Phase 1, dockerfile_parse(): physical lines become logical ones
 * (dockerfile_syntax.c), each split into keyword, flags and arguments by
 * the line parser Docker uses for that keyword (words: shlex.h), then
 * checked here (argument counts, flags, refusals).  Global ARGs and the
 * FROM line are resolved here, with the --build-arg values.
 *
 * Phase 2, dockerfile_expand() (dockerfile_eval.c): the instructions
 * after FROM run in order against an environment seeded with the base
 * image's Env, so $VAR expansion, WORKDIR and SHELL behave as in a real
 * build.
 */
#include "lib/common.h"
#include "build/dockerfile_priv.h"
#include "build/gopath.h"
#include "oci/platform.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>

static void raw_release(struct raw *r)
{
	strlist_release(&r->args);
	free(r->chown);
	free(r->chmod);
	free(r->interval);
	free(r->timeout);
	free(r->start_period);
	free(r->start_interval);
	free(r->retries);
}

int dockerfile_error(struct dockerfile *df, int line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	df->error_line = line;
	if (line > 0)
		rc = error_as(EXIT_DOCKERFILE, "%s:%d: %s", df->filename, line, sb.buf);
	else
		rc = error_as(EXIT_DOCKERFILE, "%s: %s", df->filename, sb.buf);
	strbuf_release(&sb);
	return rc;
}

int dockerfile_check_utf8(struct dockerfile *df, int line, const char *what, const char *s)
{
	size_t n = strlen(s), ok = gopath_utf8_prefix(s, n);

	if (ok == n)
		return 0;
	return dockerfile_error(df, line, "%s: invalid UTF-8 (byte 0x%02x at offset %zu): the image config holds only UTF-8 text",
			what, (unsigned char)s[ok], ok);
}

/* ---- commands ---- */

static const struct {
	const char *name;
	enum dockerfile_cmd cmd;
} commands[] = {
	{ "FROM", DOCKERFILE_FROM },
	{ "ARG", DOCKERFILE_ARG },
	{ "ENV", DOCKERFILE_ENV },
	{ "LABEL", DOCKERFILE_LABEL },
	{ "COPY", DOCKERFILE_COPY },
	{ "ADD", DOCKERFILE_ADD },
	{ "WORKDIR", DOCKERFILE_WORKDIR },
	{ "CMD", DOCKERFILE_CMD },
	{ "ENTRYPOINT", DOCKERFILE_ENTRYPOINT },
	{ "EXPOSE", DOCKERFILE_EXPOSE },
	{ "USER", DOCKERFILE_USER },
	{ "VOLUME", DOCKERFILE_VOLUME },
	{ "STOPSIGNAL", DOCKERFILE_STOPSIGNAL },
	{ "HEALTHCHECK", DOCKERFILE_HEALTHCHECK },
	{ "SHELL", DOCKERFILE_SHELL },
	{ "MAINTAINER", DOCKERFILE_MAINTAINER },
};

const char *dockerfile_cmd_name(enum dockerfile_cmd cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

static int lookup_cmd(const char *kw)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcasecmp(commands[i].name, kw))
			return commands[i].cmd;
	return 0;
}

/* ---- phase 1: line parsers ---- */

#define NOT_STRING_ARRAY "when using JSON array syntax, arrays must be comprised of strings only"

/* parseJSON: 1 JSON array of strings, 0 not JSON, -1 an array with non-strings */
static int parse_json(const char *rest, struct strlist *out)
{
	json_t *j;
	json_error_t jerr;
	size_t i;
	json_t *v;

	while (shlex_is_space((unsigned char)*rest))
		rest++;
	if (*rest != '[')
		return 0;
	j = json_loads(rest, 0, &jerr);
	if (!j)
		return 0;
	if (!json_is_array(j)) {
		json_decref(j);
		return 0;
	}
	json_array_foreach(j, i, v) {
		if (!json_is_string(v)) {
			json_decref(j);
			strlist_release(out);
			return -1;
		}
		strlist_push_nodup(out, xstrndup(json_string_value(v), json_string_length(v)));
	}
	json_decref(j);
	return 1;
}

/* parseNameVal for ENV and LABEL: pairs key, value in out */
static int parse_name_val(struct dockerfile *df, int line, const char *rest, const char *cmd,
			  struct strlist *out, int *no_delim)
{
	struct strlist words = { 0 };
	int rc = 0;

	shlex_split_words(rest, df->escape, &words);
	if (!words.nr)
		goto out;
	if (!strchr(words.items[0], '=')) {
		const char *p = rest, *q;

		while (*p && !shlex_is_ws((unsigned char)*p))
			p++;
		if (!*p) {
			rc = dockerfile_error(df, line, "%s must have two arguments", cmd);
			goto out;
		}
		strlist_push_nodup(out, xstrndup(rest, p - rest));
		q = p;
		while (*q && shlex_is_ws((unsigned char)*q))
			q++;
		strlist_push_nodup(out, xstrdup(q));
		*no_delim = 1;
		goto out;
	}
	for (size_t i = 0; i < words.nr; i++) {
		char *eq = strchr(words.items[i], '=');

		if (!eq) {
			rc = dockerfile_error(df, line,
				      "Syntax error - can't find = in \"%s\". Must be of the form: name=value",
				      words.items[i]);
			goto out;
		}
		strlist_push_nodup(out, xstrndup(words.items[i], eq - words.items[i]));
		strlist_push_nodup(out, xstrdup(eq + 1));
	}
out:
	strlist_release(&words);
	return rc;
}

/* ---- phase 1: heredocs and remote sources ---- */

/* ^(\d*)<<(-?)([^<]*)$ with a non-empty rest, on quote-aware words */
static int has_heredoc(const char *rest, int esc)
{
	struct strlist words = { 0 };
	int found = 0;

	if (!strstr(rest, "<<"))
		return 0;
	shlex_split_words(rest, esc, &words);
	for (size_t i = 0; i < words.nr && !found; i++) {
		const char *w = words.items[i];

		while (isdigit((unsigned char)*w))
			w++;
		if (strncmp(w, "<<", 2))
			continue;
		w += 2;
		if (*w == '-')
			w++;
		if (*w && !strchr(w, '<'))
			found = 1;
	}
	strlist_release(&words);
	return found;
}

static int is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

static int is_git_ref(const char *s)
{
	const char *at, *colon;

	if (!strncmp(s, "git://", 6) || !strncmp(s, "ssh://", 6) || !strncmp(s, "git@", 4))
		return 1;
	/* scp-like user@host:path */
	at = strchr(s, '@');
	colon = strchr(s, ':');
	if (at && colon && at < colon && at > s && !memchr(s, '/', at - s))
		return 1;
	return 0;
}

/* ---- phase 1: instructions ---- */

static struct dockerfile_instr *add_instr(struct dockerfile *df, const struct node *n, int cmd)
{
	struct priv *pv = df->priv;
	struct dockerfile_instr *in;

	ALLOC_GROW(df->instrs, df->nr + 1, df->alloc);
	pv->raw = xrealloc(pv->raw, df->alloc * sizeof(*pv->raw));
	in = &df->instrs[df->nr];
	memset(in, 0, sizeof(*in));
	memset(&pv->raw[df->nr], 0, sizeof(pv->raw[df->nr]));
	in->cmd = cmd;
	in->line = n->start;
	in->end_line = n->end;
	in->text = xstrdup(n->line);
	in->copy.uid = in->copy.gid = -1;
	in->copy.mode = -1;
	in->copy.unpack = -1;
	df->nr++;
	return in;
}

static char *take(char **p)
{
	char *v = *p;

	*p = NULL;
	return v;
}

static int parse_copy(struct dockerfile *df, const struct node *n, int cmd, struct raw *r)
{
	const char *name = cmd == DOCKERFILE_ADD ? "ADD" : "COPY";
	struct flagdef copy_flags[] = {
		{ "chown", FLAG_STRING, NULL }, { "chmod", FLAG_STRING, NULL },
		{ "link", FLAG_BOOL, NULL }, { "from", FLAG_STRING, NULL },
		{ "parents", FLAG_BOOL, NULL }, { "exclude", FLAG_STRING, NULL },
	};
	struct flagdef add_flags[] = {
		{ "chown", FLAG_STRING, NULL }, { "chmod", FLAG_STRING, NULL },
		{ "link", FLAG_BOOL, NULL }, { "keep-git-dir", FLAG_BOOL, NULL },
		{ "checksum", FLAG_STRING, NULL }, { "unpack", FLAG_BOOL, NULL },
		{ "from", FLAG_STRING, NULL }, { "exclude", FLAG_STRING, NULL },
	};
	struct flagdef *defs = cmd == DOCKERFILE_ADD ? add_flags : copy_flags;
	size_t ndefs = cmd == DOCKERFILE_ADD ? ARRAY_SIZE(add_flags) : ARRAY_SIZE(copy_flags);
	int rc, json;

	json = parse_json(n->rest, &r->args);
	if (json < 0)
		return dockerfile_error(df, n->start, NOT_STRING_ARRAY);
	if (!json)
		shlex_split_ws(n->rest, &r->args);
	r->json = json;
	if (!json && has_heredoc(n->rest, df->escape))
		return dockerfile_error(df, n->start,
				"heredocs (<<EOF) are not supported: put the content in a file in the build context and %s that file",
				name);
	if (r->args.nr < 2)
		return dockerfile_error(df, n->start,
				"%s requires at least two arguments, but only one was provided. Destination could not be determined",
				name);
	rc = dockerfile_check_flags(df, n, name, defs, ndefs);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ndefs; i++) {
		const char *f = defs[i].name;

		if (!defs[i].value)
			continue;
		if (!strcmp(f, "from")) {
			rc = dockerfile_error(df, n->start,
				      "%s --from is not supported (no other build stage or image is available): produce those files in a workflow step before this action and %s them from the build context",
				      name, name);
			goto out;
		}
		if (!strcmp(f, "parents") || !strcmp(f, "exclude")) {
			rc = dockerfile_error(df, n->start,
				      "%s --%s is not supported: list the sources explicitly (and use .dockerignore to leave files out)",
				      name, f);
			goto out;
		}
		if (!strcmp(f, "checksum") || !strcmp(f, "keep-git-dir")) {
			rc = dockerfile_error(df, n->start,
				      "ADD --%s only applies to URL and git sources, which are not supported: fetch them in a workflow step before this action and COPY the result",
				      f);
			goto out;
		}
		if (!strcmp(f, "chown"))
			r->chown = take(&defs[i].value);
		else if (!strcmp(f, "chmod"))
			r->chmod = take(&defs[i].value);
		else if (!strcmp(f, "link"))
			r->link = !strcmp(defs[i].value, "true");
		else if (!strcmp(f, "unpack"))
			r->unpack = !strcmp(defs[i].value, "true") ? 2 : 1;
	}
	for (size_t i = 0; i + 1 < r->args.nr; i++) {
		const char *src = r->args.items[i];

		if (is_url(src) && cmd == DOCKERFILE_COPY) {
			rc = dockerfile_error(df, n->start, "source can't be a URL for COPY ('%s')", src);
			goto out;
		}
		if (is_url(src)) {
			rc = dockerfile_error(df, n->start,
				      "ADD of a URL is not supported ('%s'): download it in a workflow step before this action and COPY the file from the build context",
				      src);
			goto out;
		}
		if (cmd == DOCKERFILE_ADD && is_git_ref(src)) {
			rc = dockerfile_error(df, n->start,
				      "ADD of a git repository is not supported ('%s'): check it out in a workflow step before this action and COPY it from the build context",
				      src);
			goto out;
		}
	}
	rc = 0;
out:
	dockerfile_flags_release(defs, ndefs);
	return rc;
}

static int no_flags(struct dockerfile *df, const struct node *n, const char *cmd)
{
	return dockerfile_check_flags(df, n, cmd, NULL, 0);
}

/* Phase-1 parse of an instruction after FROM. */
static int parse_instr(struct dockerfile *df, const struct node *n, int cmd)
{
	struct priv *pv = df->priv;
	struct raw *r;
	const char *name = dockerfile_cmd_name(cmd);
	int rc;

	add_instr(df, n, cmd);
	r = &pv->raw[df->nr - 1];
	switch (cmd) {
	case DOCKERFILE_COPY:
	case DOCKERFILE_ADD:
		return parse_copy(df, n, cmd, r);
	case DOCKERFILE_ENV:
	case DOCKERFILE_LABEL:
		rc = parse_name_val(df, n->start, n->rest, name, &r->args, &r->no_delim);
		if (rc < 0)
			return rc;
		if (!r->args.nr)
			return dockerfile_error(df, n->start, "%s requires at least one argument", name);
		for (size_t i = 0; i < r->args.nr; i += 2)
			if (!*r->args.items[i])
				return dockerfile_error(df, n->start, "%s names can not be blank", name);
		return no_flags(df, n, name);
	case DOCKERFILE_ARG:
		shlex_split_words(n->rest, df->escape, &r->args);
		if (!r->args.nr)
			return dockerfile_error(df, n->start, "ARG requires at least one argument");
		for (size_t i = 0; i < r->args.nr; i++)
			if (r->args.items[i][0] == '=')
				return dockerfile_error(df, n->start, "ARG names can not be blank");
		return no_flags(df, n, name);
	case DOCKERFILE_WORKDIR:
	case DOCKERFILE_USER:
	case DOCKERFILE_MAINTAINER:
	case DOCKERFILE_STOPSIGNAL:
		if (*n->rest)
			strlist_push_nodup(&r->args, xstrdup(n->rest));
		if (r->args.nr != 1)
			return dockerfile_error(df, n->start, "%s requires exactly one argument", name);
		return no_flags(df, n, name);
	case DOCKERFILE_EXPOSE:
		shlex_split_ws(n->rest, &r->args);
		if (!r->args.nr)
			return dockerfile_error(df, n->start, "EXPOSE requires at least one argument");
		return no_flags(df, n, name);
	case DOCKERFILE_VOLUME: {
		int json = parse_json(n->rest, &r->args);

		if (json < 0)
			return dockerfile_error(df, n->start, NOT_STRING_ARRAY);
		if (!json)
			shlex_split_ws(n->rest, &r->args);
		r->json = json;
		if (!r->args.nr)
			return dockerfile_error(df, n->start, "VOLUME requires at least one argument");
		for (size_t i = 0; i < r->args.nr; i++) {
			char *t = dockerfile_trim_dup(r->args.items[i], strlen(r->args.items[i]));
			int empty = !*t;

			free(t);
			if (empty)
				return dockerfile_error(df, n->start, "VOLUME specified can not be an empty string");
		}
		return no_flags(df, n, name);
	}
	case DOCKERFILE_CMD:
	case DOCKERFILE_ENTRYPOINT:
	case DOCKERFILE_SHELL: {
		int json = 0;

		if (*n->rest) {
			json = parse_json(n->rest, &r->args);
			if (json < 0)
				return dockerfile_error(df, n->start, NOT_STRING_ARRAY);
			if (!json)
				strlist_push_nodup(&r->args, xstrdup(n->rest));
		}
		r->json = json;
		rc = no_flags(df, n, name);
		if (rc < 0)
			return rc;
		if (cmd == DOCKERFILE_SHELL) {
			if (!r->args.nr)
				return dockerfile_error(df, n->start, "SHELL requires at least one argument");
			if (!json)
				return dockerfile_error(df, n->start,
						"SHELL requires the arguments to be in JSON form (SHELL [\"executable\", \"param\"])");
		}
		return 0;
	}
	case DOCKERFILE_HEALTHCHECK: {
		struct flagdef defs[] = {
			{ "interval", FLAG_STRING, NULL }, { "timeout", FLAG_STRING, NULL },
			{ "start-period", FLAG_STRING, NULL }, { "start-interval", FLAG_STRING, NULL },
			{ "retries", FLAG_STRING, NULL },
		};
		const char *p = n->rest, *cmdpart;
		char *typ;
		int json = 0;

		while (*p && !shlex_is_space((unsigned char)*p))
			p++;
		if (p == n->rest)
			return dockerfile_error(df, n->start, "HEALTHCHECK requires at least one argument");
		typ = xstrndup(n->rest, p - n->rest);
		for (char *c = typ; *c; c++)
			*c = toupper((unsigned char)*c);
		strlist_push_nodup(&r->args, typ);
		cmdpart = p;
		while (*cmdpart && shlex_is_space((unsigned char)*cmdpart))
			cmdpart++;
		if (*cmdpart) {
			json = parse_json(cmdpart, &r->args);
			if (json < 0)
				return dockerfile_error(df, n->start, NOT_STRING_ARRAY);
			if (!json)
				strlist_push_nodup(&r->args, xstrdup(cmdpart));
		}
		r->json = json;
		if (!strcmp(typ, "NONE")) {
			if (r->args.nr != 1)
				return dockerfile_error(df, n->start, "HEALTHCHECK NONE takes no arguments");
			return no_flags(df, n, "HEALTHCHECK NONE");
		}
		rc = dockerfile_check_flags(df, n, name, defs, ARRAY_SIZE(defs));
		if (rc < 0) {
			dockerfile_flags_release(defs, ARRAY_SIZE(defs));
			return rc;
		}
		r->interval = take(&defs[0].value);
		r->timeout = take(&defs[1].value);
		r->start_period = take(&defs[2].value);
		r->start_interval = take(&defs[3].value);
		r->retries = take(&defs[4].value);
		if (strcmp(typ, "CMD"))
			return dockerfile_error(df, n->start, "Unknown type \"%s\" in HEALTHCHECK (try CMD)", typ);
		if (r->args.nr < 2)
			return dockerfile_error(df, n->start, "Missing command after HEALTHCHECK CMD");
		return 0;
	}
	}
	return dockerfile_error(df, n->start, "internal: unhandled %s", name);
}

/* ---- platform args ---- */

/* "os/arch[/variant]" of this machine into out (oci/platform.h's one answer) */
static void host_platform(struct strbuf *out)
{
	struct platform p = PLATFORM_INIT;

	platform_host(&p);
	platform_format(&p, out);
	platform_release(&p);
}

static void add_platform_args(struct kvlist *e, const char *prefix, const char *platform)
{
	char *dup = xstrdup(platform), *os = dup, *arch = strchr(dup, '/'), *variant = NULL;
	struct strbuf k = STRBUF_INIT;

	if (arch) {
		*arch++ = '\0';
		variant = strchr(arch, '/');
		if (variant)
			*variant++ = '\0';
	}
	strbuf_addf(&k, "%sPLATFORM", prefix);
	kvlist_set(e, k.buf, platform);
	strbuf_reset(&k);
	strbuf_addf(&k, "%sOS", prefix);
	kvlist_set(e, k.buf, os);
	strbuf_reset(&k);
	strbuf_addf(&k, "%sARCH", prefix);
	kvlist_set(e, k.buf, arch ? arch : "");
	strbuf_reset(&k);
	strbuf_addf(&k, "%sVARIANT", prefix);
	kvlist_set(e, k.buf, variant ? variant : "");
	strbuf_release(&k);
	free(dup);
}

/* ---- phase 1: the whole file ---- */

void dockerfile_init(struct dockerfile *df)
{
	memset(df, 0, sizeof(*df));
	df->escape = '\\';
	df->priv = xcalloc(1, sizeof(struct priv));
}

static void instr_release(struct dockerfile_instr *in)
{
	free(in->text);
	strlist_release(&in->args);
	kvlist_release(&in->kv);
	free(in->value);
	strlist_release(&in->copy.sources);
	free(in->copy.dest);
	free(in->copy.dest_path);
	free(in->copy.chown);
	free(in->copy.chmod);
	strlist_release(&in->health.test);
}

void dockerfile_release(struct dockerfile *df)
{
	struct priv *pv;

	if (!df)
		return;
	pv = df->priv;
	for (size_t i = 0; i < df->nr; i++) {
		instr_release(&df->instrs[i]);
		if (pv)
			raw_release(&pv->raw[i]);
	}
	free(df->instrs);
	if (pv) {
		free(pv->raw);
		kvlist_release(&pv->build_args);
		kvlist_release(&pv->meta);
		free(pv);
	}
	free(df->filename);
	free(df->syntax);
	free(df->check);
	kvlist_release(&df->global_args);
	free(df->from.image);
	free(df->from.platform);
	free(df->from.name);
	memset(df, 0, sizeof(*df));
}

/* A global ARG (before FROM). */
static int parse_meta_arg(struct dockerfile *df, const struct node *n)
{
	struct priv *pv = df->priv;
	struct strlist words = { 0 };
	struct strbuf v = STRBUF_INIT;
	int rc = 0;

	shlex_split_words(n->rest, df->escape, &words);
	if (!words.nr) {
		rc = dockerfile_error(df, n->start, "ARG requires at least one argument");
		goto out;
	}
	rc = no_flags(df, n, "ARG");
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < words.nr; i++) {
		char *key;

		if (words.items[i][0] == '=') {
			rc = dockerfile_error(df, n->start, "ARG names can not be blank");
			goto out;
		}
		strbuf_reset(&v);
		rc = dockerfile_arg_value(df, n->start, words.items[i], &pv->meta, NULL, &key, &v);
		if (rc < 0)
			goto out;
		if (rc)
			kvlist_set(&pv->meta, key, v.buf);
		kvlist_push(&df->global_args, key, rc ? v.buf : NULL);
		free(key);
	}
	rc = 0;
out:
	strbuf_release(&v);
	strlist_release(&words);
	return rc;
}

static int parse_from(struct dockerfile *df, const struct node *n)
{
	struct priv *pv = df->priv;
	struct strlist args = { 0 };
	struct flagdef defs[] = { { "platform", FLAG_STRING, NULL } };
	struct strbuf sb = STRBUF_INIT;
	int rc;

	shlex_split_ws(n->rest, &args);
	if (args.nr == 3 && !strcasecmp(args.items[1], "as")) {
		char *name = xstrdup(args.items[2]);
		int ok = 1;

		for (char *c = name; *c; c++)
			*c = tolower((unsigned char)*c);
		if (!islower((unsigned char)name[0]))
			ok = 0;
		for (char *c = name; ok && *c; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && !strchr("-_.", *c))
				ok = 0;
		if (!ok) {
			free(name);
			rc = dockerfile_error(df, n->start,
				      "invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
				      args.items[2]);
			goto out;
		}
		df->from.name = name;
	} else if (args.nr != 1) {
		rc = dockerfile_error(df, n->start, "FROM requires either one or three arguments");
		goto out;
	}
	rc = dockerfile_check_flags(df, n, "FROM", defs, ARRAY_SIZE(defs));
	if (rc < 0)
		goto out;
	rc = dockerfile_expand_in(df, n->start, "FROM", args.items[0], &pv->meta, &sb);
	if (rc < 0)
		goto out;
	if (!sb.len) {
		rc = dockerfile_error(df, n->start, "base name (%s) should not be blank", args.items[0]);
		goto out;
	}
	df->from.image = strbuf_detach(&sb, NULL);
	df->from.scratch = !strcmp(df->from.image, "scratch");
	df->from.line = n->start;
	if (defs[0].value) {
		rc = dockerfile_expand_in(df, n->start, "FROM --platform", defs[0].value, &pv->meta, &sb);
		if (rc < 0)
			goto out;
		if (!sb.len) {
			rc = dockerfile_error(df, n->start, "--platform is empty after expansion ('%s')",
				      defs[0].value);
			goto out;
		}
		df->from.platform = strbuf_detach(&sb, NULL);
	}
out:
	dockerfile_flags_release(defs, ARRAY_SIZE(defs));
	strbuf_release(&sb);
	strlist_release(&args);
	return rc;
}

int dockerfile_parse(struct dockerfile *df, const char *buf, size_t len, const char *filename,
		     const struct dockerfile_options *opts)
{
	struct priv *pv = df->priv;
	struct node *nodes = NULL;
	size_t nr = 0;
	int rc = 0, have_from = 0;
	struct strbuf host = STRBUF_INIT;

	df->filename = xstrdup(filename ? filename : "Dockerfile");
	df->error_line = 0;
	if (!pv || pv->parsed)
		return error_as(EXIT_INTERNAL, "dockerfile_parse: not initialised or used twice");
	pv->parsed = 1;
	if (memchr(buf, '\0', len))
		return dockerfile_error(df, 0, "not a text file (it contains NUL bytes)");

	for (size_t i = 0; opts && i < opts->build_args_nr; i++)
		if (strchr(opts->build_args[i], '='))
			kvlist_set_pair(&pv->build_args, opts->build_args[i]);
	host_platform(&host);
	add_platform_args(&pv->meta, "TARGET",
			  opts && opts->target_platform ? opts->target_platform : host.buf);
	add_platform_args(&pv->meta, "BUILD",
			  opts && opts->build_platform ? opts->build_platform : host.buf);
	strbuf_release(&host);

	rc = dockerfile_read_nodes(df, buf, len, &nodes, &nr);
	if (rc < 0)
		return rc;
	if (!nr) {
		rc = dockerfile_error(df, 0, "file with no instructions");
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct node *n = &nodes[i];
		int cmd = lookup_cmd(n->keyword);

		if (!strcasecmp(n->keyword, "RUN")) {
			rc = dockerfile_error(df, n->start,
				      "RUN is not supported (publish builds without a container runtime): run that step in the workflow before this action, and COPY its output");
			goto out;
		}
		if (!strcasecmp(n->keyword, "ONBUILD")) {
			rc = dockerfile_error(df, n->start,
				      "ONBUILD is not supported: remove it (it only runs when another image is built FROM this one)");
			goto out;
		}
		if (!cmd) {
			char *up = xstrdup(n->keyword);

			for (char *c = up; *c; c++)
				*c = toupper((unsigned char)*c);
			rc = dockerfile_error(df, n->start, "unknown instruction: %s", up);
			free(up);
			goto out;
		}
		rc = dockerfile_check_utf8(df, n->start, dockerfile_cmd_name(cmd), n->line);
		if (rc < 0)
			goto out;
		if (cmd == DOCKERFILE_FROM) {
			if (have_from) {
				rc = dockerfile_error(df, n->start,
					      "a second FROM (multi-stage build) is not supported: build one stage; produce the earlier stages' files in workflow steps and COPY them from the build context");
				goto out;
			}
			rc = parse_from(df, n);
			if (rc < 0)
				goto out;
			have_from = 1;
			continue;
		}
		if (!have_from) {
			if (cmd == DOCKERFILE_ARG) {
				rc = parse_meta_arg(df, n);
				if (rc < 0)
					goto out;
				continue;
			}
			rc = dockerfile_error(df, n->start,
				      "no build stage in current context: %s comes before FROM", dockerfile_cmd_name(cmd));
			goto out;
		}
		rc = parse_instr(df, n, cmd);
		if (rc < 0)
			goto out;
	}
	if (!have_from)
		rc = dockerfile_error(df, 0, "no FROM instruction: the Dockerfile must start its stage with FROM");
out:
	dockerfile_nodes_free(nodes, nr);
	return rc;
}

