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
 * credentials_mask() is the one place a secret is announced to GitHub
 * Actions (::add-mask::SECRET on stdout, once per secret, only when
 * GITHUB_ACTIONS=true).  Nothing else here prints a secret.
 */
#ifndef CREDENTIALS_H
#define CREDENTIALS_H

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

/* Announce a secret to GitHub Actions' log masking (once per secret). */
void credentials_mask(const char *secret);

#endif
