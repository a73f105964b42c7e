/* proto/keepalive: the KeepAlive messages of MS-GRVHENC 2.2.2.2 and 4.2 byte for byte in both
 * directions, the relay's validation, the extension fields, and the message reader fed every
 * stream split at every byte offset. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/keepalive.h"

#define GUID_A "kicxp8rrgwqdwfh7c6xsgbagmcdnxm9phtvbj5a"
#define GUID_B "kicxp8rrgwqdwfhf7c6xsgbagmcdnxm9phtvbj5a"

/* 2.2.2.2.1.2 and 4.2 (the request line rejoined where the text copy wrapped it). */
static const char ex_get[] = "GET /2.0/server.domain.net/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
			     "Accept: */*\r\n"
			     "Content-Type: application/octet-stream\r\n"
			     "User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
			     "Host: 10.150.1.226\r\n"
			     "Pragma: no-cache\r\n"
			     "Cache-Control: no-cache\r\n"
			     "Expires: 0\r\n"
			     "Connection: Keep-Alive\r\n"
			     "Cache-Control: max-age=0\r\n"
			     "\r\n";

/* 2.2.2.2.3 and 4.2: the handshake POST, Content-Length 22 with the echo's CRLF. */
static const char ex_post[] =
	"POST /2.0/server.domain.net/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
	"Accept: */*\r\n"
	"Content-Type: application/octet-stream\r\n"
	"User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
	"UserAgent: server.domain.net\r\n"
	"Connection: Keep-Alive\r\n"
	"Content-Length: 22\r\n"
	"Pragma: no-cache\r\n"
	"Cache-Control: no-cache\r\n"
	"Expires: 0\r\n"
	"Cache-Control: max-age=0\r\n"
	"\r\n"
	"GroovePing: 1.0,Ping\r\n";

/* 4.2: a data POST head (Content-Length: 188, "Application-Data" stands for the body). */
static const char ex_post_data[] =
	"POST /2.0/server.domain.net/" GUID_B ",ConnType=KeepAlive HTTP/1.0\r\n"
	"Accept: */*\r\n"
	"Content-Type: application/octet-stream\r\n"
	"User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
	"UserAgent: server.domain.net\r\n"
	"Connection: Keep-Alive\r\n"
	"Content-Length: 188\r\n"
	"Pragma: no-cache\r\n"
	"Cache-Control: no-cache\r\n"
	"Expires: 0\r\n"
	"Cache-Control: max-age=0\r\n"
	"\r\n";

#define EX_DATE "Wed, 26 Dec 2007 19:50:26 GMT"
#define EX_SERVER "Groove-Relay/12.0"
#define EX_HEAD(cl) "HTTP/1.0 200 OK\r\nDate: " EX_DATE "\r\nServer: " EX_SERVER \
		    "\r\nConnection: Keep-Alive\r\nContent-Length: " cl "\r\n\r\n"

/* Our end of the server -> client stream (keepalive.h) */
#define EX_HEAD_END "HTTP/1.0 200 OK\r\nDate: " EX_DATE "\r\nServer: " EX_SERVER \
		    "\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\nX-Sstp-End: 1\r\n\r\n"

/* 2.2.2.2.4.2 and 4.2 */
static const char ex_post_response[] = EX_HEAD("15") "<HTML></HTML>\r\n";
/* 4.2 (2.2.2.2.3.1 says Content-Length: 15 for the same 22 octets, a slip) */
static const char ex_get_response[] = EX_HEAD("22") "GroovePing: 1.0,Ping\r\n";
/* 4.2: data on the GET session, and the empty answer to a data POST */
static const char ex_get_data_head[] = EX_HEAD("169");
static const char ex_post_data_response[] = EX_HEAD("0");

static struct ka_request ex_req(enum ll_kind kind, const char *guid)
{
	return (struct ka_request){ .kind = kind, .relay = "10.150.1.226",
				    .server_name = "server.domain.net", .guid = guid };
}

static void assert_bytes(const char *got, size_t len, const char *want)
{
	ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0, "got <%.*s>\nwant <%s>",
		      (int)len, got, want);
}

