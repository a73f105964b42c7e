/* proto/longlived, proto/ll_uri, proto/guid: the LongLived messages of MS-GRVHENC 2.2.2.1 and 4.1
 * byte for byte in both directions, every head split at every offset, the relay's validation
 * (what proxies add, what must be refused), the echo handshake and GUIDs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/guid.h"
#include "proto/longlived.h"

#include "unit.h"
#include "unit_grvhenc.h"

static const char ex_get[] = GRVHENC_LL_GET;

/* 2.2.2.1.2.4, with the echo string's CRLF as the examples of 4.2 count it. */
static const char ex_post[] =
	"POST /2.0/server.domain.net/hc2n5kctbrpxfgkgxzqs6zmkp9uwwswwszvs6f72,ConnType=LongLived "
	"HTTP/1.0\r\n"
	"Accept: */*\r\n"
	"Content-Type: application/octet-stream\r\n"
	"User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
	"UserAgent: server.domain.net\r\n"
	"Content-Length: 2147479552\r\n"
	"Pragma: no-cache\r\n"
	"Cache-Control: no-cache\r\n"
	"Expires: 0\r\n"
	"Cache-Control: max-age=0\r\n"
	"\r\n"
	"GroovePing: 1.0,Ping\r\n";

static const char ex_get_response[] = GRVHENC_LL_GET_RESPONSE;

static const struct ll_request ex_get_req = {
	.kind = LL_GET,
	.relay = "10.150.1.226",
	.server_name = "server.domain.net",
	.guid = "hczn5kctbrpxfgkgxzs6zmkp9uwwsvszvs6f72",
	.content_length = LL_CONTENT_LENGTH,
};

static const struct ll_request ex_post_req = {
	.kind = LL_POST,
	.relay = "10.150.1.226",
	.server_name = "server.domain.net",
	.guid = "hc2n5kctbrpxfgkgxzqs6zmkp9uwwswwszvs6f72",
	.content_length = LL_CONTENT_LENGTH,
};

static void assert_bytes(const char *got, size_t len, const char *want)
{
	ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0, "got <%.*s>\nwant <%s>",
		      (int)len, got, want);
}

/* --- client writes ----------------------------------------------------------------------- */

/* The spec's GET and POST, each written from its request. */
static const struct {
	const struct ll_request *req;
	const char *want;
} examples[] = {
	{ &ex_get_req, ex_get },
	{ &ex_post_req, ex_post },
};

START_TEST(write_examples)
{
	char buf[CAP_LL_HEAD];
	size_t len;

	ck_assert_int_eq(ll_request_write(examples[_i].req, buf, sizeof buf, &len), 0);
	assert_bytes(buf, len, examples[_i].want);
}
END_TEST

START_TEST(write_absolute_uris)
{
	/* 2.2.2.1.1.1 and 2.2.2.1.2.1 (the example's ", ID=" written without the space, as the
	 * ABNF has it) */
	struct ll_request r = ex_get_req;
	char buf[CAP_LL_URI];
	size_t len;

	r.via_proxy = true;
	r.relay = "server.domain.net";
	r.guid = "hczn5kctbrpxfgkgxzs6zmkp9uwwsvszvs6f72";
	r.request_id = "ugqrpvphxsc2yqfjqh8ijah6crkziz8qrspvh9ja";
	ck_assert_int_eq(ll_uri_write(&r, buf, sizeof buf, &len), 0);
	assert_bytes(buf, len,
		     "http://server.domain.net/2.0/server.domain.net/hczn5kctbrpxfgkgxzs6zmkp9uwwsvszvs"
		     "6f72,ConnType=LongLived,ContentLength=2147479552,ID=ugqrpvphxsc2yqfjqh8ijah6crkz"
		     "iz8qrspvh9ja");
	r.kind = LL_POST;
	r.guid = "hc2n5kctbrpxfgkgxzqs6zmkp9uwwswwszvs6f72";
	r.request_id = "ugqrvphxsc2yqfjqh8ijah6crkziz8qrspvh9ja";
	ck_assert_int_eq(ll_uri_write(&r, buf, sizeof buf, &len), 0);
	assert_bytes(buf, len,
		     "http://server.domain.net/2.0/server.domain.net/hc2n5kctbrpxfgkgxzqs6zmkp9uwwsww"
		     "szvs6f72,ConnType=LongLived,ID=ugqrvphxsc2yqfjqh8ijah6crkziz8qrspvh9ja");
}
END_TEST

