/*
 * dockerfile_eval.c: phase 2, dockerfile_expand(): the instructions after
 * FROM evaluated in order, as BuildKit's dispatch does, so each holds the
 * values Docker would put in the image config.  See dockerfile.h.
 *
 * Owns the build-time state: the environment (the base image's Env,
 * then each ENV and ARG), the working directory and the SHELL; $VAR
 * expansion in the instructions where Docker expands (through shlex.h,
 * within the file's budget); the value rules of each instruction
 * (WORKDIR and COPY destinations made absolute, EXPOSE ports, signals,
 * --chown and --chmod, HEALTHCHECK durations), and which ARG takes
 * which value.  What the values do to the image config is build.c's.
 */
#include "lib/common.h"
#include "build/dockerfile_priv.h"
#include "build/gopath.h"

#include <ctype.h>
#include <errno.h>

#define DEFAULT_SHELL_0 "/bin/sh"
#define DEFAULT_SHELL_1 "-c"

int dockerfile_expand_in(struct dockerfile *df, int line, const char *what, const char *word,
			 const struct kvlist *env, struct strbuf *out)
{
	struct priv *pv = df->priv;
	struct strbuf err = STRBUF_INIT;
	int capped, rc = shlex_expand(word, df->escape, env, &pv->budget, out, NULL, &err, &capped);

	if (rc < 0 && capped)
		rc = dockerfile_error(df, line, "%s: %s", what, err.buf);
	else if (rc < 0)
		rc = dockerfile_error(df, line, "%s", err.buf);
	strbuf_release(&err);
	return rc;
}

/* A --build-arg value an ARG takes: UTF-8 too (it may reach the config). */
static int check_build_arg(const char *key, const char *value)
{
	size_t n = strlen(value), ok = gopath_utf8_prefix(value, n);

	if (ok == n)
		return 0;
	return error_as(EXIT_INPUT, "--build-arg %s: invalid UTF-8 (byte 0x%02x at offset %zu)", key,
			(unsigned char)value[ok], ok);
}

int dockerfile_arg_value(struct dockerfile *df, int line, const char *word,
			 const struct kvlist *env, const struct kvlist *global, char **key,
			 struct strbuf *out)
{
	struct priv *pv = df->priv;
	const char *eq = strchr(word, '='), *v;
	char *k = eq ? xstrndup(word, eq - word) : xstrdup(word);
	struct strbuf what = STRBUF_INIT;
	int rc = 0;

	if ((v = kvlist_get(&pv->build_args, k))) {
		rc = check_build_arg(k, v);
		if (!rc) {
			strbuf_addstr(out, v);
			rc = 1;
		}
	} else if (eq) {
		strbuf_addf(&what, "ARG %.64s", k);
		rc = dockerfile_expand_in(df, line, what.buf, eq + 1, env, out);
		if (!rc)
			rc = dockerfile_check_utf8(df, line, what.buf, out->buf);
		if (!rc)
			rc = 1;
	} else if (global && (v = kvlist_get(global, k))) {
		strbuf_addstr(out, v);
		rc = 1;
	}
	strbuf_release(&what);
	if (rc < 0)
		free(k);
	else
		*key = k;
	return rc;
}

void dockerfile_workdir_join(const char *current, const char *requested, struct strbuf *out)
{
	struct strbuf tmp = STRBUF_INIT;

	if (*requested == '/') {
		strbuf_addstr(out, requested);
		return;
	}
	strbuf_addch(&tmp, '/');
	if (current && *current)
		strbuf_addf(&tmp, "%s/", current);
	strbuf_addstr(&tmp, requested);
	gopath_clean(tmp.buf, out);
	strbuf_release(&tmp);
}

/* ---- phase 2 helpers ---- */