START_TEST(write_examples)
{
	char buf[CAP_LL_HEAD];
	size_t len;
	struct ka_request r = ex_req(LL_GET, GUID_A);

	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	assert_bytes(buf, len, ex_get);
	r = ex_req(LL_POST, GUID_A);
	r.handshake = true;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	assert_bytes(buf, len, ex_post);
	r = ex_req(LL_POST, GUID_B);
	r.body_len = 188;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	assert_bytes(buf, len, ex_post_data);
}
END_TEST

START_TEST(write_responses)
{
	char buf[CAP_LL_HEAD];
	size_t len;

	ck_assert_int_eq(ka_post_response_write(buf, sizeof buf, &len, EX_DATE, EX_SERVER, true), 0);
	assert_bytes(buf, len, ex_post_response);
	ck_assert_int_eq(ka_post_response_write(buf, sizeof buf, &len, EX_DATE, EX_SERVER, false), 0);
	assert_bytes(buf, len, ex_post_data_response);
	ck_assert_int_eq(
		ka_get_response_write(buf, sizeof buf, &len, EX_DATE, EX_SERVER, true, 0, false), 0);
	assert_bytes(buf, len, ex_get_response);
	ck_assert_int_eq(
		ka_get_response_write(buf, sizeof buf, &len, EX_DATE, EX_SERVER, false, 169, false), 0);
	assert_bytes(buf, len, ex_get_data_head);
	ck_assert_int_eq(
		ka_get_response_write(buf, sizeof buf, &len, EX_DATE, EX_SERVER, false, 0, true), 0);
	assert_bytes(buf, len, EX_HEAD_END);
	/* never an empty data response (3.3.5.2.1.2), never one over the chunk size (3.4.4.3) */
	ck_assert_int_eq(
		ka_get_response_write(buf, sizeof buf, &len, EX_DATE, EX_SERVER, false, 0, false), -1);
	ck_assert_int_eq(ka_get_response_write(buf, sizeof buf, &len, EX_DATE, EX_SERVER, false,
					       KA_CHUNK_MAX + 1, false), -1);
}
END_TEST

START_TEST(write_through_proxy_and_extensions)
{
	char buf[CAP_LL_HEAD];
	size_t len;
	struct ka_request r = ex_req(LL_GET, GUID_A);

	r.relay = "relay.example:8080";
	r.via_proxy = true;
	r.request_id = "ugqrvphxsc2yqfjqh8ijah6crkziz8qrspvh9ja";
	ck_assert_int_eq(ka_uri_write(&r, buf, sizeof buf, &len), 0);
	/* 2.2.2.2.1.1, with our relay's authority */
	assert_bytes(buf, len, "http://relay.example:8080/2.0/server.domain.net/" GUID_A
			       ",ConnType=KeepAlive,ID=ugqrvphxsc2yqfjqh8ijah6crkziz8qrspvh9ja");
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	buf[len] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "Connection: Keep-Alive\r\nProxy-Connection: Keep-Alive\r\n"));
	r.request_id = NULL;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), -1);
	r = ex_req(LL_POST, GUID_A);
	r.body_len = 5;
	r.has_offset = true;
	r.offset = 123456789012ull;
	r.host_on_post = true;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	buf[len] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "UserAgent: server.domain.net\r\nHost: 10.150.1.226\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "max-age=0\r\nX-Sstp-Offset: 123456789012\r\n\r\n"));
	r.end = true;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), -1); /* end has no body */
	r.body_len = 0;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	buf[len] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "Content-Length: 0\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "X-Sstp-End: 1\r\n\r\n"));
	r.end = false;
	r.body_len = KA_CHUNK_MAX + 1;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), -1);
}
END_TEST

/* 3.3.4.7.2, 3.3.5.3.2: through an authenticating proxy every request carries the credentials,
 * after the other fields and before the handshake POST's echo body; none when not given. */
