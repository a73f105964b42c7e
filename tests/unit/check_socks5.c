/* proto/socks5: the requests byte for byte (MS-GRVHENC 2.2.2.5's example included), and every
 * reply parser fed each input split at every byte offset and one byte at a time, with the
 * application's bytes after a reply left alone. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "proto/socks5.h"

#include "unit.h"

typedef enum parse_rc (*parse_fn)(void *p, const char *buf, size_t len, size_t *consumed);
typedef void (*init_fn)(void *p);

/* Feeds in[0..cut) then in[cut..len), the second part only while the parser wants more. */
static enum parse_rc feed_split(void *p, init_fn init, parse_fn parse, const char *in, size_t len,
				size_t cut, size_t *total)
{
	size_t c = 99;
	enum parse_rc rc;

	init(p);
	rc = parse(p, in, cut, &c);
	ck_assert_uint_le(c, cut);
	*total = c;
	if (rc != PARSE_AGAIN)
		return rc;
	ck_assert_uint_eq(c, cut);
	c = 99;
	rc = parse(p, in + cut, len - cut, &c);
	ck_assert_uint_le(c, len - cut);
	*total += c;
	return rc;
}

static enum parse_rc feed_bytes(void *p, init_fn init, parse_fn parse, const char *in, size_t len,
				size_t *total)
{
	enum parse_rc rc = PARSE_AGAIN;
	size_t c;

	init(p);
	*total = 0;
	for (size_t i = 0; i < len && rc == PARSE_AGAIN; i++) {
		rc = parse(p, in + i, 1, &c);
		ck_assert_uint_eq(c, 1);
		*total += c;
	}
	return rc;
}

/* Every split and the byte-at-a-time feed end in want having consumed want_len bytes; a result
 * other than AGAIN is sticky and consumes nothing more. */
static void expect(void *p, init_fn init, parse_fn parse, const char *in, size_t len,
		   enum parse_rc want, size_t want_len)
{
	size_t total, c = 99;
	enum parse_rc rc;

	for (size_t cut = 0; cut <= len; cut++) {
		rc = feed_split(p, init, parse, in, len, cut, &total);
		ck_assert_msg(rc == want, "cut %zu: %s, want %s", cut, parse_rc_name(rc),
			      parse_rc_name(want));
		ck_assert_msg(total == want_len, "cut %zu: consumed %zu, want %zu", cut, total,
			      want_len);
	}
	rc = feed_bytes(p, init, parse, in, len, &total);
	ck_assert_int_eq(rc, want);
	ck_assert_uint_eq(total, want_len);
	if (want != PARSE_AGAIN) {
		ck_assert_int_eq(parse(p, in, len, &c), want);
		ck_assert_uint_eq(c, 0);
	}
}

static struct socks5_method_parser mp;
static struct socks5_auth_parser ap;
static struct socks5_connect_parser cp;

static void m_init_user(void *p)
{
	socks5_method_parser_init(p, true);
}

static void m_init_anon(void *p)
{
	socks5_method_parser_init(p, false);
}

static enum parse_rc m_parse(void *p, const char *b, size_t l, size_t *c)
{
	return socks5_parse_method(p, b, l, c);
}

static void a_init(void *p)
{
	socks5_auth_parser_init(p);
}

static enum parse_rc a_parse(void *p, const char *b, size_t l, size_t *c)
{
	return socks5_parse_auth(p, b, l, c);
}

static void c_init(void *p)
{
	socks5_connect_parser_init(p);
}

static enum parse_rc c_parse(void *p, const char *b, size_t l, size_t *c)
{
	return socks5_parse_connect(p, b, l, c);
}

#define BYTES(s) (s), (sizeof(s) - 1)

