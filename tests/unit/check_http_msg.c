/* proto/http_msg: heads from MS-GRVHENC 2.2.2 and 4, what squid/nginx/ISA add, every input split
 * at every byte offset, caps reached without a terminator, and the writer. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http_msg.h"

#include "unit.h"
#include "unit_grvhenc.h"

/* Parses are compared through a text rendering of everything a head holds. */
#define DUMP_CAP (3 * CAP_HTTP_HEAD)

static void dump_add(char *out, size_t *len, const char *label, const char *s)
{
	int n = snprintf(out + *len, DUMP_CAP - *len, "%s=[%s]\n", label, s ? s : "(null)");
	ck_assert(n >= 0 && (size_t)n < DUMP_CAP - *len);
	*len += (size_t)n;
}

static void dump(const struct http_head *h, char *out)
{
	char num[64];
	size_t len = 0;

	snprintf(num, sizeof(num), "%d %u.%u %u", (int)h->kind, h->major, h->minor, h->status);
	out[0] = '\0';
	dump_add(out, &len, "first", num);
	dump_add(out, &len, "method", http_head_method(h));
	dump_add(out, &len, "target", http_head_target(h));
	dump_add(out, &len, "reason", http_head_reason(h));
	for (unsigned i = 0; i < http_head_count(h); i++)
		dump_add(out, &len, http_head_name(h, i), http_head_value(h, i));
}

/* Feeds in[0..cut) then in[cut..len); returns the result and the bytes consumed in total. */
static enum parse_rc feed2(struct http_parser *p, unsigned want, const char *in, size_t len,
			   size_t cut, size_t *total)
{
	size_t c1 = 0, c2 = 0;
	enum parse_rc rc;

	http_parser_init(p, want);
	rc = http_parse(p, in, cut, &c1);
	if (rc == PARSE_AGAIN) {
		ck_assert_uint_eq(c1, cut);
		rc = http_parse(p, in + cut, len - cut, &c2);
	}
	*total = c1 + c2;
	return rc;
}

/* Feeds one byte per call. */
static enum parse_rc feed_bytes(struct http_parser *p, unsigned want, const char *in, size_t len,
				size_t *total)
{
	enum parse_rc rc = PARSE_AGAIN;
	size_t i, c;

	http_parser_init(p, want);
	for (i = 0; i < len && rc == PARSE_AGAIN; i++) {
		rc = http_parse(p, in + i, 1, &c);
		ck_assert_uint_eq(c, 1);
	}
	*total = i;
	return rc;
}

static struct http_parser ref, alt;
static char ref_dump[DUMP_CAP], alt_dump[DUMP_CAP];

/* Parses in whole, byte by byte and (when short) split at every offset; all must agree on the
 * result, the bytes consumed and the head. Returns the head of the whole parse. */
static const struct http_head *parse_n(unsigned want, const char *in, size_t len,
				       enum parse_rc want_rc, size_t want_consumed)
{
	size_t total, c;
	enum parse_rc rc = feed2(&ref, want, in, len, len, &total);

	ck_assert_msg(rc == want_rc, "rc %s, expected %s for <%.60s>", parse_rc_name(rc),
		      parse_rc_name(want_rc), in);
	ck_assert_uint_eq(total, want_consumed);
	dump(&ref.head, ref_dump);
	if (rc != PARSE_AGAIN) { /* sticky */
		ck_assert_int_eq(http_parse(&ref, in, len, &c), want_rc);
		ck_assert_uint_eq(c, 0);
	}

	rc = feed_bytes(&alt, want, in, len, &total);
	ck_assert_int_eq(rc, want_rc);
	ck_assert_uint_eq(total, want_consumed);
	dump(&alt.head, alt_dump);
	if (rc == PARSE_DONE)
		ck_assert_str_eq(alt_dump, ref_dump);
	for (size_t cut = 0; len <= 4096 && cut <= len; cut++) {
		rc = feed2(&alt, want, in, len, cut, &total);
		ck_assert_msg(rc == want_rc, "cut %zu: rc %s", cut, parse_rc_name(rc));
		ck_assert_uint_eq(total, want_consumed);
		if (rc != PARSE_DONE)
			continue;
		dump(&alt.head, alt_dump);
		ck_assert_str_eq(alt_dump, ref_dump);
	}
	return http_parser_head(&ref);
}

static const struct http_head *parse_ok(unsigned want, const char *in)
{
	return parse_n(want, in, strlen(in), PARSE_DONE, strlen(in));
}

static void parse_fails(unsigned want, const char *in, enum parse_rc want_rc, size_t at)
{
	parse_n(want, in, strlen(in), want_rc, at);
}

/* --- responses -------------------------------------------------------------------------- */

START_TEST(connect_established)
{
	/* MS-GRVHENC 2.2.2.4 */
	const struct http_head *h = parse_ok(HTTP_RESPONSE, "HTTP/1.0 200 Connection established\r\n\r\n");

	ck_assert_int_eq(h->kind, HTTP_RESPONSE);
	ck_assert_uint_eq(h->major, 1);
	ck_assert_uint_eq(h->minor, 0);
	ck_assert_uint_eq(h->status, 200);
	ck_assert_str_eq(http_head_reason(h), "Connection established");
	ck_assert_ptr_null(http_head_method(h));
	ck_assert_ptr_null(http_head_target(h));
	ck_assert_uint_eq(http_head_count(h), 0);
	ck_assert_ptr_null(http_head_name(h, 0));
}
END_TEST

