/*
 * auth.c: see auth.h.  The challenge parser is a small scanner over
 * auth-param lists (token=token / token="quoted"); the token exchange is
 * one GET at the realm; the cache is a plain list (a handful of entries
 * per run) under a lock, as two clients of two threads may share it.
 */
#include "lib/common.h"
#include "registry/auth.h"
#include "registry/credentials.h"
#include "registry/http.h"

#include <ctype.h>
#include <pthread.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>

void auth_challenge_release(struct auth_challenge *c)
{
	if (!c)
		return;
	free(c->realm);
	free(c->service);
	for (size_t i = 0; i < c->nr_scopes; i++)
		free(c->scopes[i]);
	free(c->scopes);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

static void add_scopes(struct auth_challenge *c, const char *v)
{
	size_t alloc = c->nr_scopes;

	while (*v) {
		const char *e;

		while (*v == ' ')
			v++;
		if (!*v)
			break;
		e = strchr(v, ' ');
		if (!e)
			e = v + strlen(v);
		ALLOC_GROW(c->scopes, c->nr_scopes + 1, alloc);
		c->scopes[c->nr_scopes++] = xstrndup(v, (size_t)(e - v));
		v = e;
	}
}

int auth_challenge_parse(const char *header, struct auth_challenge *out)
{
	struct auth_challenge c = AUTH_CHALLENGE_INIT;
	struct strbuf key = STRBUF_INIT, val = STRBUF_INIT;
	const char *p = header;
	int ret = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!strncasecmp(p, "Bearer", 6) && (!p[6] || p[6] == ' ')) {
		c.scheme = AUTH_BEARER;
		p += 6;
	} else if (!strncasecmp(p, "Basic", 5) && (!p[5] || p[5] == ' ')) {
		c.scheme = AUTH_BASIC;
		p += 5;
	} else {
		return error_as(EXIT_REGISTRY, "unsupported authentication challenge '%.40s'", header);
	}
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		strbuf_reset(&key);
		strbuf_reset(&val);
		while (*p && *p != '=' && *p != ',' && *p != ' ')
			strbuf_addch(&key, tolower((unsigned char)*p++));
		while (*p == ' ')
			p++;
		if (*p != '=') {
			ret = error_as(EXIT_REGISTRY, "malformed authentication challenge '%.80s'", header);
			goto out;
		}
		p++;
		while (*p == ' ')
			p++;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				strbuf_addch(&val, *p++);
			}
			if (*p != '"') {
				ret = error_as(EXIT_REGISTRY, "unterminated quote in authentication challenge '%.80s'", header);
				goto out;
			}
			p++;
		} else {
			while (*p && *p != ',' && *p != ' ')
				strbuf_addch(&val, *p++);
		}
		if (!strcmp(key.buf, "realm")) {
			free(c.realm);
			c.realm = xstrdup(val.buf);
		} else if (!strcmp(key.buf, "service")) {
			free(c.service);
			c.service = xstrdup(val.buf);
		} else if (!strcmp(key.buf, "scope")) {
			add_scopes(&c, val.buf);
		} else if (!strcmp(key.buf, "error")) {
			free(c.error);
			c.error = xstrdup(val.buf);
		}
	}
	if (c.scheme == AUTH_BEARER && (!c.realm || !*c.realm)) {
		ret = error_as(EXIT_REGISTRY, "bearer challenge without a realm: '%.80s'", header);
		goto out;
	}
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	auth_challenge_release(&c);
	strbuf_release(&key);
	strbuf_release(&val);
	return ret;
}

void auth_token_url(const struct auth_challenge *c, const char *const *scopes,
		    size_t nr_scopes, struct strbuf *out)
{
	char sep = strchr(c->realm, '?') ? '&' : '?';

	strbuf_addstr(out, c->realm);
	if (c->service) {
		strbuf_addf(out, "%cservice=", sep);
		http_escape(c->service, out);
		sep = '&';
	}
	for (size_t i = 0; i < nr_scopes; i++) {
		strbuf_addf(out, "%cscope=", sep);
		http_escape(scopes[i], out);
		sep = '&';
	}
}