START_TEST(write_through_proxy_and_limits)
{
	struct ll_request r = ex_post_req;
	char buf[CAP_LL_HEAD];
	size_t len;

	r.via_proxy = true;
	r.host_on_post = true;
	r.relay = "relay.example:8080";
	r.request_id = "a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi";
	r.content_length = 1000;
	ck_assert_int_eq(ll_request_write(&r, buf, sizeof buf, &len), 0);
	assert_bytes(buf, len,
		     "POST http://relay.example:8080/2.0/server.domain.net/hc2n5kctbrpxfgkgxzqs6zmkp9u"
		     "wwswwszvs6f72,ConnType=LongLived,ID=a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi "
		     "HTTP/1.0\r\n"
		     "Accept: */*\r\n"
		     "Content-Type: application/octet-stream\r\n"
		     "User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
		     "UserAgent: server.domain.net\r\n"
		     "Host: relay.example:8080\r\n"
		     "Content-Length: 1000\r\n"
		     "Proxy-Connection: Keep-Alive\r\n"
		     "Pragma: no-cache\r\n"
		     "Cache-Control: no-cache\r\n"
		     "Expires: 0\r\n"
		     "Cache-Control: max-age=0\r\n"
		     "\r\n"
		     "GroovePing: 1.0,Ping\r\n");
	ck_assert_int_eq(ll_request_write(&r, buf, 100, &len), -1); /* does not fit */
	r.server_name = "evil\r\nX: y";                              /* header injection */
	ck_assert_int_eq(ll_request_write(&r, buf, sizeof buf, &len), -1);
	r.server_name = "";
	ck_assert_int_eq(ll_request_write(&r, buf, sizeof buf, &len), -1);
}
END_TEST

/* --- relay side: parse and validate ---------------------------------------------------- */

static struct http_parser parser;

/* Parses head in at every split (and byte by byte), checking that all agree, and validates it.
 * body: the bytes expected after the head. */
static enum ll_verdict check_request(const char *in, size_t len, const char *body,
				     struct ll_info *info)
{
	size_t head_len = len - strlen(body), c1, c2;
	enum ll_verdict v = LL_OK, v0 = LL_OK;
	const char *why;

	for (size_t cut = 0; cut <= len; cut++) {
		http_parser_init(&parser, HTTP_REQUEST);
		enum parse_rc rc = http_parse(&parser, in, cut, &c1);
		c2 = 0;
		if (rc == PARSE_AGAIN)
			rc = http_parse(&parser, in + cut, len - cut, &c2);
		ck_assert_msg(rc == PARSE_DONE, "cut %zu: %s", cut, parse_rc_name(rc));
		ck_assert_uint_eq(c1 + c2, head_len);
		v = ll_request_check(http_parser_head(&parser), info, &why);
		if (cut == 0)
			v0 = v;
		ck_assert_int_eq(v, v0);
	}
	return v;
}

START_TEST(check_get_example)
{
	struct ll_info info;

	ck_assert_int_eq(check_request(ex_get, strlen(ex_get), "", &info), LL_OK);
	ck_assert_int_eq(info.kind, LL_GET);
	ck_assert_str_eq(info.target.server_name, "server.domain.net");
	ck_assert_str_eq(info.target.guid, "hczn5kctbrpxfgkgxzs6zmkp9uwwsvszvs6f72");
	ck_assert_uint_eq(info.content_length, LL_CONTENT_LENGTH);
}
END_TEST

START_TEST(check_post_example)
{
	struct ll_info info;

	ck_assert_int_eq(check_request(ex_post, strlen(ex_post), LL_ECHO_LINE, &info), LL_OK);
	ck_assert_int_eq(info.kind, LL_POST);
	ck_assert_str_eq(info.target.guid, "hc2n5kctbrpxfgkgxzqs6zmkp9uwwswwszvs6f72");
	ck_assert_uint_eq(info.content_length, LL_CONTENT_LENGTH);
}
END_TEST