/* Go's time.ParseDuration; 0 ok */
static int parse_duration(const char *orig, int64_t *out, struct strbuf *err)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1ULL }, { "us", 1000ULL }, { "\xC2\xB5s", 1000ULL }, { "\xCE\xBCs", 1000ULL },
		{ "ms", 1000000ULL }, { "s", 1000000000ULL }, { "m", 60000000000ULL },
		{ "h", 3600000000000ULL },
	};
	const char *s = orig;
	uint64_t d = 0;
	int neg = 0;

	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (!*s)
		goto invalid;
	while (*s) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		int pre = 0, post = 0, overflow = 0;
		size_t ulen = 0;

		if (!(*s == '.' || isdigit((unsigned char)*s)))
			goto invalid;
		while (isdigit((unsigned char)*s)) {
			if (v > (UINT64_C(1) << 63) / 10)
				goto overflow;
			v = v * 10 + (*s - '0');
			if (v > (UINT64_C(1) << 63))
				goto overflow;
			s++;
			pre = 1;
		}
		if (*s == '.') {
			s++;
			while (isdigit((unsigned char)*s)) {
				if (!overflow) {
					if (f > (UINT64_C(1) << 63) / 10) {
						overflow = 1;
					} else {
						uint64_t y = f * 10 + (*s - '0');

						if (y > (UINT64_C(1) << 63))
							overflow = 1;
						else {
							f = y;
							scale *= 10;
						}
					}
				}
				s++;
				post = 1;
			}
		}
		if (!pre && !post)
			goto invalid;
		while (s[ulen] && s[ulen] != '.' && !isdigit((unsigned char)s[ulen]))
			ulen++;
		if (!ulen) {
			strbuf_addf(err, "time: missing unit in duration \"%s\"", orig);
			return -1;
		}
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			if (strlen(units[i].name) == ulen && !strncmp(units[i].name, s, ulen))
				unit = units[i].ns;
		if (!unit) {
			strbuf_addf(err, "time: unknown unit \"%.*s\" in duration \"%s\"", (int)ulen, s, orig);
			return -1;
		}
		s += ulen;
		if (v > (UINT64_C(1) << 63) / unit)
			goto overflow;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > (UINT64_C(1) << 63))
				goto overflow;
		}
		d += v;
		if (d > (UINT64_C(1) << 63))
			goto overflow;
	}
	if (neg) {
		*out = d == (UINT64_C(1) << 63) ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > (UINT64_C(1) << 63) - 1)
		goto overflow;
	*out = (int64_t)d;
	return 0;
invalid:
	strbuf_addf(err, "time: invalid duration \"%s\"", orig);
	return -1;
overflow:
	strbuf_addf(err, "time: invalid duration \"%s\"", orig);
	return -1;
}

static int health_interval(struct dockerfile *df, int line, const char *flag, const char *v,
			   int64_t *out)
{
	struct strbuf err = STRBUF_INIT;
	int64_t d;
	int rc = 0;

	*out = 0;
	if (!v || !*v)
		return 0;
	if (parse_duration(v, &d, &err) < 0) {
		rc = dockerfile_error(df, line, "HEALTHCHECK --%s: %s", flag, err.buf);
		goto out;
	}
	if (d != 0 && d < 1000000) {
		rc = dockerfile_error(df, line, "Interval \"%s\" cannot be less than 1ms", flag);
		goto out;
	}
	*out = d;
out:
	strbuf_release(&err);
	return rc;
}

static int parse_u16(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*out = v;
	return 0;
}

