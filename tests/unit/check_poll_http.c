/* proto/poll_http against MS-GRVHENC 4.3: the probe request and the data-less poll written byte
 * for byte, the 400 and 200 responses likewise (the 200 with the one body of 4.3 whose checksum
 * adds up, 62), absolute URIs through a proxy, our end-of-data field; heads classified and
 * checked as the relay and the client do; bodies parsed with their checksum, and refused with a
 * wrong one, a truncated field or a body cut inside the fields. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http_msg.h"
#include "proto/poll_checksum.h"
#include "proto/poll_http.h"

#include "unit.h"

#define GUID_A "m3u7m5ev6iz9hj6mx97s4kdrnk8khajvb3bwnba"
#define GUID_B "a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi"
#define NAME "server01.relay.net"

static const char body1[] = "1.2\0grooveDNS://" NAME "\0" GUID_A "\0" "0\0" "0";
static const char body4_req[] = "1.2\0grooveDNS://" NAME "\0" GUID_B "\0" "38\0" "0";
static const char body4_resp[] = "1.2\0grooveDNS://" NAME "\0" GUID_B "\0" "38\0" "62\0"
				 "120,5,3\0" "\x10\x07\x00\x01\x00\x00";

#define REQ_HEAD(cl)                                                                              \
	"POST / HTTP/1.0\r\n"                                                                     \
	"Accept: */*\r\n"                                                                         \
	"Content-Type: application/octet-stream\r\n"                                              \
	"User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"                               \
	"Host: 10.150.1.226\r\n"                                                                  \
	"Content-Length: " cl "\r\n"                                                              \
	"Pragma: no-cache\r\n"                                                                    \
	"Cache-Control: no-cache\r\n"                                                             \
	"Expires: 0\r\n"                                                                          \
	"Cache-Control: max-age=0\r\n"                                                            \
	"\r\n"

START_TEST(request_heads_of_4_3)
{
	char buf[1024];
	size_t len;

	ck_assert_uint_eq(sizeof body1, 79);
	ck_assert_int_eq(poll_request_head_write(buf, sizeof buf, &len, "10.150.1.226", false,
						 sizeof body1, false, NULL, NULL), 0);
	ck_assert_uint_eq(len, strlen(REQ_HEAD("79")));
	ck_assert_mem_eq(buf, REQ_HEAD("79"), len);
	ck_assert_uint_eq(sizeof body4_req, 80);
	ck_assert_int_eq(poll_request_head_write(buf, sizeof buf, &len, "10.150.1.226", false,
						 sizeof body4_req, false, NULL, NULL), 0);
	ck_assert_mem_eq(buf, REQ_HEAD("80"), len);
}
END_TEST

START_TEST(request_bodies_of_4_3)
{
	struct poll_msg m = { .version = "1.2", .relay_name = NAME, .guid = GUID_A, .seq = 0 };
	char out[256];

	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), sizeof body1);
	ck_assert_mem_eq(out, body1, sizeof body1);
	strcpy(m.guid, GUID_B);
	m.seq = 38;
	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), sizeof body4_req);
	ck_assert_mem_eq(out, body4_req, sizeof body4_req);
}
END_TEST

START_TEST(responses_of_4_3)
{
	static const char r400[] = "HTTP/1.0 400 Bad Request\r\n"
				   "Date: Wed, 26 Dec 2007 19:01:55 GMT\r\n"
				   "Server: Groove-Relay/12.0\r\n"
				   "Connection: Keep-Alive\r\n"
				   "Content-Length: 0\r\n\r\n";
	static const char r200[] = "HTTP/1.0 200 OK\r\n"
				   "Date: Wed, 26 Dec 2007 19:02:10 GMT\r\n"
				   "Server: Groove-Relay/12.0\r\n"
				   "Connection: Keep-Alive\r\n"
				   "Content-Length: 96\r\n\r\n";
	struct poll_msg m = { .version = "1.2", .relay_name = NAME, .guid = GUID_B, .seq = 38,
			      .has_params = true, .params = { 120, 5, 3 } };
	const char *data = body4_resp + sizeof body4_resp - 7;
	char buf[512];
	size_t len;

	ck_assert_int_eq(poll_response_head_write(buf, sizeof buf, &len, 400,
						  "Wed, 26 Dec 2007 19:01:55 GMT",
						  "Groove-Relay/12.0", 0, false), 0);
	ck_assert_uint_eq(len, sizeof r400 - 1);
	ck_assert_mem_eq(buf, r400, len);
	ck_assert_uint_eq(sizeof body4_resp, 96);
	ck_assert_int_eq(poll_response_head_write(buf, sizeof buf, &len, 200,
						  "Wed, 26 Dec 2007 19:02:10 GMT",
						  "Groove-Relay/12.0", 96, false), 0);
	ck_assert_uint_eq(len, sizeof r200 - 1);
	ck_assert_mem_eq(buf, r200, len);
	m.checksum = poll_checksum_of(data, 7);
	ck_assert_uint_eq(m.checksum, 62);
	ck_assert_uint_eq(poll_msg_write(&m, buf, sizeof buf), 89);
	ck_assert_mem_eq(buf, body4_resp, 89);
}
END_TEST

