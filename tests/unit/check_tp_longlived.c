/* engine/tp_longlived against a scripted relay in the test thread: the two requests the client
 * writes, byte for byte; the spec's GET response (MS-GRVHENC 2.2.2.1.3.2) read back; data both
 * ways, half-close, and the failures (400, a wrong echo, the content length passed). Then the
 * same listener as a scripted authenticating proxy: 407 on each session, answered with Basic,
 * Digest or NTLM on the same connection or a new one, the memo, and refused credentials. */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/proxy.h"
#include "engine/proxy_auth.h"
#include "engine/tunnel.h"
#include "proto/guid.h"
#include "proto/longlived.h"

#include "unit.h"
#include "unit_engine.h"
#include "unit_grvhenc.h"
#include "unit_sockets.h"

struct rig {
	struct event_base *base;
	struct config cfg;
	int app, relay;  /* the application's end; the fake relay's listener */
	int get, post;   /* the relay's ends of the two sessions */
	struct eng_status *st;
	char guid[CAP_GUID_MAX + 1];
};

/* The user info of a proxy URL for the rig's listener ("user:pass"), or NULL: no proxy. */
static const char *rig_proxy_user;
/* Whether rig_start keeps what an earlier rig's proxy taught (the ProxyAuthRequired memo). */
static bool rig_keep_memo;

static const char spec_get_response[] = GRVHENC_LL_GET_RESPONSE;

static void rig_start(struct rig *r, uint64_t limit)
{
	char port[8];

	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	r->relay = unit_listener(0);
	snprintf(port, sizeof port, "%u", unit_port_of(r->relay));
	setenv("SSTPSHIM_TRANSPORTS", "longlived", 1);
	setenv("SSTPSHIM_HTTP_PORT", port, 1);
	unsetenv("http_proxy");
	unsetenv("SSTPSHIM_HTTP_PROXY");
	if (rig_proxy_user) {
		char url[128];
		snprintf(url, sizeof url, "http://%s@127.0.0.1:%s", rig_proxy_user, port);
		setenv("http_proxy", url, 1);
	}
	eng_proxy_reset();
	if (!rig_keep_memo)
		proxy_auth_memo_reset();
	config_load(&r->cfg, NULL);
	r->cfg.longlived_limit = limit;
	r->app = unit_tunnel_start(r->base, &r->cfg, &r->st);
}

/* Reads one request from fd as the relay: the head, and for a POST the echo line. */
static size_t rig_read_request(struct rig *r, int fd, char *buf, size_t cap)
{
	size_t len = 0;

	for (;;) {
		unit_until_readable(r->base, fd);
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
		buf[len] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (end && (strncmp(buf, "GET", 3) == 0 || strstr(end, LL_ECHO_LINE)))
			return len;
	}
}

/* Accepts both sessions and checks each request against what ll_request_write makes of the
 * GUID it carries: every byte is as 2.2.2.1.1 and 2.2.2.1.2 say. */
static void rig_accept(struct rig *r, uint64_t limit)
{
	char buf[2][CAP_LL_HEAD], want[CAP_LL_HEAD], host[32];
	size_t len[2], want_len;

	for (int i = 0; i < 2; i++) {
		unit_until_readable(r->base, r->relay);
		int fd = accept(r->relay, NULL, NULL);
		len[i] = rig_read_request(r, fd, buf[i], sizeof buf[i]);
		if (buf[i][0] == 'G')
			r->get = fd;
		else
			r->post = fd;
	}
	ck_assert(r->get > 0 && r->post > 0);
	const char *g = strstr(buf[0], "/2.0/127.0.0.1/") + strlen("/2.0/127.0.0.1/");
	memcpy(r->guid, g, GUID_LEN);
	r->guid[GUID_LEN] = '\0';
	ck_assert(guid_valid(r->guid, GUID_LEN));
	snprintf(host, sizeof host, "127.0.0.1:%u", unit_port_of(r->relay));
	struct ll_request req = { .relay = host, .server_name = "127.0.0.1", .guid = r->guid,
				  .content_length = limit, .host_on_post = true };
	for (int i = 0; i < 2; i++) {
		req.kind = buf[i][0] == 'G' ? LL_GET : LL_POST;
		ck_assert_int_eq(ll_request_write(&req, want, sizeof want, &want_len), 0);
		ck_assert_msg(len[i] == want_len && memcmp(buf[i], want, want_len) == 0,
			      "got <%s>\nwant <%.*s>", buf[i], (int)want_len, want);
	}
}