static int parse_port_range(const char *s, unsigned long *lo, unsigned long *hi)
{
	const char *dash = strchr(s, '-');

	if (!*s)
		return -1;
	if (!dash) {
		if (parse_u16(s, strlen(s), lo) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	if (parse_u16(s, dash - s, lo) < 0)
		return -1;
	{
		const char *e = strchrnul(dash + 1, '-');

		if (parse_u16(dash + 1, e - dash - 1, hi) < 0)
			return -1;
	}
	if (*hi < *lo)
		return -1;
	return 0;
}

/* One EXPOSE word: [ip:][hostport:]port[-port][/proto] -> keys "N/proto" */
static int expose_port(struct dockerfile *df, int line, const char *raw, struct strlist *out)
{
	const char *cport = strrchr(raw, ':'), *slash;
	char *port, *proto;
	unsigned long lo, hi;
	int rc = 0;

	cport = cport ? cport + 1 : raw;
	slash = strchr(cport, '/');
	if (!slash || !slash[1]) {
		port = slash ? xstrndup(cport, slash - cport) : xstrdup(cport);
		proto = xstrdup("tcp");
	} else {
		const char *e = strchrnul(slash + 1, '/');

		port = xstrndup(cport, slash - cport);
		proto = xstrndup(slash + 1, e - slash - 1);
	}
	for (char *c = proto; *c; c++)
		*c = tolower((unsigned char)*c);
	if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")) {
		rc = dockerfile_error(df, line, "invalid proto: %s (EXPOSE takes tcp, udp or sctp)", proto);
		goto out;
	}
	if (!*port) {
		rc = dockerfile_error(df, line, "no port specified: %s<empty>", raw);
		goto out;
	}
	if (parse_port_range(port, &lo, &hi) < 0) {
		rc = dockerfile_error(df, line, "invalid containerPort: %s", port);
		goto out;
	}
	for (unsigned long p = lo; p <= hi; p++) {
		char key[32];

		snprintf(key, sizeof(key), "%lu/%s", p, proto);
		strlist_push_nodup(out, xstrdup(key));
	}
out:
	free(port);
	free(proto);
	return rc;
}

static int valid_signal(const char *s)
{
	static const char *const names[] = {
		"ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO",
		"IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP",
		"SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM",
		"WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
	};
	char *end, *up;
	long v;
	int ok = 0;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s && !*end && !errno)
		return v != 0;
	up = xstrdup(s);
	for (char *c = up; *c; c++)
		*c = toupper((unsigned char)*c);
	{
		const char *n = !strncmp(up, "SIG", 3) ? up + 3 : up;

		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(n, names[i]))
				ok = 1;
		if (!strncmp(n, "RTMIN+", 6) || !strncmp(n, "RTMAX-", 6)) {
			long k = strtol(n + 6, &end, 10);

			if (!*end && n[6] && k >= 1 && k <= 15 && isdigit((unsigned char)n[6]))
				ok = 1;
		}
	}
	free(up);
	return ok;
}

static int parse_id(const char *s, long *out)
{
	char *end;
	long v;

	if (!strcmp(s, "root")) {
		*out = 0;
		return 0;
	}
	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 0 || v > 0xFFFFFFFFL)
		return -1;
	*out = v;
	return 0;
}

static int expand_copy(struct dockerfile *df, struct dockerfile_instr *in, struct raw *r,
		       const struct kvlist *env, const char *workdir)
{
	struct dockerfile_copy *c = &in->copy;
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < r->args.nr; i++) {
		strbuf_reset(&sb);
		rc = dockerfile_expand_in(df, in->line, dockerfile_cmd_name(in->cmd), r->args.items[i], env, &sb);
		if (rc < 0)
			goto out;
		if (i + 1 < r->args.nr)
			strlist_push_nodup(&c->sources, xstrdup(sb.buf));
		else
			c->dest = xstrdup(sb.buf);
	}
	/* dest against WORKDIR; "." "" or a trailing '/' means a directory */
	strbuf_reset(&sb);
	if (c->dest[0] == '/') {
		gopath_clean(c->dest, &sb);
	} else {
		struct strbuf j = STRBUF_INIT;

		strbuf_addf(&j, "%s/%s", workdir, c->dest);
		gopath_clean(j.buf, &sb);
		strbuf_release(&j);
	}
	if ((!strcmp(c->dest, ".") || !*c->dest || c->dest[strlen(c->dest) - 1] == '/') &&
	    strcmp(sb.buf, "/"))
		strbuf_addch(&sb, '/');
	c->dest_path = strbuf_detach(&sb, NULL);

	if (r->chown) {
		char *colon;

		rc = dockerfile_expand_in(df, in->line, "--chown", r->chown, env, &sb);
		if (rc < 0)
			goto out;
		c->chown = strbuf_detach(&sb, NULL);
		colon = strchr(c->chown, ':');
		if (colon)
			*colon = '\0';
		/* a name is resolved by the build, from the base's /etc/passwd and /etc/group */
		if (!*c->chown || (colon && !colon[1])) {
			if (colon)
				*colon = ':';
			rc = dockerfile_error(df, in->line, "--chown=%s: want USER[:GROUP], as a name or a number",
				      c->chown);
			goto out;
		}
		if (parse_id(c->chown, &c->uid) < 0)
			c->uid = DOCKERFILE_ID_NAME;
		if (colon && parse_id(colon + 1, &c->gid) < 0)
			c->gid = DOCKERFILE_ID_NAME;
		if (colon)
			*colon = ':';
		else
			c->gid = c->uid;
	}
	if (r->chmod) {
		char *end;
		unsigned long m;

		rc = dockerfile_expand_in(df, in->line, "--chmod", r->chmod, env, &sb);
		if (rc < 0)
			goto out;
		c->chmod = strbuf_detach(&sb, NULL);
		errno = 0;
		m = strtoul(c->chmod, &end, 8);
		if (!*c->chmod || *end || errno || !isdigit((unsigned char)c->chmod[0]) || m > 07777) {
			rc = dockerfile_error(df, in->line,
				      "invalid chmod parameter '%s': publish takes an octal mode (--chmod=755)",
				      c->chmod);
			goto out;
		}
		c->mode = (int)m;
	}
	c->link = r->link;
	c->unpack = r->unpack ? r->unpack - 1 : -1;
	in->exec_form = r->json;
