/* engine/proxy_auth: the answers to 401/407 heads, round by round, and what is remembered for the
 * next request through the same proxy. Digest responses were computed independently (Python's
 * hashlib) for the fixed cnonce that the zero "random" bytes give. */
#include <check.h>
#include <string.h>

#include "engine/proxy_auth.h"
#include "proto/auth_ntlm.h"

#include "unit.h"
#include "unit_grvhenc.h"

#define ZERO_CNONCE "AAAAAAAAAAAAAAAAAAAAAA=="

static struct http_parser parser;
static struct proxy_auth pa;
static struct proxy_url url;
static struct proxy_auth_memo memo;
static char out[CAP_PROXY_AUTH_VALUE];
static size_t len;
static const char *field, *why;

static int zero_random(void *buf, size_t n)
{
	memset(buf, 0, n);
	return 0;
}

static const struct http_head *head(const char *text)
{
	size_t used;

	http_parser_init(&parser, HTTP_RESPONSE);
	ck_assert_int_eq(http_parse(&parser, text, strlen(text), &used), PARSE_DONE);
	return http_parser_head(&parser);
}

static void setup_with(const char *proxy)
{
	const char *bad = NULL;

	ck_assert_int_eq(proxy_url_parse(proxy, PROXY_HTTP, &url, &bad), 0);
	memset(&memo, 0, sizeof memo);
	proxy_auth_init(&pa, &url, &memo, "CONNECT", "127.0.0.1:443", zero_random);
	why = NULL;
}

static int answer(const char *text)
{
	return proxy_auth_answer(&pa, head(text), out, sizeof out, &len, &field, &why);
}

START_TEST(nothing_remembered_nothing_sent)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(proxy_auth_first(&pa, out, sizeof out, &len, &field, &why), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(basic_then_refused)
{
	const char *r = "HTTP/1.1 407 Proxy Authentication Required\r\n"
			"Proxy-Authenticate: Basic realm=\"squid\"\r\n\r\n";

	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer(r), 0);
	ck_assert_str_eq(field, "Proxy-Authorization");
	ck_assert_str_eq(out, "Basic YWxpY2U6czNjcmV0");
	ck_assert_uint_eq(len, strlen(out));
	ck_assert(!proxy_auth_needs_same_connection(&pa));
	ck_assert_int_eq(answer(r), -1);
	ck_assert_ptr_nonnull(strstr(why, "refused the credentials"));
	ck_assert_int_eq(memo.scheme, AUTH_NONE);
}
END_TEST

START_TEST(no_user_in_url)
{
	setup_with("http://127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.0 407 x\r\nProxy-Authenticate: Basic realm=r\r\n\r\n"), -1);
	ck_assert_ptr_nonnull(strstr(why, "no user"));
}
END_TEST

START_TEST(unsupported_schemes_only)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Negotiate\r\n"
				"Proxy-Authenticate: Kerberos\r\nProxy-Authenticate: Bearer\r\n\r\n"),
			 -1);
	ck_assert_ptr_nonnull(strstr(why, "no authentication scheme"));
}
END_TEST

/* All fields count, a malformed one is skipped, and the strongest scheme wins. */
START_TEST(strongest_of_all_fields)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Basic realm=\"r\"\r\n"
				"Proxy-Authenticate: Digest realm=\"unterminated\r\n"
				"Proxy-Authenticate: Digest realm=\"squid\", nonce=\"n1\", qop=\"auth\"\r\n"
				"\r\n"),
			 0);
	ck_assert_int_eq(strncmp(out, "Digest ", 7), 0);
}
END_TEST

START_TEST(digest_exact_stale_and_memo)
{
	const char *r = "HTTP/1.1 407 x\r\nProxy-Authenticate: Digest realm=\"squid\", nonce=\"n1\", "
			"qop=\"auth\"\r\n\r\n";

	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer(r), 0);
	ck_assert_str_eq(out, "Digest username=\"alice\", realm=\"squid\", uri=\"127.0.0.1:443\", "
			      "nonce=\"n1\", nc=00000001, cnonce=\"" ZERO_CNONCE "\", qop=auth, "
			      "response=\"819241ad8578bc1d757dc57c717b6ff2\"");
	/* stale=true: the nonce expired, the credentials were right: answer again */
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Digest realm=\"squid\", "
				"nonce=\"n2\", qop=\"auth\", stale=true\r\n\r\n"),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "response=\"ed99437c7041a7496f455f7eb1c7ede9\""));
	proxy_auth_accepted(&pa);
	ck_assert_int_eq(memo.scheme, AUTH_DIGEST_MD5);
	/* the next request sends at once, with the remembered nonce and the next count */
	proxy_auth_init(&pa, &url, &memo, "CONNECT", "127.0.0.1:443", zero_random);
	memo.digest.nc = 1;
	ck_assert_int_eq(strcmp(memo.digest.nonce, "n2"), 0);
	strcpy(memo.digest.nonce, "n1");
	ck_assert_int_eq(proxy_auth_first(&pa, out, sizeof out, &len, &field, &why), 0);
	ck_assert_ptr_nonnull(strstr(out, "nc=00000002"));
	ck_assert_ptr_nonnull(strstr(out, "response=\"87eb7129d86b94959488db004d4dc11c\""));
	/* a fresh challenge to remembered credentials is answered once more, then refused */
	ck_assert_int_eq(answer(r), 0);
	ck_assert_ptr_nonnull(strstr(out, "nc=00000001"));
	ck_assert_int_eq(answer(r), -1);
	ck_assert_ptr_nonnull(strstr(why, "refused the credentials"));
}
END_TEST

