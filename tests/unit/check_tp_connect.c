/* The connect transport inside the engine, without the shim: a tunnel started on a socketpair,
 * the event loop run by the test, and the test playing the HTTP proxy on a loopback listener so
 * that it sees the exact request bytes and chooses how the reply arrives. */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/proxy.h"
#include "engine/proxy_auth.h"
#include "engine/tunnel.h"

#include "unit.h"
#include "unit_engine.h"
#include "unit_grvhenc.h"
#include "unit_sockets.h"

#define BASIC_ALICE "Basic YWxpY2U6czNjcmV0" /* alice:s3cret */

struct rig {
	struct event_base *base;
	struct config cfg;
	int proxy;    /* the listening "proxy" */
	int server;   /* a listener for direct443 */
	int app;      /* the application's end of the current tunnel */
	struct eng_status *st;
};

/* userinfo: "" or "user:password@". */
static void rig_init(struct rig *r, const char *transports, const char *userinfo)
{
	char url[256];
	static const char *const unset[] = { "https_proxy", "HTTPS_PROXY", "http_proxy",
					     "all_proxy",   "ALL_PROXY",   "NO_PROXY",
					     "no_proxy",    "SSTPSHIM_PORTS" };

	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	r->proxy = unit_listener(SOCK_NONBLOCK);
	r->server = unit_listener(SOCK_NONBLOCK);
	for (unsigned i = 0; i < sizeof unset / sizeof *unset; i++)
		unsetenv(unset[i]);
	setenv("SSTPSHIM_TRANSPORTS", transports, 1);
	snprintf(url, sizeof url, "http://%s127.0.0.1:%u", userinfo, unit_port_of(r->proxy));
	setenv("SSTPSHIM_HTTP_PROXY", url, 1);
	eng_proxy_reset();
	proxy_auth_memo_reset();
	config_load(&r->cfg, NULL);
	r->cfg.alt_port = unit_port_of(r->server);
}

/* Starts a tunnel to dest (IPv4 127.0.0.1:2492 unless v6) for the application's name host. */
static void rig_start(struct rig *r, const char *host, bool v6)
{
	struct eng_request req;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(2492),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(2492),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	unit_request_init(&req, &r->app, &r->st);
	if (v6) {
		memcpy(&req.dest, &in6, sizeof in6);
		req.dest_len = sizeof in6;
	} else {
		memcpy(&req.dest, &in, sizeof in);
		req.dest_len = sizeof in;
	}
	snprintf(req.host, sizeof req.host, "%s", host);
	tunnel_start(r->base, &r->cfg, &req);
}