out:
	strbuf_release(&sb);
	return rc;
}

static void shell_argv(struct strlist *out, const struct strlist *shell,
		       const char *line)
{
	for (size_t i = 0; i < shell->nr; i++)
		strlist_push_nodup(out, xstrdup(shell->items[i]));
	strlist_push_nodup(out, xstrdup(line));
}

int dockerfile_expand(struct dockerfile *df, const struct dockerfile_base *base)
{
	struct priv *pv = df->priv;
	struct kvlist env = { 0 };
	struct strlist shell = { 0 };
	struct strbuf sb = STRBUF_INIT, wd = STRBUF_INIT, what = STRBUF_INIT;
	int rc = 0;

	if (!pv || !pv->parsed || pv->expanded || !df->from.image)
		return error_as(EXIT_INTERNAL, "dockerfile_expand: parse first, expand once");
	pv->expanded = 1;
	for (size_t i = 0; base && i < base->env_nr; i++)
		kvlist_set_pair(&env, base->env[i]);
	if (base && base->shell_nr) {
		for (size_t i = 0; i < base->shell_nr; i++)
			strlist_push_nodup(&shell, xstrdup(base->shell[i]));
	} else {
		strlist_push_nodup(&shell, xstrdup(DEFAULT_SHELL_0));
		strlist_push_nodup(&shell, xstrdup(DEFAULT_SHELL_1));
	}
	strbuf_addstr(&wd, base && base->workdir && *base->workdir ? base->workdir : "/");

	for (size_t i = 0; i < df->nr; i++) {
		struct dockerfile_instr *in = &df->instrs[i];
		struct raw *r = &pv->raw[i];
		int line = in->line;

		switch (in->cmd) {
		case DOCKERFILE_ENV:
		case DOCKERFILE_LABEL: {
			for (size_t k = 0; k + 1 < r->args.nr; k += 2) {
				char *key;

				strbuf_reset(&sb);
				rc = dockerfile_expand_in(df, line, dockerfile_cmd_name(in->cmd), r->args.items[k], &env, &sb);
				if (rc < 0)
					goto out;
				key = strbuf_detach(&sb, NULL);
				strbuf_reset(&what);
				strbuf_addf(&what, "%s %.64s", dockerfile_cmd_name(in->cmd), key);
				rc = dockerfile_expand_in(df, line, what.buf, r->args.items[k + 1], &env, &sb);
				if (rc == 0)
					rc = dockerfile_check_utf8(df, line, dockerfile_cmd_name(in->cmd), key);
				if (rc == 0)
					rc = dockerfile_check_utf8(df, line, what.buf, sb.buf);
				if (rc < 0) {
					free(key);
					goto out;
				}
				if (!*key) {
					free(key);
					rc = dockerfile_error(df, line, "%s names can not be blank",
						      dockerfile_cmd_name(in->cmd));
					goto out;
				}
				kvlist_push(&in->kv, key, sb.buf);
				free(key);
				strbuf_reset(&sb);
			}
			if (in->cmd == DOCKERFILE_ENV)
				for (size_t k = 0; k < in->kv.nr; k++)
					kvlist_set(&env, in->kv.items[k].key, in->kv.items[k].value);
			break;
		}
		case DOCKERFILE_ARG: {
			for (size_t k = 0; k < r->args.nr; k++) {
				char *key;

				strbuf_reset(&sb);
				rc = dockerfile_arg_value(df, line, r->args.items[k], &env, &pv->meta, &key, &sb);
				if (rc < 0)
					goto out;
				kvlist_push(&in->kv, key, rc ? sb.buf : NULL);
				if (rc)
					kvlist_set(&env, key, sb.buf);
				free(key);
			}
			rc = 0;
			break;
		}
		case DOCKERFILE_COPY:
		case DOCKERFILE_ADD:
			rc = expand_copy(df, in, r, &env, wd.buf);
			if (rc < 0)
				goto out;
			break;
		case DOCKERFILE_WORKDIR: {
			strbuf_reset(&sb);
			rc = dockerfile_expand_in(df, line, dockerfile_cmd_name(in->cmd), r->args.items[0], &env, &sb);
			if (rc < 0)
				goto out;
			if (!sb.len) {
				rc = dockerfile_error(df, line, "WORKDIR is empty after expansion ('%s')", r->args.items[0]);
				goto out;
			}
			rc = dockerfile_check_utf8(df, line, "WORKDIR", sb.buf);
			if (rc < 0)
				goto out;
			{
				struct strbuf nw = STRBUF_INIT;

				dockerfile_workdir_join(wd.buf, sb.buf, &nw);
				strbuf_reset(&wd);
				strbuf_addbuf(&wd, &nw);
				strbuf_release(&nw);
			}
			in->value = xstrdup(wd.buf);
			break;
		}
		case DOCKERFILE_USER:
		case DOCKERFILE_STOPSIGNAL:
			strbuf_reset(&sb);
			rc = dockerfile_expand_in(df, line, dockerfile_cmd_name(in->cmd), r->args.items[0], &env, &sb);
			if (rc < 0)
				goto out;
			if (in->cmd == DOCKERFILE_STOPSIGNAL && !valid_signal(sb.buf)) {
				rc = dockerfile_error(df, line, "invalid signal: %s", sb.buf);
				goto out;
			}
			if (in->cmd == DOCKERFILE_USER && !sb.len) {
				rc = dockerfile_error(df, line, "USER is empty after expansion ('%s')", r->args.items[0]);
				goto out;
			}
			rc = dockerfile_check_utf8(df, line, dockerfile_cmd_name(in->cmd), sb.buf);
			if (rc < 0)
				goto out;
			in->value = strbuf_detach(&sb, NULL);
			break;
		case DOCKERFILE_MAINTAINER:
			in->value = xstrdup(r->args.items[0]);
			break;
		case DOCKERFILE_EXPOSE:
			for (size_t k = 0; k < r->args.nr; k++) {
				struct strlist words = { 0 };
				struct strbuf err = STRBUF_INIT;

				int capped;

				if (shlex_expand(r->args.items[k], df->escape, &env, &pv->budget, NULL, &words, &err,
					     &capped) < 0) {
					rc = dockerfile_error(df, line, "%s%s", capped ? "EXPOSE: " : "", err.buf);
					strbuf_release(&err);
					strlist_release(&words);
					goto out;
				}
				strbuf_release(&err);
				for (size_t w = 0; w < words.nr; w++) {
					rc = expose_port(df, line, words.items[w], &in->args);
					if (rc < 0) {
						strlist_release(&words);
						goto out;
					}
				}
				strlist_release(&words);
			}
			break;
		case DOCKERFILE_VOLUME:
			for (size_t k = 0; k < r->args.nr; k++) {
				strbuf_reset(&sb);
				rc = dockerfile_expand_in(df, line, "VOLUME", r->args.items[k], &env, &sb);
				if (rc < 0)
					goto out;
				if (!sb.len) {
					rc = dockerfile_error(df, line, "VOLUME specified can not be an empty string");
					goto out;
				}
				rc = dockerfile_check_utf8(df, line, "VOLUME", sb.buf);
				if (rc < 0)
					goto out;
				strlist_push_nodup(&in->args, strbuf_detach(&sb, NULL));
			}
			in->exec_form = r->json;
			break;
		case DOCKERFILE_CMD:
		case DOCKERFILE_ENTRYPOINT:
			in->exec_form = r->json;
			if (r->json) {
				for (size_t k = 0; k < r->args.nr; k++)
					strlist_push_nodup(&in->args, xstrdup(r->args.items[k]));
				if (in->cmd == DOCKERFILE_ENTRYPOINT && !r->args.nr)
					in->args_null = 1;
			} else {
				shell_argv(&in->args, &shell, r->args.nr ? r->args.items[0] : "");
			}
			break;
		case DOCKERFILE_SHELL:
			strlist_release(&shell);
			for (size_t k = 0; k < r->args.nr; k++) {
				strlist_push_nodup(&shell, xstrdup(r->args.items[k]));
				strlist_push_nodup(&in->args, xstrdup(r->args.items[k]));
			}
			in->exec_form = 1;
			break;
		case DOCKERFILE_HEALTHCHECK: {
			struct dockerfile_health *h = &in->health;

			in->exec_form = r->json;
			if (!strcmp(r->args.items[0], "NONE")) {
				strlist_push_nodup(&h->test, xstrdup("NONE"));
				break;
			}
			if (r->json) {
				strlist_push_nodup(&h->test, xstrdup("CMD"));
				for (size_t k = 1; k < r->args.nr; k++)
					strlist_push_nodup(&h->test, xstrdup(r->args.items[k]));
			} else {
				strlist_push_nodup(&h->test, xstrdup("CMD-SHELL"));
				strlist_push_nodup(&h->test, xstrdup(r->args.items[1]));
			}
			if ((rc = health_interval(df, line, "interval", r->interval, &h->interval)) < 0 ||
			    (rc = health_interval(df, line, "timeout", r->timeout, &h->timeout)) < 0 ||
			    (rc = health_interval(df, line, "start-period", r->start_period, &h->start_period)) < 0 ||
			    (rc = health_interval(df, line, "start-interval", r->start_interval, &h->start_interval)) < 0)
				goto out;
			if (r->retries && *r->retries) {
				char *end;
				long v;

				errno = 0;
				v = strtol(r->retries, &end, 10);
				if (*end || errno || v > INT32_MAX || v < INT32_MIN ||
				    isspace((unsigned char)r->retries[0])) {
					rc = dockerfile_error(df, line, "HEALTHCHECK --retries: invalid number \"%s\"", r->retries);
					goto out;
				}
				if (v < 0) {
					rc = dockerfile_error(df, line, "--retries cannot be negative (%ld)", v);
					goto out;
				}
				h->retries = (int)v;
			}
			break;
		}
		default:
			break;
		}
	}
	/* Docker: "One or more build-args [...] were not consumed" */
	for (size_t k = 0; !rc && k < pv->build_args.nr; k++) {
		const char *key = pv->build_args.items[k].key;
		int used = 0;

		used = kvlist_find(&df->global_args, key) != NULL;
		for (size_t i = 0; i < df->nr && !used; i++)
			used = df->instrs[i].cmd == DOCKERFILE_ARG && kvlist_find(&df->instrs[i].kv, key);
		if (!used)
			warning("%s: --build-arg %s is not used by any ARG", df->filename, key);
	}
out:
	kvlist_release(&env);
	strlist_release(&shell);
	strbuf_release(&sb);
	strbuf_release(&wd);
	strbuf_release(&what);
	return rc;
}