START_TEST(connect_then_application_bytes)
{
	/* 4.6: the 200 after NTLM, then the tunnelled bytes, which must not be consumed. */
	static const char head[] = "HTTP/1.1 200 Connection established\r\nVia: 1.1 SPIRIT1B\r\n\r\n";
	static const char app[] = "\x00\x01SSTP\r\n\r\nHTTP/1.0 200 OK\r\n\r\n";
	char in[256];
	size_t hl = sizeof(head) - 1;
	const struct http_head *h;

	memcpy(in, head, hl);
	memcpy(in + hl, app, sizeof(app) - 1);
	h = parse_n(HTTP_RESPONSE, in, hl + sizeof(app) - 1, PARSE_DONE, hl);
	ck_assert_uint_eq(h->status, 200);
	ck_assert_uint_eq(h->minor, 1);
	ck_assert_str_eq(http_head_get(h, "via"), "1.1 SPIRIT1B");

	/* Bare LF line ends stop just as exactly. */
	h = parse_n(HTTP_RESPONSE, "HTTP/1.0 200 OK\n\nDATA", 21, PARSE_DONE, 17);
	ck_assert_str_eq(http_head_reason(h), "OK");
}
END_TEST

static const char isa_407[] =
	"HTTP/1.1 407 ProxyAuthentication Required ( The ISA Server requires authorization to "
	"fulfill the request. Access to the Web proxy service is denied. )\r\n"
	"Via: 1.1 SPIRIT1B\r\n"
	"proxy-Authenticate: Negotiate\r\n"
	"proxy-Authenticate: Kerberos\r\n"
	"proxy-Authenticate: NTLM\r\n"
	"Connection: close\r\n"
	"proxy-Connection: close\r\n"
	"Pragma: no-cache\r\n"
	"Cache-Control: no-cache\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 701\r\n"
	"\r\n";

START_TEST(proxy_auth_407)
{
	/* MS-GRVHENC 4.6, first reply. */
	const struct http_head *h = parse_ok(HTTP_RESPONSE, isa_407);
	const char *v;
	uint64_t cl;

	ck_assert_uint_eq(h->status, 407);
	ck_assert_uint_eq(h->minor, 1);
	ck_assert_str_eq(http_head_reason(h),
			 "ProxyAuthentication Required ( The ISA Server requires authorization to "
			 "fulfill the request. Access to the Web proxy service is denied. )");
	ck_assert_uint_eq(http_head_count(h), 10);
	v = http_head_get(h, "Proxy-Authenticate");
	ck_assert_str_eq(v, "Negotiate");
	v = http_head_next(h, "PROXY-AUTHENTICATE", v);
	ck_assert_str_eq(v, "Kerberos");
	v = http_head_next(h, "proxy-authenticate", v);
	ck_assert_str_eq(v, "NTLM");
	ck_assert_ptr_null(http_head_next(h, "Proxy-Authenticate", v));
	ck_assert_ptr_null(http_head_next(h, "Proxy-Authenticate", "not from this head"));
	ck_assert(http_head_has_token(h, "Connection", "close"));
	ck_assert(http_head_has_token(h, "Proxy-Connection", "Close"));
	ck_assert(!http_head_has_token(h, "Connection", "keep-alive"));
	ck_assert_int_eq(http_head_content_length(h, &cl), 0);
	ck_assert_uint_eq(cl, 701);
	ck_assert_ptr_null(http_head_get(h, "Proxy-Authenticat"));
	ck_assert_ptr_null(http_head_get(h, "Proxy-Authenticatee"));
	ck_assert_str_eq(http_head_name(h, 1), "proxy-Authenticate");
}
END_TEST

START_TEST(proxy_auth_ntlm_challenge)
{
	/* 4.6, second reply: one challenge, keep-alive, empty body. */
	const struct http_head *h = parse_ok(
		HTTP_RESPONSE,
		"HTTP/1.1 407 ProxyAuthentication Required ( Access is denied. )\r\n"
		"Via: 1.1 SPIRIT1B\r\n"
		"proxy-Authenticate: NTLM TlRMTVNTUAACAAAADgAOADgAAAAFgomiuCDYHcYI/sAAAAAAAAAAAFQAVAB"
		"GAAAABQLODgAAAA9TAFAASQBSAEkAVAAxAEIAAgAQAFMAUABJAFIASQBUADEAQgABABAAUwBQAEkAUgBJAFQAM"
		"QBCAAQAEABzAHAAaQByAGkAdAAxAGIAAwAQAHMAcABpAHIAaQB0ADEAYgAAAAAA\r\n"
		"Connection: Keep-Alive\r\n"
		"proxy-Connection: Keep-Alive\r\n"
		"Pragma: no-cache\r\n"
		"Cache-Control: no-cache\r\n"
		"Content-Type: text/html\r\n"
		"Content-Length: 0\r\n"
		"\r\n");
	uint64_t cl = 99;

	ck_assert(strncmp(http_head_get(h, "Proxy-Authenticate"), "NTLM TlRMTVNTUAACAAAA", 21) == 0);
	ck_assert(http_head_has_token(h, "connection", "keep-alive"));
	ck_assert(!http_head_has_token(h, "connection", "close"));
	ck_assert_int_eq(http_head_content_length(h, &cl), 0);
	ck_assert_uint_eq(cl, 0);
}
END_TEST