START_TEST(write_proxy_credentials)
{
	char buf[CAP_LL_HEAD];
	size_t len;
	struct ka_request r = ex_req(LL_GET, GUID_A);

	r.auth_field = "Proxy-Authorization";
	r.auth_value = "Basic YWxpY2U6czNjcmV0";
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	buf[len] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "max-age=0\r\nProxy-Authorization: Basic "
					  "YWxpY2U6czNjcmV0\r\n\r\n"));
	r.kind = LL_POST;
	r.handshake = true;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	buf[len] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "YWxpY2U6czNjcmV0\r\n\r\n" LL_ECHO_LINE));
	r.auth_value = "Basic a\r\nX: y"; /* never a field smuggled in */
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), -1);
	r.auth_value = NULL;
	ck_assert_int_eq(ka_request_write(&r, buf, sizeof buf, &len), 0);
	buf[len] = '\0';
	ck_assert_ptr_null(strstr(buf, "Authorization"));
}
END_TEST

/* Parses text as one request head and checks it. */
static enum ll_verdict check_text(const char *text, struct ka_info *info, const char **why)
{
	static struct http_parser p;
	size_t used;

	http_parser_init(&p, HTTP_REQUEST);
	ck_assert_int_eq(http_parse(&p, text, strlen(text), &used), PARSE_DONE);
	*why = "";
	return ka_request_check(http_parser_head(&p), info, why);
}

START_TEST(check_examples)
{
	struct ka_info info;
	const char *why;

	ck_assert_int_eq(check_text(ex_get, &info, &why), LL_OK);
	ck_assert_int_eq(info.kind, LL_GET);
	ck_assert_str_eq(info.target.guid, GUID_A);
	ck_assert_str_eq(info.target.server_name, "server.domain.net");
	ck_assert(!info.close_after);
	ck_assert_int_eq(check_text(ex_post, &info, &why), LL_OK);
	ck_assert_int_eq(info.kind, LL_POST);
	ck_assert_uint_eq(info.content_length, 22);
	ck_assert(!info.has_offset && !info.end);
	ck_assert_int_eq(check_text(ex_post_data, &info, &why), LL_OK);
	ck_assert_uint_eq(info.content_length, 188);
	ck_assert(ka_target_is_keepalive("/2.0/s/" GUID_A ",ConnType=KeepAlive"));
	ck_assert(ka_target_is_keepalive("http://r/2.0/s/" GUID_A ", conntype=keepalive,ID=x"));
	ck_assert(!ka_target_is_keepalive("/2.0/s/" GUID_A ",ConnType=LongLived,ContentLength=9"));
	ck_assert(!ka_target_is_keepalive("/2.0/s/" GUID_A ",ConnType=KeepAliveX"));
}
END_TEST

START_TEST(check_proxied_and_extensions)
{
	struct ka_info info;
	const char *why;

	/* what nginx forwards: HTTP/1.0, Connection: close, X-Forwarded-For */
	ck_assert_int_eq(check_text("POST /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
				    "Host: r\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n"
				    "Content-Length: 3\r\nX-Sstp-Offset: 77\r\n\r\n",
				    &info, &why),
			 LL_OK);
	ck_assert(info.close_after && info.has_offset);
	ck_assert_uint_eq(info.offset, 77);
	/* squid: absolute URI with ID=, HTTP/1.1, Via */
	ck_assert_int_eq(check_text("GET http://r:80/2.0/s/" GUID_A ",ConnType=KeepAlive,ID=abc "
				    "HTTP/1.1\r\nHost: r\r\nVia: 1.1 squid\r\n\r\n",
				    &info, &why),
			 LL_OK);
	ck_assert(!info.close_after);
	ck_assert_int_eq(check_text("GET /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n\r\n",
				    &info, &why),
			 LL_OK);
	ck_assert(info.close_after); /* HTTP/1.0 without keep-alive */
	ck_assert_int_eq(check_text("POST /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
				    "Content-Length: 0\r\nX-Sstp-Offset: 5\r\nX-Sstp-End: 1\r\n\r\n",
				    &info, &why),
			 LL_OK);
	ck_assert(info.end && info.offset == 5);
}
END_TEST

