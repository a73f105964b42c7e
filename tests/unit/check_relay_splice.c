/* relay/splice.c alone: one direction between two TCP connections on loopback, with the loop in
 * the test thread: bytes in order after the head, the end reported once everything went out,
 * the budget (what fits goes out, then OVER), the watched destination's bytes and end, and the
 * bytes handed back when stopped. */
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/splice.h"

#include "unit.h"
#include "unit_sockets.h"

struct xrig {
	struct event_base *base;
	struct relay_splice *s;
	int src_far, src, dst, dst_far; /* src_far -> src ==> dst -> dst_far */
	int ends[8];                     /* reports per enum relay_splice_end */
	int err;                         /* errno at the last report */
	bool stop_on_end;
};

static void end_cb(struct relay_splice *s, enum relay_splice_end how, void *arg)
{
	struct xrig *r = arg;

	r->ends[how]++;
	r->err = errno;
}

static void xrig_start(struct xrig *r, uint64_t budget, int watch_dst, const char *head)
{
	struct evbuffer *h = evbuffer_new();

	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	unit_tcp_pair(&r->src, &r->src_far);
	unit_tcp_pair(&r->dst, &r->dst_far);
	r->s = relay_splice_start(r->base, r->src, r->dst, budget, watch_dst, end_cb, r);
	ck_assert_ptr_nonnull(r->s);
	evbuffer_add(h, head, strlen(head));
	relay_splice_head(r->s, h);
	ck_assert_uint_eq(evbuffer_get_length(h), 0);
	evbuffer_free(h);
}

/* Runs the loop until dst_far has the len bytes of want. */
static void xrig_expect(struct xrig *r, const char *want, size_t len)
{
	char buf[256];
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		event_base_loop(r->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		n = recv(r->dst_far, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0)
			continue;
		ck_assert_int_gt(n, 0);
		ck_assert_uint_le(got + (size_t)n, len);
		ck_assert(memcmp(buf, want + got, (size_t)n) == 0);
		got += (size_t)n;
	}
}

static void xrig_until(struct xrig *r, enum relay_splice_end how)
{
	while (!r->ends[how])
		event_base_loop(r->base, EVLOOP_ONCE);
}

static void xrig_free(struct xrig *r)
{
	relay_splice_stop(r->s, NULL);
	close(r->src);
	close(r->src_far);
	close(r->dst);
	close(r->dst_far);
	event_base_free(r->base);
}

START_TEST(head_then_bytes_then_end)
{
	struct xrig r;

	xrig_start(&r, UINT64_MAX, 0, "head,");
	ck_assert_int_eq(send(r.src_far, "body", 4, 0), 4);
	xrig_expect(&r, "head,body", 9);
	ck_assert_int_eq(r.ends[RELAY_SPLICE_EOF], 0);
	shutdown(r.src_far, SHUT_WR);
	xrig_until(&r, RELAY_SPLICE_EOF);
	ck_assert_uint_eq(relay_splice_moved(r.s), 4);
	xrig_free(&r);
}
END_TEST

/* What fits the budget goes out (the head is outside it); the end then comes as OVER, or as
 * EOF when the source ends on the budget. */
static const struct budget_case {
	uint64_t budget;
	const char *head, *sent; /* sent: by the source's far end, then its end with shut */
	bool shut;
	const char *want;                   /* what reaches the destination's far end */
	enum relay_splice_end end, not_end; /* the end reported, and one that must not be */
} budget_cases[] = {
	{ 6, "h:", "123456789", false, "h:123456", RELAY_SPLICE_OVER, RELAY_SPLICE_EOF },
	{ 3, "", "abc", true, "abc", RELAY_SPLICE_EOF, RELAY_SPLICE_OVER },
};

START_TEST(budgets)
{
	const struct budget_case *c = &budget_cases[_i];
	struct xrig r;

	xrig_start(&r, c->budget, 0, c->head);
	ck_assert_int_eq(send(r.src_far, c->sent, strlen(c->sent), 0), (ssize_t)strlen(c->sent));
	if (c->shut)
		shutdown(r.src_far, SHUT_WR);
	xrig_expect(&r, c->want, strlen(c->want));
	xrig_until(&r, c->end);
	ck_assert_int_eq(r.ends[c->not_end], 0);
	xrig_free(&r);
}
END_TEST

START_TEST(watched_destination)
{
	struct xrig r;

	xrig_start(&r, UINT64_MAX, 1, "");
	shutdown(r.dst_far, SHUT_WR); /* the reader's end: news, the direction goes on */
	xrig_until(&r, RELAY_SPLICE_DST_EOF);
	ck_assert_int_eq(send(r.src_far, "still", 5, 0), 5);
	xrig_expect(&r, "still", 5);
	xrig_free(&r);

	xrig_start(&r, UINT64_MAX, 1, "");
	ck_assert_int_eq(send(r.dst_far, "GET", 3, 0), 3);
	xrig_until(&r, RELAY_SPLICE_DST_DATA);
	xrig_free(&r);
}
END_TEST

/* An owner closes both sides on an error and says why: errno is the failed call's. */
START_TEST(source_reset_reports_errno)
{
	struct xrig r;
	struct linger abort_close = { 1, 0 };

	xrig_start(&r, UINT64_MAX, 0, "");
	ck_assert_int_eq(send(r.src_far, "abc", 3, 0), 3);
	xrig_expect(&r, "abc", 3);
	setsockopt(r.src_far, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
	close(r.src_far);
	r.src_far = socket(AF_INET, SOCK_STREAM, 0); /* for xrig_free */
	xrig_until(&r, RELAY_SPLICE_SRC_ERROR);
	ck_assert_int_eq(r.err, ECONNRESET);
	ck_assert_int_eq(r.ends[RELAY_SPLICE_EOF], 0);
	xrig_free(&r);
}
END_TEST

START_TEST(stop_hands_back_what_is_pending)
{
	struct xrig r;
	struct evbuffer *out = evbuffer_new();
	char buf[16];

	xrig_start(&r, UINT64_MAX, 0, "pending");
	/* The loop never ran: everything is still the splice's. */
	relay_splice_stop(r.s, out);
	r.s = NULL;
	ck_assert_uint_eq(evbuffer_get_length(out), 7);
	evbuffer_remove(out, buf, sizeof buf);
	ck_assert(memcmp(buf, "pending", 7) == 0);
	evbuffer_free(out);
	xrig_free(&r);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("relay_splice", "one direction", 20, &tc);

	tcase_add_test(tc, head_then_bytes_then_end);
	UNIT_ADD_TABLE(tc, budgets, budget_cases);
	tcase_add_test(tc, watched_destination);
	tcase_add_test(tc, source_reset_reports_errno);
	tcase_add_test(tc, stop_hands_back_what_is_pending);
	return unit_run(s);
}