static void rig_turn(struct rig *r)
{
	event_base_loop(r->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

/* The engine's next connection to the proxy. */
static int proxy_accept(struct rig *r)
{
	int fd;

	while ((fd = accept4(r->proxy, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		ck_assert_int_eq(errno, EAGAIN);
		rig_turn(r);
	}
	return fd;
}

/* Reads one request head (through its blank line) from the engine into buf. */
static void read_request(struct rig *r, int fd, char *buf, size_t cap)
{
	size_t got = 0;

	while (got < 4 || memcmp(buf + got - 4, "\r\n\r\n", 4) != 0) {
		ssize_t n;
		unit_until_readable(r->base, fd);
		n = read(fd, buf + got, 1);
		ck_assert_int_eq(n, 1);
		got++;
		ck_assert_uint_lt(got, cap);
	}
	buf[got] = '\0';
}

static void put(int fd, const char *s, size_t n)
{
	ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
}

/* Ends the current tunnel and waits until the engine has released it. */
static void rig_end_tunnel(struct rig *r)
{
	close(r->app);
	unit_tunnel_release(r->base, r->st);
}

static void rig_free(struct rig *r)
{
	close(r->proxy);
	close(r->server); /* resets a connection still waiting in its accept queue */
	rig_end_tunnel(r);
	event_base_free(r->base);
}

static char want[1024];

static const char *request_for(const char *target, const char *auth)
{
	snprintf(want, sizeof want,
		 "CONNECT %s HTTP/1.0\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"
		 "Host: %s\r\n"
		 "Proxy-Connection: Keep-Alive\r\nPragma: no-cache\r\n%s%s%s\r\n",
		 target, target, auth ? "Proxy-Authorization: " : "", auth ? auth : "",
		 auth ? "\r\n" : "");
	return want;
}

/* Runs the loop until the tunnel is decided, and checks it is in state (ENG_ESTABLISHED or
 * ENG_FAILED), with errno err once FAILED. */
static void rig_expect(struct rig *r, int state, int err)
{
	unit_wait_decided(r->base, r->st);
	ck_assert_int_eq(atomic_load(&r->st->state), state);
	if (state == ENG_FAILED)
		ck_assert_msg(atomic_load(&r->st->error) == err, "errno %d, want %d",
			      atomic_load(&r->st->error), err);
}

/* A tunnel to 127.0.0.1:2492 without a name, through the proxy of userinfo (as rig_init): the
 * engine's connection to the proxy, its first request read into buf. */
static int rig_open(struct rig *r, const char *transports, const char *userinfo, char *buf,
		    size_t cap)
{
	int fd;

	rig_init(r, transports, userinfo);
	rig_start(r, "", false);
	fd = proxy_accept(r);
	read_request(r, fd, buf, cap);
	return fd;
}

/* The proxy's reply on fd, whole; the tunnel is then decided as rig_expect checks. */
static void proxy_answer(struct rig *r, int fd, const char *reply, int state, int err)
{
	put(fd, reply, strlen(reply));
	rig_expect(r, state, err);
}

/* The CONNECT request, byte for byte, for a name and for an IPv6 address without one; a proxy
 * that closes without a reply leaves the application ECONNRESET. */
static const struct request_case {
	const char *host; /* the name the application resolved, or "" */
	bool v6;          /* the destination is [::1], not 127.0.0.1 */
	uint16_t alt_port;
	const char *target; /* the request target the proxy must see */
} request_cases[] = {
	{ "sstp.example.net", false, 443, "sstp.example.net:443" },
	{ "", true, 8443, "[::1]:8443" },
};

START_TEST(request_bytes)
{
	const struct request_case *c = &request_cases[_i];
	struct rig r;
	char buf[2048];
	int fd;

	rig_init(&r, "connect", "");
	r.cfg.alt_port = c->alt_port;
	rig_start(&r, c->host, c->v6);
	fd = proxy_accept(&r);
	read_request(&r, fd, buf, sizeof buf);
	ck_assert_str_eq(buf, request_for(c->target, NULL));
	close(fd);
	rig_expect(&r, ENG_FAILED, ECONNRESET);
	rig_free(&r);
}
END_TEST

/* The reply split in two at every offset; what follows the head reaches the application. */
START_TEST(reply_split_at_every_byte)
{
	static const char reply[] = "HTTP/1.1 200 Connection established\r\nVia: 1.1 p\r\n\r\n"
				    "BANNER";
	const size_t head = sizeof reply - 1 - 6;

	for (size_t k = 1; k < sizeof reply - 1; k++) {
		struct rig r;
		char buf[2048];
		int fd;

		fd = rig_open(&r, "connect", "", buf, sizeof buf);
		put(fd, reply, k);
		event_base_loop(r.base, EVLOOP_ONCE);
		if (k < head)
			ck_assert_int_eq(atomic_load(&r.st->state), ENG_CONNECTING);
		put(fd, reply + k, sizeof reply - 1 - k);
		rig_expect(&r, ENG_ESTABLISHED, 0);
		ck_assert_str_eq(r.st->transport, "connect");
		for (size_t got = 0; got < 6;) {
			ssize_t n;
			unit_until_readable(r.base, r.app);
			n = read(r.app, buf + got, sizeof buf - got);
			ck_assert_int_gt(n, 0);
			got += (size_t)n;
			ck_assert_uint_le(got, 6);
		}
		ck_assert(memcmp(buf, "BANNER", 6) == 0);
		/* and the other way, through the same connection */
		put(r.app, "hello", 5);
		unit_read_expect(r.base, fd, "hello", 5);
		close(fd);
		rig_free(&r);
	}
}
END_TEST

/* A reply, then the errno the application's connect() gets. */
static void expect_errno(const char *userinfo, const char *reply, size_t len, bool close_after,
			 int err)
{
	struct rig r;
	char buf[2048];
	int fd;

	fd = rig_open(&r, "connect", userinfo, buf, sizeof buf);
	put(fd, reply, len);
	if (close_after)
		close(fd);
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_FAILED);
	ck_assert_msg(atomic_load(&r.st->error) == err, "reply %.40s: errno %d, want %d", reply,
		      atomic_load(&r.st->error), err);
	if (!close_after)
		close(fd);
	rig_free(&r);
}

#define EXPECT(userinfo, reply, close_after, err) \
	expect_errno(userinfo, reply, sizeof reply - 1, close_after, err)

START_TEST(status_errors)
{
	EXPECT("", "HTTP/1.0 403 Forbidden\r\n\r\n", false, ECONNREFUSED);
	EXPECT("", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", false, ECONNREFUSED);
	EXPECT("", "HTTP/1.1 502 Bad Gateway\r\n\r\n", false, ECONNREFUSED);
	EXPECT("", "HTTP/1.1 503 Service Unavailable\r\n\r\n", false, ECONNREFUSED);
	EXPECT("", "HTTP/1.1 504 Gateway Timeout\r\n\r\n", false, ETIMEDOUT);
	EXPECT("", "HTTP/1.1 301 Moved\r\nLocation: x\r\n\r\n", false, ECONNREFUSED);
	EXPECT("", "HTTP/1.1 407 Proxy Authentication Required\r\n"
		   "Proxy-Authenticate: Basic realm=\"r\"\r\n\r\n", false, EACCES);
	EXPECT("alice:s3cret@", "HTTP/1.1 407 x\r\nProxy-Authenticate: Negotiate\r\n\r\n", false,
	       EACCES);
}
END_TEST

START_TEST(broken_replies)
{
	EXPECT("", "SSH-2.0-OpenSSH_9.2\r\n", false, EPROTO);
	EXPECT("", "HTTP/1.1 2x0 OK\r\n\r\n", false, EPROTO);
	EXPECT("", "", true, ECONNRESET);
	EXPECT("", "HTTP/1.1 200 Connection established\r\n", true, ECONNRESET);
}
END_TEST

/* A head that never ends fails as soon as it passes CAP_HTTP_HEAD. */
START_TEST(endless_head)
{
	struct rig r;
	char buf[2048];
	static char line[CAP_HTTP_HEAD * 2];
	int fd;

	for (size_t i = 0; i + 16 <= sizeof line; i += 16)
		memcpy(line + i, "X-Pad: 12345678\n", 16);
	fd = rig_open(&r, "connect", "", buf, sizeof buf);
	put(fd, "HTTP/1.1 200 OK\r\n", 17);
	put(fd, line, sizeof line);
	rig_expect(&r, ENG_FAILED, EPROTO);
	close(fd);
	rig_free(&r);
}
END_TEST

static const char basic_407[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
				"Proxy-Authenticate: Basic realm=\"squid\"\r\n"
				"Content-Length: 5\r\nConnection: keep-alive\r\n\r\n";

/* 407 on a kept connection: the body is dropped, the retry goes on the same connection, and the
 * next tunnel through the proxy sends the credentials at once (3.7.1.2 ProxyAuthRequired). */
START_TEST(basic_same_connection_then_remembered)
{
	struct rig r;
	char buf[2048];
	char target[32];
	int fd;

	fd = rig_open(&r, "connect", "alice:s3cret@", buf, sizeof buf);
	snprintf(target, sizeof target, "127.0.0.1:%u", r.cfg.alt_port);
	ck_assert_str_eq(buf, request_for(target, NULL));
	put(fd, basic_407, sizeof basic_407 - 1);
	put(fd, "ab", 2);
	event_base_loop(r.base, EVLOOP_ONCE);
	put(fd, "cde", 3);
	read_request(&r, fd, buf, sizeof buf);
	ck_assert_str_eq(buf, request_for(target, BASIC_ALICE));
	proxy_answer(&r, fd, "HTTP/1.0 200 OK\r\n\r\n", ENG_ESTABLISHED, 0);
	close(fd);
	rig_end_tunnel(&r);

	rig_start(&r, "", false);
	fd = proxy_accept(&r);
	read_request(&r, fd, buf, sizeof buf);
	ck_assert_str_eq(buf, request_for(target, BASIC_ALICE));
	proxy_answer(&r, fd, "HTTP/1.0 200 OK\r\n\r\n", ENG_ESTABLISHED, 0);
	close(fd);
	rig_free(&r);
}
END_TEST

/* 407 with Connection: close (MS-GRVHENC 4.6): the retry goes on a new connection. */
START_TEST(basic_new_connection)
{
	static const char reply[] = "HTTP/1.1 407 x\r\nProxy-Authenticate: Basic realm=\"r\"\r\n"
				    "Connection: close\r\nContent-Length: 3\r\n\r\nabc";
	struct rig r;
	char buf[2048];
	int fd, fd2;

	fd = rig_open(&r, "connect", "alice:s3cret@", buf, sizeof buf);
	put(fd, reply, sizeof reply - 1);
	fd2 = proxy_accept(&r);
	read_request(&r, fd2, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "\r\nProxy-Authorization: " BASIC_ALICE "\r\n"));
	proxy_answer(&r, fd2, "HTTP/1.1 200 Connection established\r\n\r\n", ENG_ESTABLISHED, 0);
	close(fd);
	close(fd2);
	rig_free(&r);
}
END_TEST

/* A kept connection the proxy closes in the middle of the 407 body: the retry goes on a new one. */
START_TEST(closed_in_body_redials)
{
	struct rig r;
	char buf[2048];
	int fd, fd2;

	fd = rig_open(&r, "connect", "alice:s3cret@", buf, sizeof buf);
	put(fd, basic_407, sizeof basic_407 - 1);
	put(fd, "ab", 2);
	close(fd);
	fd2 = proxy_accept(&r);
	read_request(&r, fd2, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "\r\nProxy-Authorization: " BASIC_ALICE "\r\n"));
	proxy_answer(&r, fd2, "HTTP/1.0 200 OK\r\n\r\n", ENG_ESTABLISHED, 0);
	close(fd2);
	rig_free(&r);
}
END_TEST

START_TEST(wrong_credentials)
{
	struct rig r;
	char buf[2048];
	int fd;

	fd = rig_open(&r, "connect", "alice:wrong@", buf, sizeof buf);
	put(fd, basic_407, sizeof basic_407 - 1);
	put(fd, "abcde", 5);
	read_request(&r, fd, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "Proxy-Authorization: Basic "));
	proxy_answer(&r, fd, basic_407, ENG_FAILED, EACCES);
	close(fd);
	rig_free(&r);
}
END_TEST

/* MS-GRVHENC 4.6's exchange, with squid's framing: the first 407 closes the connection, the
 * NEGOTIATE goes on a new one, and the AUTHENTICATE follows the CHALLENGE on that same one. */
static const char ntlm_first[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
				 "Proxy-Authenticate: Negotiate\r\nProxy-Authenticate: NTLM\r\n"
				 "Connection: close\r\nProxy-Connection: close\r\n"
				 "Content-Length: 7\r\n\r\n<html/>";

/* Runs the exchange up to the CHALLENGE, sent with `connection` ("keep-alive" or "close");
 * returns the connection that carried it. */
static int ntlm_until_challenge(struct rig *r, const char *connection)
{
	char buf[4096];
	int fd, fd2;

	fd = rig_open(r, "connect", "EXAMPLE%5Calice:s3cret@", buf, sizeof buf);
	ck_assert_ptr_null(strstr(buf, "Proxy-Authorization"));
	put(fd, ntlm_first, sizeof ntlm_first - 1);
	fd2 = proxy_accept(r);
	close(fd);
	read_request(r, fd2, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "\r\nProxy-Authorization: NTLM TlRMTVNTUAABAAAA"));
	snprintf(buf, sizeof buf,
		 "HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM " GRVHENC_TYPE2 "\r\n"
		 "Proxy-Connection: %s\r\nContent-Length: 0\r\n\r\n",
		 connection);
	put(fd2, buf, strlen(buf));
	return fd2;
}

START_TEST(ntlm_handshake)
{
	struct rig r;
	char buf[4096];
	int fd = ntlm_until_challenge(&r, "keep-alive");

	read_request(&r, fd, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "\r\nProxy-Authorization: NTLM TlRMTVNTUAADAAAA"));
	proxy_answer(&r, fd, "HTTP/1.1 200 Connection established\r\nVia: 1.1 SPIRIT1B\r\n\r\n",
		     ENG_ESTABLISHED, 0);
	close(fd);
	rig_free(&r);
}
END_TEST

/* NTLM authenticates the connection: a proxy closing it after the CHALLENGE cannot be answered. */
START_TEST(ntlm_challenge_then_close)
{
	struct rig r;
	int fd = ntlm_until_challenge(&r, "close");

	rig_expect(&r, ENG_FAILED, EACCES);
	close(fd);
	rig_free(&r);
}
END_TEST

/* A refused CONNECT moves the chain on to the next transport. */
START_TEST(refusal_falls_through)
{
	struct rig r;
	char buf[2048];
	int fd;

	fd = rig_open(&r, "connect,direct443", "", buf, sizeof buf);
	proxy_answer(&r, fd, "HTTP/1.1 403 Forbidden\r\n\r\n", ENG_ESTABLISHED, 0);
	ck_assert_str_eq(r.st->transport, "direct443");
	close(fd);
	rig_free(&r);
}
END_TEST

START_TEST(no_proxy_configured)
{
	struct rig r;

	rig_init(&r, "connect", "");
	unsetenv("SSTPSHIM_HTTP_PROXY");
	eng_proxy_reset();
	rig_start(&r, "", false);
	rig_expect(&r, ENG_FAILED, ENETUNREACH);
	rig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("tp_connect", "connect", 30, &tc);

	/* the engine runs in the test's thread, which the shim's engine thread would not be: a
	 * write to a connection the test closed must not kill the test */
	signal(SIGPIPE, SIG_IGN);
	UNIT_ADD_TABLE(tc, request_bytes, request_cases);
	tcase_add_test(tc, reply_split_at_every_byte);
	tcase_add_test(tc, status_errors);
	tcase_add_test(tc, broken_replies);
	tcase_add_test(tc, endless_head);
	tcase_add_test(tc, basic_same_connection_then_remembered);
	tcase_add_test(tc, basic_new_connection);
	tcase_add_test(tc, closed_in_body_redials);
	tcase_add_test(tc, wrong_credentials);
	tcase_add_test(tc, ntlm_handshake);
	tcase_add_test(tc, ntlm_challenge_then_close);
	tcase_add_test(tc, refusal_falls_through);
	tcase_add_test(tc, no_proxy_configured);
	return unit_run(s);
}