int auth_parse_token_response(const char *body, size_t len, struct strbuf *token,
			      long *expires_in)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);
	const char *t = NULL;
	json_t *v;
	int ret = 0;

	if (!root)
		return error_as(EXIT_REGISTRY, "token service answered with invalid JSON: %s", jerr.text);
	v = json_object_get(root, "token");	/* borrowed */
	if (json_is_string(v) && *json_string_value(v))
		t = json_string_value(v);
	v = json_object_get(root, "access_token");
	if (!t && json_is_string(v) && *json_string_value(v))
		t = json_string_value(v);
	if (!t) {
		ret = error_as(EXIT_REGISTRY, "token service answer has no 'token' or 'access_token'");
		goto out;
	}
	strbuf_reset(token);
	strbuf_addstr(token, t);
	v = json_object_get(root, "expires_in");
	*expires_in = json_is_integer(v) && json_integer_value(v) > 0 ?
		(long)json_integer_value(v) : 60;
out:
	json_decref(root);
	return ret;
}

void auth_basic_header(const char *user, const char *password, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT;
	unsigned char *enc;
	int n;

	strbuf_addf(&raw, "%s:%s", user, password);
	enc = xmalloc(4 * ((raw.len + 2) / 3) + 1);
	n = EVP_EncodeBlock(enc, (unsigned char *)raw.buf, (int)raw.len);
	strbuf_addstr(out, "Basic ");
	strbuf_add(out, enc, (size_t)n);
	memset(raw.buf, 0, raw.len);
	memset(enc, 0, (size_t)n);
	free(enc);
	strbuf_release(&raw);
}