START_TEST(relay_reply_through_squid)
{
	/* 2.2.2.2.3.1 as squid passes it on: Via, X-Cache, a date, mixed case. */
	static const char in[] = "HTTP/1.0 200 OK\r\n"
				 "Date: Wed, 26 Dec 2007 19:50:26 GMT\r\n"
				 "Server: Groove-Relay/12.0\r\n"
				 "connection: Keep-Alive\r\n"
				 "Content-Length: 15\r\n"
				 "X-Cache: MISS from squid.example\r\n"
				 "X-Cache-Lookup: MISS from squid.example:3128\r\n"
				 "Via: 1.0 squid.example (squid/5.7)\r\n"
				 "\r\n"
				 "<HTML></HTML>\r\n";
	const struct http_head *h = parse_n(HTTP_RESPONSE, in, sizeof(in) - 1, PARSE_DONE,
					    sizeof(in) - 1 - 15);
	uint64_t cl;

	ck_assert_uint_eq(http_head_count(h), 7);
	ck_assert_str_eq(http_head_get(h, "x-cache"), "MISS from squid.example");
	ck_assert_str_eq(http_head_get(h, "VIA"), "1.0 squid.example (squid/5.7)");
	ck_assert_str_eq(http_head_get(h, "Date"), "Wed, 26 Dec 2007 19:50:26 GMT");
	ck_assert_int_eq(http_head_content_length(h, &cl), 0);
	ck_assert_uint_eq(cl, 15);

	/* 2.2.2.1.3.2: the LongLived reply announces 2147479552 bytes. */
	h = parse_ok(HTTP_RESPONSE, "HTTP/1.0 200 OK\r\nDate: Wed, 26 Dec 2007 20:31:28 GMT\r\n"
				    "Server: Groove-Relay/12.0\r\nConnection: Keep-Alive\r\n"
				    "Content-Length: 2147479552\r\n\r\n");
	ck_assert_int_eq(http_head_content_length(h, &cl), 0);
	ck_assert_uint_eq(cl, 2147479552u);
}
END_TEST

START_TEST(status_line_forms)
{
	const struct http_head *h;

	h = parse_ok(HTTP_RESPONSE, "HTTP/1.1 204\r\n\r\n"); /* no reason at all */
	ck_assert_uint_eq(h->status, 204);
	ck_assert_str_eq(http_head_reason(h), "");
	h = parse_ok(HTTP_RESPONSE, "HTTP/1.1 200 \r\n\r\n"); /* empty reason */
	ck_assert_str_eq(http_head_reason(h), "");
	h = parse_ok(HTTP_RESPONSE, "HTTP/1.0 100 x\r\n\r\n");
	ck_assert_uint_eq(h->status, 100);
	h = parse_ok(HTTP_RESPONSE, "HTTP/1.0 999 \xc3\xa9t\xe9\tx\r\n\r\n"); /* obs-text, HTAB */
	ck_assert_uint_eq(h->status, 999);
	ck_assert_str_eq(http_head_reason(h), "\xc3\xa9t\xe9\tx");
	h = parse_ok(HTTP_RESPONSE, "HTTP/1.9 302 Moved Temporarily\r\nLocation: /x\r\n\r\n");
	ck_assert_uint_eq(h->minor, 9);
}
END_TEST

START_TEST(status_line_bad)
{
	/* A non-HTTP peer is refused on its first byte that cannot start "HTTP/". */
	parse_fails(HTTP_RESPONSE, "SSH-2.0-OpenSSH_9.2\r\n", PARSE_BAD, 1);
	parse_fails(HTTP_RESPONSE, "http/1.0 200 OK\r\n\r\n", PARSE_BAD, 1);
	parse_fails(HTTP_RESPONSE, "HTTPS/1.0 200 OK\r\n\r\n", PARSE_BAD, 5);
	parse_fails(HTTP_RESPONSE, "\x16\x03\x01\x02\x00", PARSE_BAD, 1); /* a TLS alert */
	parse_fails(HTTP_RESPONSE, "\r\nHTTP/1.0 200 OK\r\n\r\n", PARSE_BAD, 2);
	/* Malformed status lines are refused at their line end. */
	static const char *const bad[] = {
		"HTTP/1.0 20 OK",   "HTTP/1.0 2000 OK", "HTTP/1.0 099 Low", "HTTP/1.0 abc OK",
		"HTTP/1.0 -20 OK",  "HTTP/1.0 +20 OK",  "HTTP/1.0  200 OK", "HTTP/1.0 200OK",
		"HTTP/1.0\t200 OK", "HTTP/1.0200 OK",   "HTTP/2.0 200 OK",  "HTTP/0.9 200 OK",
		"HTTP/1 200 OK",    "HTTP/1.x 200 OK",  "HTTP/1.10 200 OK", "HTTP/11.0 200 OK",
		"HTTP/1.0",	    "HTTP/1.0 ",	"HTTP/",	    "HTTP/1.0 200\tOK",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char in[64];
		int n = snprintf(in, sizeof(in), "%s\r\n\r\n", bad[i]);
		parse_fails(HTTP_RESPONSE, in, PARSE_BAD, (size_t)n - 2);
	}
}
END_TEST

/* --- requests --------------------------------------------------------------------------- */