START_TEST(greeting)
{
	char buf[8];
	size_t len = 0;

	/* 2.2.2.5: "05 02 00 02" when a user is configured. */
	ck_assert_int_eq(socks5_write_greeting(true, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(buf, "\x05\x02\x00\x02", 4) == 0);
	ck_assert_int_eq(socks5_write_greeting(false, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(buf, "\x05\x01\x00", 3) == 0);
	ck_assert_int_eq(socks5_write_greeting(false, buf, 3, &len), -1);
}
END_TEST

START_TEST(userpass_request)
{
	char buf[SOCKS5_USERPASS_MAX], name[300];
	size_t len = 0;

	ck_assert_int_eq(socks5_write_userpass("joe", "s3cret", buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 12);
	ck_assert(memcmp(buf, "\x01\x03joe\x06s3cret", 12) == 0);
	/* An empty password goes as PLEN 0 (curl does the same). */
	ck_assert_int_eq(socks5_write_userpass("joe", "", buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 6);
	ck_assert(memcmp(buf, "\x01\x03joe\x00", 6) == 0);
	ck_assert_int_eq(socks5_write_userpass("", "pw", buf, sizeof buf, &len), -1);

	memset(name, 'u', 255);
	name[255] = '\0';
	ck_assert_int_eq(socks5_write_userpass(name, name, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, SOCKS5_USERPASS_MAX);
	ck_assert_uint_eq((unsigned char)buf[1], 255);
	ck_assert_uint_eq((unsigned char)buf[2 + 255], 255);
	ck_assert_int_eq(socks5_write_userpass(name, name, buf, SOCKS5_USERPASS_MAX - 1, &len), -1);
	name[255] = 'u';
	name[256] = '\0';
	ck_assert_int_eq(socks5_write_userpass(name, "pw", buf, sizeof buf, &len), -1);
	ck_assert_int_eq(socks5_write_userpass("joe", name, buf, sizeof buf, &len), -1);
}
END_TEST

START_TEST(connect_request_name)
{
	/* 2.2.2.5's example: DOMAINNAME monster2.relay.net, port 2492 (09 BC). */
	static const char want[] = "\x05\x01\x00\x03\x12"
				   "monster2.relay.net"
				   "\x09\xbc";
	char buf[SOCKS5_CONNECT_MAX], name[300];
	size_t len = 0;

	ck_assert_int_eq(socks5_write_connect_host("monster2.relay.net", 2492, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, sizeof want - 1);
	ck_assert(memcmp(buf, want, len) == 0);
	ck_assert_int_eq(socks5_write_connect_host("monster2.relay.net", 2492, buf, len - 1, &len),
			 -1);

	memset(name, 'a', 255);
	name[255] = '\0';
	ck_assert_int_eq(socks5_write_connect_host(name, 443, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, SOCKS5_CONNECT_MAX);
	ck_assert_uint_eq((unsigned char)buf[4], 255);
	ck_assert(memcmp(buf + len - 2, "\x01\xbb", 2) == 0);
	name[255] = 'a';
	name[256] = '\0';
	ck_assert_int_eq(socks5_write_connect_host(name, 443, buf, sizeof buf, &len), -1);
	ck_assert_int_eq(socks5_write_connect_host("", 443, buf, sizeof buf, &len), -1);
	ck_assert_int_eq(socks5_write_connect_host("a b", 443, buf, sizeof buf, &len), -1);
	ck_assert_int_eq(socks5_write_connect_host("a\nb", 443, buf, sizeof buf, &len), -1);
}
END_TEST

START_TEST(connect_request_literals)
{
	char buf[SOCKS5_CONNECT_MAX];
	size_t len = 0;

	ck_assert_int_eq(socks5_write_connect_host("10.150.2.110", 2492, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert(memcmp(buf, "\x05\x01\x00\x01\x0a\x96\x02\x6e\x09\xbc", 10) == 0);

	ck_assert_int_eq(socks5_write_connect_host("2001:db8::1", 1, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 22);
	ck_assert(memcmp(buf, "\x05\x01\x00\x04\x20\x01\x0d\xb8", 8) == 0);
	ck_assert(memcmp(buf + 8, "\0\0\0\0\0\0\0\0\0\0\0\x01\x00\x01", 14) == 0);

	ck_assert_int_eq(socks5_write_connect_host("[::1]", 80, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 22);
	ck_assert_uint_eq((unsigned char)buf[3], SOCKS5_ATYP_IPV6);
	ck_assert_uint_eq((unsigned char)buf[19], 1);

	/* Not literals: a name that looks almost like one goes as DOMAINNAME. */
	ck_assert_int_eq(socks5_write_connect_host("10.150.2", 2492, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq((unsigned char)buf[3], SOCKS5_ATYP_DOMAIN);
	ck_assert_int_eq(socks5_write_connect_host("[::1", 2492, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq((unsigned char)buf[3], SOCKS5_ATYP_DOMAIN);
}
END_TEST

START_TEST(connect_request_sockaddr)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(2492) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	char buf[SOCKS5_CONNECT_MAX];
	size_t len = 0;

	in.sin_addr.s_addr = htonl(0xc0000201); /* 192.0.2.1 */
	ck_assert_int_eq(socks5_write_connect_addr((struct sockaddr *)&in, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert(memcmp(buf, "\x05\x01\x00\x01\xc0\x00\x02\x01\x09\xbc", 10) == 0);
	ck_assert_int_eq(socks5_write_connect_addr((struct sockaddr *)&in, buf, 9, &len), -1);

	in6.sin6_addr.s6_addr[15] = 1;
	ck_assert_int_eq(socks5_write_connect_addr((struct sockaddr *)&in6, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, 22);
	ck_assert_uint_eq((unsigned char)buf[3], SOCKS5_ATYP_IPV6);
	ck_assert_uint_eq((unsigned char)buf[19], 1);
	ck_assert(memcmp(buf + 20, "\x01\xbb", 2) == 0);
	ck_assert_int_eq(socks5_write_connect_addr((struct sockaddr *)&un, buf, sizeof buf, &len),
			 -1);
}
END_TEST

START_TEST(method_reply)
{
	expect(&mp, m_init_user, m_parse, BYTES("\x05\x00"), PARSE_DONE, 2);
	ck_assert_uint_eq(mp.method, SOCKS5_METHOD_NONE);
	expect(&mp, m_init_user, m_parse, BYTES("\x05\x02"), PARSE_DONE, 2);
	ck_assert_uint_eq(mp.method, SOCKS5_METHOD_USERPASS);
	expect(&mp, m_init_anon, m_parse, BYTES("\x05\x00"), PARSE_DONE, 2);
	/* FF: the proxy takes none of ours (3.9.5.1.1); reported, the caller closes. */
	expect(&mp, m_init_anon, m_parse, BYTES("\x05\xff"), PARSE_DONE, 2);
	ck_assert_uint_eq(mp.method, SOCKS5_METHOD_NO_ACCEPTABLE);
	/* The tunnel's first bytes are never taken. */
	expect(&mp, m_init_user, m_parse, BYTES("\x05\x00\x05\x00\x00\x01"), PARSE_DONE, 2);
	/* Truncated. */
	expect(&mp, m_init_user, m_parse, BYTES("\x05"), PARSE_AGAIN, 1);
	expect(&mp, m_init_user, m_parse, "", 0, PARSE_AGAIN, 0);
}
END_TEST

START_TEST(method_reply_bad)
{
	/* 02 without a user configured: we did not offer it. */
	expect(&mp, m_init_anon, m_parse, BYTES("\x05\x02\xaa"), PARSE_BAD, 2);
	ck_assert_ptr_nonnull(mp.why);
	expect(&mp, m_init_user, m_parse, BYTES("\x05\x01"), PARSE_BAD, 2); /* GSSAPI */
	expect(&mp, m_init_user, m_parse, BYTES("\x05\x03"), PARSE_BAD, 2);
	expect(&mp, m_init_user, m_parse, BYTES("\x05\x80"), PARSE_BAD, 2);
	/* Wrong version: a SOCKS4 server, an HTTP proxy answering in text. */
	expect(&mp, m_init_user, m_parse, BYTES("\x04\x00"), PARSE_BAD, 1);
	expect(&mp, m_init_user, m_parse, BYTES("HTTP/1.1 400 Bad Request\r\n"), PARSE_BAD, 1);
	expect(&mp, m_init_user, m_parse, BYTES("\x00\x5a"), PARSE_BAD, 1);
}
END_TEST

START_TEST(auth_reply)
{
	expect(&ap, a_init, a_parse, BYTES("\x01\x00"), PARSE_DONE, 2);
	ck_assert_uint_eq(ap.status, 0);
	expect(&ap, a_init, a_parse, BYTES("\x01\x01"), PARSE_DONE, 2);
	ck_assert_uint_eq(ap.status, 1);
	expect(&ap, a_init, a_parse, BYTES("\x01\xff"), PARSE_DONE, 2);
	ck_assert_uint_eq(ap.status, 0xff);
	expect(&ap, a_init, a_parse, BYTES("\x01\x00\x05\x00\x00"), PARSE_DONE, 2);
	expect(&ap, a_init, a_parse, BYTES("\x01"), PARSE_AGAIN, 1);
	expect(&ap, a_init, a_parse, BYTES("\x05\x00"), PARSE_BAD, 1);
	ck_assert_ptr_nonnull(ap.why);
	expect(&ap, a_init, a_parse, BYTES("\x00\x00"), PARSE_BAD, 1);
}
END_TEST

/* Appends application bytes to a reply: only the reply may be consumed. */
static void expect_reply(const char *reply, size_t len)
{
	char buf[600];

	memcpy(buf, reply, len);
	memcpy(buf + len, "\x16\x03\x01SSTP", 7);
	for (size_t n = 0; n < len; n++) /* every truncation wants more */
		expect(&cp, c_init, c_parse, reply, n, PARSE_AGAIN, n);
	expect(&cp, c_init, c_parse, reply, len, PARSE_DONE, len);
	expect(&cp, c_init, c_parse, buf, len + 7, PARSE_DONE, len); /* cp keeps this parse */
}

START_TEST(connect_reply_ipv4)
{
	/* 2.2.2.5: success, bound to 10.150.2.110 port 1046. */
	expect_reply(BYTES("\x05\x00\x00\x01\x0a\x96\x02\x6e\x04\x16"));
	ck_assert_uint_eq(cp.rep, 0);
	ck_assert_uint_eq(cp.atyp, SOCKS5_ATYP_IPV4);
	ck_assert_uint_eq(cp.bnd_len, 4);
	ck_assert(memcmp(cp.bnd_addr, "\x0a\x96\x02\x6e", 4) == 0);
	ck_assert_uint_eq(cp.bnd_port, 1046);
}
END_TEST

START_TEST(connect_reply_ipv6)
{
	expect_reply(BYTES("\x05\x00\x00\x04"
			   "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
			   "\xff\xfe"));
	ck_assert_uint_eq(cp.atyp, SOCKS5_ATYP_IPV6);
	ck_assert_uint_eq(cp.bnd_len, 16);
	ck_assert_uint_eq(cp.bnd_addr[15], 7);
	ck_assert_uint_eq(cp.bnd_port, 65534);
}
END_TEST

START_TEST(connect_reply_domain)
{
	char reply[4 + 1 + 255 + 2];

	expect_reply(BYTES("\x05\x00\x00\x03\x0bproxy.local\x00\x50"));
	ck_assert_uint_eq(cp.atyp, SOCKS5_ATYP_DOMAIN);
	ck_assert_uint_eq(cp.bnd_len, 11);
	ck_assert_str_eq((const char *)cp.bnd_addr, "proxy.local");
	ck_assert_uint_eq(cp.bnd_port, 80);

	/* An empty name, and the longest one. */
	expect_reply(BYTES("\x05\x00\x00\x03\x00\x12\x34"));
	ck_assert_uint_eq(cp.bnd_len, 0);
	ck_assert_uint_eq(cp.bnd_port, 0x1234);
	memcpy(reply, "\x05\x00\x00\x03\xff", 5);
	memset(reply + 5, 'n', 255);
	memcpy(reply + 260, "\x00\x01", 2);
	expect_reply(reply, sizeof reply);
	ck_assert_uint_eq(cp.bnd_len, 255);
	ck_assert_uint_eq(strlen((const char *)cp.bnd_addr), 255);
	ck_assert_uint_eq(cp.bnd_port, 1);
}
END_TEST

START_TEST(connect_reply_failures)
{
	/* A failure is a complete reply like any other; REP says which. */
	for (unsigned rep = 1; rep <= 9; rep++) {
		char reply[10];
		memcpy(reply, "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
		reply[1] = (char)rep;
		expect_reply(reply, sizeof reply);
		ck_assert_uint_eq(cp.rep, rep);
	}
	/* RSV is not checked (curl does not either). */
	expect_reply(BYTES("\x05\x00\x7f\x01\x01\x02\x03\x04\x00\x01"));
}
END_TEST

START_TEST(connect_reply_bad)
{
	expect(&cp, c_init, c_parse, BYTES("\x04\x00\x00\x01\0\0\0\0\0\0"), PARSE_BAD, 1);
	ck_assert_ptr_nonnull(cp.why);
	ck_assert_int_eq(socks5_connect_partial_rep(&cp), -1);
	expect(&cp, c_init, c_parse, BYTES("\x00\x5a\x00\x00\0\0\0\0"), PARSE_BAD, 1);
	for (unsigned atyp = 0; atyp < 256; atyp++) {
		char reply[] = "\x05\x00\x00\x00\0\0\0\0\0\0";
		if (atyp == 1 || atyp == 3 || atyp == 4)
			continue;
		reply[3] = (char)atyp;
		expect(&cp, c_init, c_parse, reply, sizeof reply - 1, PARSE_BAD, 4);
	}
}
END_TEST

START_TEST(connect_reply_partial_rep)
{
	size_t c;

	socks5_connect_parser_init(&cp);
	ck_assert_int_eq(socks5_connect_partial_rep(&cp), -1);
	ck_assert_int_eq(socks5_parse_connect(&cp, "\x05", 1, &c), PARSE_AGAIN);
	ck_assert_int_eq(socks5_connect_partial_rep(&cp), -1);
	ck_assert_int_eq(socks5_parse_connect(&cp, "\x05", 1, &c), PARSE_AGAIN);
	ck_assert_int_eq(socks5_connect_partial_rep(&cp), 5);
}
END_TEST

START_TEST(rep_errno_and_text)
{
	static const int want[] = { 0,		ECONNREFUSED, EACCES,	     ENETUNREACH,
				    EHOSTUNREACH, ECONNREFUSED, ETIMEDOUT, EOPNOTSUPP,
				    EAFNOSUPPORT };

	for (unsigned rep = 0; rep < 9; rep++) {
		ck_assert_int_eq(socks5_rep_errno(rep), want[rep]);
		ck_assert_str_ne(socks5_rep_text(rep), "unassigned reply code");
	}
	ck_assert_str_eq(socks5_rep_text(5), "connection refused");
	for (unsigned rep = 9; rep < 256; rep++) {
		ck_assert_int_eq(socks5_rep_errno(rep), EPROTO);
		ck_assert_str_eq(socks5_rep_text(rep), "unassigned reply code");
	}
	ck_assert_str_eq(socks5_method_text(0xff), "no acceptable methods");
	ck_assert_str_eq(socks5_method_text(2), "username/password");
	ck_assert_str_eq(socks5_method_text(0x80), "unassigned method");
}
END_TEST

static Suite *socks5_suite(void)
{
	Suite *s = suite_create("socks5");
	TCase *t = tcase_create("write");

	tcase_add_test(t, greeting);
	tcase_add_test(t, userpass_request);
	tcase_add_test(t, connect_request_name);
	tcase_add_test(t, connect_request_literals);
	tcase_add_test(t, connect_request_sockaddr);
	suite_add_tcase(s, t);

	t = tcase_create("parse");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, method_reply);
	tcase_add_test(t, method_reply_bad);
	tcase_add_test(t, auth_reply);
	tcase_add_test(t, connect_reply_ipv4);
	tcase_add_test(t, connect_reply_ipv6);
	tcase_add_test(t, connect_reply_domain);
	tcase_add_test(t, connect_reply_failures);
	tcase_add_test(t, connect_reply_bad);
	tcase_add_test(t, connect_reply_partial_rep);
	tcase_add_test(t, rep_errno_and_text);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(socks5_suite());
}
