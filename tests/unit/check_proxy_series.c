/* engine/proxy_series: the credentials of request after request through one proxy -- none
 * before the proxy asks, the memo's at once after; a 401/407 makes the same request (same
 * target) go again; an NTLM connection stays authenticated until it closes; a series of Polling
 * requests never goes again on the same connection and never uses NTLM. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/proxy_series.h"

#include "unit.h"
#include "unit_grvhenc.h"

static struct eng_proxy proxy;
static struct http_parser parser;
static const char *why;

#define BASIC_407_HEAD "HTTP/1.1 407 x\r\nProxy-Authenticate: Basic realm=\"r\"\r\n"
#define BASIC_407 BASIC_407_HEAD "Content-Length: 0\r\n\r\n"
#define NTLM_407 "HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n"
#define NTLM_407_CHALLENGE                                                                     \
	"HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM " GRVHENC_TYPE2 "\r\nContent-Length: 0\r\n\r\n"
#define OK_200 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

static const struct http_head *head(const char *text)
{
	size_t used;

	http_parser_init(&parser, HTTP_RESPONSE);
	ck_assert_int_eq(http_parse(&parser, text, strlen(text), &used), PARSE_DONE);
	return http_parser_head(&parser);
}

static void setup_proxy(const char *url)
{
	const char *bad = NULL;

	memset(&proxy, 0, sizeof proxy);
	ck_assert_int_eq(proxy_url_parse(url, PROXY_HTTP, &proxy.url, &bad), 0);
	snprintf(proxy.redacted, sizeof proxy.redacted, "http://127.0.0.1:3128");
	proxy_auth_memo_reset();
}

/* A series through the proxy of url (one_request: Polling's), its first request method uri. */
static struct proxy_series *series_start(const char *url, bool one_request, const char *method,
					 const char *uri)
{
	struct proxy_series *p;

	setup_proxy(url);
	p = proxy_series_new(&proxy, 1, "test", one_request);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(proxy_series_next(p, method, uri), 0);
	return p;
}

/* The field value of the request being written, "" when none. */
static const char *value(const struct proxy_series *p)
{
	return proxy_series_value(p) ? proxy_series_value(p) : "";
}

START_TEST(challenge_is_a_proxy_401_or_407)
{
	struct proxy_series *p;

	setup_proxy("http://alice:s3cret@127.0.0.1:3128");
	p = proxy_series_new(&proxy, 1, "test", false);
	ck_assert(proxy_series_challenge(p, head(BASIC_407)));
	ck_assert(proxy_series_challenge(p, head("HTTP/1.0 401 x\r\n\r\n")));
	ck_assert(!proxy_series_challenge(p, head(OK_200)));
	ck_assert(!proxy_series_challenge(NULL, head(BASIC_407))); /* not through a proxy */
	ck_assert_ptr_null(proxy_series_field(NULL));
	ck_assert(!proxy_series_closed(NULL));
	proxy_series_accepted(NULL);
	proxy_series_free(p);
	proxy_series_free(NULL);
}
END_TEST