START_TEST(proxy_target_and_eof_field)
{
	static const char want[] = "POST http://relay.example:8080 HTTP/1.0\r\n";
	char buf[1024];
	size_t len;

	ck_assert_int_eq(poll_request_head_write(buf, sizeof buf, &len, "relay.example:8080", true,
						 100, true, NULL, NULL), 0);
	ck_assert_mem_eq(buf, want, sizeof want - 1);
	ck_assert_ptr_nonnull(strstr(buf, "\r\n" POLL_EOF_FIELD ": 1\r\n\r\n"));
	ck_assert_int_eq(poll_request_head_write(buf, sizeof buf, &len, "r", false,
						 CAP_POLL_BODY + 1, false, NULL, NULL), -1);
	ck_assert_int_eq(poll_request_head_write(buf, 40, &len, "r", false, 10, false, NULL, NULL),
			 -1);
	ck_assert_int_eq(poll_response_head_write(buf, sizeof buf, &len, 299, "d", "s", 0, false),
			 -1);
}
END_TEST

/* 3.5.4.3.2: credentials through an authenticating proxy, after the other fields; the target
 * they sign is the one the head carries. */
START_TEST(proxy_credentials_and_target)
{
	char buf[1024], target[64];
	size_t len;

	ck_assert_int_eq(poll_request_target(target, sizeof target, "r.example:81", true), 0);
	ck_assert_str_eq(target, "http://r.example:81");
	ck_assert_int_eq(poll_request_target(target, sizeof target, "r.example:81", false), 0);
	ck_assert_str_eq(target, "/");
	ck_assert_int_eq(poll_request_target(target, 19, "r.example:81", true), -1);
	ck_assert_int_eq(poll_request_target(target, sizeof target, "", true), -1);
	ck_assert_int_eq(poll_request_head_write(buf, sizeof buf, &len, "r.example:81", true, 9,
						 true, "Proxy-Authorization", "Basic eDp5"), 0);
	buf[len] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "POST http://r.example:81 HTTP/1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, ": 1\r\nProxy-Authorization: Basic eDp5\r\n\r\n"));
	ck_assert_int_eq(poll_request_head_write(buf, sizeof buf, &len, "r", true, 9, false,
						 "Proxy-Authorization", "Basic \r\nX: y"), -1);
}
END_TEST

static void parse_head(struct http_parser *p, const char *text)
{
	size_t used;

	http_parser_init(p, HTTP_REQUEST | HTTP_RESPONSE);
	ck_assert_int_eq(http_parse(p, text, strlen(text), &used), PARSE_DONE);
}

