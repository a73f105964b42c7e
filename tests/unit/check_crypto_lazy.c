/* proto/crypto_lazy: MD5 (RFC 1321 A.5), SHA-256 (FIPS 180-2 B.1, B.2) and HMAC-MD5 (RFC 2202 2)
 * test vectors, whole and split into parts; and, with libcrypto hidden from dlopen, the clean
 * failure of the digests and of the proxy authentication that needs them. Check runs each test
 * in a child process of its own, so each starts with libcrypto not yet loaded. */
#include <check.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/proxy_auth.h"
#include "proto/crypto_lazy.h"

#include "unit.h"

#define HIDDEN_REASON CRYPTO_LIBRARY ": cannot open shared object file: hidden by the test"

/* When set, dlopen(CRYPTO_LIBRARY) fails as on a system without OpenSSL 3. */
static bool hide_libcrypto;
static bool hidden_error_pending;

/* The executable's definitions come before libc's, so crypto_lazy.o calls these. */
void *dlopen(const char *file, int mode)
{
	static __typeof__(&dlopen) real;

	if (hide_libcrypto && file != NULL && strcmp(file, CRYPTO_LIBRARY) == 0) {
		hidden_error_pending = true;
		return NULL;
	}
	if (real == NULL)
		real = (__typeof__(&dlopen))dlsym(RTLD_NEXT, "dlopen");
	return real(file, mode);
}

char *dlerror(void)
{
	static __typeof__(&dlerror) real;
	static char reason[] = HIDDEN_REASON;

	if (hidden_error_pending) {
		hidden_error_pending = false;
		return reason;
	}
	if (real == NULL)
		real = (__typeof__(&dlerror))dlsym(RTLD_NEXT, "dlerror");
	return real();
}

