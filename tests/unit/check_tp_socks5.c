/* engine/tp_socks5 through the chain, against a scripted proxy listening on loopback (the proxy
 * comes from SSTPSHIM_SOCKS_PROXY, as in real use): what reaches the application, its errno, the
 * chain going on, and when the transport is skipped. The handshake's own cases are in
 * check_socks5_handshake.c. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/namemap.h"
#include "engine/engine.h"
#include "engine/proxy.h"
#include "engine/tunnel.h"

#include "unit.h"
#include "unit_engine.h"
#include "unit_sockets.h"

#define BYTES(s) (s), (sizeof(s) - 1)

struct rig {
	struct event_base *base;
	struct config cfg;
	int app;
	struct eng_status *st;
	int proxy_listener, proxy; /* the scripted proxy and its accepted connection */
	int server;                /* a plain server on the alternate port, for direct443 */
};

/* proxy_url: "socks5://127.0.0.1:%u" style text, %u being the scripted proxy's port. */
static void rig_init(struct rig *r, const char *transports, const char *proxy_url)
{
	char url[128];

	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	r->proxy_listener = unit_listener(0);
	r->server = unit_listener(0);
	r->proxy = -1;
	snprintf(url, sizeof url, proxy_url, unit_port_of(r->proxy_listener));
	setenv("SSTPSHIM_SOCKS_PROXY", url, 1);
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	eng_proxy_reset();
	setenv("SSTPSHIM_TRANSPORTS", transports, 1);
	unsetenv("SSTPSHIM_PORTS");
	config_load(&r->cfg, NULL);
	r->cfg.connect_timeout_ms = 5000;
	r->cfg.alt_port = unit_port_of(r->server);
}

/* A tunnel to addr:2492 (dotted quad), with the host name the application resolved, or "". */
static void rig_start(struct rig *r, const char *addr, const char *host)
{
	struct eng_request req;
	struct sockaddr_in dest = { .sin_family = AF_INET, .sin_port = htons(2492) };

	inet_pton(AF_INET, addr, &dest.sin_addr);
	unit_request_init(&req, &r->app, &r->st);
	memcpy(&req.dest, &dest, sizeof dest);
	req.dest_len = sizeof dest;
	snprintf(req.host, sizeof req.host, "%s", host);
	tunnel_start(r->base, &r->cfg, &req);
}

/* The proxy's side: accept, then read exactly len bytes and compare them with want. */
static void proxy_expect(struct rig *r, const char *want, size_t len)
{
	char buf[600];
	size_t got = 0;

	if (r->proxy < 0) {
		unit_until_readable(r->base, r->proxy_listener);
		r->proxy = accept(r->proxy_listener, NULL, NULL);
		ck_assert_int_ge(r->proxy, 0);
	}
	while (got < len) {
		ssize_t n;
		unit_until_readable(r->base, r->proxy);
		n = read(r->proxy, buf + got, len - got);
		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
	ck_assert(memcmp(buf, want, len) == 0);
}

static void proxy_send(struct rig *r, const char *bytes, size_t len)
{
	ck_assert_int_eq(write(r->proxy, bytes, len), (ssize_t)len);
}

static void rig_free(struct rig *r)
{
	close(r->app);
	if (r->proxy >= 0)
		close(r->proxy);
	close(r->proxy_listener);
	close(r->server);
	unit_tunnel_release(r->base, r->st);
	event_base_free(r->base);
	unsetenv("SSTPSHIM_SOCKS_PROXY");
	eng_proxy_reset();
}

/* The server's first bytes, in the proxy's write that carries the reply, reach the application;
 * the CONNECT goes to the application's port with the name it resolved. */
START_TEST(chain_established_with_server_bytes)
{
	struct rig r;

	rig_init(&r, "socks5", "socks5://127.0.0.1:%u");
	rig_start(&r, "192.0.2.7", "sstp.example");
	proxy_expect(&r, BYTES("\x05\x01\x00"));
	proxy_send(&r, BYTES("\x05\x00"));
	proxy_expect(&r, BYTES("\x05\x01\x00\x03\x0csstp.example\x09\xbc"));
	proxy_send(&r, BYTES("\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38hello"));
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_ESTABLISHED);
	ck_assert_str_eq(r.st->transport, "socks5");
	unit_read_expect(r.base, r.app, "hello", 5);
	ck_assert_int_eq(write(r.app, "up", 2), 2);
	proxy_expect(&r, BYTES("up"));
	rig_free(&r);
}
END_TEST

