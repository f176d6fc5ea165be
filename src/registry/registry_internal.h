/*
 * registry_internal.h: what the files of the registry module share, and
 * nothing outside it includes (see registry.c for the layout).
 *
 * struct registry_client (hosts, credentials, token cache), struct call
 * (one request with its auth and retry state), struct file_sink (where a
 * downloaded blob goes) and struct blob_job (one blob to one
 * destination), and the functions one file offers the others.
 */
#ifndef REGISTRY_INTERNAL_H
#define REGISTRY_INTERNAL_H

#include <stdio.h>

#include "lib/digest.h"
#include "lib/strbuf.h"
#include "lib/strlist.h"
#include "registry/auth.h"
#include "registry/http.h"
#include "registry/registry.h"

#define MANIFEST_CAP (4u << 20)
#define ACCEPT_MANIFESTS "Accept: " MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " \
	MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

struct host_state {
	char *registry;			/* as in references: "docker.io" */
	struct auth_challenge challenge;	/* the last one seen (scheme NONE: none yet) */
	struct credential cred;
	int cred_loaded;
};

struct registry_client {
	struct registry_options opts;
	struct credential explicit_cred;
	struct auth_cache *tokens;	/* owned unless shared_tokens */
	int shared_tokens;		/* tokens are another client's (registry_client_share_tokens) */
	struct strlist push_repos;	/* "registry/repository" (registry_client_push_to) */
	struct host_state *hosts;
	size_t nr_hosts, alloc_hosts;
	/*
	 * registry_run_jobs()'s transfers, kept from one call to the next
	 * with their connections: the prepush uploads a layer a call, and a
	 * new multi each time was a new TLS connection each time.
	 */
	struct http_multi *multi;
	int tty;
	double last_progress;
};

struct call {
	const struct reference *ref;	/* registry (and repository, for messages) */
	const char *scopes[2];
	size_t nr_scopes;
	char scope_buf[512];		/* scopes[0] */
	struct http_request req;
	/* called before each retry of a request whose sink already got data */
	void (*rewind)(void *data);
	void *rewind_data;
	/* across the tries of the request (call_start to call_release) */
	struct strbuf authz;		/* the Authorization value (secret), empty: none */
	double start;
	int tries;
	int replayed;			/* after a 401, with a fresh token */
};

/*
 * A request's life, shared by the blocking registry_call_do() and the blob
 * conversations in the multi (registry_run_jobs): registry_call_start() gets the
 * Authorization; after each try registry_call_next() says what comes next: the
 * final answer (or failure), a retry after a wait, or a fresh token
 * (registry_call_reauth()) and one replay.  registry_call_release() wipes the token.
 */
enum call_next { CALL_DONE, CALL_RETRY, CALL_REAUTH };

/*
 * Where a downloaded blob goes: a file (fp) or memory (mem), hashed on the
 * way, and never past the size its descriptor gives (limit, -1: unknown):
 * byte limit+1 is refused, not stored, and ends the download.
 */
struct file_sink {
	FILE *fp;
	struct strbuf *mem;		/* instead of fp: a config, in memory */
	struct digest d;
	long long limit;
	const struct reference *ref;	/* for the message */
	const char *digest;
};

struct blob_job {
	struct oci_descriptor desc;		/* media_type borrowed */
	const struct reference *dst;
	char *local_path;		/* owned: in the layout, or NULL */
	const struct reference *src;	/* remote source repository, or NULL */
	struct registry_growing *grow;	/* a blob still being written (registry_prepush_stream()), or NULL */
	struct blob_stat stat;
	int rc;
	int done;
};

/* registry.c: helpers, the request policy, manifests GET */
double registry_now(void);
void registry_api_base(struct registry_client *c, const struct reference *r, struct strbuf *out);
int registry_same_repo(const struct reference *a, const struct reference *b);
int registry_call_start(struct registry_client *c, struct call *k);
void registry_call_release(struct call *k);
enum call_next registry_call_next(struct registry_client *c, struct call *k, int rc,
				  const struct http_response *res, double *wait, int *ret);
void registry_call_rewind(struct call *k);
int registry_call_reauth(struct registry_client *c, struct call *k);
int registry_call_do(struct registry_client *c, struct call *k, struct http_response *res);
void registry_error_body(const struct http_response *res, struct strbuf *code, struct strbuf *msg);
int registry_explain(struct registry_client *c, const struct reference *ref, const char *what,
		     const char *method, const struct http_response *res);
void registry_call_init(struct call *k, const struct reference *ref, const char *method,
			const char *url, int push);
int registry_get_manifest_by(struct registry_client *c, const struct reference *ref,
			     const char *what_ref, struct registry_manifest *out);
/*
 * registry_plan.c: PUT bytes (media_type, hashing to digest) as what_ref, a digest or a
 * tag, in dst; Docker-Content-Digest checked.  On error, *refused (when
 * not NULL) is 1 when the registry refused (nothing stored).
 */
int registry_put_manifest(struct registry_client *c, const struct reference *dst,
			  const char *what_ref, const struct strbuf *bytes, const char *media_type,
			  const char *digest, int *refused);

/* registry_pull.c: a blob GET, set up and judged */
int registry_get_blob_call(struct registry_client *c, const struct reference *ref, const char *digest,
			   long long size, struct file_sink *sink, FILE *fp, struct strbuf *mem,
			   struct strbuf *url, struct call *k);
int registry_get_blob_result(struct registry_client *c, const struct reference *ref, const char *digest,
			     long long size, struct file_sink *sink, const struct http_response *res);

/* registry_upload.c: the blob jobs, opts.jobs at once */
int registry_run_jobs(struct registry_client *c, struct blob_job *jobs, size_t nr);

/*
 * c takes the token cache of from (which must outlive c, and may be used
 * by another thread meanwhile) instead of its own, still empty.
 */
void registry_client_share_tokens(struct registry_client *c, struct registry_client *from);

#endif