static void rig_write(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* The relay's GET response, then the loop until the tunnel is decided. */
static void rig_answer(struct rig *r, const char *response)
{
	rig_write(r->get, response);
	unit_wait_decided(r->base, r->st);
}

/* A tunnel whose sessions may carry limit octets, both accepted and answered with the spec's
 * response; the application's end is known by its inode, so that the engine can reset it. */
static void rig_limited(struct rig *r, uint64_t limit)
{
	struct stat st;

	rig_start(r, limit);
	ck_assert_int_eq(fstat(r->app, &st), 0);
	((struct tunnel *)r->st->tunnel)->app_ino = st.st_ino;
	rig_accept(r, limit);
	rig_answer(r, spec_get_response);
}

static void rig_free(struct rig *r)
{
	close(r->relay);
	if (r->get > 0)
		close(r->get);
	if (r->post > 0)
		close(r->post);
	unit_tunnel_end(r->base, r->app, r->st);
}

START_TEST(handshake_data_and_half_close)
{
	struct rig r;

	rig_start(&r, LL_CONTENT_LENGTH);
	rig_accept(&r, LL_CONTENT_LENGTH);
	rig_answer(&r, spec_get_response);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_ESTABLISHED);
	ck_assert_str_eq(r.st->transport, "longlived");
	ck_assert_int_eq(write(r.app, "hello", 5), 5); /* up the POST body, nothing around it */
	unit_read_expect(r.base, r.post, "hello", 5);
	ck_assert_int_eq(write(r.get, "world", 5), 5); /* down the GET response, as it comes */
	unit_read_expect(r.base, r.app, "world", 5);
	shutdown(r.app, SHUT_WR); /* the application's end: a FIN on the POST session */
	unit_read_expect(r.base, r.post, "", 0);
	ck_assert_int_eq(write(r.get, "late", 4), 4); /* the other way still flows */
	unit_read_expect(r.base, r.app, "late", 4);
	shutdown(r.get, SHUT_WR); /* the end of the GET response: EOF for the application */
	unit_read_expect(r.base, r.app, "", 0);
	rig_free(&r);
}
END_TEST

/* The echo's line end still to come when the echo is through: the sessions stay buffered (the
 * spliced way needs it decided), and the line end is still not the application's. */
START_TEST(echo_line_end_late)
{
	struct rig r;
	size_t head = strlen(spec_get_response) - 2;

	rig_start(&r, LL_CONTENT_LENGTH);
	rig_accept(&r, LL_CONTENT_LENGTH);
	ck_assert_int_eq(write(r.get, spec_get_response, head), (ssize_t)head);
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_ESTABLISHED);
	ck_assert_int_eq(write(r.get, "\r\nworld", 7), 7);
	unit_read_expect(r.base, r.app, "world", 5);
	ck_assert_int_eq(write(r.app, "hello", 5), 5);
	unit_read_expect(r.base, r.post, "hello", 5);
	rig_free(&r);
}
END_TEST

/* Spliced: the relay's GET response may carry its Content-Length and no more (3.1.4.3). */
START_TEST(get_limit_resets_the_application)
{
	struct rig r;
	char big[200], buf[256];
	ssize_t n;
	size_t got = 0;

	memset(big, 'y', sizeof big);
	rig_limited(&r, 100);
	ck_assert_int_eq(write(r.get, big, sizeof big), (ssize_t)sizeof big); /* 22 + 200 > 100 */
	for (;;) {
		unit_until_readable(r.base, r.app);
		n = read(r.app, buf, sizeof buf);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_uint_le(got, 100 - 22);
	rig_free(&r);
}
END_TEST

/* GET responses that fail the tunnel, and the errno the application's connect() gets. */
static const struct {
	const char *name;
	const char *response;
	int error;
} refusals[] = {
	{ "400", "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n", ECONNREFUSED },
	{ "a wrong echo", "HTTP/1.0 200 OK\r\nContent-Length: 2147479552\r\n\r\nGroovePong",
	  EPROTO },
};

START_TEST(relay_refuses)
{
	struct rig r;

	rig_start(&r, LL_CONTENT_LENGTH);
	rig_accept(&r, LL_CONTENT_LENGTH);
	rig_answer(&r, refusals[_i].response);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_FAILED);
	ck_assert_msg(atomic_load(&r.st->error) == refusals[_i].error, "%s: errno %d, want %d",
		      refusals[_i].name, atomic_load(&r.st->error), refusals[_i].error);
	rig_free(&r);
}
END_TEST