START_TEST(basic_then_every_request_at_once)
{
	struct proxy_series *get, *post;

	setup_proxy("http://alice:s3cret@127.0.0.1:3128");
	get = proxy_series_new(&proxy, 1, "test GET", false);
	post = proxy_series_new(&proxy, 1, "test POST", false);
	ck_assert_int_eq(proxy_series_next(get, "GET", "http://r/1"), 0);
	ck_assert_ptr_null(proxy_series_field(get)); /* nobody asked yet */
	ck_assert_int_eq(proxy_series_challenged(get, head(BASIC_407), true, &why),
			 PROXY_RETRY_SAME);
	ck_assert(get->again);
	/* the same request goes again: the target it was challenged for, not the new one */
	ck_assert_int_eq(proxy_series_next(get, "GET", "http://r/other"), 0);
	ck_assert_str_eq(get->uri, "http://r/1");
	ck_assert_str_eq(proxy_series_field(get), "Proxy-Authorization");
	ck_assert_str_eq(value(get), "Basic YWxpY2U6czNjcmV0");
	ck_assert(!get->again);
	proxy_series_accepted(get);
	/* 3.3.5.3.2, 3.3.4.7.2: later requests, on either session, carry them at once */
	ck_assert_int_eq(proxy_series_next(get, "GET", "http://r/2"), 0);
	ck_assert_str_eq(get->uri, "http://r/2");
	ck_assert_str_eq(value(get), "Basic YWxpY2U6czNjcmV0");
	ck_assert_int_eq(proxy_series_next(post, "POST", "http://r/3"), 0);
	ck_assert_str_eq(value(post), "Basic YWxpY2U6czNjcmV0");
	/* refused after all: the transport fails, and the memo forgets */
	ck_assert_int_eq(proxy_series_challenged(post, head(BASIC_407), true, &why),
			 PROXY_RETRY_SAME); /* answered afresh once: it was the memo's */
	ck_assert_int_eq(proxy_series_next(post, "POST", "http://r/4"), 0);
	ck_assert_int_eq(proxy_series_challenged(post, head(BASIC_407), true, &why),
			 PROXY_RETRY_FAIL);
	ck_assert_str_eq(why, "the proxy refused the credentials (wrong user or password)");
	ck_assert(!post->again);
	ck_assert_int_eq(proxy_series_next(get, "GET", "http://r/5"), 0);
	ck_assert_ptr_null(proxy_series_field(get));
	proxy_series_free(get);
	proxy_series_free(post);
}
END_TEST

/* A connection that closes under a retry: the retry goes on a new one, whether it was still to
 * go or went and drew no reply; a request that went through leaves nothing to redo. */
START_TEST(closed_under_a_retry)
{
	struct proxy_series *p;

	p = series_start("http://alice:s3cret@127.0.0.1:3128", false, "GET", "http://r/1");
	ck_assert(!proxy_series_closed(p));
	ck_assert_int_eq(proxy_series_next(p, "GET", "http://r/1"), 0);
	(void)proxy_series_challenged(p, head(BASIC_407), true, &why);
	ck_assert(proxy_series_closed(p));
	ck_assert(p->again);
	ck_assert_int_eq(proxy_series_next(p, "GET", "http://r/x"), 0);
	ck_assert(proxy_series_closed(p)); /* it went; no reply came */
	ck_assert_int_eq(proxy_series_next(p, "GET", "http://r/x"), 0);
	ck_assert_str_eq(p->uri, "http://r/1");
	proxy_series_accepted(p);
	ck_assert(!proxy_series_closed(p));
	proxy_series_free(p);
}
END_TEST

/* Where the retry after the first 401/407 reply text goes. */
static enum proxy_retry first_retry(const char *text)
{
	struct proxy_series *p;
	enum proxy_retry next;

	p = series_start("http://alice:s3cret@127.0.0.1:3128", false, "GET", "http://r/1");
	next = proxy_series_challenged(p, head(text), true, &why);
	proxy_series_free(p);
	return next;
}

/* The page decides where the retry goes: after a chunked one (which the KeepAlive reader reads
 * through) or a long one by Content-Length, on the same connection; after one that ends with the
 * connection, on a new one. */
START_TEST(page_framing_decides_the_connection)
{
	ck_assert_int_eq(first_retry(BASIC_407_HEAD "Transfer-Encoding: chunked\r\n\r\n"),
			 PROXY_RETRY_SAME);
	ck_assert_int_eq(first_retry(BASIC_407_HEAD "Content-Length: 40000\r\n\r\n"),
			 PROXY_RETRY_SAME);
	ck_assert_int_eq(first_retry(BASIC_407_HEAD "\r\n"), PROXY_RETRY_NEW);
	ck_assert_int_eq(first_retry(BASIC_407_HEAD "Transfer-Encoding: chunked, gzip\r\n\r\n"),
			 PROXY_RETRY_NEW);
}
END_TEST

