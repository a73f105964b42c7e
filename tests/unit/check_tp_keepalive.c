/* engine/tp_keepalive against a scripted authenticating proxy in the test thread (the proxy is
 * also the relay: it reads the absolute-URI requests itself). A 401/407 whose page comes chunked
 * (written in pieces), ends only with the connection, or is over 32768 octets is answered
 * (MS-GRVHENC 3.3.5.1.3, 3.3.5.2.3): on the same connection once the page is read, or on a new
 * one; a chunked page that never ends fails the attempt at CAP_PROXY_AUTH_BODY. Once
 * established, a 407 that ends the GET session's connection ends the virtual connection: the GET
 * session is never re-opened (3.3.4.6, 3.3.7); the POST session is (3.3.7.1). */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/proxy.h"
#include "engine/proxy_auth.h"
#include "engine/tunnel.h"
#include "proto/keepalive.h"

#include "unit.h"
#include "unit_engine.h"
#include "unit_sockets.h"

#define CREDS "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
#define OK_HEAD "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: "
#define POST_OK OK_HEAD "15\r\n\r\n" KA_NO_DATA_LINE
#define GET_ECHO OK_HEAD "22\r\n\r\n" LL_ECHO_LINE
#define CHALLENGE                                                                                  \
	"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"

struct ka_rig {
	struct event_base *base;
	struct config cfg;
	int app, proxy; /* the application's end; the proxy's listener */
	int get, post;	/* the proxy's ends of the two sessions */
	struct eng_status *st;
};