START_TEST(check_refusals)
{
	struct ka_info info;
	const char *why;

	ck_assert_int_eq(check_text("PUT /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n\r\n",
				    &info, &why),
			 LL_ERR_METHOD);
	ck_assert_int_eq(check_text("GET /2.1/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n\r\n",
				    &info, &why),
			 LL_ERR_VERSION);
	ck_assert_int_eq(check_text("GET /2.0/s/" GUID_A ",ConnType=LongLived HTTP/1.0\r\n\r\n",
				    &info, &why),
			 LL_ERR_PROTOCOL);
	ck_assert_int_eq(check_text("GET /2.0/s/short,ConnType=KeepAlive HTTP/1.0\r\n\r\n", &info,
				    &why),
			 LL_ERR_PROTOCOL);
	ck_assert_int_eq(check_text("POST /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n\r\n",
				    &info, &why),
			 LL_ERR_PROTOCOL); /* no Content-Length */
	ck_assert_int_eq(check_text("POST /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
				    "Content-Length: 32769\r\n\r\n",
				    &info, &why),
			 LL_ERR_PROTOCOL);
	ck_assert_int_eq(check_text("POST /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
				    "Content-Length: 1\r\nX-Sstp-Offset: -1\r\n\r\n",
				    &info, &why),
			 LL_ERR_PROTOCOL);
	ck_assert_int_eq(check_text("POST /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
				    "Content-Length: 1\r\nX-Sstp-Offset: 99999999999999999999\r\n\r\n",
				    &info, &why),
			 LL_ERR_PROTOCOL);
	ck_assert_int_eq(check_text("POST /2.0/s/" GUID_A ",ConnType=KeepAlive HTTP/1.0\r\n"
				    "Content-Length: 1\r\nX-Sstp-End: 1\r\n\r\n",
				    &info, &why),
			 LL_ERR_PROTOCOL);
}
END_TEST

START_TEST(body_forms)
{
	ck_assert(ka_body_is(KA_NO_DATA, "<HTML></HTML>", 13));
	ck_assert(ka_body_is(KA_NO_DATA, "<HTML></HTML>\r\n", 15));
	ck_assert(ka_body_is(KA_NO_DATA, "<HTML></HTML>\n", 14));
	ck_assert(!ka_body_is(KA_NO_DATA, "<HTML></HTML>\r", 14));
	ck_assert(!ka_body_is(KA_NO_DATA, "<HTML></HTML>x", 14));
	ck_assert(!ka_body_is(KA_NO_DATA, "<HTML></HTML", 12));
	ck_assert(ka_body_is(LL_ECHO, "GroovePing: 1.0,Ping\r\n", 22));
	ck_assert(!ka_body_is(LL_ECHO, "GroovePing: 1.0,Pong\r\n", 22));
}
END_TEST

/* What the reader made of a stream: "H<status>" per head, the bodies, "E" per end. */
struct seen {
	char text[CAP_PROXY_AUTH_BODY + 8192];
	size_t len;
	int bad;
};

static void seen_add(struct seen *s, const char *p, size_t n)
{
	ck_assert(s->len + n < sizeof s->text);
	memcpy(s->text + s->len, p, n);
	s->len += n;
}

/* Feeds stream in two pieces split at cut. */
static void read_split(const char *stream, size_t len, size_t cut, unsigned want, struct seen *s)
{
	static struct ka_reader r;
	const char *why;
	size_t piece[2] = { cut, len - cut }, off = 0;

	ka_reader_init(&r, want);
	memset(s, 0, sizeof *s);
	for (int k = 0; k < 2 && !s->bad; k++) {
		const char *p = stream + off;
		size_t left = piece[k], used;
		for (;;) {
			enum ka_step st = ka_reader_feed(&r, p, left, &used, &why);
			char tag[16];
			if (st == KA_STEP_AGAIN)
				break;
			if (st == KA_STEP_BAD) {
				s->bad = 1;
				break;
			}
			if (st == KA_STEP_HEAD) {
				int n = snprintf(tag, sizeof tag, "H%u|", ka_reader_head(&r)->status);
				seen_add(s, tag, (size_t)n);
			} else if (st == KA_STEP_BODY) {
				seen_add(s, p, used);
			} else { /* the head is still there at the end (X-Sstp-End) */
				int n = snprintf(tag, sizeof tag, "|E%u", ka_reader_head(&r)->status);
				seen_add(s, tag, (size_t)n);
			}
			p += used;
			left -= used;
		}
		off += piece[k];
	}
}