START_TEST(request_longlived_get_relative)
{
	/* 2.2.2.1.1.2, as a client connected directly sends it. */
	const struct http_head *h = parse_ok(HTTP_REQUEST, GRVHENC_LL_GET);
	const char *v;
	uint64_t cl;

	ck_assert_int_eq(h->kind, HTTP_REQUEST);
	ck_assert_str_eq(http_head_method(h), "GET");
	ck_assert_str_eq(http_head_target(h),
			 "/2.0/server.domain.net/hczn5kctbrpxfgkgxzs6zmkp9uwwsvszvs6f72,"
			 "ConnType=LongLived,ContentLength=2147479552");
	ck_assert_uint_eq(h->minor, 0);
	ck_assert_ptr_null(http_head_reason(h));
	ck_assert_uint_eq(h->status, 0);
	ck_assert_uint_eq(http_head_count(h), 8);
	v = http_head_get(h, "cache-control");
	ck_assert_str_eq(v, "no-cache");
	ck_assert_str_eq(http_head_next(h, "cache-control", v), "max-age=0");
	ck_assert(http_head_has_token(h, "Cache-Control", "max-age=0"));
	ck_assert_int_eq(http_head_content_length(h, &cl), -1);
}
END_TEST

START_TEST(request_absolute_through_proxies)
{
	/* 2.2.2.2.1.1 absolute form, as it reaches the relay after a chain of proxies: HTTP/1.1,
	 * lower case names, headers reordered, Via and X-Forwarded-For added. */
	const struct http_head *h = parse_ok(
		HTTP_REQUEST,
		"GET http://server.domain.net:80/2.0/server.domain.net/kicxp8rrgwqdwfh7c6xsgbagmcdnxm9"
		"phtvbj5a,ConnType=KeepAlive,ID=ugqrvphxsc2yqfjqh8ijah6crkziz8qrspvh9ja HTTP/1.1\r\n"
		"host: server.domain.net\r\n"
		"user-agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
		"accept: */*\r\n"
		"via: 1.1 squid.example (squid/5.7), 1.1 edge\r\n"
		"x-forwarded-for: 10.0.0.7, 192.0.2.1\r\n"
		"cache-control: no-cache, max-age=0\r\n"
		"connection: keep-alive\r\n"
		"\r\n");

	ck_assert_str_eq(http_head_method(h), "GET");
	ck_assert(strncmp(http_head_target(h), "http://server.domain.net:80/2.0/", 32) == 0);
	ck_assert_uint_eq(h->minor, 1);
	ck_assert_str_eq(http_head_get(h, "X-Forwarded-For"), "10.0.0.7, 192.0.2.1");
	ck_assert(http_head_has_token(h, "Via", "1.1 edge"));
	ck_assert(http_head_has_token(h, "Cache-Control", "no-cache"));
	ck_assert(http_head_has_token(h, "Connection", "Keep-Alive"));
	ck_assert_str_eq(http_head_get(h, "Host"), "server.domain.net");
}
END_TEST

START_TEST(request_polling_post)
{
	/* 2.2.2.3.1.4: the head ends where the Polling message begins. */
	static const char in[] =
		"POST / HTTP/1.0\r\n"
		"Accept: */*\r\n"
		"Content-Type: application/octet-stream\r\n"
		"User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
		"Host: 10.150.1.226\r\n"
		"Content-Length: 79\r\n"
		"Pragma: no-cache\r\n"
		"Cache-Control: no-cache\r\n"
		"Expires: 0\r\n"
		"Cache-Control: max-age=0\r\n"
		"\r\n"
		"1.2\0grooveDNS://server.domain.net\0a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi\0000\0000\0";
	const char *end = memmem(in, sizeof(in) - 1, "\r\n\r\n", 4);
	const struct http_head *h = parse_n(HTTP_REQUEST, in, sizeof(in) - 1, PARSE_DONE,
					    (size_t)(end + 4 - in));
	uint64_t cl;

	ck_assert_str_eq(http_head_method(h), "POST");
	ck_assert_str_eq(http_head_target(h), "/");
	ck_assert_int_eq(http_head_content_length(h, &cl), 0);
	ck_assert_uint_eq(cl, 79);
}
END_TEST

