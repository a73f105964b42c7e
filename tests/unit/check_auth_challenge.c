/* proto/auth_challenge (RFC 7235 challenge syntax, scheme choice) and proto/auth_basic. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/auth_basic.h"
#include "proto/auth_challenge.h"

#include "unit.h"

static struct auth_challenges set;

/* Adds value from an exact-size heap copy, so ASan sees any read past its end. */
static enum parse_rc add(const char *value)
{
	size_t n = strlen(value);
	char *copy = malloc(n ? n : 1);
	enum parse_rc rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, value, n);
	rc = auth_challenges_add(&set, copy, n);
	free(copy);
	return rc;
}

static void setup(void)
{
	auth_challenges_init(&set);
}

/* MS-GRVHENC 4.6: ISA sends one field per scheme; NTLM is the one we can answer. */
START_TEST(isa_three_fields)
{
	unsigned idx = 99;

	ck_assert_int_eq(add("Negotiate"), PARSE_DONE);
	ck_assert_int_eq(add("Kerberos"), PARSE_DONE);
	ck_assert_int_eq(add("NTLM"), PARSE_DONE);
	ck_assert_uint_eq(auth_challenges_count(&set), 3);
	ck_assert_str_eq(auth_challenge_scheme(&set, 0), "Negotiate");
	ck_assert_ptr_null(auth_challenge_token68(&set, 2));
	ck_assert_int_eq(auth_challenge_kind(&set, 0), AUTH_NONE);
	ck_assert_int_eq(auth_challenge_kind(&set, 1), AUTH_NONE);
	ck_assert_int_eq(auth_challenges_best(&set, &idx), AUTH_NTLM);
	ck_assert_uint_eq(idx, 2);
}
END_TEST

START_TEST(ntlm_token68)
{
	ck_assert_int_eq(add("NTLM TlRMTVNTUAACAAAAEAAQADgAAAA1goriluCDYHcYI/sAAAAAAAAAAA=="),
			 PARSE_DONE);
	ck_assert_str_eq(auth_challenge_token68(&set, 0),
			 "TlRMTVNTUAACAAAAEAAQADgAAAA1goriluCDYHcYI/sAAAAAAAAAAA==");
	ck_assert_uint_eq(set.ch[0].nparams, 0);
	ck_assert_int_eq(auth_challenge_kind(&set, 0), AUTH_NTLM);
	/* token68 then another challenge in the same field */
	ck_assert_int_eq(add("Newauth abc=, Basic realm=x"), PARSE_DONE);
	ck_assert_str_eq(auth_challenge_token68(&set, 1), "abc=");
	/* "realm=" with nothing after it is a token68 by the grammar, not an empty parameter */
	ck_assert_int_eq(add("Basic realm= ,"), PARSE_DONE);
	ck_assert_str_eq(auth_challenge_token68(&set, 3), "realm=");
	ck_assert_int_eq(set.ch[3].nparams, 0);
	ck_assert_str_eq(auth_challenge_param(&set, 2, "REALM"), "x");
}
END_TEST

/* squid: one field per scheme, in the order Basic, Digest, NTLM as configured. */
START_TEST(squid_fields)
{
	unsigned idx = 99;

	ck_assert_int_eq(add("Basic realm=\"Squid proxy-caching web server\""), PARSE_DONE);
	ck_assert_int_eq(add("Digest realm=\"Squid\", nonce=\"Ny0mYfAAAAAA\", qop=\"auth\", "
			     "stale=false"),
			 PARSE_DONE);
	ck_assert_int_eq(auth_challenges_best(&set, &idx), AUTH_DIGEST_MD5);
	ck_assert_uint_eq(idx, 1);
	ck_assert_str_eq(auth_challenge_param(&set, 1, "stale"), "false");
	ck_assert_str_eq(auth_challenge_param(&set, 0, "realm"), "Squid proxy-caching web server");
	ck_assert_int_eq(add("NTLM"), PARSE_DONE);
	ck_assert_int_eq(auth_challenges_best(&set, &idx), AUTH_NTLM);
	ck_assert_uint_eq(idx, 2);
}
END_TEST

