/* common/ev_read: reading past libevent's 4096 bytes on a real socket bufferevent, whose input
 * libevent keeps frozen at its end between its own reads. */
#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ev_read.h"

#include "unit.h"

struct rig {
	struct event_base *base;
	struct bufferevent *bev; /* reads fds[0] */
	int far;                 /* fds[1], written by the test */
};

static void rig_init(struct rig *r)
{
	int fds[2];

	/* blocking, as the engine's end of the application's socketpair may be: libevent reads it
	 * only when it is ready, and so must ev_read_more (a test that blocks times out) */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	r->base = event_base_new();
	r->bev = bufferevent_socket_new(r->base, fds[0], BEV_OPT_CLOSE_ON_FREE);
	r->far = fds[1];
	ck_assert_ptr_nonnull(r->bev);
}

static void rig_free(struct rig *r)
{
	bufferevent_free(r->bev);
	close(r->far);
	event_base_free(r->base);
}

static void far_write(struct rig *r, size_t n)
{
	char *buf = malloc(n);

	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(i * 7);
	ck_assert_int_eq(write(r->far, buf, n), (ssize_t)n);
	free(buf);
}

static void check_bytes(struct evbuffer *in, size_t from, size_t n)
{
	unsigned char *got = evbuffer_pullup(in, -1);

	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(got[i], (unsigned char)((from + i) * 7));
}

START_TEST(reads_what_the_socket_holds)
{
	struct rig r;

	rig_init(&r);
	far_write(&r, 40000);
	ev_read_more(r.bev, 32768);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(r.bev)), 32768);
	check_bytes(bufferevent_get_input(r.bev), 0, 32768);
	ev_read_more(r.bev, 32768);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(r.bev)), 40000);
	check_bytes(bufferevent_get_input(r.bev), 0, 40000);
	rig_free(&r);
}
END_TEST

/* Nothing there, or the end of the stream: the input stays as it was, and libevent's own read
 * still works afterwards (the input is frozen again, not broken). */
START_TEST(nothing_to_read_changes_nothing)
{
	struct rig r;

	rig_init(&r);
	ev_read_more(r.bev, 32768);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(r.bev)), 0);
	shutdown(r.far, SHUT_WR);
	ev_read_more(r.bev, 32768);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(r.bev)), 0);
	ck_assert_int_eq(evbuffer_add(bufferevent_get_input(r.bev), "x", 1), -1);
	rig_free(&r);
}
END_TEST

START_TEST(a_pair_is_left_alone)
{
	struct event_base *base = event_base_new();
	struct bufferevent *pair[2];

	ck_assert_int_eq(bufferevent_pair_new(base, 0, pair), 0);
	char c = 0;

	bufferevent_enable(pair[0], EV_READ);
	ck_assert_int_eq(bufferevent_write(pair[1], "x", 1), 0);
	/* no descriptor to read: what the pair brought stays as it is, nothing is added */
	ev_read_more(pair[0], 32768);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(pair[0])), 1);
	ck_assert_int_eq(evbuffer_remove(bufferevent_get_input(pair[0]), &c, 1), 1);
	ck_assert_int_eq(c, 'x');
	bufferevent_free(pair[0]);
	bufferevent_free(pair[1]);
	event_base_free(base);
}
END_TEST

/* A filter reports the descriptor of the socket beneath it: reading that would take bytes past
 * the filter. */
START_TEST(a_filter_is_left_alone)
{
	struct rig r;
	struct bufferevent *filter;

	rig_init(&r);
	filter = bufferevent_filter_new(r.bev, NULL, NULL, 0, NULL, NULL);
	ck_assert_ptr_nonnull(filter);
	far_write(&r, 100);
	ev_read_more(filter, 32768);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(filter)), 0);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(r.bev)), 0);
	bufferevent_free(filter);
	rig_free(&r);
}
END_TEST

static void count_and_pause(struct bufferevent *bev, void *arg)
{
	++*(int *)arg;
	ev_read_pause_when_full(bev);
}

/* A callback that cannot take the bytes: libevent 2.1.12 would call it on every turn of the
 * loop while the input is full; paused, it is called once, and again once its input is below
 * half the watermark and ev_read_resume let reading go on. */
START_TEST(a_full_reader_pauses_instead_of_spinning)
{
	struct rig r;
	int calls = 0;

	rig_init(&r);
	bufferevent_setcb(r.bev, count_and_pause, NULL, NULL, &calls);
	bufferevent_setwatermark(r.bev, EV_READ, 0, 4096);
	bufferevent_enable(r.bev, EV_READ);
	far_write(&r, 10000);
	for (int i = 0; i < 50; i++)
		event_base_loop(r.base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(calls, 1);
	ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(r.bev)), 4096);
	evbuffer_drain(bufferevent_get_input(r.bev), 2048); /* half full: still paused */
	ev_read_resume(r.bev);
	ck_assert_int_eq(bufferevent_get_enabled(r.bev) & EV_READ, 0);
	evbuffer_drain(bufferevent_get_input(r.bev), 2048);
	ev_read_resume(r.bev);
	ck_assert_int_ne(bufferevent_get_enabled(r.bev) & EV_READ, 0);
	for (int i = 0; i < 50; i++)
		event_base_loop(r.base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(calls, 2);
	check_bytes(bufferevent_get_input(r.bev), 4096, 4096);
	rig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("ev_read", "read more", 0, &tc);

	tcase_add_test(tc, reads_what_the_socket_holds);
	tcase_add_test(tc, nothing_to_read_changes_nothing);
	tcase_add_test(tc, a_pair_is_left_alone);
	tcase_add_test(tc, a_filter_is_left_alone);
	tcase_add_test(tc, a_full_reader_pauses_instead_of_spinning);
	return unit_run(s);
}
