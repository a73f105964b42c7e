/* proto/auth_digest against RFC 7616 3.9.1 and RFC 2617 3.5, byte for byte; the other variants
 * against values computed independently (Python hashlib) from the RFC 7616 3.4 formulas. */
#include <check.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "proto/auth_challenge.h"
#include "proto/auth_digest.h"

#include "unit.h"

#define RFC7616_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC7616_CHALLENGE(alg)                                                               \
	"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" alg     \
	", nonce=\"" RFC7616_NONCE "\", opaque=\"" RFC7616_OPAQUE "\""

static struct auth_challenges set;

/* State from a one-challenge field value. */
static void state_from(struct digest_state *st, const char *challenge)
{
	auth_challenges_init(&set);
	ck_assert_int_eq(auth_challenges_add(&set, challenge, strlen(challenge)), PARSE_DONE);
	ck_assert_int_eq(digest_state_init(st, &set, 0), 0);
}

static const struct digest_request rfc7616_req = {
	.method = "GET",
	.uri = "/dir/index.html",
	.user = "Mufasa",
	.password = "Circle of Life",
	.cnonce = RFC7616_CNONCE,
};

/* RFC 7616 3.9.1, MD5: the Authorization value of the example, unfolded. */
START_TEST(rfc7616_md5)
{
	struct digest_state st;
	char out[1024];
	size_t len = 0;

	state_from(&st, RFC7616_CHALLENGE("MD5"));
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
			      "uri=\"/dir/index.html\", algorithm=MD5, nonce=\"" RFC7616_NONCE "\", "
			      "nc=00000001, cnonce=\"" RFC7616_CNONCE "\", qop=auth, "
			      "response=\"8ca523f5e9506fed4657c9700eebdbec\", "
			      "opaque=\"" RFC7616_OPAQUE "\"");
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_uint_eq(st.nc, 1);
}
END_TEST

/* RFC 7616 3.9.1, SHA-256. */
START_TEST(rfc7616_sha256)
{
	struct digest_state st;
	char out[1024];
	size_t len = 0;

	state_from(&st, RFC7616_CHALLENGE("SHA-256"));
	ck_assert_int_eq(st.alg, DIGEST_SHA256);
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
			      "uri=\"/dir/index.html\", algorithm=SHA-256, nonce=\"" RFC7616_NONCE
			      "\", nc=00000001, cnonce=\"" RFC7616_CNONCE "\", qop=auth, "
			      "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5"
			      "856cb6c1\", opaque=\"" RFC7616_OPAQUE "\"");
	ck_assert_uint_eq(len, strlen(out));
}
END_TEST

/* RFC 2617 3.5: same response value; the parameters are the example's, each with the same
 * value and quoting, in RFC 7616's order (the example's order differs; order carries no
 * meaning, RFC 7235 2.1). */
START_TEST(rfc2617_example)
{
	static const char rfc[] =
		"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
		"nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
		"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	struct digest_request rq = { "GET", "/dir/index.html", "Mufasa", "Circle Of Life",
				     "0a4f113b" };
	struct digest_state st;
	char out[1024];
	size_t len = 0;

	state_from(&st, "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
			"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
			"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
			      "uri=\"/dir/index.html\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
			      "nc=00000001, cnonce=\"0a4f113b\", qop=auth, "
			      "response=\"6629fae49393a05397450978507c4ef1\", "
			      "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
	/* Same parameters as the RFC's header, with the same values. */
	auth_challenges_init(&set);
	ck_assert_int_eq(auth_challenges_add(&set, rfc, strlen(rfc)), PARSE_DONE);
	ck_assert_int_eq(auth_challenges_add(&set, out, len), PARSE_DONE);
	ck_assert_uint_eq(set.ch[0].nparams, set.ch[1].nparams);
	for (unsigned k = 0; k < set.ch[0].nparams; k++) {
		const char *name = set.arena + set.ch[0].param[k].name;
		const char *mine = auth_challenge_param(&set, 1, name);
		ck_assert_ptr_nonnull(mine);
		ck_assert_str_eq(mine, set.arena + set.ch[0].param[k].value);
		/* quoted in one exactly when quoted in the other */
		char q[64];
		snprintf(q, sizeof q, "%s=\"", name);
		ck_assert_int_eq(strstr(rfc, q) != NULL, strstr(out, q) != NULL);
	}
}
END_TEST

