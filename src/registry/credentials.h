/*
 * credentials.h: where a registry's username and password come from.
 *
 * In order: the explicit ones the CLI was given (--username and
 * --password-stdin), GITHUB_TOKEN with GITHUB_ACTOR for ghcr.io, then
 * $DOCKER_CONFIG/config.json (default ~/.docker/config.json): credHelpers
 * for the host, "auths" (base64 "auth" or username/password), then
 * credsStore, each helper run as docker-credential-NAME get.  When none
 * matches the credential is anonymous (username and password NULL).
 *
 * This is the one reader of the Docker config (for the CLI's users who
 * ran `docker login`); nothing in publish writes one.  Keys are matched
 * after one normalisation, docker's (credentials_config_key()), on both
 * sides.  The action hands its token input to the registry client in
 * memory, as the CLI does --username/--password-stdin (registry.h's
 * struct registry_options.cred), and its registry-auth input as a
 * struct credential_set (one credential per registry, registry_options.creds).
 *
 * credentials_mask() is the one place a secret is announced to GitHub
 * Actions (::add-mask::SECRET on stdout, once per secret, only when
 * GITHUB_ACTIONS=true; escaped as workflow command data, and a secret of
 * several lines masked line by line too, as the runner masks log lines).  Nothing else here prints a secret.
 */
#ifndef CREDENTIALS_H
#define CREDENTIALS_H

#include "lib/strbuf.h"

/* Docker Hub's key in a Docker config's "auths" and "credHelpers" */
#define CREDENTIALS_DOCKER_HUB_KEY "https://index.docker.io/v1/"

struct credential {
	char *username;	/* owned, NULL when anonymous */
	char *password;	/* owned secret (password or token), NULL when anonymous; wiped on release */
	const char *source;	/* static: "--username", "GITHUB_TOKEN", "docker config", "credential helper", "anonymous" */
};

#define CREDENTIAL_INIT { NULL, NULL, "anonymous" }

/*
 * Look up credentials for a registry host ("ghcr.io", "docker.io",
 * "localhost:5000").  explicit_cred (may be NULL) wins when it has a
 * username.  Anonymous is not an error: out->username stays NULL.
 * A broken config file or failing helper is an error (-EXIT_AUTH).
 */
int credentials_lookup(const char *registry, const struct credential *explicit_cred,
		       struct credential *out);
void credential_release(struct credential *c);
void credential_copy(const struct credential *src, struct credential *out);

/*
 * The key of registry in a Docker config, as docker writes it:
 * CREDENTIALS_DOCKER_HUB_KEY for Docker Hub (docker.io, index.docker.io,
 * registry-1.docker.io), else host[:port], lower-cased.  registry may
 * come in any form a config or a user gives: "host", "host/",
 * "https://host", "http://host:5000/v2/", "https://index.docker.io/v1/".
 * Appended to out.  Pure.
 */
void credentials_config_key(const char *registry, struct strbuf *out);

/*
 * The same registry as references name it (reference.h): "docker.io" for
 * Docker Hub, else host[:port], lower-cased.  Appended to out.  Pure.
 */
void credentials_registry_host(const char *registry, struct strbuf *out);

/*
 * Credentials per registry, given in memory (the action's registry-auth
 * input): each registry gets its own entry and no other.  Keys are
 * registry hosts as references name them (credentials_registry_host()).
 */
struct credential_for {
	char *registry;			/* owned, host[:port] ("docker.io", "ghcr.io") */
	struct credential cred;		/* owned */
};

struct credential_set {
	struct credential_for *items;
	size_t nr, alloc;
};

#define CREDENTIAL_SET_INIT { NULL, 0, 0 }

/*
 * Add (copies) the credential of registry (any form credentials_registry_host()
 * takes) to set.  Returns -1 (no message) when set has that registry already.
 */
int credential_set_add(struct credential_set *set, const char *registry, const struct credential *cred);
/* The credential set holds for registry (host[:port]), or NULL; set may be NULL.  Borrowed. */
const struct credential *credential_set_find(const struct credential_set *set, const char *registry);
/* Wipes and frees the entries; set is empty and reusable. */
void credential_set_release(struct credential_set *set);

/* Announce a secret to GitHub Actions' log masking (once per secret). */
void credentials_mask(const char *secret);

#endif