START_TEST(check_through_squid)
{
	/* what squid forwards: HTTP/1.1, absolute URI kept, fields reordered and added */
	static const char in[] =
		"POST http://127.0.0.1:8080/2.0/relay.test/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,"
		"ConnType=LongLived,ID=kicxp8rrgwqdwfh7c6xsgbagmcdnxm9phtvbj5a HTTP/1.1\r\n"
		"accept: */*\r\n"
		"CONTENT-LENGTH: 1000\r\n"
		"Via: 1.1 squid (squid/5.7)\r\n"
		"X-Forwarded-For: 127.0.0.1\r\n"
		"Cache-Control: max-age=259200\r\n"
		"Connection: keep-alive\r\n"
		"Host: 127.0.0.1:8080\r\n"
		"\r\n";
	struct ll_info info;

	ck_assert_int_eq(check_request(in, strlen(in), "", &info), LL_OK);
	ck_assert_int_eq(info.kind, LL_POST);
	ck_assert_str_eq(info.target.server_name, "relay.test");
	ck_assert_str_eq(info.target.guid, "a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi");
	ck_assert_uint_eq(info.content_length, 1000);
}
END_TEST

START_TEST(check_refusals)
{
	static const struct {
		const char *in;
		enum ll_verdict v;
	} cases[] = {
		{ "PUT /2.0/s/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,ConnType=LongLived HTTP/1.0\r\n"
		  "Content-Length: 5\r\n\r\n", LL_ERR_METHOD },
		{ "POST /2.0/s/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,ConnType=LongLived HTTP/1.0\r\n"
		  "\r\n", LL_ERR_PROTOCOL }, /* no Content-Length */
		{ "POST /2.0/s/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,ConnType=LongLived HTTP/1.0\r\n"
		  "Content-Length: 0\r\n\r\n", LL_ERR_PROTOCOL },
		{ "POST /2.0/s/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,ConnType=LongLived HTTP/1.0\r\n"
		  "Content-Length: 2147479553\r\n\r\n", LL_ERR_PROTOCOL },
		{ "POST /2.0/s/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,ConnType=LongLived HTTP/1.0\r\n"
		  "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", LL_ERR_PROTOCOL },
		{ "GET /2.0/s/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,ConnType=LongLived HTTP/1.0\r\n"
		  "\r\n", LL_ERR_PROTOCOL }, /* no ContentLength= */
		{ "GET /3.0/s/a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi,ConnType=LongLived,"
		  "ContentLength=5 HTTP/1.0\r\n\r\n", LL_ERR_VERSION },
		{ "GET / HTTP/1.0\r\n\r\n", LL_ERR_PROTOCOL },
	};
	struct ll_info info;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_int_eq(check_request(cases[i].in, strlen(cases[i].in), "", &info),
				 cases[i].v);
}
END_TEST

START_TEST(target_forms)
{
	static const struct {
		const char *target;
		enum ll_verdict v;
		unsigned long long cl;
	} cases[] = {
		/* 4.1 as printed: a space after each comma */
		{ "/2.0/server.domain.net/hczn5kctbrpxfgkgxzqs6zmkp9uwwsvszvs6f72, ConnType=LongLived, "
		  "ContentLength=2147479552", LL_OK, LL_CONTENT_LENGTH },
		{ "http://server.domain.net/2.0/server.domain.net/hczn5kctbrpxfgkgxzs6zmkp9uwwsvszvs6f7"
		  "2,ConnType=LongLived,ContentLength=2147479552, ID=ugqrpvphxsc2yqfjqh8ijah6crkziz8qrs"
		  "pvh9ja", LL_OK, LL_CONTENT_LENGTH },
		{ "HTTP://h:80/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,conntype=longlived", LL_OK, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ContentLength=7,ConnType=LongLived,X=1",
		  LL_OK, 7 },
		{ "/2.1/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived", LL_ERR_VERSION, 0 },
		{ "/1.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived", LL_ERR_VERSION, 0 },
		{ "/2/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=KeepAlive", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLivedX", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ContentLength=5", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/short,ConnType=LongLived", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzq-6zmkp9uwvswszvs6f72,ConnType=LongLived", LL_ERR_PROTOCOL, 0 },
		{ "/2.0//hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h%20x/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived", LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived,ContentLength=0",
		  LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived,ContentLength=-1",
		  LL_ERR_PROTOCOL, 0 },
		{ "/2.0/h/hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72,ConnType=LongLived,"
		  "ContentLength=18446744073709551617", LL_ERR_PROTOCOL, 0 },
		{ "http://h", LL_ERR_PROTOCOL, 0 },
		{ "", LL_ERR_PROTOCOL, 0 },
	};
	struct ll_target t;
	const char *why;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum ll_verdict v = ll_target_parse(cases[i].target, &t, &why);
		ck_assert_msg(v == cases[i].v, "case %zu: %d", i, (int)v);
		if (v == LL_OK)
			ck_assert_uint_eq(t.content_length, cases[i].cl);
	}
}
END_TEST

