/* common/splice_pipe: pipes lent while bytes are in flight, kept for the next direction while
 * directions exist, closed when the last one ends or when the list is full, one list per thread. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/caps.h"
#include "common/splice_pipe.h"

#include "unit.h"

static bool fd_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

START_TEST(take_lends_a_nonblocking_pipe_of_its_size)
{
	struct splice_pipe p = SPLICE_PIPE_NONE;
	char buf[8];

	ck_assert_int_eq(splice_pipe_take(&p), 0);
	ck_assert_int_ge(p.rd, 0);
	ck_assert_int_ge(p.wr, 0);
	ck_assert_uint_eq(p.size, (size_t)fcntl(p.wr, F_GETPIPE_SZ));
	ck_assert_uint_ge(p.size, 4096);
	ck_assert(fcntl(p.rd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(p.wr, F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(write(p.wr, "bytes", 5), 5);
	ck_assert_int_eq(read(p.rd, buf, sizeof buf), 5);
	ck_assert_int_eq(read(p.rd, buf, sizeof buf), -1);
	ck_assert_int_eq(errno, EAGAIN);

	struct splice_pipe same = p;
	ck_assert_int_eq(splice_pipe_take(&p), 0); /* it has one: nothing new */
	ck_assert_int_eq(p.rd, same.rd);
	ck_assert_int_eq(p.wr, same.wr);
	splice_pipe_drop(&p);
}
END_TEST

START_TEST(a_pipe_given_back_is_lent_again)
{
	struct splice_pipe p = SPLICE_PIPE_NONE, q = SPLICE_PIPE_NONE;
	int rd, wr;

	splice_pipe_join();
	ck_assert_int_eq(splice_pipe_take(&p), 0);
	rd = p.rd;
	wr = p.wr;
	splice_pipe_give(&p);
	ck_assert_int_eq(p.rd, -1);
	ck_assert_int_eq(p.wr, -1);
	ck_assert_uint_eq(splice_pipe_idle(), 1);
	ck_assert(!fd_closed(rd));
	ck_assert_int_eq(splice_pipe_take(&q), 0);
	ck_assert_int_eq(q.rd, rd);
	ck_assert_int_eq(q.wr, wr);
	ck_assert_uint_eq(splice_pipe_idle(), 0);
	splice_pipe_give(&q);
	splice_pipe_leave();
}
END_TEST

START_TEST(without_directions_a_pipe_given_back_is_closed)
{
	struct splice_pipe p = SPLICE_PIPE_NONE;
	int rd, wr;

	ck_assert_int_eq(splice_pipe_take(&p), 0);
	rd = p.rd;
	wr = p.wr;
	splice_pipe_give(&p);
	ck_assert_uint_eq(splice_pipe_idle(), 0);
	ck_assert(fd_closed(rd));
	ck_assert(fd_closed(wr));
}
END_TEST

START_TEST(the_last_direction_closes_the_waiting_pipes)
{
	struct splice_pipe a = SPLICE_PIPE_NONE, b = SPLICE_PIPE_NONE;
	int fds[4];

	splice_pipe_join();
	splice_pipe_join();
	ck_assert_int_eq(splice_pipe_take(&a), 0);
	ck_assert_int_eq(splice_pipe_take(&b), 0);
	fds[0] = a.rd, fds[1] = a.wr, fds[2] = b.rd, fds[3] = b.wr;
	splice_pipe_give(&a);
	splice_pipe_give(&b);
	ck_assert_uint_eq(splice_pipe_idle(), 2);
	splice_pipe_leave();
	ck_assert_uint_eq(splice_pipe_idle(), 2); /* one direction is left */
	for (int i = 0; i < 4; i++)
		ck_assert(!fd_closed(fds[i]));
	splice_pipe_leave();
	ck_assert_uint_eq(splice_pipe_idle(), 0);
	for (int i = 0; i < 4; i++)
		ck_assert(fd_closed(fds[i]));
}
END_TEST

START_TEST(the_list_is_capped)
{
	struct splice_pipe p[CAP_SPLICE_IDLE_PIPES + 2];
	unsigned n = sizeof p / sizeof p[0];
	int last_rd;

	splice_pipe_join();
	for (unsigned i = 0; i < n; i++) {
		p[i] = SPLICE_PIPE_NONE;
		ck_assert_int_eq(splice_pipe_take(&p[i]), 0);
	}
	last_rd = p[n - 1].rd;
	for (unsigned i = 0; i < n; i++)
		splice_pipe_give(&p[i]);
	ck_assert_uint_eq(splice_pipe_idle(), CAP_SPLICE_IDLE_PIPES);
	ck_assert(fd_closed(last_rd)); /* given back to a full list */
	splice_pipe_leave();
}
END_TEST

START_TEST(drop_closes_a_pipe_with_its_bytes)
{
	struct splice_pipe p = SPLICE_PIPE_NONE;
	int rd, wr;

	splice_pipe_join();
	ck_assert_int_eq(splice_pipe_take(&p), 0);
	rd = p.rd;
	wr = p.wr;
	ck_assert_int_eq(write(p.wr, "stale", 5), 5);
	splice_pipe_drop(&p);
	ck_assert_int_eq(p.rd, -1);
	ck_assert(fd_closed(rd));
	ck_assert(fd_closed(wr));
	ck_assert_uint_eq(splice_pipe_idle(), 0);
	splice_pipe_drop(&p); /* has none: nothing happens */
	splice_pipe_give(&p);
	ck_assert_uint_eq(splice_pipe_idle(), 0);
	splice_pipe_leave();
}
END_TEST

static void *idle_elsewhere(void *arg)
{
	*(unsigned *)arg = splice_pipe_idle();
	return NULL;
}

START_TEST(each_thread_has_its_own_list)
{
	struct splice_pipe p = SPLICE_PIPE_NONE;
	unsigned other = 99;
	pthread_t t;

	splice_pipe_join();
	ck_assert_int_eq(splice_pipe_take(&p), 0);
	splice_pipe_give(&p);
	ck_assert_uint_eq(splice_pipe_idle(), 1);
	ck_assert_int_eq(pthread_create(&t, NULL, idle_elsewhere, &other), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(other, 0);
	splice_pipe_leave();
}
END_TEST

static Suite *splice_pipe_suite(void)
{
	TCase *tc;
	Suite *s = unit_suite("splice_pipe", "lend", 0, &tc);

	tcase_add_test(tc, take_lends_a_nonblocking_pipe_of_its_size);
	tcase_add_test(tc, a_pipe_given_back_is_lent_again);
	tcase_add_test(tc, without_directions_a_pipe_given_back_is_closed);
	tcase_add_test(tc, the_last_direction_closes_the_waiting_pipes);
	tcase_add_test(tc, the_list_is_capped);
	tcase_add_test(tc, drop_closes_a_pipe_with_its_bytes);
	tcase_add_test(tc, each_thread_has_its_own_list);
	return s;
}

int main(void)
{
	return unit_run(splice_pipe_suite());
}