/* One pass of the engine's loop, without waiting. */
static void ka_turn(struct ka_rig *r)
{
	event_base_loop(r->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

/* Runs the engine until one of fds[0..n) is readable; returns its index. */
static int ka_until_any(struct ka_rig *r, const int *fds, int n)
{
	struct pollfd p[2];

	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	for (;;) {
		if (poll(p, (nfds_t)n, 0) > 0)
			for (int i = 0; i < n; i++)
				if (p[i].revents)
					return i;
		ka_turn(r);
	}
}

static void ka_send(int fd, const char *s, size_t len)
{
	ck_assert_int_eq(write(fd, s, len), (ssize_t)len);
}

static void ka_say(int fd, const char *s)
{
	ka_send(fd, s, strlen(s));
}

/* Reads one request on fd (its head, and a POST's body) into buf. */
static void ka_read_request(struct ka_rig *r, int fd, char *buf, size_t cap)
{
	size_t len = 0, want = SIZE_MAX;

	while (len < want) {
		unit_until_readable(r->base, fd);
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
		buf[len] = '\0';
		char *end = strstr(buf, "\r\n\r\n"), *cl = strstr(buf, "Content-Length: ");
		if (end)
			want = (size_t)(end + 4 - buf) +
			       (cl && cl < end ? strtoul(cl + 16, NULL, 10) : 0);
	}
	ck_assert_uint_eq(len, want);
}

/* Reads the next request on fd and checks that it carries needle (NULL: no credentials). */
static void ka_expect(struct ka_rig *r, int fd, const char *needle)
{
	char buf[CAP_LL_HEAD * 4];

	ka_read_request(r, fd, buf, sizeof buf);
	if (needle)
		ck_assert_msg(strstr(buf, needle) != NULL, "no <%s> in <%s>", needle, buf);
	else
		ck_assert_msg(strstr(buf, "Proxy-Authorization") == NULL, "%s", buf);
}

/* Accepts a connection to the proxy and reads its request; sets r->get or r->post to it. */
static int ka_accept(struct ka_rig *r, const char *needle)
{
	char buf[CAP_LL_HEAD * 4];

	unit_until_readable(r->base, r->proxy);
	int fd = accept(r->proxy, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	ka_read_request(r, fd, buf, sizeof buf);
	ck_assert_msg(!needle || strstr(buf, needle), "no <%s> in <%s>", needle, buf);
	*(buf[0] == 'G' ? &r->get : &r->post) = fd;
	return fd;
}

static void ka_start(struct ka_rig *r)
{
	char url[96];

	memset(r, 0, sizeof *r);
	r->get = r->post = -1;
	r->base = event_base_new();
	r->proxy = unit_listener(0);
	snprintf(url, sizeof url, "http://user:pass@127.0.0.1:%u", unit_port_of(r->proxy));
	setenv("SSTPSHIM_TRANSPORTS", "keepalive", 1);
	setenv("SSTPSHIM_HTTP_PORT", "2492", 1);
	setenv("http_proxy", url, 1);
	unsetenv("SSTPSHIM_HTTP_PROXY");
	eng_proxy_reset();
	proxy_auth_memo_reset();
	config_load(&r->cfg, NULL);
	r->app = unit_tunnel_start(r->base, &r->cfg, &r->st);
	ka_accept(r, NULL);
	ka_accept(r, NULL);
	ck_assert(r->get >= 0 && r->post >= 0);
}

static void ka_free(struct ka_rig *r)
{
	close(r->proxy);
	if (r->get >= 0)
		close(r->get);
	if (r->post >= 0)
		close(r->post);
	unit_tunnel_end(r->base, r->app, r->st);
}

/* Both handshake responses, credentials now on each session's next request: established. */
static void ka_establish(struct ka_rig *r)
{
	ka_say(r->post, POST_OK);
	ka_say(r->get, GET_ECHO);
	unit_wait_decided(r->base, r->st);
	ck_assert_int_eq(atomic_load(&r->st->state), ENG_ESTABLISHED);
	ka_expect(r, r->get,
		  CREDS); /* 3.3.5.3.2: the first data GET, with the memo's credentials */
}

/* A chunked page, written in pieces with a loop turn between: the retry goes on the same
 * connection once its last chunk is through, not before. */
START_TEST(chunked_page_same_connection)
{
	static const char page[] =
		CHALLENGE "Transfer-Encoding: chunked\r\n\r\n"
			  "10;x=y\r\n<html>denied</ht\r\n3\r\nml>\r\n0\r\nX-T: 1\r\n\r\n";
	struct ka_rig r;
	size_t cut = sizeof page - 1 - 9;
	struct pollfd p;

	ka_start(&r);
	ka_send(r.get, page, cut);
	for (int i = 0; i < 50; i++)
		ka_turn(&r);
	p = (struct pollfd){ .fd = r.get, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 0), 0); /* the page is not through: no retry yet */
	ka_say(r.get, page + cut);
	ka_expect(&r, r.get, CREDS);
	ka_say(r.post, page); /* the POST too, on its connection */
	ka_expect(&r, r.post, CREDS "\r\n" LL_ECHO_LINE);
	ka_establish(&r);
	ka_free(&r);
}
END_TEST

/* A page that ends only with the connection: the retry goes on a new one at once. */
START_TEST(close_delimited_page_new_connection)
{
	struct ka_rig r;
	int old;

	ka_start(&r);
	old = r.post;
	ka_say(r.post, CHALLENGE "Connection: keep-alive\r\n\r\n<html>denied, and more to come");
	ka_accept(&r, CREDS "\r\n" LL_ECHO_LINE);
	ck_assert_int_ne(r.post, old);
	close(old);
	ka_say(r.get, "HTTP/1.0 407 x\r\nProxy-Authenticate: Basic realm=\"t\"\r\n\r\n<html>");
	old = r.get;
	ka_accept(&r, CREDS);
	close(old);
	ka_establish(&r);
	ka_free(&r);
}
END_TEST

/* A page of 40000 octets by Content-Length, over the KeepAlive body limit but under
 * CAP_PROXY_AUTH_BODY: dropped as it comes, the retry on the same connection. */
START_TEST(long_page_same_connection)
{
	static char page[40000];
	struct ka_rig r;

	memset(page, 'p', sizeof page);
	ka_start(&r);
	ka_say(r.get, CHALLENGE "Content-Length: 40000\r\n\r\n");
	ka_send(r.get, page, sizeof page);
	ka_expect(&r, r.get, CREDS);
	ka_establish(&r);
	ka_free(&r);
}
END_TEST

/* Chunks that never end: the attempt fails once CAP_PROXY_AUTH_BODY octets have come. */
START_TEST(endless_chunked_page_fails)
{
	static char chunk[4096 + 16];
	struct ka_rig r;
	size_t n = (size_t)snprintf(chunk, sizeof chunk, "1000\r\n");

	memset(chunk + n, 'c', 4096);
	memcpy(chunk + n + 4096, "\r\n", 2);
	n += 4098;
	ka_start(&r);
	ka_say(r.get, CHALLENGE "Transfer-Encoding: chunked\r\n\r\n");
	for (size_t sent = 0; sent <= CAP_PROXY_AUTH_BODY; sent += n) {
		ka_send(r.get, chunk, n);
		ka_turn(&r);
	}
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_FAILED);
	ck_assert_int_eq(atomic_load(&r.st->error), EPROTO);
	ka_free(&r);
}
END_TEST

/* Established: a 407 that ends the GET session's connection ends the virtual connection (the
 * application sees a reset) and no new GET connection is opened (3.3.4.6, 3.3.7). */
START_TEST(established_get_not_reopened)
{
	struct ka_rig r;
	struct stat st;
	char buf[16];
	int fds[2];

	ka_start(&r);
	ck_assert_int_eq(fstat(r.app, &st), 0);
	((struct tunnel *)r.st->tunnel)->app_ino = st.st_ino; /* a reset reaches it as one */
	ka_say(r.get, CHALLENGE "Content-Length: 0\r\n\r\n");
	ka_expect(&r, r.get, CREDS);
	ka_establish(&r);
	ka_say(r.get, CHALLENGE "Connection: close\r\nContent-Length: 0\r\n\r\n");
	close(r.get);
	r.get = -1;
	fds[0] = r.app;
	fds[1] = r.proxy;
	ck_assert_int_eq(ka_until_any(&r, fds, 2), 0); /* the application hears first */
	errno = 0;
	ck_assert_int_eq(read(r.app, buf, sizeof buf), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	for (int i = 0; i < 50; i++)
		ka_turn(&r);
	struct pollfd p = { .fd = r.proxy, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 0), 0);
	ka_free(&r);
}
END_TEST

/* Established: the same on the POST session re-opens it, and the chunk goes again (3.3.7.1). */
START_TEST(established_post_reopened)
{
	struct ka_rig r;
	int old;

	ka_start(&r);
	ka_say(r.post, CHALLENGE "Content-Length: 0\r\n\r\n");
	ka_expect(&r, r.post, CREDS);
	ka_establish(&r);
	ka_say(r.app, "hello");
	ka_expect(&r, r.post, CREDS);
	ka_say(r.post, CHALLENGE "Connection: close\r\nContent-Length: 0\r\n\r\n");
	old = r.post;
	ka_accept(&r, CREDS);
	close(old);
	ka_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("tp_keepalive", "against a scripted proxy", 20, &tc);

	tcase_add_test(tc, chunked_page_same_connection);
	tcase_add_test(tc, close_delimited_page_new_connection);
	tcase_add_test(tc, long_page_same_connection);
	tcase_add_test(tc, endless_chunked_page_fails);
	tcase_add_test(tc, established_get_not_reopened);
	tcase_add_test(tc, established_post_reopened);
	return unit_run(s);
}