START_TEST(digest_sha256)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Digest realm=\"r\", nonce=\"n\", "
				"qop=\"auth\", algorithm=MD5\r\nProxy-Authenticate: Digest realm=\"r\", "
				"nonce=\"n\", qop=\"auth\", algorithm=SHA-256\r\n\r\n"),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "algorithm=SHA-256"));
}
END_TEST

START_TEST(ntlm_three_messages)
{
	char neg[256];
	size_t nlen;

	setup_with("http://EXAMPLE%5Calice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Negotiate\r\n"
				"Proxy-Authenticate: Kerberos\r\nProxy-Authenticate: NTLM\r\n"
				"Proxy-Authenticate: Basic realm=\"r\"\r\n\r\n"),
			 0);
	ck_assert_int_eq(ntlm_negotiate_credentials(neg, sizeof neg, &nlen), 0);
	ck_assert_str_eq(out, neg);
	ck_assert(!proxy_auth_needs_same_connection(&pa)); /* a NEGOTIATE may open a connection */
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM " GRVHENC_TYPE2
				"\r\n\r\n"),
			 0);
	ck_assert_int_eq(strncmp(out, "NTLM TlRMTVNTUAADAAAA", 21), 0);
	ck_assert(proxy_auth_needs_same_connection(&pa)); /* the AUTHENTICATE must not */
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\n\r\n"), -1);
	ck_assert_ptr_nonnull(strstr(why, "refused"));
}
END_TEST

START_TEST(ntlm_bad_challenge)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\n\r\n"), 0);
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM AAAA\r\n\r\n"), -1);
	ck_assert_ptr_nonnull(strstr(why, "CHALLENGE"));
}
END_TEST

/* Remembered NTLM starts with NEGOTIATE and goes on with the CHALLENGE as usual. */
START_TEST(ntlm_memo)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	memo.scheme = AUTH_NTLM;
	ck_assert_int_eq(proxy_auth_first(&pa, out, sizeof out, &len, &field, &why), 0);
	ck_assert_int_eq(strncmp(out, "NTLM TlRMTVNTUAABAAAA", 21), 0);
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM " GRVHENC_TYPE2
				"\r\n\r\n"),
			 0);
	ck_assert_int_eq(strncmp(out, "NTLM TlRMTVNTUAADAAAA", 21), 0);
	proxy_auth_accepted(&pa);
	ck_assert_int_eq(memo.scheme, AUTH_NTLM);
}
END_TEST

/* A request alone on its connection (Polling) never opens NTLM: it takes the next scheme
 * offered, fails with a reason of its own when NTLM is all there is, and sends nothing at first
 * when the memo says NTLM. */
START_TEST(one_request_never_ntlm)
{
	setup_with("http://EXAMPLE%5Calice:s3cret@127.0.0.1:3128");
	pa.one_request = true;
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\n"
				"Proxy-Authenticate: Basic realm=\"r\"\r\n\r\n"),
			 0);
	ck_assert_int_eq(strncmp(out, "Basic ", 6), 0);
	ck_assert_int_eq(pa.scheme, AUTH_BASIC);
	setup_with("http://EXAMPLE%5Calice:s3cret@127.0.0.1:3128");
	pa.one_request = true;
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\n\r\n"), -1);
	ck_assert_str_eq(why, "the proxy offers only NTLM, which authenticates a connection, but "
			      "each request here has a connection of its own");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Kerberos\r\n\r\n"), -1);
	ck_assert_str_eq(why, "the proxy offers no authentication scheme we support");
	setup_with("http://EXAMPLE%5Calice:s3cret@127.0.0.1:3128");
	memo.scheme = AUTH_NTLM;
	pa.one_request = true;
	ck_assert_int_eq(proxy_auth_first(&pa, out, sizeof out, &len, &field, &why), 0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

/* Requests in flight together through one proxy (KeepAlive's GET and POST) each take their own
 * Digest nonce count from the memo, and the memo's count never goes back when an earlier one is
 * accepted after a later one was taken: squid drops a nonce whose count repeats. */
START_TEST(digest_counts_taken_at_once)
{
	static struct proxy_auth get, post;

	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Digest realm=\"squid\", "
				"nonce=\"n1\", qop=\"auth\"\r\n\r\n"),
			 0);
	proxy_auth_accepted(&pa);
	ck_assert_uint_eq(memo.digest.nc, 1);
	proxy_auth_init(&get, &url, &memo, "GET", "http://r/g", zero_random);
	proxy_auth_init(&post, &url, &memo, "POST", "http://r/p", zero_random);
	ck_assert_int_eq(proxy_auth_first(&get, out, sizeof out, &len, &field, &why), 0);
	ck_assert_ptr_nonnull(strstr(out, "nc=00000002"));
	ck_assert_int_eq(proxy_auth_first(&post, out, sizeof out, &len, &field, &why), 0);
	ck_assert_ptr_nonnull(strstr(out, "nc=00000003"));
	proxy_auth_accepted(&post);
	proxy_auth_accepted(&get);
	ck_assert_uint_eq(memo.digest.nc, 3);
	/* a new nonce replaces the count with its own */
	ck_assert_int_eq(proxy_auth_answer(&get,
					   head("HTTP/1.1 407 x\r\nProxy-Authenticate: Digest "
						"realm=\"squid\", nonce=\"n2\", qop=\"auth\", "
						"stale=true\r\n\r\n"),
					   out, sizeof out, &len, &field, &why),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "nonce=\"n2\", nc=00000001"));
	proxy_auth_accepted(&get);
	ck_assert_uint_eq(memo.digest.nc, 1);
	ck_assert_str_eq(memo.digest.nonce, "n2");
}
END_TEST

