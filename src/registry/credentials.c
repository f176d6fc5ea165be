/*
 * credentials.c: see credentials.h.  The docker config file is read with
 * jansson here and nowhere else (and written nowhere); credential helpers are run with
 * fork/exec (no shell), the host on their stdin, JSON on their stdout.
 */
#include "lib/common.h"
#include "registry/credentials.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/evp.h>

void credential_release(struct credential *c)
{
	if (!c)
		return;
	free(c->username);
	if (c->password)
		memset(c->password, 0, strlen(c->password));
	free(c->password);
	c->username = c->password = NULL;
	c->source = "anonymous";
}

void credential_copy(const struct credential *src, struct credential *out)
{
	out->username = src->username ? xstrdup(src->username) : NULL;
	out->password = src->password ? xstrdup(src->password) : NULL;
	out->source = src->source;
}

int credential_set_add(struct credential_set *set, const char *registry, const struct credential *cred)
{
	struct strbuf host = STRBUF_INIT;
	struct credential_for *e;

	credentials_registry_host(registry, &host);
	if (credential_set_find(set, host.buf)) {
		strbuf_release(&host);
		return -1;
	}
	ALLOC_GROW(set->items, set->nr + 1, set->alloc);
	e = &set->items[set->nr++];
	e->registry = strbuf_detach(&host, NULL);
	credential_copy(cred, &e->cred);
	return 0;
}

const struct credential *credential_set_find(const struct credential_set *set, const char *registry)
{
	for (size_t i = 0; set && registry && i < set->nr; i++)
		if (!strcmp(set->items[i].registry, registry))
			return &set->items[i].cred;
	return NULL;
}

void credential_set_release(struct credential_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nr; i++) {
		free(set->items[i].registry);
		credential_release(&set->items[i].cred);
	}
	free(set->items);
	set->items = NULL;
	set->nr = set->alloc = 0;
}

static char **masked;
static size_t nr_masked, alloc_masked;

/* One ::add-mask:: of s[0..n), its data escaped as the runner unescapes it (%25 %0D %0A). */
static void mask_line(const char *s, size_t n)
{
	fputs("::add-mask::", stdout);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%')
			fputs("%25", stdout);
		else if (s[i] == '\r')
			fputs("%0D", stdout);
		else if (s[i] == '\n')
			fputs("%0A", stdout);
		else
			putchar(s[i]);
	}
	putchar('\n');
}

void credentials_mask(const char *secret)
{
	const char *ga = getenv("GITHUB_ACTIONS");

	if (!secret || !*secret || !ga || strcmp(ga, "true"))
		return;
	for (size_t i = 0; i < nr_masked; i++)
		if (!strcmp(masked[i], secret))
			return;
	ALLOC_GROW(masked, nr_masked + 1, alloc_masked);
	masked[nr_masked++] = xstrdup(secret);
	fflush(stdout);
	mask_line(secret, strlen(secret));
	/* the runner masks a log line at a time: a secret of several lines, each line too */
	if (secret[strcspn(secret, "\r\n")]) {
		for (const char *p = secret; *p; ) {
			size_t n = strcspn(p, "\r\n");

			if (n)
				mask_line(p, n);
			p += n;
			p += strspn(p, "\r\n");
		}
	}
	fflush(stdout);
}

static int is_docker_hub(const char *host)
{
	return !strcmp(host, "docker.io") || !strcmp(host, "index.docker.io") ||
	       !strcmp(host, "registry-1.docker.io") || !strcmp(host, "registry.hub.docker.com");
}

/* host[:port] of registry, lower-cased: no scheme, no path */
static void key_host(const char *registry, struct strbuf *out)
{
	const char *p = strstr(registry, "://");
	size_t n;

	p = p ? p + 3 : registry;
	n = strcspn(p, "/");
	for (size_t i = 0; i < n; i++)
		strbuf_addch(out, (char)tolower((unsigned char)p[i]));
}