/* The nonce is reused with nc 2, 3, ...; the response changes with it. */
START_TEST(nonce_count)
{
	struct digest_state st, copy;
	char out[1024];
	size_t len;

	state_from(&st, RFC7616_CHALLENGE("MD5"));
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_ptr_nonnull(strstr(out, ", nc=00000002, "));
	ck_assert_ptr_nonnull(strstr(out, "response=\"4b5d595ecf2db9df612ea5b45cd97101\""));
	/* plain data: a copy carries on from where the original was */
	copy = st;
	ck_assert_int_eq(digest_credentials(&copy, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_ptr_nonnull(strstr(out, ", nc=00000003, "));
	st.nc = 0xfffffffe;
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_ptr_nonnull(strstr(out, ", nc=ffffffff, "));
	/* nc would wrap: a new nonce is needed */
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), -1);
	ck_assert_uint_eq(st.nc, 0xffffffff);
	/* a new challenge starts over */
	state_from(&st, RFC7616_CHALLENGE("MD5") ", stale=TRUE");
	ck_assert(st.stale);
	ck_assert_uint_eq(st.nc, 0);
}
END_TEST

/* RFC 2069 style, no qop: response = KD(H(A1), nonce ":" H(A2)); no nc, cnonce or qop sent. */
START_TEST(no_qop)
{
	struct digest_request rq = { "GET", "/dir/index.html", "Mufasa", "Circle Of Life", NULL };
	struct digest_state st;
	char out[512];
	size_t len;

	state_from(&st, "Digest realm=\"testrealm@host.com\", "
			"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
			      "uri=\"/dir/index.html\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
			      "response=\"670fd8c2df070c60b045671b8b24ff02\"");
}
END_TEST

START_TEST(sess_algorithms)
{
	struct digest_request rq = { "GET", "/dir/index.html", "Mufasa", "Circle Of Life",
				     "0a4f113b" };
	struct digest_request connect = rfc7616_req;
	struct digest_state st;
	char out[1024];
	size_t len;

	state_from(&st, "Digest realm=\"testrealm@host.com\", qop=auth, algorithm=MD5-sess, "
			"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
	ck_assert(st.sess);
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), 0);
	ck_assert_ptr_nonnull(strstr(out, ", algorithm=MD5-sess, "));
	ck_assert_ptr_nonnull(strstr(out, "response=\"8e3825c57e897f5a0dec6c2d4e5059d0\""));

	connect.method = "CONNECT";
	connect.uri = "server.domain.net:443";
	state_from(&st, RFC7616_CHALLENGE("SHA-256-sess"));
	ck_assert_int_eq(digest_credentials(&st, &connect, out, sizeof out, &len), 0);
	ck_assert_ptr_nonnull(strstr(out, "uri=\"server.domain.net:443\", algorithm=SHA-256-sess, "));
	ck_assert_ptr_nonnull(strstr(out, "response=\"6f07d6f72a8b1045d92afbf5b03501f8cdd3b005c6"
					  "06d7acfaf91f65cf46dd9f\""));
}
END_TEST

/* RFC 7616 3.4.4: username = H(unq(username) ":" unq(realm)); the response is unchanged. */
START_TEST(userhash)
{
	struct digest_state st;
	char out[1024];
	size_t len;

	state_from(&st, RFC7616_CHALLENGE("SHA-256") ", userhash=true");
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_ptr_nonnull(strstr(out, "Digest username=\"a947aad205e80e429958a387394944c6b496"
					  "301e79f89d35a4cc23b6ee12b5b6\", "));
	ck_assert_ptr_nonnull(strstr(out, "response=\"753927fa0e85d155564e2e272a28d1802ca10daf44"
					  "96794697cf8db5856cb6c1\""));
	ck_assert_ptr_nonnull(strstr(out, "\", userhash=true"));
	ck_assert_uint_eq(strlen(out), len);
	state_from(&st, RFC7616_CHALLENGE("SHA-256") ", userhash=false");
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, sizeof out, &len), 0);
	ck_assert_ptr_null(strstr(out, "userhash"));
	ck_assert_ptr_nonnull(strstr(out, "username=\"Mufasa\""));
}
END_TEST