START_TEST(request_forms)
{
	const struct http_head *h;

	/* 2.2.2.4: authority form, and a value with no space after the colon. */
	h = parse_ok(HTTP_REQUEST, "CONNECT server.domain.net:443 HTTP/1.0\r\n"
				   "User-Agent:Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
				   "proxy-Connection: Keep-Alive\r\nPragma: no-cache\r\n\r\n");
	ck_assert_str_eq(http_head_method(h), "CONNECT");
	ck_assert_str_eq(http_head_target(h), "server.domain.net:443");
	ck_assert_str_eq(http_head_get(h, "user-agent"), "Mozilla/4.0 (compatible; MSIE 5.5; Win32)");
	/* Bare LF, empty lines before the request line (7230 3.5), OWS around values, empty value. */
	h = parse_ok(HTTP_REQUEST, "\r\n\nPOST /1.2.x?ID=1 HTTP/1.1\nA:\t x y \t\nB:\nC:  \n\n");
	ck_assert_str_eq(http_head_method(h), "POST");
	ck_assert_str_eq(http_head_target(h), "/1.2.x?ID=1");
	ck_assert_str_eq(http_head_get(h, "a"), "x y");
	ck_assert_str_eq(http_head_get(h, "b"), "");
	ck_assert_str_eq(http_head_get(h, "c"), "");
	ck_assert_str_eq(http_head_name(h, 2), "C");
	/* Either kind, told apart by the first line. */
	h = parse_ok(HTTP_REQUEST | HTTP_RESPONSE, "HTTP/1.0 200 OK\r\n\r\n");
	ck_assert_int_eq(h->kind, HTTP_RESPONSE);
	h = parse_ok(HTTP_REQUEST | HTTP_RESPONSE, "GET / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(h->kind, HTTP_REQUEST);
	/* A head copied by value keeps its strings. */
	static struct http_head copy;
	copy = *h;
	ck_assert_str_eq(http_head_target(&copy), "/");
}
END_TEST

START_TEST(request_line_bad)
{
	static const char *const bad[] = {
		"GET / HTTP/1.0 ",	"GET  / HTTP/1.0",     "GET /  HTTP/1.0",   " GET / HTTP/1.0",
		"GET /",		"GET / ",	       "GET",		    "GET /a b HTTP/1.0",
		"G(T / HTTP/1.0",	"GET\t/ HTTP/1.0",     "GET / HTTP/2.0",    "GET / http/1.0",
		"GET / HTTP/1.0x",	"GET /\x80 HTTP/1.0",  "GET / HTTP/1.",	    "HTTP/1.0 200 OK",
		"GET /\x7f HTTP/1.0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char in[64];
		int n = snprintf(in, sizeof(in), "%s\r\n\r\n", bad[i]);
		size_t at = (size_t)n - 2;
		if (strchr(bad[i], '\x7f'))
			at = (size_t)(strchr(bad[i], '\x7f') - bad[i]) + 1;
		parse_fails(HTTP_REQUEST, in, PARSE_BAD, at);
	}
	parse_fails(HTTP_RESPONSE, "GET / HTTP/1.0\r\n\r\n", PARSE_BAD, 1);
	parse_fails(HTTP_REQUEST | HTTP_RESPONSE, "<html>\r\n", PARSE_BAD, 8);
}
END_TEST

/* --- header fields ---------------------------------------------------------------------- */

START_TEST(field_bad)
{
	static const struct {
		const char *in;
		size_t at;
	} bad[] = {
		/* at 0: refused at the end of the first field line */
		{ "HTTP/1.0 200 OK\r\nVia: a\r\n folded\r\n\r\n", 26 }, /* obs-fold */
		{ "HTTP/1.0 200 OK\r\nVia: a\r\n\tfolded\r\n\r\n", 26 },
		{ "HTTP/1.0 200 OK\r\nNo colon here\r\n\r\n", 0 },
		{ "HTTP/1.0 200 OK\r\n: empty name\r\n\r\n", 0 },
		{ "HTTP/1.0 200 OK\r\nName : space before colon\r\n\r\n", 0 },
		{ "HTTP/1.0 200 OK\r\nName\t: tab\r\n\r\n", 0 },
		{ "HTTP/1.0 200 OK\r\nNa(me: x\r\n\r\n", 0 },
		{ "HTTP/1.0 200 OK\r\nName\r\n\r\n", 0 },
		{ "HTTP/1.0 200 OK\r\nA: b\rc\r\n\r\n", 23 },  /* bare CR */
		{ "HTTP/1.0 200 OK\r\nA: b\r\r\n\r\n", 23 },   /* CR CR */
		{ "HTTP/1.0 200 OK\r\nA: b\x01\r\n\r\n", 22 }, /* control */
		{ "HTTP/1.0 200 OK\r\nA: b\x7f\r\n\r\n", 22 }, /* DEL */
		{ "HTTP/1.0 200 OK\r\nA: b\x1b[0m\r\n\r\n", 22 },
		{ "HTTP/1.0 200 OK\r\n\r\r\n", 19 },
		{ "HTTP/1.0 200 OK\rX\r\n\r\n", 17 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t at = bad[i].at ? bad[i].at : (size_t)(strchr(bad[i].in + 17, '\n') - bad[i].in) + 1;
		parse_fails(HTTP_RESPONSE, bad[i].in, PARSE_BAD, at);
	}

	/* NUL, which strlen cannot carry. */
	static const char nul[] = "HTTP/1.0 200 OK\r\nA: b\0c\r\n\r\n";
	parse_n(HTTP_RESPONSE, nul, sizeof(nul) - 1, PARSE_BAD, 22);
	static const char nul_name[] = "GET / HTTP/1.0\r\nA\0: b\r\n\r\n";
	parse_n(HTTP_REQUEST, nul_name, sizeof(nul_name) - 1, PARSE_BAD, 18);
	static const char nul_line[] = "GET /\0 HTTP/1.0\r\n\r\n";
	parse_n(HTTP_REQUEST, nul_line, sizeof(nul_line) - 1, PARSE_BAD, 6);
}
END_TEST

START_TEST(truncated_heads_want_more)
{
	static const char *const parts[] = {
		"",
		"H",
		"HTTP/1.0 200 OK",
		"HTTP/1.0 200 OK\r",
		"HTTP/1.0 200 OK\r\n",
		"HTTP/1.0 200 OK\r\nA: b\r\n",
		"HTTP/1.0 200 OK\r\nA: b\r\n\r",
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		parse_fails(HTTP_RESPONSE, parts[i], PARSE_AGAIN, strlen(parts[i]));
	parse_fails(HTTP_REQUEST, "\r\n\r\n\r\n", PARSE_AGAIN, 6);
}
END_TEST

/* --- caps ------------------------------------------------------------------------------- */

static char big[2 * CAP_HTTP_HEAD];

START_TEST(endless_header_too_long)
{
	/* A peer that never ends its field: stopped at the cap, with no terminator in sight. */
	size_t n = (size_t)snprintf(big, sizeof(big), "HTTP/1.0 200 OK\r\nX-Pad: ");
	memset(big + n, 'a', sizeof(big) - n);
	parse_n(HTTP_RESPONSE, big, sizeof(big), PARSE_TOO_LONG, CAP_HTTP_HEAD + 1);
	/* Endless empty lines before a request. */
	for (size_t i = 0; i + 2 <= sizeof(big); i += 2)
		memcpy(big + i, "\r\n", 2);
	parse_n(HTTP_REQUEST, big, sizeof(big), PARSE_TOO_LONG, CAP_HTTP_HEAD + 1);
}
END_TEST

START_TEST(start_line_too_long)
{
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	parse_n(HTTP_REQUEST, big, sizeof(big), PARSE_TOO_LONG, CAP_HTTP_LINE + 1);
	memcpy(big, "HTTP/1.0 200 ", 13);
	parse_n(HTTP_RESPONSE, big, sizeof(big), PARSE_TOO_LONG, CAP_HTTP_LINE + 1);
	/* Exactly CAP_HTTP_LINE is still fine. */
	memcpy(big + CAP_HTTP_LINE, "\r\n\r\n", 4);
	parse_n(HTTP_RESPONSE, big, CAP_HTTP_LINE + 4, PARSE_DONE, CAP_HTTP_LINE + 4);
	memset(big, 'a', CAP_HTTP_LINE);
	memcpy(big, "GET /", 5);
	memcpy(big + CAP_HTTP_LINE - 9, " HTTP/1.1\r\n\r\n", 13);
	parse_n(HTTP_REQUEST, big, CAP_HTTP_LINE + 4, PARSE_DONE, CAP_HTTP_LINE + 4);
	ck_assert_uint_eq(strlen(http_head_target(http_parser_head(&ref))), CAP_HTTP_LINE - 13);
}
END_TEST

/* A response head of exactly total bytes: a status line, then fields of 300 to 599 bytes. */
static size_t build_head(size_t total, unsigned *nfields)
{
	size_t fields = total - 19, n = 17;

	memcpy(big, "HTTP/1.0 200 OK\r\n", 17);
	*nfields = 0;
	while (fields > 0) {
		size_t line = fields >= 600 ? 300 : fields;
		memcpy(big + n, "X:", 2);
		memset(big + n + 2, 'v', line - 4);
		memcpy(big + n + line - 2, "\r\n", 2);
		n += line;
		fields -= line;
		(*nfields)++;
	}
	memcpy(big + n, "\r\n", 2);
	return n + 2;
}

START_TEST(head_exactly_at_cap)
{
	unsigned nf;
	size_t len = build_head(CAP_HTTP_HEAD, &nf);
	const struct http_head *h;

	ck_assert_uint_eq(len, CAP_HTTP_HEAD);
	ck_assert_uint_le(nf, CAP_HTTP_HEADERS);
	h = parse_n(HTTP_RESPONSE, big, len, PARSE_DONE, len);
	ck_assert_uint_eq(http_head_count(h), nf);
	ck_assert_uint_le(h->used, CAP_HTTP_HEAD);
	len = build_head(CAP_HTTP_HEAD + 1, &nf);
	parse_n(HTTP_RESPONSE, big, len, PARSE_TOO_LONG, CAP_HTTP_HEAD + 1);
}
END_TEST

START_TEST(field_count_cap)
{
	size_t n = 17;

	memcpy(big, "HTTP/1.0 200 OK\r\n", 17);
	for (unsigned i = 0; i < CAP_HTTP_HEADERS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "H%u: %u\r\n", i, i);
	memcpy(big + n, "\r\n", 2);
	const struct http_head *h = parse_n(HTTP_RESPONSE, big, n + 2, PARSE_DONE, n + 2);
	ck_assert_uint_eq(http_head_count(h), CAP_HTTP_HEADERS);
	ck_assert_str_eq(http_head_get(h, "h63"), "63");
	memcpy(big + n, "Z: 1\r\n\r\n", 8);
	parse_n(HTTP_RESPONSE, big, n + 8, PARSE_TOO_LONG, n + 1);
}
END_TEST

/* --- Content-Length --------------------------------------------------------------------- */

static int cl_of(const char *fields, uint64_t *out)
{
	char in[512];

	snprintf(in, sizeof(in), "HTTP/1.0 200 OK\r\n%s\r\n", fields);
	return http_head_content_length(parse_ok(HTTP_RESPONSE, in), out);
}

START_TEST(content_length)
{
	static const struct {
		const char *fields;
		int rc;
		uint64_t v;
	} t[] = {
		{ "", -1, 0 },
		{ "Content-Type: text/html\r\n", -1, 0 },
		{ "Content-Length: 0\r\n", 0, 0 },
		{ "content-length:15\r\n", 0, 15 },
		{ "CONTENT-LENGTH: 007\r\n", 0, 7 },
		{ "Content-Length: 2147479552\r\n", 0, 2147479552u },
		{ "Content-Length: 9223372036854775807\r\n", 0, INT64_MAX },
		{ "Content-Length: 9223372036854775808\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 18446744073709551616\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 99999999999999999999999999\r\n", PARSE_BAD, 0 },
		{ "Content-Length: -1\r\n", PARSE_BAD, 0 },
		{ "Content-Length: +1\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 0x10\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 1 2\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 1.0\r\n", PARSE_BAD, 0 },
		{ "Content-Length:\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 5,\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 5\r\nContent-Length: 5\r\n", 0, 5 },
		{ "Content-Length: 5, 5\r\n", 0, 5 },
		{ "Content-Length: 5\r\nContent-Length: 6\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 5, 6\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 5\r\nContent-Length: -5\r\n", PARSE_BAD, 0 },
		{ "Content-Length: 5\r\nContent-Length:\r\n", PARSE_BAD, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 12345;
		int rc = cl_of(t[i].fields, &v);
		ck_assert_msg(rc == t[i].rc, "%s: rc %d", t[i].fields, rc);
		ck_assert_uint_eq(v, t[i].rc == 0 ? t[i].v : 12345);
	}
}
END_TEST

START_TEST(has_token)
{
	const struct http_head *h = parse_ok(HTTP_RESPONSE, "HTTP/1.1 200 OK\r\n"
							    "Connection: keep-alive , Upgrade,,\r\n"
							    "Connection: CLOSE\r\n"
							    "X: closed, unclose\r\n\r\n");

	ck_assert(http_head_has_token(h, "connection", "close"));
	ck_assert(http_head_has_token(h, "connection", "Keep-Alive"));
	ck_assert(http_head_has_token(h, "connection", "upgrade"));
	ck_assert(!http_head_has_token(h, "connection", "keep"));
	ck_assert(!http_head_has_token(h, "X", "close"));
	ck_assert(!http_head_has_token(h, "Proxy-Connection", "close"));
}
END_TEST

/* RFC 7230 3.3.3: Transfer-Encoding over Content-Length, chunked only as the last coding, and
 * neither: the body ends with the connection. */
START_TEST(framing)
{
	static const struct {
		const char *fields;
		enum http_framing f;
		uint64_t len;
	} t[] = {
		{ "Content-Length: 40960\r\n", HTTP_FRAMING_LENGTH, 40960 },
		{ "Content-Length: 0\r\n", HTTP_FRAMING_LENGTH, 0 },
		{ "Transfer-Encoding: chunked\r\n", HTTP_FRAMING_CHUNKED, 0 },
		{ "Transfer-Encoding: gzip, Chunked \r\n", HTTP_FRAMING_CHUNKED, 0 },
		{ "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", HTTP_FRAMING_CHUNKED, 0 },
		{ "Transfer-Encoding: chunked, gzip\r\n", HTTP_FRAMING_CLOSE, 0 },
		{ "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", HTTP_FRAMING_CLOSE, 0 },
		{ "Transfer-Encoding: chunked,\r\n", HTTP_FRAMING_CLOSE, 0 },
		{ "Transfer-Encoding: xchunked\r\n", HTTP_FRAMING_CLOSE, 0 },
		{ "", HTTP_FRAMING_CLOSE, 0 },
		{ "Content-Type: text/html\r\n", HTTP_FRAMING_CLOSE, 0 },
		{ "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", HTTP_FRAMING_BAD, 0 },
		{ "Transfer-Encoding: chunked\r\nContent-Length: x\r\n", HTTP_FRAMING_BAD, 0 },
		{ "Content-Length: -1\r\n", HTTP_FRAMING_BAD, 0 },
		{ "Content-Length: 5, 6\r\n", HTTP_FRAMING_BAD, 0 },
	};
	char in[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t len = 12345;
		snprintf(in, sizeof(in), "HTTP/1.1 407 x\r\n%s\r\n", t[i].fields);
		enum http_framing f = http_head_framing(parse_ok(HTTP_RESPONSE, in), &len);
		ck_assert_msg(f == t[i].f, "%s: framing %d", t[i].fields, (int)f);
		ck_assert_uint_eq(len, t[i].len);
	}
}
END_TEST

/* --- writing ---------------------------------------------------------------------------- */

START_TEST(write_connect_request)
{
	char buf[256];
	struct http_out o;
	size_t len;
	static const char want[] = "CONNECT server.domain.net:443 HTTP/1.0\r\n"
				   "User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
				   "Proxy-Connection: Keep-Alive\r\n"
				   "Pragma: no-cache\r\n"
				   "\r\n";

	http_out_init(&o, buf, sizeof(buf));
	http_out_request_line(&o, "CONNECT", "server.domain.net:443", 0);
	http_out_header(&o, "User-Agent", "Mozilla/4.0 (compatible; MSIE 5.5; Win32)");
	http_out_header(&o, "Proxy-Connection", "Keep-Alive");
	http_out_header(&o, "Pragma", "no-cache");
	http_out_end(&o);
	ck_assert_int_eq(http_out_finish(&o, &len), 0);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert(memcmp(buf, want, len) == 0);

	/* What is written parses back to the same. */
	const struct http_head *h = parse_n(HTTP_REQUEST, buf, len, PARSE_DONE, len);
	ck_assert_str_eq(http_head_target(h), "server.domain.net:443");
	ck_assert_str_eq(http_head_name(h, 1), "Proxy-Connection");
}
END_TEST

START_TEST(write_response_with_body)
{
	char buf[256];
	struct http_out o;
	size_t len;
	static const char want[] = "HTTP/1.0 200 OK\r\n"
				   "Server: Groove-Relay/12.0\r\n"
				   "Connection: Keep-Alive\r\n"
				   "Content-Length: 13\r\n"
				   "\r\n"
				   "<HTML></HTML>";

	http_out_init(&o, buf, sizeof(buf));
	http_out_status_line(&o, 0, 200, "OK");
	http_out_header(&o, "Server", "Groove-Relay/12.0");
	http_out_header(&o, "Connection", "Keep-Alive");
	http_out_header_u64(&o, "Content-Length", 13);
	http_out_end(&o);
	http_out_bytes(&o, "<HTML></HTML>", 13);
	ck_assert_int_eq(http_out_finish(&o, &len), 0);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert(memcmp(buf, want, len) == 0);

	http_out_init(&o, buf, sizeof(buf));
	http_out_status_line(&o, 1, 407, "Proxy Authentication Required");
	http_out_header_u64(&o, "Content-Length", UINT64_MAX);
	http_out_end(&o);
	ck_assert_int_eq(http_out_finish(&o, &len), 0);
	ck_assert(memcmp(buf, "HTTP/1.1 407 Proxy Authentication Required\r\n"
			      "Content-Length: 18446744073709551615\r\n\r\n", len) == 0);
}
END_TEST

START_TEST(write_overflow)
{
	static const char want[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	char buf[64];
	struct http_out o;
	size_t len = 77;

	for (size_t cap = 0; cap <= sizeof(want) - 1; cap++) {
		memset(buf, '#', sizeof(buf));
		http_out_init(&o, buf, cap);
		http_out_request_line(&o, "GET", "/", 1);
		http_out_header(&o, "Host", "h");
		http_out_end(&o);
		if (cap < sizeof(want) - 1) {
			ck_assert_int_eq(http_out_finish(&o, &len), -1);
			ck_assert(o.overflow);
			ck_assert_uint_eq(len, 77);
		} else {
			ck_assert_int_eq(http_out_finish(&o, &len), 0);
			ck_assert(memcmp(buf, want, len) == 0);
		}
		for (size_t i = cap; i < sizeof(buf); i++)
			ck_assert_int_eq(buf[i], '#');
	}
}
END_TEST

START_TEST(write_invalid)
{
	char buf[256];
	struct http_out o;
	size_t len;

	/* Each call alone must poison the message (header injection, broken lines). */
	for (int i = 0; i < 12; i++) {
		http_out_init(&o, buf, sizeof(buf));
		switch (i) {
		case 0: http_out_header(&o, "X", "a\r\nInjected: 1"); break;
		case 1: http_out_header(&o, "X", "a\nb"); break;
		case 2: http_out_header(&o, "Bad Name", "v"); break;
		case 3: http_out_header(&o, "", "v"); break;
		case 4: http_out_header(&o, "X:", "v"); break;
		case 5: http_out_request_line(&o, "GET", "/a b", 0); break;
		case 6: http_out_request_line(&o, "G T", "/", 0); break;
		case 7: http_out_request_line(&o, "GET", "", 0); break;
		case 8: http_out_request_line(&o, "GET", "/", 10); break;
		case 9: http_out_status_line(&o, 0, 99, "Low"); break;
		case 10: http_out_status_line(&o, 0, 1000, "High"); break;
		case 11: http_out_status_line(&o, 0, 200, "O\rK"); break;
		}
		http_out_end(&o);
		ck_assert_int_eq(http_out_finish(&o, &len), -1);
		ck_assert(o.invalid);
		ck_assert_uint_eq(o.len, 0);
	}
}
END_TEST

static Suite *http_msg_suite(void)
{
	Suite *s = suite_create("http_msg");
	TCase *t = tcase_create("parse");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, connect_established);
	tcase_add_test(t, connect_then_application_bytes);
	tcase_add_test(t, proxy_auth_407);
	tcase_add_test(t, proxy_auth_ntlm_challenge);
	tcase_add_test(t, relay_reply_through_squid);
	tcase_add_test(t, status_line_forms);
	tcase_add_test(t, status_line_bad);
	tcase_add_test(t, request_longlived_get_relative);
	tcase_add_test(t, request_absolute_through_proxies);
	tcase_add_test(t, request_polling_post);
	tcase_add_test(t, request_forms);
	tcase_add_test(t, request_line_bad);
	tcase_add_test(t, field_bad);
	tcase_add_test(t, truncated_heads_want_more);
	tcase_add_test(t, endless_header_too_long);
	tcase_add_test(t, start_line_too_long);
	tcase_add_test(t, head_exactly_at_cap);
	tcase_add_test(t, field_count_cap);
	tcase_add_test(t, content_length);
	tcase_add_test(t, has_token);
	tcase_add_test(t, framing);
	suite_add_tcase(s, t);

	t = tcase_create("write");
	tcase_add_test(t, write_connect_request);
	tcase_add_test(t, write_response_with_body);
	tcase_add_test(t, write_overflow);
	tcase_add_test(t, write_invalid);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(http_msg_suite());
}