START_TEST(post_limit_resets_the_application)
{
	struct rig r;
	char big[200];

	memset(big, 'x', sizeof big);
	rig_limited(&r, 100);
	ck_assert_int_eq(write(r.app, big, sizeof big), (ssize_t)sizeof big); /* 22 + 200 > 100 */
	unit_read_reset(r.base, r.app);
	rig_free(&r);
}
END_TEST

/* --- a scripted authenticating proxy ---------------------------------------------------- */

#define BASIC_USER_PASS "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"

/* Accepts a session through the proxy and reads its request into buf; sets r->get or r->post. */
static int rig_accept_one(struct rig *r, char *buf, size_t cap)
{
	unit_until_readable(r->base, r->relay);
	int fd = accept(r->relay, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	rig_read_request(r, fd, buf, cap);
	if (buf[0] == 'G')
		r->get = fd;
	else
		r->post = fd;
	return fd;
}

/* Both sessions' first requests, without credentials unless the memo has some. */
static void rig_accept_proxied(struct rig *r, bool want_auth)
{
	char buf[CAP_LL_HEAD * 4];

	for (int i = 0; i < 2; i++) {
		rig_accept_one(r, buf, sizeof buf);
		ck_assert_msg(strncmp(buf, buf[0] == 'G' ? "GET http://" : "POST http://",
				      buf[0] == 'G' ? 11 : 12) == 0,
			      "not an absolute URI: %s", buf);
		ck_assert_msg((strstr(buf, "Proxy-Authorization: ") != NULL) == want_auth, "%s", buf);
	}
}

/* A tunnel through the rig's listener as a proxy, with user ("user:password") in the proxy's URL;
 * both sessions' first requests accepted, with credentials only when want_auth. */
static void rig_start_proxied(struct rig *r, const char *user, bool want_auth)
{
	rig_proxy_user = user;
	rig_start(r, LL_CONTENT_LENGTH);
	rig_proxy_user = NULL;
	rig_accept_proxied(r, want_auth);
}

/* Reads the next request on fd, and checks that it carries needle. */
static void rig_expect(struct rig *r, int fd, const char *needle)
{
	char buf[CAP_LL_HEAD * 4];

	rig_read_request(r, fd, buf, sizeof buf);
	ck_assert_msg(strstr(buf, needle) != NULL, "no <%s> in <%s>", needle, buf);
}

/* The tunnel is up: a few bytes each way. */
static void rig_check_data(struct rig *r)
{
	rig_answer(r, spec_get_response);
	ck_assert_int_eq(atomic_load(&r->st->state), ENG_ESTABLISHED);
	ck_assert_int_eq(write(r->app, "hello", 5), 5);
	unit_read_expect(r->base, r->post, "hello", 5);
	rig_write(r->get, "world");
	unit_read_expect(r->base, r->app, "world", 5);
}

static const char basic_407_kept[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
				     "Proxy-Authenticate: Basic realm=\"t\"\r\n"
				     "Content-Length: 5\r\n\r\nabcde";
static const char basic_407_closed[] = "HTTP/1.0 407 Proxy Authentication Required\r\n"
				       "Proxy-Authenticate: Basic realm=\"t\"\r\n"
				       "Connection: close\r\nContent-Length: 0\r\n\r\n";

/* 3.1.5.2.1.3 on the GET (same connection, body dropped), 3.1.5.1.1.2 on the POST (its body was
 * sent: a new connection); then the memo sends Basic at once on the next tunnel. */
START_TEST(basic_on_both_sessions_then_memo)
{
	struct rig r;
	char buf[CAP_LL_HEAD * 4];

	rig_start_proxied(&r, "user:pass", false);
	rig_write(r.get, basic_407_kept);
	rig_expect(&r, r.get, BASIC_USER_PASS);
	rig_write(r.post, basic_407_closed);
	close(r.post);
	int fd = rig_accept_one(&r, buf, sizeof buf);
	ck_assert_int_eq(fd, r.post);
	ck_assert_msg(strstr(buf, BASIC_USER_PASS) && strstr(buf, LL_ECHO_LINE), "%s", buf);
	rig_check_data(&r);
	rig_free(&r);

	rig_keep_memo = true; /* 3.1.4.1.2: ProxyAuthRequired */
	rig_start_proxied(&r, "user:pass", true);
	rig_check_data(&r);
	rig_free(&r);
	rig_keep_memo = false;
}
END_TEST

/* Refused credentials: EACCES. */
START_TEST(wrong_credentials)
{
	struct rig r;

	rig_start_proxied(&r, "user:wrong", false);
	rig_write(r.get, basic_407_kept);
	rig_expect(&r, r.get, "Proxy-Authorization: Basic ");
	rig_answer(&r, basic_407_kept);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_FAILED);
	ck_assert_int_eq(atomic_load(&r.st->error), EACCES);
	rig_free(&r);
}
END_TEST

START_TEST(digest_on_both_sessions)
{
	static const char d407[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
				   "Proxy-Authenticate: Digest realm=\"t\", nonce=\"n0\", qop=\"auth\"\r\n"
				   "Content-Length: 0\r\n\r\n";
	struct rig r;
	char buf[CAP_LL_HEAD * 4];

	rig_start_proxied(&r, "user:pass", false);
	rig_write(r.get, d407);
	rig_expect(&r, r.get, "Proxy-Authorization: Digest username=\"user\"");
	rig_write(r.post, d407); /* kept, but the POST body went with the request: a new one */
	int old = r.post;
	rig_accept_one(&r, buf, sizeof buf);
	close(old);
	ck_assert_msg(strstr(buf, "Proxy-Authorization: Digest username=\"user\"") &&
			      strstr(buf, "uri=\"http://127.0.0.1:"),
		      "%s", buf);
	rig_check_data(&r);
	rig_free(&r);
}
END_TEST

/* NTLM on the POST: the NEGOTIATE goes without the body (Content-Length: 0), the AUTHENTICATE on
 * the same connection with it. */
START_TEST(ntlm_on_the_post)
{
	static const char n407[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
				   "Proxy-Authenticate: NTLM\r\nConnection: close\r\n"
				   "Content-Length: 0\r\n\r\n";
	static const char c407[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
				   "Proxy-Authenticate: NTLM " GRVHENC_TYPE2 "\r\n"
				   "Content-Length: 0\r\n\r\n";
	struct rig r;
	char buf[CAP_LL_HEAD * 4] = "";
	size_t len = 0;

	rig_start_proxied(&r, "DOMAIN\\user:pass", false);
	rig_write(r.post, n407);
	close(r.post);
	/* the NEGOTIATE: a head alone */
	unit_until_readable(r.base, r.relay);
	r.post = accept(r.relay, NULL, NULL);
	while (!strstr(buf, "\r\n\r\n") || len == 0) {
		unit_until_readable(r.base, r.post);
		ssize_t n = read(r.post, buf + len, sizeof buf - 1 - len);
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
		buf[len] = '\0';
	}
	ck_assert_msg(strstr(buf, "Proxy-Authorization: NTLM TlRMTVNTUAAB") &&
			      strstr(buf, "Content-Length: 0\r\n") && !strstr(buf, LL_ECHO),
		      "%s", buf);
	rig_write(r.post, c407);
	rig_expect(&r, r.post, "Proxy-Authorization: NTLM TlRMTVNTUAAD");
	rig_write(r.get, "HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n");
	rig_expect(&r, r.get, "Proxy-Authorization: NTLM TlRMTVNTUAAB");
	rig_write(r.get, c407);
	rig_expect(&r, r.get, "Proxy-Authorization: NTLM TlRMTVNTUAAD");
	rig_check_data(&r);
	rig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("tp_longlived", "against a scripted relay", 20, &tc);

	tcase_add_test(tc, handshake_data_and_half_close);
	tcase_add_test(tc, echo_line_end_late);
	tcase_add_test(tc, get_limit_resets_the_application);
	UNIT_ADD_TABLE(tc, relay_refuses, refusals);
	tcase_add_test(tc, post_limit_resets_the_application);
	tcase_add_test(tc, basic_on_both_sessions_then_memo);
	tcase_add_test(tc, wrong_credentials);
	tcase_add_test(tc, digest_on_both_sessions);
	tcase_add_test(tc, ntlm_on_the_post);
	return unit_run(s);
}
