/* proto/md4 against every test vector of RFC 1320 appendix A.5, whole and fed in pieces. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/md4.h"

#include "unit.h"

static const struct {
	const char *in, *hex;
} md4_vectors[] = {
	{ "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
	{ "a", "bde52cb31de33e46245e05fbdbd6fb24" },
	{ "abc", "a448017aaf21d8525fc10ae87aa6729d" },
	{ "message digest", "d9130a8164549fe818874806e1c7014b" },
	{ "abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9" },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	  "043f8582f241db351ce627e153e7f0e4" },
	{ "1234567890123456789012345678901234567890123456789012345678901234567890123456"
	  "7890",
	  "e33b4ddc9c38f2199c3e7b164fcc0536" },
};

static void hex_of(const uint8_t d[MD4_DIGEST_LEN], char out[2 * MD4_DIGEST_LEN + 1])
{
	for (int i = 0; i < MD4_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

START_TEST(rfc1320_vectors)
{
	uint8_t d[MD4_DIGEST_LEN];
	char hex[2 * MD4_DIGEST_LEN + 1];
	const char *in = md4_vectors[_i].in;

	md4(in, strlen(in), d);
	hex_of(d, hex);
	ck_assert_str_eq(hex, md4_vectors[_i].hex);
}
END_TEST

/* The same digests when the input arrives split at every offset, then byte by byte. */
START_TEST(rfc1320_vectors_split)
{
	const char *in = md4_vectors[_i].in;
	size_t n = strlen(in);
	uint8_t d[MD4_DIGEST_LEN];
	char hex[2 * MD4_DIGEST_LEN + 1];
	struct md4_ctx c;

	for (size_t cut = 0; cut <= n; cut++) {
		md4_init(&c);
		md4_update(&c, in, cut);
		md4_update(&c, in + cut, n - cut);
		md4_final(&c, d);
		hex_of(d, hex);
		ck_assert_msg(strcmp(hex, md4_vectors[_i].hex) == 0, "cut %zu", cut);
	}
	md4_init(&c);
	for (size_t i = 0; i < n; i++)
		md4_update(&c, in + i, 1);
	md4_final(&c, d);
	hex_of(d, hex);
	ck_assert_str_eq(hex, md4_vectors[_i].hex);
}
END_TEST

/* Lengths around the padding boundaries (55, 56, 63, 64, 119, 120 bytes) and a long input: the
 * one-shot and the piecewise digests agree. */
START_TEST(block_boundaries)
{
	enum { N = 1000 };
	uint8_t *buf = malloc(N), a[MD4_DIGEST_LEN], b[MD4_DIGEST_LEN];
	struct md4_ctx c;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < N; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= N; n += (n < 130 ? 1 : 97)) {
		md4(buf, n, a);
		md4_init(&c);
		for (size_t i = 0; i < n; i += 13)
			md4_update(&c, buf + i, n - i < 13 ? n - i : 13);
		md4_final(&c, b);
		ck_assert_msg(memcmp(a, b, sizeof a) == 0, "length %zu", n);
	}
	free(buf);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("md4", "rfc1320", 0, &tc);

	UNIT_ADD_TABLE(tc, rfc1320_vectors, md4_vectors);
	UNIT_ADD_TABLE(tc, rfc1320_vectors_split, md4_vectors);
	tcase_add_test(tc, block_boundaries);
	return unit_run(s);
}
