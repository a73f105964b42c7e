/* The pump alone, both ways it can run: between two sockets (spliced) and between the
 * application's socket and an in-process stream (a bufferevent pair, pumped through buffers).
 * Every test runs once per kind; the far end is a TCP socket or the pair's other end, and the loop
 * runs in the test thread. */
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/dial.h"
#include "engine/pump.h"
#include "engine/tunnel.h"

#include "unit.h"
#include "unit_engine.h"
#include "unit_sockets.h"

enum kind { KIND_SOCKET, KIND_PAIR };

struct prig {
	enum kind kind;
	struct event_base *base;
	struct tunnel *t;
	struct eng_status *st;    /* a reference of the test's own */
	int app;                  /* the application's end */
	int engine;               /* the engine's end, until the pump takes it */
	struct bufferevent *stream;
	int far_fd;               /* KIND_SOCKET: the server's socket */
	struct bufferevent *far;  /* KIND_PAIR: the other end of the pair */
	bool far_eof;
	bool far_shut;            /* the far end said it will send nothing more */
};

static void far_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct prig *r = arg;

	if (what & BEV_EVENT_EOF)
		r->far_eof = true;
}

static void prig_init(struct prig *r, enum kind kind)
{
	int sv[2];

	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->base = event_base_new();
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	r->app = sv[0];
	r->engine = sv[1];
	if (kind == KIND_SOCKET) {
		int client;
		unit_tcp_pair(&client, &r->far_fd);
		r->stream = dial_stream(r->base, client);
	} else {
		struct bufferevent *pair[2];
		ck_assert_int_eq(bufferevent_pair_new(r->base, BEV_OPT_DEFER_CALLBACKS, pair), 0);
		r->stream = pair[0];
		r->far = pair[1];
		r->far_fd = -1;
		bufferevent_setcb(r->far, NULL, NULL, far_event_cb, r);
		bufferevent_enable(r->far, EV_READ | EV_WRITE);
	}
	ck_assert_ptr_nonnull(r->stream);
	r->t = unit_tunnel_established(r->base, r->app, &r->st);
}

static void prig_start(struct prig *r)
{
	r->t->pump = pump_start(r->t, r->engine, r->stream);
	ck_assert_ptr_nonnull(r->t->pump);
}