void credentials_config_key(const char *registry, struct strbuf *out)
{
	struct strbuf h = STRBUF_INIT;

	key_host(registry, &h);
	strbuf_addstr(out, is_docker_hub(h.buf) ? CREDENTIALS_DOCKER_HUB_KEY : h.buf);
	strbuf_release(&h);
}

void credentials_registry_host(const char *registry, struct strbuf *out)
{
	struct strbuf h = STRBUF_INIT;

	key_host(registry, &h);
	strbuf_addstr(out, is_docker_hub(h.buf) ? "docker.io" : h.buf);
	strbuf_release(&h);
}

/* Does a config's key name the registry whose key is want (credentials_config_key())? */
static int key_matches(const char *key, const char *want)
{
	struct strbuf k = STRBUF_INIT;
	int m;

	credentials_config_key(key, &k);
	m = !strcmp(k.buf, want);
	strbuf_release(&k);
	return m;
}

static int decode_auth(const char *b64, const char *registry, struct credential *out)
{
	size_t len = strlen(b64);
	unsigned char *raw = xmalloc(len + 4);
	int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	char *colon;

	if (n < 0) {
		free(raw);
		return error_as(EXIT_AUTH, "docker config: the 'auth' of '%s' is not base64", registry);
	}
	/* EVP_DecodeBlock counts padding as zero bytes */
	while (len && b64[len - 1] == '=') {
		len--;
		n--;
	}
	raw[n] = '\0';
	colon = strchr((char *)raw, ':');
	if (!colon) {
		memset(raw, 0, (size_t)n);
		free(raw);
		return error_as(EXIT_AUTH, "docker config: the 'auth' of '%s' is not user:password", registry);
	}
	*colon = '\0';
	out->username = xstrdup((char *)raw);
	out->password = xstrdup(colon + 1);
	out->source = "docker config";
	memset(raw, 0, (size_t)n);
	free(raw);
	return 0;
}

