/*
 * digest.c: see digest.h.  libcrypto's EVP interface is read only here.
 */
#include "lib/common.h"
#include "lib/digest.h"

#include <openssl/evp.h>

int digest_init(struct digest *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	d->ctx = NULL;
	d->size = 0;
	if (!ctx)
		return error("cannot create sha256 context");
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return error("cannot initialise sha256");
	}
	d->ctx = ctx;
	return 0;
}

void digest_update(struct digest *d, const void *data, size_t len)
{
	EVP_DigestUpdate(d->ctx, data, len);
	d->size += len;
}

int digest_final(struct digest *d, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hex[] = "0123456789abcdef";

	if (EVP_DigestFinal_ex(d->ctx, md, &n) != 1 || n != 32) {
		digest_release(d);
		return error("cannot finish sha256");
	}
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < n; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 15];
	}
	out[DIGEST_HEX_LEN] = '\0';
	digest_release(d);
	return 0;
}

void digest_release(struct digest *d)
{
	if (d->ctx)
		EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}

int digest_buffer(const void *data, size_t len, char *out)
{
	struct digest d;

	if (digest_init(&d) < 0)
		return -1;
	digest_update(&d, data, len);
	return digest_final(&d, out);
}

int digest_is_valid(const char *s)
{
	if (strncmp(s, "sha256:", 7))
		return 0;
	for (int i = 0; i < 64; i++) {
		char c = s[7 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return s[71] == '\0';
}
