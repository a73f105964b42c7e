/* MD4 as RFC 1320 section 3 describes it: 512-bit blocks, three rounds of sixteen steps over
 * little-endian words. */
#include "proto/md4.h"

#include <string.h>

#define MD4_ROTL(x, s) (((x) << (s)) | ((x) >> (32 - (s))))
#define MD4_F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define MD4_G(x, y, z) (((x) & (y)) | ((x) & (z)) | ((y) & (z)))
#define MD4_H(x, y, z) ((x) ^ (y) ^ (z))

/* Round constants (RFC 1320 3.4): none, sqrt(2), sqrt(3), as 32-bit fractions. */
#define MD4_K2 0x5a827999u
#define MD4_K3 0x6ed9eba1u

static uint32_t md4_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void md4_block_hash(uint32_t st[4], const uint8_t *blk)
{
	/* Word order of rounds 2 and 3, and the shift amounts of each round (3.4). */
	static const uint8_t r2[16] = { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15 };
	static const uint8_t r3[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 };
	static const uint8_t s1[4] = { 3, 7, 11, 19 }, s2[4] = { 3, 5, 9, 13 },
			     s3[4] = { 3, 9, 11, 15 };
	uint32_t x[16], v[4] = { st[0], st[1], st[2], st[3] };

	for (int i = 0; i < 16; i++)
		x[i] = md4_le32(blk + 4 * i);
	/* Step i updates word (4 - i % 4) % 4 of (a, b, c, d) from the next three. */
	for (int i = 0; i < 16; i++) {
		uint32_t *a = &v[(4 - i % 4) % 4], b = v[(5 - i % 4) % 4], c = v[(6 - i % 4) % 4],
			 d = v[(7 - i % 4) % 4];
		*a = MD4_ROTL(*a + MD4_F(b, c, d) + x[i], s1[i % 4]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t *a = &v[(4 - i % 4) % 4], b = v[(5 - i % 4) % 4], c = v[(6 - i % 4) % 4],
			 d = v[(7 - i % 4) % 4];
		*a = MD4_ROTL(*a + MD4_G(b, c, d) + x[r2[i]] + MD4_K2, s2[i % 4]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t *a = &v[(4 - i % 4) % 4], b = v[(5 - i % 4) % 4], c = v[(6 - i % 4) % 4],
			 d = v[(7 - i % 4) % 4];
		*a = MD4_ROTL(*a + MD4_H(b, c, d) + x[r3[i]] + MD4_K3, s3[i % 4]);
	}
	for (int i = 0; i < 4; i++)
		st[i] += v[i];
	memset(x, 0, sizeof x);
}

void md4_init(struct md4_ctx *c)
{
	/* 3.3 */
	c->state[0] = 0x67452301u;
	c->state[1] = 0xefcdab89u;
	c->state[2] = 0x98badcfeu;
	c->state[3] = 0x10325476u;
	c->total = 0;
	c->used = 0;
}

void md4_update(struct md4_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->total += len;
	while (len > 0) {
		size_t n = sizeof c->block - c->used;
		if (n > len)
			n = len;
		memcpy(c->block + c->used, p, n);
		c->used += n;
		p += n;
		len -= n;
		if (c->used == sizeof c->block) {
			md4_block_hash(c->state, c->block);
			c->used = 0;
		}
	}
}

void md4_final(struct md4_ctx *c, uint8_t out[MD4_DIGEST_LEN])
{
	/* 3.1, 3.2: a 1 bit, zeros to 56 mod 64 bytes, then the bit length, little-endian. */
	uint64_t bits = c->total * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (c->used < 56 ? 56 : 120) - c->used;

	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (8 * i));
	md4_update(c, pad, padlen + 8);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(c->state[i] >> (8 * j));
	memset(c, 0, sizeof *c);
}

void md4(const void *data, size_t len, uint8_t out[MD4_DIGEST_LEN])
{
	struct md4_ctx c;

	md4_init(&c);
	md4_update(&c, data, len);
	md4_final(&c, out);
}