START_TEST(reader_every_split)
{
	char stream[4096];
	size_t n = 0;
	struct seen s;
	const char *want = "H200|<HTML></HTML>\r\n|E200H200||E200H200|GroovePing: 1.0,Ping\r\n|E200"
			   "H200|abc|E200";

	n += (size_t)snprintf(stream + n, sizeof stream - n, "%s%s%s%sabc", ex_post_response,
			      ex_post_data_response, ex_get_response, EX_HEAD("3"));
	for (size_t cut = 0; cut <= n; cut++) {
		read_split(stream, n, cut, HTTP_RESPONSE, &s);
		ck_assert_msg(!s.bad, "cut %zu", cut);
		ck_assert_msg(s.len == strlen(want) && memcmp(s.text, want, s.len) == 0,
			      "cut %zu: %.*s", cut, (int)s.len, s.text);
	}
	/* requests on a kept-alive POST session: the handshake, then a chunk */
	n = (size_t)snprintf(stream, sizeof stream, "%s%s", ex_post, ex_post_data);
	memset(stream + n, 'x', 188);
	n += 188;
	for (size_t cut = 0; cut <= n; cut += 7) {
		read_split(stream, n, cut, HTTP_REQUEST, &s);
		ck_assert_msg(!s.bad, "cut %zu", cut);
		ck_assert_uint_eq(s.len, 3 + 22 + 3 + 3 + 188 + 3); /* "H0|", "|E0" per request */
	}
}
END_TEST

START_TEST(reader_refusals)
{
	struct seen s;
	static const char no_cl[] = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n";
	static const char big[] = "HTTP/1.0 200 OK\r\nContent-Length: 32769\r\n\r\n";
	static const char garbage[] = "SSH-2.0-OpenSSH\r\n";
	char *huge = malloc(CAP_HTTP_HEAD + 100);

	read_split(no_cl, strlen(no_cl), 3, HTTP_RESPONSE, &s);
	ck_assert(s.bad);
	read_split(big, strlen(big), 10, HTTP_RESPONSE, &s);
	ck_assert(s.bad);
	read_split(garbage, strlen(garbage), 1, HTTP_RESPONSE, &s);
	ck_assert(s.bad);
	/* a head that never ends is refused at the cap, not buffered */
	memcpy(huge, "HTTP/1.0 200 OK\r\nX: ", 20);
	memset(huge + 20, 'a', CAP_HTTP_HEAD + 79);
	huge[CAP_HTTP_HEAD + 99] = 'a';
	read_split(huge, CAP_HTTP_HEAD + 100, 100, HTTP_RESPONSE, &s);
	ck_assert(s.bad);
	free(huge);
}
END_TEST

/* 3.3.5.1.3, 3.3.5.2.3: a proxy's 401/407 page framed as HTTP frames it -- chunked (read through
 * its last chunk, then the next response), over 32768 octets by Content-Length -- passed on as it
 * comes, never held. */
#define PAGE_CHUNKED "HTTP/1.1 407 Proxy Authentication Required\r\nTransfer-Encoding: chunked\r\n\r\n"
#define CHUNKS "7;ext=1\r\n<html>x\r\n1\r\ny\r\n0\r\nX-T: 1\r\n\r\n"
#define PAGE_BIG "HTTP/1.1 401 Unauthorized\r\nContent-Length: 40000\r\n\r\n"

static char page_stream[48000];

START_TEST(reader_challenge_pages_every_split)
{
	static char want[48000];
	struct seen s;
	size_t n, w, cut;

	n = (size_t)snprintf(page_stream, sizeof page_stream, "%s%s%s", PAGE_CHUNKED CHUNKS,
			     ex_post_data_response, PAGE_CHUNKED "0\r\n\r\n");
	w = (size_t)snprintf(want, sizeof want, "H407|%s|E407H200||E200H407|0\r\n\r\n|E407",
			     CHUNKS);
	for (cut = 0; cut <= n; cut++) {
		read_split(page_stream, n, cut, HTTP_RESPONSE, &s);
		ck_assert_msg(!s.bad, "cut %zu", cut);
		ck_assert_msg(s.len == w && memcmp(s.text, want, w) == 0, "cut %zu: %.*s", cut,
			      (int)s.len, s.text);
	}
	n = (size_t)snprintf(page_stream, sizeof page_stream, "%s", PAGE_BIG);
	memset(page_stream + n, 'p', 40000);
	n += 40000;
	n += (size_t)snprintf(page_stream + n, sizeof page_stream - n, "%s", ex_post_data_response);
	w = (size_t)snprintf(want, sizeof want, "H401|");
	memset(want + w, 'p', 40000);
	w += 40000;
	w += (size_t)snprintf(want + w, sizeof want - w, "|E401H200||E200");
	for (cut = 0; cut <= n; cut += cut < 100 || cut > n - 200 ? 1 : 97) {
		read_split(page_stream, n, cut, HTTP_RESPONSE, &s);
		ck_assert_msg(!s.bad, "cut %zu", cut);
		ck_assert_msg(s.len == w && memcmp(s.text, want, w) == 0, "cut %zu", cut);
	}
}
END_TEST

