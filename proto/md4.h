/* MD4 (RFC 1320), our own: NTLM's NTOWF needs it (MS-NLMP 3.3.2), and OpenSSL 3 offers MD4 only
 * through its legacy provider, which many systems do not load. Not for any other use. */
#ifndef SSTPSHIM_MD4_H
#define SSTPSHIM_MD4_H

#include <stddef.h>
#include <stdint.h>

#define MD4_DIGEST_LEN 16

struct md4_ctx {
	uint32_t state[4];
	uint64_t total; /* bytes hashed so far */
	uint8_t block[64];
	size_t used; /* bytes waiting in block */
};

void md4_init(struct md4_ctx *c);
void md4_update(struct md4_ctx *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void md4_final(struct md4_ctx *c, uint8_t out[MD4_DIGEST_LEN]);

/* One-shot digest of len bytes. */
void md4(const void *data, size_t len, uint8_t out[MD4_DIGEST_LEN]);

#endif
