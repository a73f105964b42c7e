/* The pump with a network side of two sockets, one per direction (pump_start_split, as LongLived
 * hands over its POST and GET sessions): bytes each way, the bytes handed over first, half-closes,
 * the byte budget of each direction, and the sending socket that must stay silent. The loop runs
 * in the test thread; the far ends are TCP sockets. */
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/pump.h"
#include "engine/transport.h"
#include "engine/tunnel.h"

#include "unit.h"
#include "unit_engine.h"
#include "unit_sockets.h"

struct srig {
	struct event_base *base;
	struct tunnel *t;
	struct eng_status *st;
	int app, engine;
	int up_near, up_far;     /* the POST-like socket: the pump's end, the far end */
	int down_near, down_far; /* the GET-like socket */
};

/* Starts a pump whose directions may carry up and down octets; to_net and to_app go first. */
static void srig_start(struct srig *r, uint64_t up, uint64_t down, const char *to_net,
		       const char *to_app)
{
	struct evbuffer *net_head = evbuffer_new(), *app_head = evbuffer_new();
	int sv[2];

	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	r->app = sv[0];
	r->engine = sv[1];
	unit_tcp_pair(&r->up_near, &r->up_far);
	unit_tcp_pair(&r->down_near, &r->down_far);
	r->t = unit_tunnel_established(r->base, r->app, &r->st);
	evbuffer_add(net_head, to_net, strlen(to_net));
	evbuffer_add(app_head, to_app, strlen(to_app));
	struct tp_split s = { .up_fd = r->up_near, .down_fd = r->down_near, .to_app = app_head,
			      .up_budget = up, .down_budget = down };
	r->t->pump = pump_start_split(r->t, r->engine, &s, net_head);
	ck_assert_ptr_nonnull(r->t->pump);
	ck_assert_uint_eq(evbuffer_get_length(net_head), 0); /* taken */
	ck_assert_uint_eq(evbuffer_get_length(app_head), 0);
	evbuffer_free(net_head);
	evbuffer_free(app_head);
}

/* Runs the loop until fd has len bytes (or, with len 0, its end) and checks them. */
static void srig_expect(struct srig *r, int fd, const char *want, size_t len)
{
	char buf[256];
	size_t got = 0;
	ssize_t n;

	for (;;) {
		event_base_loop(r->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			continue;
		}
		if (n == 0) {
			ck_assert_uint_eq(got, len);
			return;
		}
		ck_assert_uint_le(got + (size_t)n, len);
		ck_assert(memcmp(buf, want + got, (size_t)n) == 0);
		got += (size_t)n;
		if (got == len && len > 0)
			return;
	}
}