int auth_fetch_token(const struct auth_challenge *c, const char *const *scopes,
		     size_t nr_scopes, const struct credential *cred, int insecure,
		     int max_tries, struct strbuf *out, long *ttl_out)
{
	struct strbuf url = STRBUF_INIT, userpwd = STRBUF_INIT, token = STRBUF_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct http_request req;
	const char *who = cred && cred->username ? cred->username : NULL;
	long ttl = 60;
	int ret;

	auth_token_url(c, scopes, nr_scopes, &url);
	if (who && !insecure && strncasecmp(c->realm, "https://", 8)) {
		/* an https registry's credentials never cross the network in clear */
		ret = error_as(EXIT_INPUT, "refusing to send the credentials of '%s' to token service '%s' over plain http: the registry speaks https",
			       who, c->realm);
		goto out;
	}
	if (who && !http_may_send_credentials(c->realm)) {
		ret = error_as(EXIT_INPUT, "refusing to send the credentials of '%s' to token service '%s' over plain http: only loopback hosts may get them",
			       who, c->realm);
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.url = url.buf;
	req.cap = 1u << 20;
	req.insecure = insecure;
	req.follow = 1;
	if (who) {
		strbuf_addf(&userpwd, "%s:%s", who, cred->password ? cred->password : "");
		req.userpwd = userpwd.buf;
	}
	req.quiet = 1;
	for (int tries = 1;; tries++) {
		double wait = 0.5;

		ret = http_request(&req, &res);
		if (ret < 0 && (ret != -EXIT_NETWORK || res.permanent)) {
			/* cannot heal: no retry (empty error: already said) */
			if (res.error.len)
				ret = error_as(-ret, "token service: %s", res.error.buf);
			goto out;
		}
		if (!ret && res.status != 429 && res.status != 408 && res.status < 500)
			break;
		if (tries >= (max_tries > 0 ? max_tries : 1)) {
			if (ret)
				ret = error_as(EXIT_NETWORK, "token service: %s (gave up after %d tries)",
					       res.error.buf, tries);
			else
				ret = error_as(EXIT_NETWORK, "token service '%s' answered HTTP %ld, retries exhausted",
					       c->realm, res.status);
			goto out;
		}
		for (int i = 1; i < tries && wait < 8; i++)
			wait *= 2;
		wait *= 1 + (double)rand() / RAND_MAX * 0.5;
		if (ret)
			warning("token service: %s; retrying in %.1f s", res.error.buf, wait);
		else
			warning("token service '%s' answered HTTP %ld; retrying in %.1f s", c->realm,
				res.status, wait);
		{
			struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	if (res.status == 401 || res.status == 403) {
		if (who)
			ret = error_as(EXIT_AUTH, "token service '%s' refused the credentials of '%s' (%s, HTTP %ld)",
				       c->realm, who, cred->source, res.status);
		else
			ret = error_as(EXIT_AUTH, "token service '%s' refused an anonymous token (HTTP %ld): credentials are needed",
				       c->realm, res.status);
		goto out;
	}
	if (res.status != 200) {
		ret = error_as(EXIT_REGISTRY, "token service '%s' answered HTTP %ld", c->realm, res.status);
		goto out;
	}
	if ((ret = auth_parse_token_response(res.body.buf, res.body.len, &token, &ttl)))
		goto out;
	credentials_mask(token.buf);
	strbuf_reset(out);
	strbuf_addbuf(out, &token);
	if (ttl_out)
		*ttl_out = ttl;
out:
	if (userpwd.len)
		memset(userpwd.buf, 0, userpwd.len);
	if (token.len)
		memset(token.buf, 0, token.len);
	if (res.body.len)
		memset(res.body.buf, 0, res.body.len);
	strbuf_release(&userpwd);
	strbuf_release(&token);
	strbuf_release(&url);
	http_response_release(&res);
	return ret;
}

struct cache_entry {
	char *key;
	char *value;
	time_t expires;
};

struct auth_cache {
	pthread_mutex_t lock;
	struct cache_entry *items;
	size_t nr, alloc;
};

struct auth_cache *auth_cache_new(void)
{
	struct auth_cache *c = xcalloc(1, sizeof(struct auth_cache));

	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void entry_release(struct cache_entry *e)
{
	free(e->key);
	if (e->value)
		memset(e->value, 0, strlen(e->value));
	free(e->value);
}

void auth_cache_free(struct auth_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr; i++)
		entry_release(&c->items[i]);
	free(c->items);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int auth_cache_get(struct auth_cache *c, const char *key, struct strbuf *out)
{
	int ret = -1;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nr; i++)
		if (!strcmp(c->items[i].key, key) && c->items[i].expires > time(NULL)) {
			strbuf_reset(out);
			strbuf_addstr(out, c->items[i].value);
			ret = 0;
			break;
		}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

static void drop_locked(struct auth_cache *c, const char *key)
{
	for (size_t i = 0; i < c->nr; i++)
		if (!strcmp(c->items[i].key, key)) {
			entry_release(&c->items[i]);
			c->items[i] = c->items[--c->nr];
			break;
		}
}

void auth_cache_drop(struct auth_cache *c, const char *key)
{
	pthread_mutex_lock(&c->lock);
	drop_locked(c, key);
	pthread_mutex_unlock(&c->lock);
}

void auth_cache_put(struct auth_cache *c, const char *key, const char *value, long ttl_s)
{
	/* refresh a little early so a token does not expire mid-request */
	time_t exp = time(NULL) + (ttl_s > 20 ? ttl_s - 10 : ttl_s);

	pthread_mutex_lock(&c->lock);
	drop_locked(c, key);
	ALLOC_GROW(c->items, c->nr + 1, c->alloc);
	c->items[c->nr].key = xstrdup(key);
	c->items[c->nr].value = xstrdup(value);
	c->items[c->nr].expires = exp;
	c->nr++;
	pthread_mutex_unlock(&c->lock);
}
