/*
 * auth.h: registry authentication (distribution "token" auth).
 *
 * A registry answers 401 with a WWW-Authenticate challenge: Basic, or
 * Bearer with realm, service, scope (one or more, space separated) and
 * perhaps error.  auth_challenge_parse() reads that header (pure).
 *
 * auth_fetch_token() exchanges credentials (or none: anonymous) for a
 * token at the realm, with one scope= parameter per scope (a mount asks
 * pull on the source repository too).  The answer's "token" or
 * "access_token" is the token.  struct auth_cache keeps tokens per
 * registry and scope set, so each repository costs one exchange; on a 401
 * the caller drops the entry, fetches again and replays once.
 *
 * Secrets: tokens and passwords are never printed, logged or written;
 * error messages name the realm and the user, never the secret.  Every
 * token obtained is passed to credentials_mask() (::add-mask:: in Actions).
 */
#ifndef AUTH_H
#define AUTH_H

#include "lib/strbuf.h"

struct credential;

enum auth_scheme { AUTH_NONE = 0, AUTH_BASIC, AUTH_BEARER };

struct auth_challenge {
	enum auth_scheme scheme;
	char *realm;	/* owned, may be NULL */
	char *service;	/* owned, may be NULL */
	char **scopes;	/* owned, nr_scopes entries (split on spaces) */
	size_t nr_scopes;
	char *error;	/* owned, the error= value (e.g. "insufficient_scope"), may be NULL */
};

#define AUTH_CHALLENGE_INIT { AUTH_NONE, NULL, NULL, NULL, 0, NULL }

/* Parse a WWW-Authenticate value; -EXIT_REGISTRY when it is not one we know. */
int auth_challenge_parse(const char *header, struct auth_challenge *out);
void auth_challenge_release(struct auth_challenge *c);

/*
 * Build the token URL: realm?service=S&scope=A&scope=B (values escaped).
 * Pure; appended to out.
 */
void auth_token_url(const struct auth_challenge *c, const char *const *scopes,
		    size_t nr_scopes, struct strbuf *out);

/* Read "token" or "access_token" (and "expires_in", 60 s default) from a token answer. */
int auth_parse_token_response(const char *body, size_t len, struct strbuf *token,
			      long *expires_in);

/*
 * Ask the realm for a token for scopes, with cred (NULL or empty: anonymous).
 * The realm may be on another host than the registry: the registry's
 * credentials go there (as docker sends them), but only over https when
 * the registry speaks https (insecure unset): an http realm with
 * credentials is refused, -EXIT_INPUT; anonymously it may be asked.
 * insecure: the registry speaks plain http, and so may the realm
 * (loopback realms always may, when asked anonymously).
 * On success out holds the token (caller releases; never print it) and
 * *ttl_out (may be NULL) its lifetime in seconds.
 * 401/403 at the realm -> -EXIT_AUTH naming the realm and the user.
 * Transport errors, 429 and 5xx are retried (max_tries in all, 0 means 1)
 * with backoff, each retry a warning.
 */
int auth_fetch_token(const struct auth_challenge *c, const char *const *scopes,
		     size_t nr_scopes, const struct credential *cred, int insecure,
		     int max_tries, struct strbuf *out, long *ttl_out);

/* "Basic base64(user:password)" into out. */
void auth_basic_header(const char *user, const char *password, struct strbuf *out);

/* Token cache (locked: clients of two threads may share one).  Keys are "host|scope scope". */
struct auth_cache;
struct auth_cache *auth_cache_new(void);
void auth_cache_free(struct auth_cache *c);
/* Copy of the cached header value ("Bearer x"/"Basic x") into out; 0 if found and fresh. */
int auth_cache_get(struct auth_cache *c, const char *key, struct strbuf *out);
void auth_cache_put(struct auth_cache *c, const char *key, const char *value, long ttl_s);
void auth_cache_drop(struct auth_cache *c, const char *key);

#endif
