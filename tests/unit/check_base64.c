/* proto/base64: RFC 4648 10 vectors, a Basic credential (RFC 7617 2) and an NTLM type-2
 * challenge, strict decoding, and exact buffer bounds. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/base64.h"

#include "unit.h"

static const struct {
	const char *raw, *b64;
} rfc4648[] = {
	{ "", "" },	       { "f", "Zg==" },	    { "fo", "Zm8=" },	       { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	/* RFC 7617 2 */
	{ "Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==" },
};

START_TEST(rfc4648_vectors)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const char *raw = rfc4648[i].raw, *b64 = rfc4648[i].b64;
		char enc[64], dec[64];
		size_t n = 99;

		ck_assert_int_eq(base64_encode(raw, strlen(raw), enc, sizeof(enc), &n), 0);
		ck_assert_uint_eq(n, strlen(b64));
		ck_assert_str_eq(enc, b64);
		ck_assert_uint_eq(BASE64_ENCODED_SIZE(strlen(raw)), strlen(b64) + 1);

		n = 99;
		ck_assert_int_eq(base64_decode(b64, strlen(b64), dec, sizeof(dec), &n), 0);
		ck_assert_uint_eq(n, strlen(raw));
		ck_assert(memcmp(dec, raw, n) == 0);
		ck_assert_uint_ge(BASE64_DECODED_MAX(strlen(b64)), n);
	}
}
END_TEST

START_TEST(ntlm_type2)
{
	/* A type-2 message as a proxy sends it after "Proxy-Authenticate: NTLM " (MS-GRVHENC 4.6). */
	static const char b64[] =
		"TlRMTVNTUAACAAAADAAMADAAAAABAoEAASNFZ4mrze8AAAAAAAAAAGIAYgA8AAAARABPAE0AQQBJAE4AAgAMAE"
		"QATwBNAEEASQBOAAEADABTAEUAUgBWAEUAUgAEABQAZABvAG0AYQBpAG4ALgBjAG8AbQADACIAcwBlAHIAdgBl"
		"AHIALgBkAG8AbQBhAGkAbgAuAGMAbwBtAAAAAAA=";
	static const unsigned char challenge[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	unsigned char msg[BASE64_DECODED_MAX(sizeof(b64) - 1)];
	char again[sizeof(b64)];
	size_t n;

	ck_assert_int_eq(base64_decode(b64, sizeof(b64) - 1, msg, sizeof(msg), &n), 0);
	ck_assert_uint_eq(n, 158);
	ck_assert(memcmp(msg, "NTLMSSP\0\2\0\0\0", 12) == 0);
	ck_assert(memcmp(msg + 24, challenge, 8) == 0);
	/* The exact size is enough; one byte less is not. */
	ck_assert_int_eq(base64_decode(b64, sizeof(b64) - 1, msg, 158, &n), 0);
	ck_assert_int_eq(base64_decode(b64, sizeof(b64) - 1, msg, 157, &n), -1);
	ck_assert_int_eq(base64_encode(msg, 158, again, sizeof(again), &n), 0);
	ck_assert_str_eq(again, b64);
}
END_TEST

START_TEST(decode_strict)
{
	static const char *const bad[] = {
		"Zg",	  "Zg=",      "Zm9",	  "Zm9vY",    /* not a multiple of 4 */
		"Zh==",	  "Zm9=",     "Zm9vYh==", "Zm9vYmF=", /* unused bits set (3.5) */
		"====",	  "Z===",     "=Zg=",	  "Zg=a",     /* misplaced padding */
		"Zg==Zg==", "Zm9=Zm9v",		      /* padding before the end */
		"Zm9v\nYmFy", "Zm9v YmFy", " Zm9v", "Zm9v\r\n", /* whitespace */
		"Zm9-",	  "Zm9_",     "Zm9.",	  "Zm9\x80", /* outside the alphabet (base64url too) */
	};
	unsigned char out[64];
	size_t n = 77;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) == -1,
			      "accepted <%s>", bad[i]);
	ck_assert_uint_eq(n, 77);
	/* NUL inside the counted length is not skipped. */
	ck_assert_int_eq(base64_decode("Zm\0v", 4, out, sizeof(out), &n), -1);
	/* Only the counted length is read. */
	ck_assert_int_eq(base64_decode("Zm9vJUNK", 4, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(base64_decode("", 0, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(encode_bounds)
{
	char out[16];
	size_t n = 77;

	/* "foobar" needs 8 characters and the NUL. */
	memset(out, '#', sizeof(out));
	ck_assert_int_eq(base64_encode("foobar", 6, out, 8, &n), -1);
	ck_assert_uint_eq(n, 77);
	ck_assert_int_eq(out[0], '#');
	ck_assert_int_eq(base64_encode("foobar", 6, out, 9, &n), 0);
	ck_assert_int_eq(out[9], '#');
	ck_assert_int_eq(base64_encode("", 0, out, 0, &n), -1);
	ck_assert_int_eq(base64_encode("", 0, out, 1, &n), 0);
	ck_assert_str_eq(out, "");
	/* Sizes whose encoding would not fit in size_t. */
	ck_assert_int_eq(base64_encode("x", SIZE_MAX, out, sizeof(out), &n), -1);
	ck_assert_int_eq(base64_encode("x", SIZE_MAX / 4 * 3, out, sizeof(out), &n), -1);
}
END_TEST

START_TEST(roundtrip_all_bytes)
{
	unsigned char raw[256], dec[256];
	char enc[BASE64_ENCODED_SIZE(256)];
	size_t n, m;

	for (int i = 0; i < 256; i++)
		raw[i] = (unsigned char)(255 - i);
	for (size_t len = 0; len <= sizeof(raw); len++) {
		ck_assert_int_eq(base64_encode(raw, len, enc, BASE64_ENCODED_SIZE(len), &n), 0);
		ck_assert_uint_eq(n + 1, BASE64_ENCODED_SIZE(len));
		ck_assert_uint_eq(strlen(enc), n);
		ck_assert_int_eq(base64_decode(enc, n, dec, len, &m), 0);
		ck_assert_uint_eq(m, len);
		ck_assert(memcmp(dec, raw, len) == 0);
	}
}
END_TEST

int main(void)
{
	TCase *t;
	Suite *s = unit_suite("base64", "base64", 0, &t);

	tcase_add_test(t, rfc4648_vectors);
	tcase_add_test(t, ntlm_type2);
	tcase_add_test(t, decode_strict);
	tcase_add_test(t, encode_bounds);
	tcase_add_test(t, roundtrip_all_bytes);
	return unit_run(s);
}
