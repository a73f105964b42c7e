/* engine/proxy_session: where the retry after a 401/407 goes (the same connection only when the
 * proxy keeps it, the body is one we read to its end and the request left nothing unsent; never
 * a new one for an NTLM AUTHENTICATE), the body dropped, refusals, and the memo. */
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/proxy_session.h"

#include "unit.h"
#include "unit_grvhenc.h"

static struct eng_proxy proxy;
static struct http_parser parser;

static const struct http_head *head(const char *text)
{
	size_t used;

	http_parser_init(&parser, HTTP_RESPONSE);
	ck_assert_int_eq(http_parse(&parser, text, strlen(text), &used), PARSE_DONE);
	return http_parser_head(&parser);
}

static void setup_with(struct proxy_session *s, const char *url)
{
	const char *bad = NULL;

	memset(&proxy, 0, sizeof proxy);
	ck_assert_int_eq(proxy_url_parse(url, PROXY_HTTP, &proxy.url, &bad), 0);
	snprintf(proxy.redacted, sizeof proxy.redacted, "http://127.0.0.1:3128");
	proxy_auth_memo_reset();
	ck_assert_int_eq(proxy_session_init(s, &proxy, 1, "test", "GET", "http://r/x",
					    PROXY_CONN_NEW, NULL),
			 0);
	ck_assert_ptr_null(proxy_session_field(s));
}

#define BASIC_407 "HTTP/1.1 407 x\r\nProxy-Authenticate: Basic realm=\"r\"\r\n"

/* Whether a 401/407 head leaves the connection to a caller that reads what reuse says. */
static bool keeps(const char *text, enum proxy_reuse reuse, uint64_t *body)
{
	return proxy_session_keeps_connection(head(text), reuse, body);
}

START_TEST(keeps_connection)
{
	static const char chunked[] = "HTTP/1.1 407 x\r\nTransfer-Encoding: chunked\r\n\r\n";
	uint64_t body;

	ck_assert(keeps("HTTP/1.1 407 x\r\nContent-Length: 7\r\n\r\n", PROXY_REUSE_LENGTH, &body));
	ck_assert_uint_eq(body, 7);
	ck_assert(keeps("HTTP/1.0 407 x\r\nProxy-Connection: keep-alive\r\nContent-Length: 0\r\n\r\n",
			PROXY_REUSE_LENGTH, &body));
	ck_assert(!keeps("HTTP/1.1 407 x\r\nContent-Length: 7\r\n\r\n", PROXY_REUSE_NONE, &body));
	ck_assert(!keeps("HTTP/1.0 407 x\r\nContent-Length: 0\r\n\r\n", PROXY_REUSE_LENGTH, &body));
	ck_assert(!keeps("HTTP/1.1 407 x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
			 PROXY_REUSE_CHUNKED, &body));
	/* chunked: only for a caller that reads it (the KeepAlive reader) */
	ck_assert(!keeps(chunked, PROXY_REUSE_LENGTH, &body));
	ck_assert(keeps(chunked, PROXY_REUSE_CHUNKED, &body));
	ck_assert_uint_eq(body, 0);
	ck_assert(!keeps("HTTP/1.1 407 x\r\nTransfer-Encoding: gzip\r\n\r\n", PROXY_REUSE_CHUNKED,
			 &body));
	/* until the connection closes, or longer than we read: a new connection */
	ck_assert(!keeps("HTTP/1.1 407 x\r\n\r\n", PROXY_REUSE_CHUNKED, &body));
	ck_assert(!keeps("HTTP/1.1 407 x\r\nContent-Length: 99999999\r\n\r\n", PROXY_REUSE_CHUNKED,
			 &body));
}
END_TEST