static void prig_turn(struct prig *r)
{
	event_base_loop(r->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

/* Sends from the far end what it takes now; the count. */
static size_t far_send(struct prig *r, const void *buf, size_t len)
{
	ssize_t n;

	if (r->kind == KIND_PAIR) {
		ck_assert_int_eq(bufferevent_write(r->far, buf, len), 0);
		return len;
	}
	n = send(r->far_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN)
		ck_abort_msg("far end: send: %s", strerror(errno));
	return n < 0 ? 0 : (size_t)n;
}

/* Receives at the far end: a count, 0 at the end of the stream, -1 when nothing is there yet. */
static ssize_t far_recv(struct prig *r, void *buf, size_t len)
{
	ssize_t n;

	if (r->kind == KIND_PAIR) {
		n = (ssize_t)evbuffer_remove(bufferevent_get_input(r->far), buf, len);
		return n > 0 ? n : r->far_eof ? 0 : -1;
	}
	n = recv(r->far_fd, buf, len, MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN)
		ck_abort_msg("far end: recv: %s", strerror(errno));
	return n;
}

static void far_shutdown(struct prig *r)
{
	r->far_shut = true;
	if (r->kind == KIND_PAIR)
		bufferevent_flush(r->far, EV_WRITE, BEV_FINISHED);
	else
		ck_assert_int_eq(shutdown(r->far_fd, SHUT_WR), 0);
}

/* Receives at the application's end, as far_recv. */
static ssize_t app_recv(struct prig *r, void *buf, size_t len)
{
	ssize_t n = recv(r->app, buf, len, MSG_DONTWAIT);

	if (n < 0 && errno != EAGAIN)
		ck_abort_msg("application: recv: %s", strerror(errno));
	return n;
}

/* Runs the loop until len bytes arrived through recv_fn (far_recv or app_recv), or with
 * want_eof, then the end of the stream. */
static void prig_expect(struct prig *r, ssize_t (*recv_fn)(struct prig *, void *, size_t),
			const char *want, size_t len, bool want_eof)
{
	char buf[256];
	size_t got = 0;
	ssize_t n;

	while (got < len || want_eof) {
		prig_turn(r);
		n = recv_fn(r, buf, got < len ? len - got : sizeof buf);
		if (n < 0)
			continue;
		if (n == 0) {
			ck_assert_uint_eq(got, len); /* no end of stream before every byte */
			return;
		}
		ck_assert_uint_le(got + (size_t)n, len);
		ck_assert(memcmp(buf, want + got, (size_t)n) == 0);
		got += (size_t)n;
	}
}

static void far_expect(struct prig *r, const char *want, size_t len, bool want_eof)
{
	prig_expect(r, far_recv, want, len, want_eof);
}

static void app_expect(struct prig *r, const char *want, size_t len, bool want_eof)
{
	prig_expect(r, app_recv, want, len, want_eof);
}

/* Runs the loop until the pump has closed the tunnel and the tunnel is freed. */
static void prig_wait_closed(struct prig *r)
{
	while (r->st->tunnel)
		event_base_loop(r->base, EVLOOP_ONCE);
}

static void prig_free(struct prig *r)
{
	close(r->app);
	if (r->far_fd >= 0)
		close(r->far_fd);
	else if (r->far && !r->far_shut)
		far_shutdown(r); /* freeing one end of a pair tells the other nothing */
	unit_tunnel_release(r->base, r->st);
	if (r->far)
		bufferevent_free(r->far);
	event_base_free(r->base);
}

/* Bytes of a stream at offset i, different each way. */
static char pattern(size_t i, unsigned seed)
{
	return (char)((i * 131u + (i >> 13) + seed) & 0xff);
}

START_TEST(handover_bytes_go_first)
{
	struct prig r;

	prig_init(&r, (enum kind)_i);
	/* What the transport read past its handshake, and what it had not sent yet. */
	ck_assert_uint_eq(far_send(&r, "early-down,", 11), 11);
	bufferevent_enable(r.stream, EV_READ);
	while (evbuffer_get_length(bufferevent_get_input(r.stream)) < 11)
		event_base_loop(r.base, EVLOOP_ONCE);
	bufferevent_disable(r.stream, EV_READ);
	ck_assert_int_eq(bufferevent_write(r.stream, "early-up,", 9), 0);
	ck_assert_int_eq(send(r.app, "later-up", 8, 0), 8);
	prig_start(&r);
	far_expect(&r, "early-up,later-up", 17, false);
	ck_assert_uint_eq(far_send(&r, "later-down", 10), 10);
	app_expect(&r, "early-down,later-down", 21, false);
	prig_free(&r);
}
END_TEST

/* Whether buf holds the stream's bytes from offset at on; ck_assert per byte would be too slow
 * (each one records its location with a system call). */
static bool pattern_matches(const char *buf, size_t len, size_t at, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(at + i, seed))
			return false;
	return true;
}

static void pattern_fill(char *buf, size_t len, size_t at, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(at + i, seed);
}

/* Moves len bytes each way at once, checking every byte. */
static void bulk_both_ways(struct prig *r, size_t len)
{
	static char out[65536], buf[65536];
	size_t up_sent = 0, up_got = 0, down_sent = 0, down_got = 0, chunk;
	ssize_t n;

	while (up_got < len || down_got < len) {
		chunk = len - up_sent < sizeof out ? len - up_sent : sizeof out;
		pattern_fill(out, chunk, up_sent, 1);
		n = send(r->app, out, chunk, MSG_DONTWAIT);
		up_sent += n > 0 ? (size_t)n : 0;
		chunk = len - down_sent < sizeof out ? len - down_sent : sizeof out;
		pattern_fill(out, chunk, down_sent, 2);
		down_sent += far_send(r, out, chunk);
		prig_turn(r);
		while ((n = far_recv(r, buf, sizeof buf)) > 0) {
			if (!pattern_matches(buf, (size_t)n, up_got, 1))
				ck_abort_msg("wrong bytes after %zu bytes up", up_got);
			up_got += (size_t)n;
		}
		if (n == 0)
			ck_abort_msg("end of stream after %zu of %zu bytes up", up_got, len);
		while ((n = app_recv(r, buf, sizeof buf)) > 0) {
			if (!pattern_matches(buf, (size_t)n, down_got, 2))
				ck_abort_msg("wrong bytes after %zu bytes down", down_got);
			down_got += (size_t)n;
		}
		if (n == 0)
			ck_abort_msg("end of stream after %zu of %zu bytes down", down_got, len);
	}
	ck_assert_uint_eq(up_got, len);
	ck_assert_uint_eq(down_got, len);
}

START_TEST(bulk_both_ways_then_end)
{
	struct prig r;

	prig_init(&r, (enum kind)_i);
	prig_start(&r);
	bulk_both_ways(&r, 8u << 20);
	ck_assert_int_eq(shutdown(r.app, SHUT_WR), 0);
	far_expect(&r, "", 0, true);
	far_shutdown(&r);
	app_expect(&r, "", 0, true);
	prig_wait_closed(&r); /* both ways ended: the pump let the tunnel go by itself */
	prig_free(&r);
}
END_TEST

START_TEST(half_close_from_the_application)
{
	struct prig r;

	prig_init(&r, (enum kind)_i);
	prig_start(&r);
	ck_assert_int_eq(send(r.app, "last", 4, 0), 4);
	ck_assert_int_eq(shutdown(r.app, SHUT_WR), 0);
	far_expect(&r, "last", 4, true);
	ck_assert_uint_eq(far_send(&r, "still flowing", 13), 13);
	app_expect(&r, "still flowing", 13, false);
	ck_assert_ptr_nonnull(r.st->tunnel);
	far_shutdown(&r);
	app_expect(&r, "", 0, true);
	prig_wait_closed(&r);
	prig_free(&r);
}
END_TEST

START_TEST(half_close_from_the_network)
{
	struct prig r;

	prig_init(&r, (enum kind)_i);
	prig_start(&r);
	ck_assert_uint_eq(far_send(&r, "bye", 3), 3);
	far_shutdown(&r);
	app_expect(&r, "bye", 3, true);
	ck_assert_int_eq(send(r.app, "still flowing", 13, 0), 13);
	far_expect(&r, "still flowing", 13, false);
	ck_assert_ptr_nonnull(r.st->tunnel);
	ck_assert_int_eq(shutdown(r.app, SHUT_WR), 0);
	far_expect(&r, "", 0, true);
	prig_wait_closed(&r);
	prig_free(&r);
}
END_TEST

START_TEST(network_error_resets_the_application)
{
	struct prig r;
	struct linger lg = { 1, 0 };
	char buf[16];
	ssize_t n;

	prig_init(&r, (enum kind)_i);
	prig_start(&r);
	if (r.kind == KIND_PAIR) {
		errno = ECONNRESET;
		bufferevent_trigger_event(r.stream, BEV_EVENT_ERROR | BEV_EVENT_READING, 0);
	} else {
		ck_assert_int_eq(setsockopt(r.far_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
		close(r.far_fd); /* RST */
		r.far_fd = -1;
	}
	while ((n = recv(r.app, buf, sizeof buf, MSG_DONTWAIT)) < 0 && errno == EAGAIN)
		prig_turn(&r);
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, ECONNRESET);
	prig_wait_closed(&r);
	prig_free(&r);
}
END_TEST

START_TEST(application_close_ends_the_network_side)
{
	struct prig r;

	prig_init(&r, (enum kind)_i);
	prig_start(&r);
	ck_assert_int_eq(send(r.app, "x", 1, 0), 1);
	close(r.app);
	r.app = -1;
	far_expect(&r, "x", 1, true); /* it looks like a half-close ... */
	ck_assert_uint_eq(far_send(&r, "unwanted", 8), 8);
	prig_wait_closed(&r);         /* ... until the application's end refuses bytes */
	prig_free(&r);
}
END_TEST

/* An application that does not read: the pump must stop taking bytes from the network, so that
 * the far end's writes block instead of the engine buffering without bound. */
START_TEST(backpressure_from_a_slow_application)
{
	struct prig r;
	static char chunk[65536];
	size_t sent = 0, limit = 64u << 20;

	prig_init(&r, (enum kind)_i);
	prig_start(&r);
	if (r.kind == KIND_SOCKET) {
		int idle = 0;
		/* Kernel buffers fill up (a few MiB); then the far end's send finds no room. */
		while (idle < 50 && sent < limit) {
			size_t n = far_send(&r, chunk, sizeof chunk);
			sent += n;
			idle = n ? 0 : idle + 1;
			prig_turn(&r);
		}
		ck_assert_uint_lt(sent, limit);
	} else {
		/* The pair never refuses a write: the pump must leave most of it where it is. */
		far_send(&r, chunk, sizeof chunk);
		for (sent = sizeof chunk; sent < limit; sent += sizeof chunk)
			far_send(&r, chunk, sizeof chunk);
		for (int i = 0; i < 1000; i++)
			prig_turn(&r);
		ck_assert_uint_gt(evbuffer_get_length(bufferevent_get_output(r.far)), limit / 2);
	}
	prig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("pump", "spliced and buffered", 60, &tc);

	signal(SIGPIPE, SIG_IGN); /* as on the engine thread, which blocks every signal */
	tcase_add_loop_test(tc, handover_bytes_go_first, KIND_SOCKET, KIND_PAIR + 1);
	tcase_add_loop_test(tc, bulk_both_ways_then_end, KIND_SOCKET, KIND_PAIR + 1);
	tcase_add_loop_test(tc, half_close_from_the_application, KIND_SOCKET, KIND_PAIR + 1);
	tcase_add_loop_test(tc, half_close_from_the_network, KIND_SOCKET, KIND_PAIR + 1);
	tcase_add_loop_test(tc, network_error_resets_the_application, KIND_SOCKET, KIND_PAIR + 1);
	tcase_add_loop_test(tc, application_close_ends_the_network_side, KIND_SOCKET, KIND_PAIR + 1);
	tcase_add_loop_test(tc, backpressure_from_a_slow_application, KIND_SOCKET, KIND_PAIR + 1);
	return unit_run(s);
}
