/* The digests proxy authentication needs (MD5 and SHA-256 for HTTP Digest, HMAC-MD5 for NTLMv2),
 * computed by OpenSSL's libcrypto loaded on first use rather than linked: the shim is preloaded
 * into every process, and linking libcrypto made each of them load and relocate it (4.7 MB) even
 * when it never authenticates to a proxy. Thread-safe; libcrypto stays loaded once loaded. */
#ifndef SSTPSHIM_CRYPTO_LAZY_H
#define SSTPSHIM_CRYPTO_LAZY_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_MD5_LEN 16
#define CRYPTO_SHA256_LEN 32
#define CRYPTO_DIGEST_MAX CRYPTO_SHA256_LEN

/* The library loaded, by the name its ABI goes by. */
#define CRYPTO_LIBRARY "libcrypto.so.3"

enum crypto_md { CRYPTO_MD5, CRYPTO_SHA256 };

/* One piece of a concatenation a digest runs over; n bytes at p. */
struct crypto_part {
	const void *p;
	size_t n;
};

/* Loads CRYPTO_LIBRARY and every function used from it, trying only once per process. 0, or
 * -1 when that failed; crypto_load_error() then says why. */
int crypto_load(void);

/* Why CRYPTO_LIBRARY cannot be loaded (dlerror's text, in static storage that never changes
 * afterwards), or NULL when it can; tries the load if nothing has yet. */
const char *crypto_load_error(void);

/* md over parts[0] || ... || parts[n - 1] into out, *len bytes (CRYPTO_MD5_LEN or
 * CRYPTO_SHA256_LEN). 0, or -1 when libcrypto cannot be loaded or fails. */
int crypto_digest(enum crypto_md md, const struct crypto_part *parts, size_t n,
		  uint8_t out[CRYPTO_DIGEST_MAX], size_t *len);

/* HMAC-MD5 (RFC 2104) with klen bytes of key over parts[0] || ... || parts[n - 1]. 0, or -1 as
 * crypto_digest. */
int crypto_hmac_md5(const void *key, size_t klen, const struct crypto_part *parts, size_t n,
		    uint8_t out[CRYPTO_MD5_LEN]);

#endif