/* Quotes and backslashes are escaped on the wire and hashed unescaped; the value reads back. */
START_TEST(escaping)
{
	struct digest_request rq = { "GET", "/", "x\"y", "pw", "cn" };
	struct digest_state st;
	char out[512];
	size_t len;

	state_from(&st, "Digest realm=\"a\\\"b\\\\c\", nonce=nn, qop=auth");
	ck_assert_str_eq(st.realm, "a\"b\\c");
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), 0);
	ck_assert_str_eq(out, "Digest username=\"x\\\"y\", realm=\"a\\\"b\\\\c\", uri=\"/\", "
			      "nonce=\"nn\", nc=00000001, cnonce=\"cn\", qop=auth, "
			      "response=\"349b57fd9b29432380f8759df2e00e20\"");
	auth_challenges_init(&set);
	ck_assert_int_eq(auth_challenges_add(&set, out, len), PARSE_DONE);
	ck_assert_str_eq(auth_challenge_param(&set, 0, "username"), "x\"y");
	ck_assert_str_eq(auth_challenge_param(&set, 0, "realm"), "a\"b\\c");
}
END_TEST

/* Every buffer too small fails without writing past cap and leaves nc as it was. */
START_TEST(small_buffers)
{
	struct digest_state st;
	char full[1024], out[1024];
	size_t len, need;

	state_from(&st, RFC7616_CHALLENGE("SHA-256"));
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, full, sizeof full, &need), 0);
	st.nc = 0;
	for (size_t cap = 0; cap <= need; cap++) {
		memset(out, 'Z', sizeof out);
		ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, cap, &len), -1);
		ck_assert_uint_eq(st.nc, 0);
		ck_assert_int_eq(out[cap], 'Z');
	}
	ck_assert_int_eq(digest_credentials(&st, &rfc7616_req, out, need + 1, &len), 0);
	ck_assert_uint_eq(len, need);
	ck_assert_str_eq(out, full);
}
END_TEST

START_TEST(bad_arguments)
{
	struct digest_state st;
	struct digest_request rq;
	char out[1024], big[CAP_DIGEST_FIELD + 64];
	size_t len;

	state_from(&st, RFC7616_CHALLENGE("MD5"));
	rq = rfc7616_req, rq.method = "GE T";
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), -1);
	rq = rfc7616_req, rq.method = "";
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), -1);
	rq = rfc7616_req, rq.uri = "";
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), -1);
	rq = rfc7616_req, rq.uri = "/a\r\nX: y";
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), -1);
	rq = rfc7616_req, rq.user = "a\nb";
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), -1);
	rq = rfc7616_req, rq.cnonce = "";
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), -1);
	rq = rfc7616_req, rq.cnonce = NULL;
	ck_assert_int_eq(digest_credentials(&st, &rq, out, sizeof out, &len), -1);
	ck_assert_uint_eq(st.nc, 0);

	/* challenges we cannot take */
	auth_challenges_init(&set);
	ck_assert_int_eq(auth_challenges_add(&set, "Basic realm=x", 13), PARSE_DONE);
	ck_assert_int_eq(digest_state_init(&st, &set, 0), -1);
	memset(big, 'n', sizeof big);
	memcpy(big, "Digest realm=r, nonce=", 22);
	big[sizeof big - 1] = '\0';
	auth_challenges_init(&set);
	ck_assert_int_eq(auth_challenges_add(&set, big, strlen(big)), PARSE_DONE);
	ck_assert_int_eq(digest_state_init(&st, &set, 0), -1);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("auth_digest", "digest", 0, &tc);

	tcase_add_test(tc, rfc7616_md5);
	tcase_add_test(tc, rfc7616_sha256);
	tcase_add_test(tc, rfc2617_example);
	tcase_add_test(tc, nonce_count);
	tcase_add_test(tc, no_qop);
	tcase_add_test(tc, sess_algorithms);
	tcase_add_test(tc, userhash);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, small_buffers);
	tcase_add_test(tc, bad_arguments);
	return unit_run(s);
}