/* Runs the loop until the application's end reads as reset. */
static void srig_expect_reset(struct srig *r)
{
	char buf[256];
	ssize_t n;

	for (;;) {
		event_base_loop(r->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		n = recv(r->app, buf, sizeof buf, MSG_DONTWAIT);
		ck_assert_int_ne(n, 0); /* a clean end would hide the failure */
		if (n < 0 && errno == ECONNRESET)
			return;
		ck_assert(n > 0 || errno == EAGAIN);
	}
}

static void srig_free(struct srig *r)
{
	close(r->app);
	close(r->up_far);
	close(r->down_far);
	unit_tunnel_release(r->base, r->st);
	event_base_free(r->base);
}

START_TEST(each_way_with_handover_and_half_closes)
{
	struct srig r;

	srig_start(&r, TP_SPLIT_UNLIMITED, TP_SPLIT_UNLIMITED, "first,", "early,");
	ck_assert_int_eq(send(r.app, "hello", 5, 0), 5);
	srig_expect(&r, r.up_far, "first,hello", 11);
	ck_assert_int_eq(send(r.down_far, "world", 5, 0), 5);
	srig_expect(&r, r.app, "early,world", 11);
	shutdown(r.app, SHUT_WR); /* a FIN on the sending socket only */
	srig_expect(&r, r.up_far, "", 0);
	ck_assert_int_eq(send(r.down_far, "late", 4, 0), 4);
	srig_expect(&r, r.app, "late", 4);
	close(r.up_far); /* its end after ours is not an error */
	r.up_far = -1;
	ck_assert_int_eq(send(r.down_far, "more", 4, 0), 4);
	srig_expect(&r, r.app, "more", 4);
	shutdown(r.down_far, SHUT_WR);
	srig_expect(&r, r.app, "", 0);
	while (r.st->tunnel) /* both directions over: the pump closes the tunnel */
		event_base_loop(r.base, EVLOOP_ONCE);
	srig_free(&r);
}
END_TEST

/* The sockets of a rig a test sends on or reads from. */
enum side { SIDE_APP, SIDE_UP_FAR, SIDE_DOWN_FAR };

static int srig_fd(const struct srig *r, enum side side)
{
	return side == SIDE_APP ? r->app : side == SIDE_UP_FAR ? r->up_far : r->down_far;
}

/* Each direction's budget counts the bytes handed over too: what fits goes through, then the
 * application is reset; a direction whose end comes on its budget ends cleanly. */
static const struct budget_case {
	const char *name;
	uint64_t up, down;
	const char *to_net, *to_app; /* handed over */
	enum side from;              /* sends bytes, then with shut, its end */
	const char *bytes;
	bool shut;
	enum side to; /* receives want, then with reset, the application is reset, else the end */
	const char *want;
	bool reset;
} budget_cases[] = {
	{ "up budget then reset", 10, TP_SPLIT_UNLIMITED, "abc", "", SIDE_APP, "0123456789", false,
	  SIDE_UP_FAR, "abc0123456", true }, /* 3 + 10 > 10 */
	{ "down budget exact ends cleanly", TP_SPLIT_UNLIMITED, 8, "", "ab", SIDE_DOWN_FAR,
	  "cdefgh", true, SIDE_APP, "abcdefgh", false },
	{ "down past budget resets", TP_SPLIT_UNLIMITED, 4, "", "", SIDE_DOWN_FAR, "12345", false,
	  SIDE_APP, "1234", true },
};

START_TEST(budgets)
{
	const struct budget_case *c = &budget_cases[_i];
	size_t len = strlen(c->bytes);
	struct srig r;

	srig_start(&r, c->up, c->down, c->to_net, c->to_app);
	ck_assert_msg(send(srig_fd(&r, c->from), c->bytes, len, 0) == (ssize_t)len, "%s", c->name);
	if (c->shut)
		shutdown(srig_fd(&r, c->from), SHUT_WR);
	srig_expect(&r, srig_fd(&r, c->to), c->want, strlen(c->want));
	if (c->reset)
		srig_expect_reset(&r);
	else
		srig_expect(&r, srig_fd(&r, c->to), "", 0);
	srig_free(&r);
}
END_TEST

START_TEST(bytes_on_the_sending_socket_reset)
{
	struct srig r;

	srig_start(&r, TP_SPLIT_UNLIMITED, TP_SPLIT_UNLIMITED, "", "");
	ck_assert_int_eq(send(r.up_far, "HTTP/1.0 500", 12, 0), 12);
	srig_expect_reset(&r);
	srig_free(&r);
}
END_TEST

START_TEST(sending_socket_closed_first_resets)
{
	struct srig r;

	srig_start(&r, TP_SPLIT_UNLIMITED, TP_SPLIT_UNLIMITED, "", "");
	shutdown(r.up_far, SHUT_WR);
	srig_expect_reset(&r);
	srig_free(&r);
}
END_TEST

/* Pipes are lent when bytes arrive: with no descriptor left for one, the application's bytes
 * cannot go, and it must see a reset rather than a clean end or a wait for ever. */
START_TEST(no_descriptor_for_a_pipe_resets)
{
	struct srig r;
	struct rlimit rl;
	int lowest_free;

	srig_start(&r, TP_SPLIT_UNLIMITED, TP_SPLIT_UNLIMITED, "", "");
	lowest_free = dup(0); /* every lower number is in use */
	ck_assert_int_ge(lowest_free, 0);
	close(lowest_free);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = (rlim_t)lowest_free;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(send(r.app, "lost", 4, 0), 4);
	srig_expect_reset(&r);
	srig_free(&r);
}
END_TEST

/* Many times a pipeful each way at once, through small budgets' worth of checks. */
START_TEST(bulk_both_ways)
{
	enum { N = 4 << 20 };
	struct srig r;
	char *up = malloc(N), *down = malloc(N), buf[65536];
	size_t up_sent = 0, down_sent = 0, up_got = 0, down_got = 0;
	ssize_t n;

	for (size_t i = 0; i < N; i++) {
		up[i] = (char)(i * 7 + (i >> 11));
		down[i] = (char)(i * 13 + (i >> 9));
	}
	srig_start(&r, N, N, "", "");
	while (up_got < N || down_got < N) {
		event_base_loop(r.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (up_sent < N && (n = send(r.app, up + up_sent, N - up_sent, MSG_DONTWAIT)) > 0)
			up_sent += (size_t)n;
		if (down_sent < N &&
		    (n = send(r.down_far, down + down_sent, N - down_sent, MSG_DONTWAIT)) > 0)
			down_sent += (size_t)n;
		if ((n = recv(r.up_far, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
			ck_assert(memcmp(buf, up + up_got, (size_t)n) == 0);
			up_got += (size_t)n;
		}
		if ((n = recv(r.app, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
			ck_assert(memcmp(buf, down + down_got, (size_t)n) == 0);
			down_got += (size_t)n;
		}
	}
	free(up);
	free(down);
	srig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("split_pump", "two network sockets", 30, &tc);

	tcase_add_test(tc, each_way_with_handover_and_half_closes);
	UNIT_ADD_TABLE(tc, budgets, budget_cases);
	tcase_add_test(tc, bytes_on_the_sending_socket_reset);
	tcase_add_test(tc, sending_socket_closed_first_resets);
	tcase_add_test(tc, no_descriptor_for_a_pipe_resets);
	tcase_add_test(tc, bulk_both_ways);
	return unit_run(s);
}