/* RFC 4559 4: NTLM authenticates the connection; the requests after it there carry nothing, one
 * on a new connection starts over with a NEGOTIATE, and a retry in the middle cannot move. */
START_TEST(ntlm_authenticates_the_connection)
{
	struct proxy_series *p;

	p = series_start("http://DOM%5Calice:s3cret@127.0.0.1:3128", false, "POST", "http://r/1");
	ck_assert_int_eq(proxy_series_challenged(p, head(NTLM_407), true, &why), PROXY_RETRY_SAME);
	ck_assert_int_eq(proxy_series_next(p, "POST", "http://r/1"), 0);
	ck_assert_int_eq(strncmp(value(p), "NTLM TlRMTVNTUAAB", 17), 0);
	ck_assert_int_eq(proxy_series_challenged(p, head(NTLM_407_CHALLENGE), true, &why),
			 PROXY_RETRY_SAME);
	ck_assert_int_eq(proxy_series_next(p, "POST", "http://r/1"), 0);
	ck_assert_int_eq(strncmp(value(p), "NTLM TlRMTVNTUAAD", 17), 0);
	proxy_series_accepted(p);
	ck_assert(p->authenticated);
	ck_assert_int_eq(proxy_series_next(p, "POST", "http://r/2"), 0);
	ck_assert_ptr_null(proxy_series_field(p));
	proxy_series_accepted(p);
	ck_assert(p->authenticated);
	ck_assert(!proxy_series_closed(p));
	ck_assert(!p->authenticated);
	ck_assert_int_eq(proxy_series_next(p, "POST", "http://r/3"), 0);
	ck_assert_int_eq(strncmp(value(p), "NTLM TlRMTVNTUAAB", 17), 0);
	ck_assert_int_eq(proxy_series_challenged(p, head(NTLM_407_CHALLENGE), true, &why),
			 PROXY_RETRY_SAME);
	ck_assert(!proxy_series_closed(p)); /* the AUTHENTICATE belongs to this connection */
	ck_assert(!p->again);
	proxy_series_free(p);
}
END_TEST

/* Polling: every request on a new connection, however the proxy keeps its own; NTLM never. */
START_TEST(one_request_per_connection)
{
	struct proxy_series *p;

	p = series_start("http://alice:s3cret@127.0.0.1:3128", true, "POST", "http://r");
	ck_assert_int_eq(proxy_series_challenged(p, head(BASIC_407), true, &why), PROXY_RETRY_NEW);
	ck_assert_int_eq(proxy_series_next(p, "POST", "http://r"), 0);
	ck_assert_str_eq(value(p), "Basic YWxpY2U6czNjcmV0");
	proxy_series_accepted(p);
	ck_assert_int_eq(proxy_series_next(p, "POST", "http://r"), 0);
	ck_assert_str_eq(value(p), "Basic YWxpY2U6czNjcmV0");
	proxy_series_free(p);

	p = series_start("http://DOM%5Calice:s3cret@127.0.0.1:3128", true, "POST", "http://r");
	ck_assert_int_eq(proxy_series_challenged(p, head(NTLM_407), true, &why), PROXY_RETRY_FAIL);
	ck_assert_ptr_nonnull(strstr(why, "only NTLM"));
	proxy_series_free(p);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("proxy_series", "requests", 0, &tc);

	tcase_add_test(tc, challenge_is_a_proxy_401_or_407);
	tcase_add_test(tc, basic_then_every_request_at_once);
	tcase_add_test(tc, closed_under_a_retry);
	tcase_add_test(tc, page_framing_decides_the_connection);
	tcase_add_test(tc, ntlm_authenticates_the_connection);
	tcase_add_test(tc, one_request_per_connection);
	return unit_run(s);
}