START_TEST(chain_refused_gives_econnrefused)
{
	struct rig r;

	rig_init(&r, "socks5", "socks5://127.0.0.1:%u");
	rig_start(&r, "192.0.2.7", "");
	proxy_expect(&r, BYTES("\x05\x01\x00"));
	proxy_send(&r, BYTES("\x05\x00"));
	proxy_expect(&r, BYTES("\x05\x01\x00\x01\xc0\x00\x02\x07\x09\xbc"));
	proxy_send(&r, BYTES("\x05\x05\x00\x01\0\0\0\0\0\0"));
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_FAILED);
	ck_assert_int_eq(atomic_load(&r.st->error), ECONNREFUSED);
	rig_free(&r);
}
END_TEST

/* Wrong credentials: the attempt fails and the chain moves on to the next transport. */
START_TEST(chain_moves_on_after_auth_failure)
{
	struct rig r;

	rig_init(&r, "socks5,direct443", "socks5://joe:wrong@127.0.0.1:%u");
	rig_start(&r, "127.0.0.1", "");
	proxy_expect(&r, BYTES("\x05\x02\x00\x02"));
	proxy_send(&r, BYTES("\x05\x02"));
	proxy_expect(&r, BYTES("\x01\x03joe\x05wrong"));
	proxy_send(&r, BYTES("\x01\x01"));
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_ESTABLISHED);
	ck_assert_str_eq(r.st->transport, "direct443");
	rig_free(&r);
}
END_TEST

/* Not configured, exempted, or a placeholder a socks5:// proxy cannot reach: skipped. */
START_TEST(chain_skips_when_unusable)
{
	struct rig r;
	struct in_addr ph;
	char text[INET_ADDRSTRLEN];

	rig_init(&r, "socks5,direct443", "");
	rig_start(&r, "127.0.0.1", "");
	unit_wait_decided(r.base, r.st);
	ck_assert_str_eq(r.st->transport, "direct443");
	rig_free(&r);

	rig_init(&r, "socks5,direct443", "socks5://127.0.0.1:%u");
	setenv("NO_PROXY", "127.0.0.1", 1);
	rig_start(&r, "127.0.0.1", "");
	unit_wait_decided(r.base, r.st);
	ck_assert_str_eq(r.st->transport, "direct443");
	unsetenv("NO_PROXY");
	rig_free(&r);

	ck_assert_int_eq(namemap_placeholder("only.proxy.knows", &ph), 0);
	inet_ntop(AF_INET, &ph, text, sizeof text);
	rig_init(&r, "socks5", "socks5://127.0.0.1:%u");
	rig_start(&r, text, "");
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_FAILED);
	rig_free(&r);
}
END_TEST

/* socks5h and a placeholder: the proxy gets the name (SSTPSHIM_REMOTE_DNS). */
START_TEST(chain_placeholder_name_via_socks5h)
{
	struct rig r;
	struct in_addr ph;
	char text[INET_ADDRSTRLEN];

	ck_assert_int_eq(namemap_placeholder("only.proxy.knows", &ph), 0);
	inet_ntop(AF_INET, &ph, text, sizeof text);
	rig_init(&r, "socks5", "socks5h://127.0.0.1:%u");
	rig_start(&r, text, "");
	proxy_expect(&r, BYTES("\x05\x01\x00"));
	proxy_send(&r, BYTES("\x05\x00"));
	proxy_expect(&r, BYTES("\x05\x01\x00\x03\x10only.proxy.knows\x09\xbc"));
	proxy_send(&r, BYTES("\x05\x00\x00\x01\0\0\0\0\0\0"));
	unit_wait_decided(r.base, r.st);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_ESTABLISHED);
	rig_free(&r);
}
END_TEST

/* A proxy that accepts and closes: the chain moves on. */
START_TEST(chain_moves_on_after_early_close)
{
	struct rig r;

	rig_init(&r, "socks5,direct443", "socks5://127.0.0.1:%u");
	rig_start(&r, "127.0.0.1", "");
	proxy_expect(&r, BYTES("\x05\x01\x00"));
	close(r.proxy);
	r.proxy = -1;
	unit_wait_decided(r.base, r.st);
	ck_assert_str_eq(r.st->transport, "direct443");
	rig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("tp_socks5", "transport", 20, &tc);

	tcase_add_test(tc, chain_established_with_server_bytes);
	tcase_add_test(tc, chain_refused_gives_econnrefused);
	tcase_add_test(tc, chain_moves_on_after_auth_failure);
	tcase_add_test(tc, chain_skips_when_unusable);
	tcase_add_test(tc, chain_placeholder_name_via_socks5h);
	tcase_add_test(tc, chain_moves_on_after_early_close);
	return unit_run(s);
}
