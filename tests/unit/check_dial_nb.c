/* common/dial_nb: a non-blocking connect on loopback, with the loop in the test thread: the
 * stream once connected, a refusal and an immediate failure reported from the loop (never from
 * inside dial_nb_start), a stream that cannot be made, and a cancelled dial that never reports. */
#include <check.h>
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/dial_nb.h"

#include "unit.h"

struct outcome {
	int reports;
	int err;
	struct bufferevent *bev;
	int streams; /* calls of the stream function */
	bool fail_stream;
};

static struct outcome *current;

static struct bufferevent *test_stream(struct event_base *base, int fd)
{
	current->streams++;
	if (current->fail_stream) {
		close(fd);
		return NULL;
	}
	return bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
}

static void test_done(struct bufferevent *bev, int err, void *arg)
{
	struct outcome *o = arg;

	o->reports++;
	o->err = err;
	o->bev = bev;
}

static int new_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* A loopback address: listening (l is then the listener) or, with l NULL, closed. */
static struct sockaddr_in loopback(int *l)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	if (l) {
		ck_assert_int_eq(listen(fd, 1), 0);
		*l = fd;
	} else {
		close(fd);
	}
	return a;
}

/* Starts a dial of a new socket to len bytes of to, reporting into o: never from inside the call.
 */
static void start(struct event_base *base, const struct sockaddr_in *to, socklen_t len,
		  struct outcome *o)
{
	current = o;
	ck_assert_ptr_nonnull(dial_nb_start(base, new_socket(), (const struct sockaddr *)to, len,
					    test_stream, test_done, o));
	ck_assert_int_eq(o->reports, 0);
}

/* Runs base until o has its report. */
static void run_until_reported(struct event_base *base, struct outcome *o)
{
	for (int i = 0; i < 1000 && !o->reports; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(o->reports, 1);
}

START_TEST(connects_and_makes_the_stream)
{
	struct event_base *base = event_base_new();
	struct outcome o = { 0 };
	int l, far;
	struct sockaddr_in to = loopback(&l);

	start(base, &to, sizeof to, &o);
	run_until_reported(base, &o);
	ck_assert_int_eq(o.err, 0);
	ck_assert_ptr_nonnull(o.bev);
	ck_assert_int_eq(o.streams, 1);
	far = accept(l, NULL, NULL);
	ck_assert_int_ge(far, 0);
	ck_assert_int_eq(write(far, "x", 1), 1);
	ck_assert_int_eq(recv((int)bufferevent_getfd(o.bev), &(char){ 0 }, 1, MSG_WAITALL), 1);
	bufferevent_free(o.bev);
	close(far);
	close(l);
	event_base_free(base);
}
END_TEST

/* A dial of len bytes of to that must fail, with its own loop: the outcome, its bev NULL. */
static struct outcome dial_failing(const struct sockaddr_in *to, socklen_t len, bool fail_stream)
{
	struct event_base *base = event_base_new();
	struct outcome o = { .fail_stream = fail_stream };

	start(base, to, len, &o);
	run_until_reported(base, &o);
	ck_assert_ptr_null(o.bev);
	event_base_free(base);
	return o;
}

START_TEST(a_refusal_comes_from_the_loop)
{
	struct sockaddr_in to = loopback(NULL);
	struct outcome o = dial_failing(&to, sizeof to, false);

	ck_assert_int_eq(o.err, ECONNREFUSED);
	ck_assert_int_eq(o.streams, 0);
}
END_TEST

START_TEST(an_immediate_failure_comes_from_the_loop)
{
	struct sockaddr_in to = loopback(NULL);
	/* an address too short for its family: connect() fails at once with EINVAL */
	struct outcome o = dial_failing(&to, 2, false);

	ck_assert_int_eq(o.err, EINVAL);
	ck_assert_int_eq(o.streams, 0);
}
END_TEST

START_TEST(a_stream_that_cannot_be_made_is_enomem)
{
	int l;
	struct sockaddr_in to = loopback(&l);
	struct outcome o = dial_failing(&to, sizeof to, true);

	ck_assert_int_eq(o.err, ENOMEM);
	ck_assert_int_eq(o.streams, 1);
	close(l);
}
END_TEST

START_TEST(a_cancelled_dial_never_reports_and_closes_its_socket)
{
	struct event_base *base = event_base_new();
	struct outcome o = { 0 };
	int l, fd = new_socket();
	struct sockaddr_in to = loopback(&l);
	struct dial_nb *d;

	current = &o;
	d = dial_nb_start(base, fd, (struct sockaddr *)&to, sizeof to, test_stream, test_done, &o);
	ck_assert_ptr_nonnull(d);
	dial_nb_cancel(d);
	dial_nb_cancel(NULL);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 1); /* nothing left to run */
	ck_assert_int_eq(o.reports, 0);
	close(l);
	event_base_free(base);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("dial_nb", "dial", 0, &tc);

	tcase_add_test(tc, connects_and_makes_the_stream);
	tcase_add_test(tc, a_refusal_comes_from_the_loop);
	tcase_add_test(tc, an_immediate_failure_comes_from_the_loop);
	tcase_add_test(tc, a_stream_that_cannot_be_made_is_enomem);
	tcase_add_test(tc, a_cancelled_dial_never_reports_and_closes_its_socket);
	return unit_run(s);
}
