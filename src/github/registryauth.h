/*
 * registryauth.h: the action's registry-auth input, docker/login-action's
 * format: a YAML list of entries, one per registry,
 *
 *   - registry: ghcr.io          (default docker.io, Docker Hub)
 *     username: ${{ github.actor }}
 *     password: ${{ secrets.GITHUB_TOKEN }}
 *   - username: ${{ vars.DOCKERHUB_USERNAME }}
 *     password: ${{ secrets.DOCKERHUB_TOKEN }}
 *
 * into a struct credential_set (credentials.h): each registry's entry is
 * offered to that registry only.  login-action's `ecr` is taken when it
 * is auto or false (ECR's own login is not done here: give its password)
 * and its `scope` is warned about and not applied (the credential goes to
 * the whole registry).
 *
 * The input is untrusted text: it is read with libyaml's event parser
 * (the one user of libyaml), at most REGISTRYAUTH_MAX_BYTES, at most
 * REGISTRYAUTH_MAX_ENTRIES entries, nothing nested deeper than a list of
 * mappings of scalars, and no aliases (no expansion can happen).
 * Each password is handed to secret() (the action's ::add-mask::) as
 * soon as it is read, before any message could be printed; messages
 * name the input, a line and a key, never a value but the registry.
 * No other I/O.
 */
#ifndef REGISTRYAUTH_H
#define REGISTRYAUTH_H

#include "registry/credentials.h"

#define REGISTRYAUTH_MAX_BYTES (64u << 10)
#define REGISTRYAUTH_MAX_ENTRIES 64

/*
 * Parse text (NULL or blank: no entries) into out (empty on entry; set
 * only on success).  secret may be NULL.  -EXIT_INPUT with one line
 * naming 'registry-auth' for: not YAML, not a list of mappings, an
 * unknown key, an entry without username or password, the same registry
 * twice, too big or too deep, an alias.
 */
int registryauth_parse(const char *text, void (*secret)(const char *), struct credential_set *out);

#endif