START_TEST(basic_same_then_new_then_refused)
{
	struct proxy_session s;
	struct evbuffer *in = evbuffer_new();
	const char *why = NULL;

	setup_with(&s, "http://user:pass@127.0.0.1:3128");
	ck_assert_int_eq(proxy_session_challenged(&s, head(BASIC_407 "Content-Length: 5\r\n\r\n"),
						  PROXY_REUSE_LENGTH, &why),
			 PROXY_RETRY_SAME);
	ck_assert_str_eq(proxy_session_field(&s), "Proxy-Authorization");
	ck_assert_str_eq(s.value, "Basic dXNlcjpwYXNz");
	evbuffer_add(in, "abc", 3);
	ck_assert(!proxy_session_skip_body(&s, in));
	evbuffer_add(in, "deNEXT", 6);
	ck_assert(proxy_session_skip_body(&s, in));
	ck_assert_uint_eq(evbuffer_get_length(in), 4); /* what follows the body stays */
	ck_assert_int_eq(proxy_session_challenged(&s, head(BASIC_407 "Content-Length: 0\r\n\r\n"),
						  PROXY_REUSE_LENGTH, &why),
			 PROXY_RETRY_FAIL);
	ck_assert_str_eq(why, "the proxy refused the credentials (wrong user or password)");
	proxy_session_clear(&s);

	/* a request whose body went with it: a new connection however kept */
	setup_with(&s, "http://user:pass@127.0.0.1:3128");
	ck_assert_int_eq(proxy_session_challenged(&s, head(BASIC_407 "Content-Length: 0\r\n\r\n"),
						  PROXY_REUSE_NONE, &why),
			 PROXY_RETRY_NEW);
	proxy_session_accepted(&s);
	proxy_session_clear(&s);
	/* the memo: the next request sends Basic at once */
	ck_assert_int_eq(proxy_session_init(&s, &proxy, 2, "test", "POST", "http://r/y",
					    PROXY_CONN_NEW, NULL),
			 0);
	ck_assert_str_eq(proxy_session_field(&s), "Proxy-Authorization");
	ck_assert(!proxy_session_negotiating(&s));
	proxy_session_clear(&s);
	evbuffer_free(in);
}
END_TEST

START_TEST(no_user_fails)
{
	struct proxy_session s;
	const char *why = NULL;

	setup_with(&s, "http://127.0.0.1:3128");
	ck_assert_int_eq(proxy_session_challenged(&s, head(BASIC_407 "Content-Length: 0\r\n\r\n"),
						  PROXY_REUSE_LENGTH, &why),
			 PROXY_RETRY_FAIL);
	ck_assert_str_eq(why, "the proxy requires authentication and its URL has no user");
}
END_TEST


/* The NEGOTIATE may go on a new connection; the AUTHENTICATE only on the CHALLENGE's. */
START_TEST(ntlm_binds_the_connection)
{
	struct proxy_session s;
	const char *why = NULL;

	setup_with(&s, "http://DOM%5Cuser:pass@127.0.0.1:3128");
	ck_assert_int_eq(proxy_session_challenged(
				 &s, head("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\n"
					  "Connection: close\r\n\r\n"),
				 PROXY_REUSE_LENGTH, &why),
			 PROXY_RETRY_NEW);
	ck_assert(proxy_session_negotiating(&s));
	ck_assert(proxy_session_may_redial(&s));
	ck_assert_int_eq(proxy_session_challenged(
				 &s, head("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM " GRVHENC_TYPE2
					  "\r\nConnection: close\r\n\r\n"),
				 PROXY_REUSE_LENGTH, &why),
			 PROXY_RETRY_FAIL);
	ck_assert_str_eq(why, "the proxy closes the connection in the middle of NTLM");
	proxy_session_clear(&s);

	setup_with(&s, "http://DOM%5Cuser:pass@127.0.0.1:3128");
	(void)proxy_session_challenged(&s, head("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\n"
						"Content-Length: 0\r\n\r\n"),
				       PROXY_REUSE_LENGTH, &why);
	ck_assert_int_eq(proxy_session_challenged(
				 &s, head("HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM " GRVHENC_TYPE2
					  "\r\nContent-Length: 0\r\n\r\n"),
				 PROXY_REUSE_LENGTH, &why),
			 PROXY_RETRY_SAME);
	ck_assert(!proxy_session_negotiating(&s));
	ck_assert(!proxy_session_may_redial(&s));
	ck_assert_int_eq(strncmp(s.value, "NTLM TlRMTVNTUAAD", 17), 0);
	proxy_session_clear(&s);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("proxy_session", "decisions", 0, &tc);

	tcase_add_test(tc, keeps_connection);
	tcase_add_test(tc, basic_same_then_new_then_refused);
	tcase_add_test(tc, no_user_fails);
	tcase_add_test(tc, ntlm_binds_the_connection);
	return unit_run(s);
}