START_TEST(basic_memo_and_401)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.0 401 x\r\nWWW-Authenticate: Basic realm=r\r\n"
				"Proxy-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n\r\n"),
			 0);
	ck_assert_str_eq(field, "Authorization");
	ck_assert_str_eq(out, "Basic YWxpY2U6czNjcmV0");
	proxy_auth_accepted(&pa);
	proxy_auth_init(&pa, &url, &memo, "CONNECT", "127.0.0.1:443", zero_random);
	ck_assert_int_eq(proxy_auth_first(&pa, out, sizeof out, &len, &field, &why), 0);
	ck_assert_str_eq(field, "Authorization");
	ck_assert_str_eq(out, "Basic YWxpY2U6czNjcmV0");
}
END_TEST

/* Nothing was sent, so nothing is remembered; a 2xx after no challenge changes nothing. */
START_TEST(accepted_without_credentials)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	proxy_auth_accepted(&pa);
	ck_assert_int_eq(memo.scheme, AUTH_NONE);
}
END_TEST

START_TEST(rounds_are_bounded)
{
	const char *r = "HTTP/1.1 407 x\r\nProxy-Authenticate: Digest realm=\"r\", nonce=\"n\", "
			"qop=auth, stale=true\r\n\r\n";
	unsigned ok = 0;

	setup_with("http://alice:s3cret@127.0.0.1:3128");
	while (answer(r) == 0)
		ok++;
	ck_assert_uint_eq(ok, CAP_PROXY_AUTH_ROUNDS);
	ck_assert_ptr_nonnull(strstr(why, "too many"));
}
END_TEST

/* Nothing this module says may quote the password. */
START_TEST(why_never_quotes_credentials)
{
	setup_with("http://alice:s3cret@127.0.0.1:3128");
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Basic realm=r\r\n\r\n"), 0);
	ck_assert_int_eq(answer("HTTP/1.1 407 x\r\nProxy-Authenticate: Basic realm=r\r\n\r\n"), -1);
	ck_assert_ptr_null(strstr(why, "s3cret"));
	ck_assert_ptr_null(strstr(why, "alice"));
}
END_TEST

START_TEST(memo_table)
{
	int a, b;

	proxy_auth_memo_reset();
	ck_assert_ptr_eq(proxy_auth_memo_for(&a), proxy_auth_memo_for(&a));
	ck_assert_ptr_ne(proxy_auth_memo_for(&a), proxy_auth_memo_for(&b));
	for (unsigned i = 0; i < CAP_PROXY_AUTH_MEMOS + 2; i++)
		(void)proxy_auth_memo_for(&out[i]);
	ck_assert_ptr_null(proxy_auth_memo_for(&out[CAP_PROXY_AUTH_MEMOS + 3]));
	proxy_auth_memo_reset();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proxy_auth");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, nothing_remembered_nothing_sent);
	tcase_add_test(tc, basic_then_refused);
	tcase_add_test(tc, no_user_in_url);
	tcase_add_test(tc, unsupported_schemes_only);
	tcase_add_test(tc, strongest_of_all_fields);
	tcase_add_test(tc, digest_exact_stale_and_memo);
	tcase_add_test(tc, digest_sha256);
	tcase_add_test(tc, ntlm_three_messages);
	tcase_add_test(tc, ntlm_bad_challenge);
	tcase_add_test(tc, ntlm_memo);
	tcase_add_test(tc, one_request_never_ntlm);
	tcase_add_test(tc, digest_counts_taken_at_once);
	tcase_add_test(tc, basic_memo_and_401);
	tcase_add_test(tc, accepted_without_credentials);
	tcase_add_test(tc, rounds_are_bounded);
	tcase_add_test(tc, why_never_quotes_credentials);
	tcase_add_test(tc, memo_table);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