static void hex_of(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const struct {
	enum crypto_md md;
	const char *in, *hex;
} digest_vectors[] = {
	{ CRYPTO_MD5, "", "d41d8cd98f00b204e9800998ecf8427e" },
	{ CRYPTO_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72" },
	{ CRYPTO_MD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
	{ CRYPTO_MD5,
	  "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	  "57edf4a22be3c955ac49da2e2107b67a" },
	{ CRYPTO_SHA256, "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ CRYPTO_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

/* The digest of in split at cut, with an empty part between the halves. */
static void digest_hex(enum crypto_md md, const char *in, size_t cut, char *hex)
{
	size_t n = strlen(in), dlen = 0;
	struct crypto_part v[3] = { { in, cut }, { "", 0 }, { in + cut, n - cut } };
	uint8_t d[CRYPTO_DIGEST_MAX];

	ck_assert_int_eq(crypto_digest(md, v, 3, d, &dlen), 0);
	ck_assert_uint_eq(dlen, md == CRYPTO_MD5 ? CRYPTO_MD5_LEN : CRYPTO_SHA256_LEN);
	hex_of(d, dlen, hex);
}

START_TEST(digest_vectors_whole)
{
	size_t dlen = 0;
	uint8_t d[CRYPTO_DIGEST_MAX];
	char hex[2 * CRYPTO_DIGEST_MAX + 1];
	struct crypto_part v = { digest_vectors[_i].in, strlen(digest_vectors[_i].in) };

	ck_assert_int_eq(crypto_digest(digest_vectors[_i].md, &v, 1, d, &dlen), 0);
	hex_of(d, dlen, hex);
	ck_assert_str_eq(hex, digest_vectors[_i].hex);
	ck_assert_ptr_null(crypto_load_error());
}
END_TEST

/* Split at every offset: the same digest as the one part. */
START_TEST(digest_vectors_split)
{
	const char *in = digest_vectors[_i].in;
	char hex[2 * CRYPTO_DIGEST_MAX + 1];

	for (size_t cut = 0; cut <= strlen(in); cut++) {
		digest_hex(digest_vectors[_i].md, in, cut, hex);
		ck_assert_msg(strcmp(hex, digest_vectors[_i].hex) == 0, "cut %zu", cut);
	}
}
END_TEST

static const uint8_t key_0b[16] = { 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
				    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b };

/* RFC 2202 2, test cases 1, 2, 3, 6 and 7 (keys and data of repeated bytes built by hmac_case). */
static const struct {
	unsigned key_byte, key_len, data_byte, data_len;
	const char *key, *data, *hex;
} hmac_vectors[] = {
	{ 0x0b, 16, 0, 0, NULL, "Hi There", "9294727a3638bb1c13f48ef8158bfc9d" },
	{ 0, 0, 0, 0, "Jefe", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738" },
	{ 0xaa, 16, 0xdd, 50, NULL, NULL, "56be34521d144c88dbb8c733f0e8b3f6" },
	{ 0xaa, 80, 0, 0, NULL, "Test Using Larger Than Block-Size Key - Hash Key First",
	  "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
	{ 0xaa, 80, 0, 0, NULL,
	  "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
	  "6f630fad67cda0ee1fb1f562db3aa53e" },
};

/* Case i's key and data into key and data; their lengths in *klen and *dlen. */
static void hmac_case(int i, uint8_t key[80], uint8_t data[80], size_t *klen, size_t *dlen)
{
	*klen = hmac_vectors[i].key ? strlen(hmac_vectors[i].key) : hmac_vectors[i].key_len;
	if (hmac_vectors[i].key)
		memcpy(key, hmac_vectors[i].key, *klen);
	else
		memset(key, (int)hmac_vectors[i].key_byte, *klen);
	*dlen = hmac_vectors[i].data ? strlen(hmac_vectors[i].data) : hmac_vectors[i].data_len;
	if (hmac_vectors[i].data)
		memcpy(data, hmac_vectors[i].data, *dlen);
	else
		memset(data, (int)hmac_vectors[i].data_byte, *dlen);
}

START_TEST(hmac_md5_vectors)
{
	uint8_t key[80], data[80], mac[CRYPTO_MD5_LEN];
	char hex[2 * CRYPTO_MD5_LEN + 1];
	size_t klen, dlen;

	hmac_case(_i, key, data, &klen, &dlen);
	for (size_t cut = 0; cut <= dlen; cut++) {
		struct crypto_part v[2] = { { data, cut }, { data + cut, dlen - cut } };
		ck_assert_int_eq(crypto_hmac_md5(key, klen, v, 2, mac), 0);
		hex_of(mac, sizeof mac, hex);
		ck_assert_msg(strcmp(hex, hmac_vectors[_i].hex) == 0, "cut %zu", cut);
	}
}
END_TEST

/* Byte by byte, as many parts as bytes: RFC 2202's case 2 all the same. */
START_TEST(hmac_md5_byte_parts)
{
	static const char text[] = "what do ya want for nothing?";
	struct crypto_part v[sizeof text - 1];
	uint8_t mac[CRYPTO_MD5_LEN];
	char hex[2 * CRYPTO_MD5_LEN + 1];

	for (size_t i = 0; i < sizeof text - 1; i++)
		v[i] = (struct crypto_part){ text + i, 1 };
	ck_assert_int_eq(crypto_hmac_md5("Jefe", 4, v, sizeof text - 1, mac), 0);
	for (size_t i = 0; i < sizeof mac; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	ck_assert_str_eq(hex, "750c783e6ab0b503eaa86e310a5db738");
}
END_TEST

START_TEST(without_libcrypto)
{
	struct crypto_part v = { "abc", 3 };
	uint8_t d[CRYPTO_DIGEST_MAX];
	size_t dlen = 0;

	hide_libcrypto = true;
	ck_assert_int_eq(crypto_load(), -1);
	ck_assert_str_eq(crypto_load_error(), HIDDEN_REASON);
	ck_assert_int_eq(crypto_digest(CRYPTO_MD5, &v, 1, d, &dlen), -1);
	ck_assert_int_eq(crypto_digest(CRYPTO_SHA256, &v, 1, d, &dlen), -1);
	ck_assert_int_eq(crypto_hmac_md5(key_0b, sizeof key_0b, &v, 1, d), -1);
	/* tried once: libcrypto showing up later changes nothing */
	hide_libcrypto = false;
	ck_assert_int_eq(crypto_load(), -1);
	ck_assert_str_eq(crypto_load_error(), HIDDEN_REASON);
}
END_TEST

static int zero_random(void *buf, size_t n)
{
	memset(buf, 0, n);
	return 0;
}

/* The proxy's 407 with one challenge; proxy_auth_answer's result, *why its reason. */
static int answer_without_libcrypto(const char *challenge, char *out, size_t cap, const char **why)
{
	static struct proxy_auth pa;
	static struct proxy_url url;
	static struct http_parser parser;
	const char *bad = NULL, *field = NULL;
	char text[512];
	size_t used, len = 0;

	snprintf(text, sizeof text, "HTTP/1.1 407 x\r\nProxy-Authenticate: %s\r\n\r\n", challenge);
	http_parser_init(&parser, HTTP_RESPONSE);
	ck_assert_int_eq(http_parse(&parser, text, strlen(text), &used), PARSE_DONE);
	ck_assert_int_eq(
		proxy_url_parse("http://alice:s3cret@127.0.0.1:3128", PROXY_HTTP, &url, &bad), 0);
	proxy_auth_init(&pa, &url, NULL, "CONNECT", "127.0.0.1:443", zero_random);
	*why = NULL;
	return proxy_auth_answer(&pa, http_parser_head(&parser), out, cap, &len, &field, why);
}

/* Digest and NTLM fail before any credentials are written, saying which scheme needs what and
 * why it is missing; Basic, which needs no digest, still works. */
START_TEST(proxy_auth_without_libcrypto)
{
	static char out[CAP_PROXY_AUTH_VALUE];
	const char *why;

	hide_libcrypto = true;
	ck_assert_int_eq(answer_without_libcrypto("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"",
						  out, sizeof out, &why),
			 -1);
	ck_assert_str_eq(why, "proxy authentication Digest MD5 needs " CRYPTO_LIBRARY
			      ": " HIDDEN_REASON);
	ck_assert_int_eq(answer_without_libcrypto("NTLM", out, sizeof out, &why), -1);
	ck_assert_str_eq(why, "proxy authentication NTLM needs " CRYPTO_LIBRARY ": " HIDDEN_REASON);
	ck_assert_int_eq(answer_without_libcrypto("Basic realm=\"r\"", out, sizeof out, &why), 0);
	ck_assert_str_eq(out, "Basic YWxpY2U6czNjcmV0");
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("crypto_lazy", "vectors", 0, &tc);

	UNIT_ADD_TABLE(tc, digest_vectors_whole, digest_vectors);
	UNIT_ADD_TABLE(tc, digest_vectors_split, digest_vectors);
	UNIT_ADD_TABLE(tc, hmac_md5_vectors, hmac_vectors);
	tcase_add_test(tc, hmac_md5_byte_parts);
	tcase_add_test(tc, without_libcrypto);
	tcase_add_test(tc, proxy_auth_without_libcrypto);
	return unit_run(s);
}