static int run_helper(const char *helper, const char *registry, struct credential *out)
{
	int in[2], outp[2];
	struct strbuf prog = STRBUF_INIT, data = STRBUF_INIT, server = STRBUF_INIT;
	pid_t pid;
	int status, ret = 0;
	char buf[4096];
	ssize_t n;
	json_t *root = NULL;
	json_error_t jerr;

	strbuf_addf(&prog, "docker-credential-%s", helper);
	/* what docker asks a helper for: the key (the server URL for Docker Hub) */
	credentials_config_key(registry, &server);
	if (pipe(in) < 0 || pipe(outp) < 0) {
		ret = error("cannot run '%s': %s", prog.buf, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ret = error("cannot run '%s': %s", prog.buf, strerror(errno));
		goto out;
	}
	if (!pid) {
		char *argv[] = { prog.buf, (char *)"get", NULL };

		dup2(in[0], 0);
		dup2(outp[1], 1);
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		execvp(prog.buf, argv);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	{
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);

		/* the helper may not read its stdin: its answer says what went wrong */
		ssize_t w = write(in[1], server.buf, server.len);

		(void)w;
		close(in[1]);
		signal(SIGPIPE, old);
	}
	while ((n = read(outp[0], buf, sizeof(buf))) > 0)
		if (strbuf_add_capped(&data, buf, (size_t)n, 64u << 10) < 0)
			break;
	close(outp[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
		ret = error_as(EXIT_AUTH, "credential helper '%s' for '%s' could not be run", prog.buf, registry);
		goto out;
	}
	if (WEXITSTATUS(status)) {
		/* "credentials not found": anonymous, as docker does */
		if (strstr(data.buf, "not found"))
			goto out;
		ret = error_as(EXIT_AUTH, "credential helper '%s' failed for '%s' (exit %d)",
			       prog.buf, registry, WEXITSTATUS(status));
		goto out;
	}
	root = json_loadb(data.buf, data.len, 0, &jerr);
	if (!root || !json_is_string(json_object_get(root, "Secret"))) {
		ret = error_as(EXIT_AUTH, "credential helper '%s' gave no Username/Secret for '%s'",
			       prog.buf, registry);
		goto out;
	}
	out->username = xstrdup(json_is_string(json_object_get(root, "Username")) ?
				json_string_value(json_object_get(root, "Username")) : "");
	out->password = xstrdup(json_string_value(json_object_get(root, "Secret")));
	out->source = "credential helper";
out:
	json_decref(root);
	if (data.len)
		memset(data.buf, 0, data.len);
	strbuf_release(&data);
	strbuf_release(&prog);
	strbuf_release(&server);
	return ret;
}

static int from_docker_config(const char *registry, struct credential *out)
{
	struct strbuf path = STRBUF_INIT, raw = STRBUF_INIT, want = STRBUF_INIT;
	const char *dir = getenv("DOCKER_CONFIG");
	json_t *root = NULL, *v;
	json_error_t jerr;
	const char *key;
	int ret = 0;

	if (dir && *dir)
		strbuf_addf(&path, "%s/config.json", dir);
	else if (getenv("HOME"))
		strbuf_addf(&path, "%s/.docker/config.json", getenv("HOME"));
	else
		return 0;
	if (strbuf_read_file(&raw, path.buf, 1u << 20) < 0) {
		if (errno != ENOENT)
			ret = error_as(EXIT_AUTH, "cannot read docker config '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	credentials_config_key(registry, &want);
	root = json_loadb(raw.buf, raw.len, 0, &jerr);
	if (!root || !json_is_object(root)) {
		ret = error_as(EXIT_AUTH, "docker config '%s' is not valid JSON (line %d: %s)",
			       path.buf, jerr.line, jerr.text);
		goto out;
	}
	json_object_foreach(json_object_get(root, "credHelpers"), key, v)	/* borrowed */
		if (json_is_string(v) && key_matches(key, want.buf)) {
			ret = run_helper(json_string_value(v), registry, out);
			goto out;
		}
	json_object_foreach(json_object_get(root, "auths"), key, v) {
		json_t *a = json_object_get(v, "auth");
		json_t *u = json_object_get(v, "username"), *p = json_object_get(v, "password");

		if (!key_matches(key, want.buf))
			continue;
		if (json_is_string(a) && *json_string_value(a)) {
			ret = decode_auth(json_string_value(a), registry, out);
			goto out;
		}
		if (json_is_string(u) && json_is_string(p)) {
			out->username = xstrdup(json_string_value(u));
			out->password = xstrdup(json_string_value(p));
			out->source = "docker config";
			goto out;
		}
	}
	v = json_object_get(root, "credsStore");
	if (json_is_string(v) && *json_string_value(v))
		ret = run_helper(json_string_value(v), registry, out);
out:
	json_decref(root);
	if (raw.len)
		memset(raw.buf, 0, raw.len);
	strbuf_release(&raw);
	strbuf_release(&path);
	strbuf_release(&want);
	return ret;
}

int credentials_lookup(const char *registry, const struct credential *explicit_cred,
		       struct credential *out)
{
	struct credential c = CREDENTIAL_INIT;
	const char *tok = getenv("GITHUB_TOKEN");
	int ret;

	if (explicit_cred && explicit_cred->username) {
		credential_copy(explicit_cred, &c);
		if (!c.source || !strcmp(c.source, "anonymous"))
			c.source = "--username";
	} else if (!strcmp(registry, "ghcr.io") && tok && *tok) {
		const char *actor = getenv("GITHUB_ACTOR");

		c.username = xstrdup(actor && *actor ? actor : "x-access-token");
		c.password = xstrdup(tok);
		c.source = "GITHUB_TOKEN";
	} else if ((ret = from_docker_config(registry, &c)) < 0) {
		credential_release(&c);
		return ret;
	}
	if (c.password)
		credentials_mask(c.password);
	*out = c;
	return 0;
}