/* A page that ends with the connection never ends here; one that passes CAP_PROXY_AUTH_BODY, or
 * comes malformed, is refused as it comes, whatever it announced. */
START_TEST(reader_challenge_pages_refused)
{
	static const char until_close[] = "HTTP/1.0 407 x\r\n\r\n<html>";
	static const char bad_chunk[] = PAGE_CHUNKED "7\r\n<html>xZ\r\n";
	static const char both[] = "HTTP/1.1 407 x\r\nContent-Length: 5\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
	static const char huge_cl[] = "HTTP/1.1 407 x\r\nContent-Length: 99999999\r\n\r\n";
	static char big[CAP_PROXY_AUTH_BODY + 4096];
	struct seen s;
	size_t n, cut;

	for (cut = 0; cut <= strlen(until_close); cut++) {
		read_split(until_close, strlen(until_close), cut, HTTP_RESPONSE, &s);
		ck_assert(!s.bad);
		ck_assert_uint_eq(s.len, 5 + 6);
		ck_assert(memcmp(s.text, "H407|<html>", 11) == 0); /* no end */
	}
	for (cut = 0; cut <= strlen(bad_chunk); cut++) {
		read_split(bad_chunk, strlen(bad_chunk), cut, HTTP_RESPONSE, &s);
		ck_assert_msg(s.bad, "cut %zu", cut);
	}
	read_split(both, strlen(both), 7, HTTP_RESPONSE, &s);
	ck_assert(s.bad && s.len == 0);
	/* chunk after chunk, never the last: refused at the cap */
	n = (size_t)snprintf(big, sizeof big, "%s", PAGE_CHUNKED);
	while (n + 1100 < sizeof big) {
		n += (size_t)snprintf(big + n, sizeof big - n, "400\r\n");
		memset(big + n, 'c', 1024);
		n += 1024;
		n += (size_t)snprintf(big + n, sizeof big - n, "\r\n");
	}
	read_split(big, n, n / 2, HTTP_RESPONSE, &s);
	ck_assert(s.bad);
	ck_assert_uint_le(s.len, 5 + CAP_PROXY_AUTH_BODY);
	/* the length it announces is not trusted either */
	n = (size_t)snprintf(big, sizeof big, "%s", huge_cl);
	memset(big + n, 'p', sizeof big - n);
	read_split(big, sizeof big, 100, HTTP_RESPONSE, &s);
	ck_assert(s.bad);
	ck_assert_uint_le(s.len, 5 + CAP_PROXY_AUTH_BODY);
}
END_TEST

static Suite *keepalive_suite(void)
{
	Suite *s = suite_create("keepalive");
	TCase *t = tcase_create("client");

	tcase_add_test(t, write_examples);
	tcase_add_test(t, write_through_proxy_and_extensions);
	tcase_add_test(t, write_proxy_credentials);
	tcase_add_test(t, body_forms);
	suite_add_tcase(s, t);
	t = tcase_create("relay");
	tcase_add_test(t, check_examples);
	tcase_add_test(t, check_proxied_and_extensions);
	tcase_add_test(t, check_refusals);
	tcase_add_test(t, write_responses);
	suite_add_tcase(s, t);
	t = tcase_create("reader");
	tcase_add_test(t, reader_every_split);
	tcase_add_test(t, reader_refusals);
	tcase_add_test(t, reader_challenge_pages_every_split);
	tcase_add_test(t, reader_challenge_pages_refused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(keepalive_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
