/* The engine without the shim: a tunnel started on a socketpair, driven by an event loop in the
 * test thread, against real listeners on loopback. */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/tunnel.h"

#include "unit.h"
#include "unit_engine.h"
#include "unit_sockets.h"

struct rig {
	struct event_base *base;
	struct config cfg;
	int app;                  /* the application's end */
	struct eng_status *st;
	int listener;             /* the "server" on the alternate port */
	int refused;              /* bound, not listening: connect() is refused */
	int full;                 /* listening with a full accept queue: connect() hangs */
	int full_client;
};

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int bound_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = loopback(0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static void rig_init(struct rig *r, const char *transports, unsigned connect_ms, unsigned tp_ms)
{
	struct sockaddr_in a;

	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	r->listener = unit_listener(0);
	r->refused = bound_socket();
	r->full = bound_socket();
	ck_assert_int_eq(listen(r->full, 0), 0);
	/* One queued connection fills a backlog of 0; later SYNs are dropped, so a dial hangs. */
	r->full_client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a = loopback(unit_port_of(r->full));
	ck_assert_int_eq(connect(r->full_client, (struct sockaddr *)&a, sizeof a), 0);
	setenv("SSTPSHIM_TRANSPORTS", transports, 1);
	unsetenv("SSTPSHIM_PORTS");
	config_load(&r->cfg, NULL);
	r->cfg.connect_timeout_ms = connect_ms;
	r->cfg.transport_timeout_ms = tp_ms;
}

/* Starts a tunnel to dest_port, the alternate port being alt_port; pre is written by the
 * "application" before the tunnel starts, behind fill bytes as the shim would. */
static void rig_start(struct rig *r, uint16_t dest_port, uint16_t alt_port, const char *early,
		      const char *pre)
{
	struct eng_request req;
	struct sockaddr_in dest = loopback(dest_port);
	static const char fill[3000];

	r->cfg.alt_port = alt_port;
	unit_request_init(&req, &r->app, &r->st);
	ck_assert_int_eq(write(r->app, fill, sizeof fill), (ssize_t)sizeof fill);
	r->st->fill_len = sizeof fill;
	if (pre)
		ck_assert_int_eq(write(r->app, pre, strlen(pre)), (ssize_t)strlen(pre));
	memcpy(&req.dest, &dest, sizeof dest);
	req.dest_len = sizeof dest;
	if (early) {
		req.early_data = strdup(early);
		req.early_len = strlen(early);
	}
	tunnel_start(r->base, &r->cfg, &req);
}

/* Runs the loop until the tunnel is decided; returns the elapsed milliseconds. */
static double rig_wait(struct rig *r)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	unit_wait_decided(r->base, r->st);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

/* Ends the tunnel from both sides and runs the loop until the engine has freed it. */
static void rig_free(struct rig *r)
{
	close(r->app);
	close(r->listener); /* resets a connection still waiting in the accept queue */
	close(r->refused);
	close(r->full);
	close(r->full_client);
	unit_tunnel_release(r->base, r->st);
	event_base_free(r->base);
}

START_TEST(falls_back_to_direct443)
{
	struct rig r;
	char buf[64];
	int server;
	ssize_t n;

	rig_init(&r, "direct,direct443", 5000, 0);
	rig_start(&r, unit_port_of(r.refused), unit_port_of(r.listener), "early,", "pre");
	rig_wait(&r);
	ck_assert_int_eq(atomic_load(&r.st->state), ENG_ESTABLISHED);
	ck_assert_str_eq(r.st->transport, "direct443");
	server = accept(r.listener, NULL, NULL);
	ck_assert_int_ge(server, 0);
	/* Fast Open bytes first, then what the application wrote; never the fill. */
	for (size_t got = 0; got < 9; got += (size_t)n) {
		unit_until_readable(r.base, server);
		n = read(server, buf + got, sizeof buf - got);
		ck_assert_int_gt(n, 0);
		ck_assert_int_le(got + (size_t)n, 9);
	}
	ck_assert(memcmp(buf, "early,pre", 9) == 0);
	ck_assert_int_eq(write(server, "back", 4), 4);
	unit_read_expect(r.base, r.app, "back", 4);
	close(server);
	rig_free(&r);
}
END_TEST

/* The socket of the rig's a dial goes to. */
enum rig_port { PORT_REFUSED, PORT_FULL, PORT_LISTENER };

static uint16_t rig_port(const struct rig *r, enum rig_port which)
{
	const int fds[] = {
		[PORT_REFUSED] = r->refused, [PORT_FULL] = r->full, [PORT_LISTENER] = r->listener
	};

	return unit_port_of(fds[which]);
}

/* How the chain decides, from its transports, timeouts and what the ports do. */
static const struct chain_case {
	const char *name;
	const char *transports;
	unsigned connect_ms, tp_ms;
	enum rig_port dest, alt;
	int state;             /* ENG_ESTABLISHED or ENG_FAILED */
	const char *transport; /* the winner, once ESTABLISHED */
	int error;             /* the errno, once FAILED */
	double min_ms;         /* with a timeout: the decision takes that long, and under 3 s */
} chain_cases[] = {
	{ "all refused gives ECONNREFUSED", "direct,direct443", 5000, 0, PORT_REFUSED, PORT_REFUSED,
	  ENG_FAILED, NULL, ECONNREFUSED, 0 },
	{ "unknown names are skipped", "bogus,longlived,direct443", 5000, 0, PORT_REFUSED,
	  PORT_LISTENER, ENG_ESTABLISHED, "direct443", 0, 0 },
	{ "the attempt timeout moves on", "direct,direct443", 5000, 200, PORT_FULL, PORT_LISTENER,
	  ENG_ESTABLISHED, "direct443", 0, 190 },
	{ "the connect timeout gives ETIMEDOUT", "direct,direct443", 300, 0, PORT_FULL, PORT_FULL,
	  ENG_FAILED, NULL, ETIMEDOUT, 290 },
};

START_TEST(chain_decides)
{
	const struct chain_case *c = &chain_cases[_i];
	struct rig r;
	double ms;
	int state;

	rig_init(&r, c->transports, c->connect_ms, c->tp_ms);
	rig_start(&r, rig_port(&r, c->dest), rig_port(&r, c->alt), NULL, NULL);
	ms = rig_wait(&r);
	state = atomic_load(&r.st->state);
	ck_assert_msg(state == c->state, "%s: state %d, want %d", c->name, state, c->state);
	if (c->state == ENG_FAILED)
		ck_assert_msg(atomic_load(&r.st->error) == c->error, "%s: errno %d, want %d",
			      c->name, atomic_load(&r.st->error), c->error);
	else
		ck_assert_msg(strcmp(r.st->transport, c->transport) == 0, "%s: transport %s",
			      c->name, r.st->transport);
	if (c->min_ms > 0)
		ck_assert_msg(ms >= c->min_ms && ms < 3000, "%s: decided after %.0f ms", c->name,
			      ms);
	rig_free(&r);
}
END_TEST

START_TEST(half_close_both_ways)
{
	struct rig r;
	int server;

	rig_init(&r, "direct", 5000, 0);
	rig_start(&r, unit_port_of(r.listener), 1, NULL, "x");
	rig_wait(&r);
	server = accept(r.listener, NULL, NULL);
	shutdown(r.app, SHUT_WR);
	unit_read_expect(r.base, server, "x", 1);
	unit_read_expect(r.base, server, "", 0);        /* the application's FIN */
	ck_assert_int_eq(write(server, "reply", 5), 5); /* the other way still flows */
	unit_read_expect(r.base, r.app, "reply", 5);
	close(server);
	unit_read_expect(r.base, r.app, "", 0);
	rig_free(&r);
}
END_TEST

START_TEST(server_reset_reaches_application)
{
	struct rig r;
	struct linger lg = { 1, 0 };
	struct stat st;
	int server;

	rig_init(&r, "direct", 5000, 0);
	rig_start(&r, unit_port_of(r.listener), 1, NULL, NULL);
	ck_assert_int_eq(fstat(r.app, &st), 0);
	((struct tunnel *)r.st->tunnel)->app_ino = st.st_ino;
	rig_wait(&r);
	server = accept(r.listener, NULL, NULL);
	ck_assert_int_eq(setsockopt(server, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
	close(server); /* RST */
	unit_read_reset(r.base, r.app);
	rig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("engine", "chain and pump", 20, &tc);

	tcase_add_test(tc, falls_back_to_direct443);
	UNIT_ADD_TABLE(tc, chain_decides, chain_cases);
	tcase_add_test(tc, half_close_both_ways);
	tcase_add_test(tc, server_reset_reaches_application);
	return unit_run(s);
}