/* Several challenges in one field, parameters and schemes separated by the same commas. */
START_TEST(several_in_one_field)
{
	unsigned idx = 99;

	ck_assert_int_eq(add("Digest realm=\"a\", nonce=\"n\", algorithm=MD5, qop=\"auth,auth-int\", "
			     "Digest realm=\"a\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\", "
			     "Basic realm=\"b\""),
			 PARSE_DONE);
	ck_assert_uint_eq(auth_challenges_count(&set), 3);
	ck_assert_uint_eq(set.ch[0].nparams, 4);
	ck_assert_uint_eq(set.ch[1].nparams, 4);
	ck_assert_uint_eq(set.ch[2].nparams, 1);
	ck_assert_str_eq(auth_challenge_param(&set, 1, "algorithm"), "SHA-256");
	ck_assert_int_eq(auth_challenges_best(&set, &idx), AUTH_DIGEST_SHA256);
	ck_assert_uint_eq(idx, 1);
}
END_TEST

/* RFC 7616 3.9.1: the server offers SHA-256 and MD5 in two fields. */
START_TEST(rfc7616_challenges)
{
	unsigned idx = 99;

	ck_assert_int_eq(add("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
			     "algorithm=SHA-256, "
			     "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
			     "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""),
			 PARSE_DONE);
	ck_assert_int_eq(add("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
			     "algorithm=MD5, "
			     "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
			     "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""),
			 PARSE_DONE);
	ck_assert_int_eq(auth_challenge_kind(&set, 1), AUTH_DIGEST_MD5);
	ck_assert_int_eq(auth_challenges_best(&set, &idx), AUTH_DIGEST_SHA256);
	ck_assert_uint_eq(idx, 0);
	ck_assert_str_eq(auth_challenge_param(&set, 0, "qop"), "auth, auth-int");
}
END_TEST

START_TEST(quoting_and_whitespace)
{
	ck_assert_int_eq(add("Basic realm=\"a \\\"q\\\" \\\\ b\", charset=\"UTF-8\""), PARSE_DONE);
	ck_assert_str_eq(auth_challenge_param(&set, 0, "realm"), "a \"q\" \\ b");
	ck_assert_str_eq(auth_challenge_param(&set, 0, "Charset"), "UTF-8");
	ck_assert_ptr_null(auth_challenge_param(&set, 0, "nonce"));
	/* BWS around "=", empty list elements, HTAB, empty quoted-string, obs-text */
	ck_assert_int_eq(add(" , ,Digest\trealm = \"\" ,,  nonce=\"\xc3\xa9\"\t, ,"), PARSE_DONE);
	ck_assert_str_eq(auth_challenge_scheme(&set, 1), "Digest");
	ck_assert_str_eq(auth_challenge_param(&set, 1, "realm"), "");
	ck_assert_str_eq(auth_challenge_param(&set, 1, "nonce"), "\xc3\xa9");
	/* a field of nothing but separators adds nothing */
	ck_assert_int_eq(add(""), PARSE_DONE);
	ck_assert_int_eq(add(" ,\t, "), PARSE_DONE);
	ck_assert_uint_eq(auth_challenges_count(&set), 2);
	/* scheme with trailing spaces, scheme list */
	ck_assert_int_eq(add("Basic  , NTLM "), PARSE_DONE);
	ck_assert_uint_eq(auth_challenges_count(&set), 4);
}
END_TEST

static const char *const bad_values[] = {
	"Basic realm=\"unterminated",
	"Basic realm=\"x\\",
	"Basic realm=\"x\" junk",
	"Basic realm=\"x\"junk",
	"Basic a b",
	"=x",
	"Basic realm=\"x\", =",
	"Basic realm=\"x\", realm=\"y\"",
	"Digest nonce=1, NONCE=2",
	"Basic realm=\"a\x01b\"",
	"Basic realm=\"a\x7f\"",
	"Basic realm=a\x01",
	"Basic\x01",
	"Basic,realm=x",
	"Basic realm=x;y",
	"Ba\"sic realm=x",
	"NTLM abc== def",
	"NTLM abc=def=",
	"(Basic)",
	"Basic realm=\"x\"\r\n",
};

START_TEST(bad_values_rejected)
{
	ck_assert_int_eq(add("Basic realm=\"before\""), PARSE_DONE);
	uint32_t used = set.used;
	ck_assert_msg(add(bad_values[_i]) == PARSE_BAD, "accepted: %s", bad_values[_i]);
	/* the set is as it was */
	ck_assert_uint_eq(auth_challenges_count(&set), 1);
	ck_assert_uint_eq(set.used, used);
	ck_assert_str_eq(auth_challenge_param(&set, 0, "realm"), "before");
}
END_TEST

START_TEST(nul_inside_value_rejected)
{
	ck_assert_int_eq(auth_challenges_add(&set, "Basic realm=\"a\0b\"", 17), PARSE_BAD);
	ck_assert_int_eq(auth_challenges_add(&set, "Basic\0", 6), PARSE_BAD);
	ck_assert_uint_eq(auth_challenges_count(&set), 0);
}
END_TEST

START_TEST(caps)
{
	char buf[CAP_AUTH_TEXT * 2];
	size_t n = 0;

	/* challenges: CAP fit, one more does not */
	for (unsigned i = 0; i < CAP_AUTH_CHALLENGES; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "S%u, ", i);
	ck_assert_int_eq(add(buf), PARSE_DONE);
	ck_assert_int_eq(add("Basic"), PARSE_TOO_LONG);
	ck_assert_uint_eq(auth_challenges_count(&set), CAP_AUTH_CHALLENGES);

	/* parameters */
	auth_challenges_init(&set);
	n = (size_t)snprintf(buf, sizeof buf, "X p0=0");
	for (unsigned i = 1; i < CAP_AUTH_PARAMS; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, ", p%u=%u", i, i);
	ck_assert_int_eq(add(buf), PARSE_DONE);
	snprintf(buf + n, sizeof buf - n, ", one=more");
	ck_assert_int_eq(add(buf), PARSE_TOO_LONG);

	/* text: a quoted value longer than the arena, and a token68 */
	auth_challenges_init(&set);
	memcpy(buf, "Basic realm=\"", 13);
	memset(buf + 13, 'a', CAP_AUTH_TEXT);
	memcpy(buf + 13 + CAP_AUTH_TEXT, "\"", 2);
	ck_assert_int_eq(add(buf), PARSE_TOO_LONG);
	memcpy(buf, "NTLM ", 5);
	memset(buf + 5, 'A', CAP_AUTH_TEXT);
	buf[5 + CAP_AUTH_TEXT] = '\0';
	ck_assert_int_eq(add(buf), PARSE_TOO_LONG);
	ck_assert_uint_eq(set.used, 0);
	/* one that just fits: scheme "B" + NUL, name "r" + NUL, value + NUL */
	memcpy(buf, "B r=\"", 5);
	memset(buf + 5, 'v', CAP_AUTH_TEXT - 5);
	memcpy(buf + CAP_AUTH_TEXT, "\"", 2);
	ck_assert_int_eq(add(buf), PARSE_DONE);
	ck_assert_uint_eq(set.used, CAP_AUTH_TEXT);
	ck_assert_uint_eq(strlen(auth_challenge_param(&set, 0, "r")), CAP_AUTH_TEXT - 5);
}
END_TEST

/* Every prefix of valid values parses or is refused, without reading past its end. */
START_TEST(every_prefix)
{
	static const char *const full[] = {
		"Digest realm=\"a\\\"b\", nonce=\"n\", algorithm=SHA-256-sess, qop=\"auth\", "
		"Basic realm=x, NTLM TlRMTVNTUAACAAAA==",
		" , Negotiate, Newauth a=b ,c = \"d\"",
	};
	char tmp[256];

	for (unsigned k = 0; k < 2; k++) {
		size_t n = strlen(full[k]);
		for (size_t cut = 0; cut <= n; cut++) {
			enum parse_rc rc;
			memcpy(tmp, full[k], cut);
			tmp[cut] = '\0';
			auth_challenges_init(&set);
			rc = add(tmp);
			ck_assert(rc == PARSE_DONE || rc == PARSE_BAD);
		}
		ck_assert_int_eq(add(full[k]), PARSE_DONE);
	}
}
END_TEST

/* Noise: whatever the bytes, a definite answer and the arena bounds kept. */
START_TEST(random_bytes)
{
	static const char alphabet[] = "aZ09=,\" \t\\/+-.~!#\x01\x80\xff";
	unsigned seed = 12345;
	char tmp[64];

	for (int iter = 0; iter < 20000; iter++) {
		size_t n;
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % sizeof tmp;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			tmp[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		tmp[n] = '\0';
		auth_challenges_init(&set);
		enum parse_rc rc = auth_challenges_add(&set, tmp, n);
		ck_assert(rc == PARSE_DONE || rc == PARSE_BAD || rc == PARSE_TOO_LONG);
		ck_assert_uint_le(set.used, CAP_AUTH_TEXT);
		for (unsigned i = 0; i < auth_challenges_count(&set); i++)
			(void)auth_challenge_kind(&set, i);
	}
}
END_TEST

START_TEST(digest_kinds)
{
	static const struct {
		const char *value;
		enum auth_scheme kind;
	} cases[] = {
		{ "Digest realm=r, nonce=n", AUTH_DIGEST_MD5 },
		{ "digest realm=r, nonce=n, algorithm=md5-SESS, qop=auth", AUTH_DIGEST_MD5 },
		{ "Digest realm=r, nonce=n, algorithm=SHA-256-sess, qop=\"auth-int, auth\"",
		  AUTH_DIGEST_SHA256 },
		{ "Digest realm=r, nonce=n, algorithm=SHA-512-256", AUTH_NONE },
		{ "Digest realm=r, nonce=n, qop=\"auth-int\"", AUTH_NONE },
		{ "Digest realm=r, nonce=n, algorithm=MD5-sess", AUTH_NONE },
		{ "Digest realm=r", AUTH_NONE },
		{ "Digest nonce=n", AUTH_NONE },
		{ "Digest abc==", AUTH_NONE },
		{ "basic", AUTH_BASIC },
		{ "ntlm", AUTH_NTLM },
		{ "Bearer realm=x", AUTH_NONE },
	};

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		auth_challenges_init(&set);
		ck_assert_int_eq(add(cases[i].value), PARSE_DONE);
		ck_assert_msg(auth_challenge_kind(&set, 0) == cases[i].kind, "%s", cases[i].value);
	}
	unsigned idx = 77;
	auth_challenges_init(&set);
	ck_assert_int_eq(add("Negotiate, Digest realm=r, Bearer"), PARSE_DONE);
	ck_assert_int_eq(auth_challenges_best(&set, &idx), AUTH_NONE);
	ck_assert_uint_eq(idx, 77);
	ck_assert_str_eq(auth_scheme_name(AUTH_DIGEST_SHA256), "Digest SHA-256");
}
END_TEST

START_TEST(list_has)
{
	ck_assert(auth_list_has("auth, auth-int", "auth"));
	ck_assert(auth_list_has("auth-int,AUTH", "auth"));
	ck_assert(!auth_list_has("auth-int", "auth"));
	ck_assert(!auth_list_has("", "auth"));
	ck_assert(!auth_list_has("authx", "auth"));
}
END_TEST

/* RFC 7617 2 and 2.1 examples. */
START_TEST(basic_rfc7617)
{
	char out[64];
	size_t len = 0;

	ck_assert_int_eq(auth_basic_credentials("Aladdin", "open sesame", out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_int_eq(auth_basic_credentials("test", "123\xc2\xa3", out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Basic dGVzdDoxMjPCow==");
	ck_assert_int_eq(auth_basic_credentials("", "", out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Basic Og==");
	/* exactly enough room, and one byte less */
	ck_assert_int_eq(auth_basic_credentials("Aladdin", "open sesame", out, 35, &len), 0);
	for (size_t cap = 0; cap < 35; cap++)
		ck_assert_int_eq(auth_basic_credentials("Aladdin", "open sesame", out, cap, &len),
				 -1);
}
END_TEST

START_TEST(basic_refuses)
{
	char out[64], big[2000];
	size_t len;

	ck_assert_int_eq(auth_basic_credentials("a:b", "p", out, sizeof out, &len), -1);
	ck_assert_int_eq(auth_basic_credentials("a\nb", "p", out, sizeof out, &len), -1);
	ck_assert_int_eq(auth_basic_credentials("a", "p\r", out, sizeof out, &len), -1);
	ck_assert_int_eq(auth_basic_credentials("a", "\x7f", out, sizeof out, &len), -1);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(auth_basic_credentials(big, "p", out, sizeof out, &len), -1);
	ck_assert_int_eq(auth_basic_credentials("u", big, out, sizeof out, &len), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth_challenge");
	TCase *tc = tcase_create("challenges");
	TCase *tb = tcase_create("basic");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, isa_three_fields);
	tcase_add_test(tc, ntlm_token68);
	tcase_add_test(tc, squid_fields);
	tcase_add_test(tc, several_in_one_field);
	tcase_add_test(tc, rfc7616_challenges);
	tcase_add_test(tc, quoting_and_whitespace);
	UNIT_ADD_TABLE(tc, bad_values_rejected, bad_values);
	tcase_add_test(tc, nul_inside_value_rejected);
	tcase_add_test(tc, caps);
	tcase_add_test(tc, every_prefix);
	tcase_add_test(tc, random_bytes);
	tcase_add_test(tc, digest_kinds);
	tcase_add_test(tc, list_has);
	suite_add_tcase(s, tc);
	tcase_add_test(tb, basic_rfc7617);
	tcase_add_test(tb, basic_refuses);
	suite_add_tcase(s, tb);
	return unit_run(s);
}