/* --- relay writes, client reads --------------------------------------------------------- */

START_TEST(write_get_response_example)
{
	char buf[CAP_LL_HEAD], date[LL_DATE_CAP];
	size_t len;

	ll_http_date(1198701088, date);
	ck_assert_str_eq(date, "Wed, 26 Dec 2007 20:31:28 GMT");
	ck_assert_int_eq(ll_get_response_write(buf, sizeof buf, &len, date, "Groove-Relay/12.0",
					       LL_CONTENT_LENGTH), 0);
	assert_bytes(buf, len, ex_get_response);
}
END_TEST

START_TEST(write_error_response)
{
	char buf[CAP_LL_HEAD];
	size_t len;

	ck_assert_int_eq(ll_error_response_write(buf, sizeof buf, &len, 400,
						 "Wed, 26 Dec 2007 20:31:28 GMT", "sstp-relay/1.0"), 0);
	assert_bytes(buf, len, "HTTP/1.0 400 Bad Request\r\n"
			       "Date: Wed, 26 Dec 2007 20:31:28 GMT\r\n"
			       "Server: sstp-relay/1.0\r\n"
			       "Connection: Keep-Alive\r\n"
			       "Content-Length: 0\r\n"
			       "\r\n");
	ck_assert_int_eq(ll_error_response_write(buf, sizeof buf, &len, 418, "d", "s"), -1);
	ck_assert_int_eq(ll_error_response_write(buf, sizeof buf, &len, 200, "d", "s"), -1);
	ck_assert_str_eq(ll_reason(407), "ProxyAuthentication Required");
}
END_TEST

/* The client's view of the GET response: head at every split, then the echo at every split. */
START_TEST(read_get_response_example)
{
	size_t len = strlen(ex_get_response), head_len = len - LL_ECHO_LINE_LEN;
	const char *why;

	for (size_t cut = 0; cut <= len; cut++) {
		size_t c1 = 0, c2 = 0, e1 = 0, e2 = 0, off;
		struct ll_echo e;
		enum parse_rc rc;

		http_parser_init(&parser, HTTP_RESPONSE);
		rc = http_parse(&parser, ex_get_response, cut, &c1);
		if (rc == PARSE_AGAIN)
			rc = http_parse(&parser, ex_get_response + cut, len - cut, &c2);
		ck_assert_int_eq(rc, PARSE_DONE);
		ck_assert_uint_eq(c1 + c2, head_len);
		ck_assert_int_eq(ll_response_check(http_parser_head(&parser), &why), LL_OK);
		ll_echo_init(&e);
		off = cut > head_len ? cut : head_len;
		rc = ll_echo_parse(&e, ex_get_response + head_len, off - head_len, &e1);
		if (rc == PARSE_AGAIN)
			rc = ll_echo_parse(&e, ex_get_response + off, len - off, &e2);
		ck_assert_int_eq(rc, PARSE_DONE);
		ck_assert_uint_eq(e1 + e2, LL_ECHO_LINE_LEN);
	}
}
END_TEST

START_TEST(response_statuses)
{
	static const char *const bad[] = {
		"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=x\r\n\r\n",
		"HTTP/1.0 502 Bad Gateway\r\n\r\n",
		"HTTP/1.0 302 Moved Temporarily\r\nLocation: /x\r\n\r\n",
	};
	const char *why;
	size_t c;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		http_parser_init(&parser, HTTP_RESPONSE);
		ck_assert_int_eq(http_parse(&parser, bad[i], strlen(bad[i]), &c), PARSE_DONE);
		ck_assert_int_eq(ll_response_check(http_parser_head(&parser), &why), LL_ERR_PROTOCOL);
	}
}
END_TEST

/* --- the echo string --------------------------------------------------------------------- */