START_TEST(relay_classifies_and_checks)
{
	static struct http_parser p;
	const char *why;
	size_t len;
	bool eof;

	parse_head(&p, REQ_HEAD("79"));
	ck_assert(poll_request_is_polling(http_parser_head(&p)));
	ck_assert_int_eq(poll_request_check(http_parser_head(&p), &len, &eof, &why), 0);
	ck_assert_uint_eq(len, 79);
	ck_assert(!eof);
	parse_head(&p, "POST http://h:81/ HTTP/1.1\r\nContent-Length: 32768\r\n"
		       POLL_EOF_FIELD ": 1\r\nVia: 1.1 squid\r\n\r\n");
	ck_assert(poll_request_is_polling(http_parser_head(&p)));
	ck_assert_int_eq(poll_request_check(http_parser_head(&p), &len, &eof, &why), 0);
	ck_assert(eof);
	parse_head(&p, "POST http://h HTTP/1.0\r\nContent-Length: 32769\r\n\r\n");
	ck_assert(poll_request_is_polling(http_parser_head(&p)));
	ck_assert_int_eq(poll_request_check(http_parser_head(&p), &len, &eof, &why), -1);
	parse_head(&p, "POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(poll_request_check(http_parser_head(&p), &len, &eof, &why), -1);
	parse_head(&p, "POST / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(poll_request_check(http_parser_head(&p), &len, &eof, &why), -1);
	parse_head(&p, "POST /2.0/h/g,ConnType=LongLived HTTP/1.0\r\n\r\n");
	ck_assert(!poll_request_is_polling(http_parser_head(&p)));
	parse_head(&p, "POST http://h/2.0/h/g,ConnType=KeepAlive HTTP/1.0\r\n\r\n");
	ck_assert(!poll_request_is_polling(http_parser_head(&p)));
	parse_head(&p, "GET / HTTP/1.0\r\n\r\n");
	ck_assert(!poll_request_is_polling(http_parser_head(&p)));
	parse_head(&p, "POST https://h/ HTTP/1.0\r\n\r\n");
	ck_assert(!poll_request_is_polling(http_parser_head(&p)));
}
END_TEST

START_TEST(client_checks_responses)
{
	static struct http_parser p;
	const char *why;
	size_t len;
	bool until_close, eof;

	parse_head(&p, "HTTP/1.0 200 OK\r\nContent-Length: 96\r\n" POLL_EOF_FIELD ": 1\r\n\r\n");
	ck_assert_int_eq(poll_response_check(http_parser_head(&p), &len, &until_close, &eof, &why),
			 0);
	ck_assert_uint_eq(len, 96);
	ck_assert(!until_close && eof);
	parse_head(&p, "HTTP/1.0 200 OK\r\n\r\n");
	ck_assert_int_eq(poll_response_check(http_parser_head(&p), &len, &until_close, &eof, &why),
			 0);
	ck_assert(until_close && !eof);
	parse_head(&p, "HTTP/1.0 200 OK\r\nContent-Length: 40000\r\n\r\n");
	ck_assert_int_eq(poll_response_check(http_parser_head(&p), &len, &until_close, &eof, &why),
			 -1);
	parse_head(&p, "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
	ck_assert_int_eq(poll_response_check(http_parser_head(&p), &len, &until_close, &eof, &why),
			 -1);
	parse_head(&p, "POST / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(poll_response_check(http_parser_head(&p), &len, &until_close, &eof, &why),
			 -1);
}
END_TEST

START_TEST(bodies_and_checksums)
{
	char bad[sizeof body4_resp];
	struct poll_msg m;
	size_t off;
	const char *why;

	ck_assert_int_eq(poll_body_parse(body4_resp, sizeof body4_resp, true, &m, &off, &why), 0);
	ck_assert_uint_eq(off, 89);
	ck_assert_uint_eq(m.seq, 38);
	ck_assert_uint_eq(m.params.min_interval_s, 5);
	ck_assert_int_eq(poll_body_parse(body1, sizeof body1, false, &m, &off, &why), 0);
	ck_assert_uint_eq(off, sizeof body1);
	/* one data byte changed: the checksum no longer matches */
	memcpy(bad, body4_resp, sizeof bad);
	bad[sizeof bad - 1] = 1;
	ck_assert_int_eq(poll_body_parse(bad, sizeof bad, true, &m, &off, &why), -2);
	ck_assert_str_eq(why, "checksum mismatch");
	ck_assert_str_eq(m.guid, GUID_B); /* the connection to close */
	/* read as a request, the poll parameters count as data: the checksum cannot match */
	ck_assert_int_eq(poll_body_parse(body4_resp, sizeof body4_resp, false, &m, &off, &why), -2);
	/* cut inside the fields, at every length */
	for (size_t cut = 0; cut < sizeof body1; cut++)
		ck_assert_int_eq(poll_body_parse(body1, cut, false, &m, &off, &why), -1);
	for (size_t cut = 0; cut < 89; cut++)
		ck_assert_int_eq(poll_body_parse(body4_resp, cut, true, &m, &off, &why), -1);
}
END_TEST

static Suite *poll_http_suite(void)
{
	TCase *t;
	Suite *s = unit_suite("poll_http", "core", 0, &t);

	tcase_add_test(t, request_heads_of_4_3);
	tcase_add_test(t, request_bodies_of_4_3);
	tcase_add_test(t, responses_of_4_3);
	tcase_add_test(t, proxy_target_and_eof_field);
	tcase_add_test(t, proxy_credentials_and_target);
	tcase_add_test(t, relay_classifies_and_checks);
	tcase_add_test(t, client_checks_responses);
	tcase_add_test(t, bodies_and_checksums);
	return s;
}

int main(void)
{
	return unit_run(poll_http_suite());
}
