/*
 * digest.h: SHA-256 content digests ("sha256:<64 hex>") over OpenSSL's
 * libcrypto.  Used for layer digests and diff_ids (fed while a layer is
 * written, one pass), manifest digests and verification of downloaded
 * blobs.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include <stddef.h>

struct digest {
	void *ctx;	/* EVP_MD_CTX, owned */
	unsigned long long size;	/* bytes fed so far */
};

#define DIGEST_HEX_LEN 71	/* "sha256:" + 64 hex, without NUL */

int digest_init(struct digest *d);
void digest_update(struct digest *d, const void *data, size_t len);
/* Writes "sha256:<hex>" and a NUL into out (at least DIGEST_HEX_LEN + 1 bytes); releases the context. */
int digest_final(struct digest *d, char *out);
void digest_release(struct digest *d);

/* One-shot digest of a buffer into out ("sha256:<hex>"). */
int digest_buffer(const void *data, size_t len, char *out);

/* 1 if s is a well-formed "sha256:<64 lower-case hex>" digest. */
int digest_is_valid(const char *s);

#endif