START_TEST(echo_forms)
{
	static const struct {
		const char *in;
		enum parse_rc rc;
		size_t consumed;
	} cases[] = {
		{ "GroovePing: 1.0,Ping\r\nDATA", PARSE_DONE, 22 },
		{ "GroovePing: 1.0,Ping\nDATA", PARSE_DONE, 21 },
		{ "GroovePing: 1.0,PingDATA", PARSE_DONE, 20 }, /* the ABNF's form */
		{ "GroovePing: 1.0,Ping\r\n", PARSE_DONE, 22 },
		{ "GroovePing: 1.0,Ping", PARSE_AGAIN, 20 },
		{ "GroovePing: 1.0,Ping\r", PARSE_AGAIN, 21 },
		{ "GroovePing: 1.0,Ping\rX", PARSE_BAD, 22 },
		{ "GroovePing: 1.0,Pong\r\n", PARSE_BAD, 18 },
		{ "groovePing: 1.0,Ping\r\n", PARSE_BAD, 1 },
		{ "Groove", PARSE_AGAIN, 6 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *in = cases[i].in;
		size_t len = strlen(in);
		for (size_t cut = 0; cut <= len; cut++) {
			struct ll_echo e;
			size_t c1 = 0, c2 = 0;
			enum parse_rc rc;
			ll_echo_init(&e);
			rc = ll_echo_parse(&e, in, cut, &c1);
			if (rc == PARSE_AGAIN)
				rc = ll_echo_parse(&e, in + cut, len - cut, &c2);
			ck_assert_msg(rc == cases[i].rc, "case %zu cut %zu: %s", i, cut, parse_rc_name(rc));
			ck_assert_uint_eq(c1 + c2, cases[i].consumed);
			ck_assert(ll_echo_seen(&e) == (c1 + c2 >= LL_ECHO_LEN && rc != PARSE_BAD) ||
				  rc == PARSE_BAD);
		}
	}
}
END_TEST

/* --- GUIDs -------------------------------------------------------------------------------- */

START_TEST(guid_generated)
{
	static char seen[200][GUID_LEN + 1];

	for (unsigned i = 0; i < 200; i++) {
		ck_assert_int_eq(guid_generate(seen[i]), 0);
		ck_assert_uint_eq(strlen(seen[i]), GUID_LEN);
		ck_assert(guid_valid(seen[i], GUID_LEN));
		for (unsigned k = 0; k < GUID_LEN; k++)
			ck_assert(strchr("abcdefghijklmnopqrstuvwxyz0123456789", seen[i][k]));
		for (unsigned j = 0; j < i; j++)
			ck_assert_str_ne(seen[i], seen[j]);
	}
}
END_TEST

START_TEST(guid_accepted)
{
	/* the spec's examples, 37 to 40 characters */
	static const char *const ok[] = {
		"hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72", "hczn5kctbrpxfgkxzs6zmkp9uuvswszvs6f72",
		"hc2n5kctbrpxfgkgxzqs6zmkp9uwwswwszvs6f72", "kicxp8rrgwqdwfh7c6xsgbagmcdnxm9phtvbj5a",
		"HCZN5KCTBRPXFGKGXZQS6ZMKP9UWVSWSZVS6F72",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		ck_assert(guid_valid(ok[i], strlen(ok[i])));
	ck_assert(!guid_valid("hczn5kctbrpxfgkgxzqs6zmkp9uwvsw", 31));
	ck_assert(!guid_valid("hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f72hczn5kctbrpxfgkgxzqs6zmkp9u",
			      65));
	ck_assert(!guid_valid("hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f7.", 39));
	ck_assert(!guid_valid("hczn5kctbrpxfgkgxzqs6zmkp9uwvswszvs6f7\0", 39));
}
END_TEST

static Suite *longlived_suite(void)
{
	Suite *s = suite_create("longlived");
	TCase *t = tcase_create("client");

	tcase_set_timeout(t, 60);
	UNIT_ADD_TABLE(t, write_examples, examples);
	tcase_add_test(t, write_absolute_uris);
	tcase_add_test(t, write_through_proxy_and_limits);
	tcase_add_test(t, read_get_response_example);
	tcase_add_test(t, response_statuses);
	suite_add_tcase(s, t);
	t = tcase_create("relay");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, check_get_example);
	tcase_add_test(t, check_post_example);
	tcase_add_test(t, check_through_squid);
	tcase_add_test(t, check_refusals);
	tcase_add_test(t, target_forms);
	tcase_add_test(t, write_get_response_example);
	tcase_add_test(t, write_error_response);
	suite_add_tcase(s, t);
	t = tcase_create("echo_guid");
	tcase_add_test(t, echo_forms);
	tcase_add_test(t, guid_generated);
	tcase_add_test(t, guid_accepted);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(longlived_suite());
}
