/* As engine/splice_pump.c: a pipe is borrowed while bytes are in it (common/splice_pipe.h); when
 * it is empty, one splice() moves what src holds into it, the next moves it out to dst; src is
 * read again only once the pipe is empty, so a slow dst stops its src (backpressure) and EAGAIN
 * from src means "no data", never "pipe full". */
#include "relay/splice.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/splice_pipe.h"
#include "common/splice_step.h"

/* Bytes moved per wakeup before the loop serves other connections. */
#define RELAY_SPLICE_BUDGET (1024 * 1024)

struct relay_splice {
	struct event_base *base;
	int src, dst;
	struct splice_pipe pipe; /* lent while bytes are in it */
	size_t queued;
	uint64_t budget, moved;
	struct timeval last;
	struct evbuffer *head;
	struct event *rd, *wr, *guard; /* src readable, dst writable, dst readable */
	bool rd_on, wr_on, eof, dst_eof;
	relay_splice_cb cb;
	void *arg;
};

static enum splice_io relay_splice_flush(struct relay_splice *s)
{
	return splice_step_flush(s->head, s->pipe.rd, &s->queued, s->dst);
}

/* Fills the empty pipe from src within the budget. FAILED with errno EMSGSIZE past it. */
static enum splice_io relay_splice_fill(struct relay_splice *s)
{
	enum splice_io rc;

	/* a spent budget only peeks for src's end: no pipe for that */
	if (s->budget > 0 && splice_pipe_take(&s->pipe) < 0) {
		log_warn("splice: no pipe to move bytes through: %s", strerror(errno));
		return SPLICE_IO_FAILED;
	}
	rc = splice_step_fill(s->src, s->pipe.wr, s->pipe.size, &s->budget, &s->queued, &s->eof);

	s->moved += s->queued;
	if (s->queued > 0)
		event_base_gettimeofday_cached(s->base, &s->last);
	return rc;
}

/* Moves what can be moved now; returns the end to report, or -1 to wait. */
static int relay_splice_run(struct relay_splice *s)
{
	size_t moved = 0;
	bool drained = false; /* src gave less than a pipeful: most likely empty now */
	enum splice_io rc;

	for (;;) {
		rc = relay_splice_flush(s);
		if (rc == SPLICE_IO_FAILED)
			return RELAY_SPLICE_DST_ERROR;
		if (rc == SPLICE_IO_AGAIN || s->eof || drained || moved >= RELAY_SPLICE_BUDGET)
			break;
		rc = relay_splice_fill(s);
		if (rc == SPLICE_IO_FAILED)
			return errno == EMSGSIZE ? RELAY_SPLICE_OVER : RELAY_SPLICE_SRC_ERROR;
		if (rc == SPLICE_IO_AGAIN)
			break;
		moved += s->queued;
		drained = s->queued < s->pipe.size && s->budget > 0;
	}
	if (s->eof && s->queued == 0 && evbuffer_get_length(s->head) == 0)
		return RELAY_SPLICE_EOF;
	return -1;
}

static void relay_splice_step(struct relay_splice *s)
{
	int end = relay_splice_run(s), err = errno; /* the owner's callback reads errno */
	bool pending = s->queued > 0 || evbuffer_get_length(s->head) > 0;

	if (s->queued == 0)
		splice_pipe_give(&s->pipe);
	if (end >= 0) {
		splice_event_set(s->rd, &s->rd_on, false);
		splice_event_set(s->wr, &s->wr_on, false);
		errno = err;
		s->cb(s, (enum relay_splice_end)end, s->arg);
		return;
	}
	splice_event_set(s->wr, &s->wr_on, pending);
	splice_event_set(s->rd, &s->rd_on, !pending && !s->eof);
}

static void relay_splice_io_cb(evutil_socket_t fd, short what, void *arg)
{
	relay_splice_step(arg);
}

/* dst must only receive: its bytes are an error, its end is news (the peer stopped reading). */
static void relay_splice_guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_splice *s = arg;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != 0) {
		s->cb(s, n > 0 ? RELAY_SPLICE_DST_DATA : RELAY_SPLICE_DST_ERROR, s->arg);
		return;
	}
	event_del(s->guard);
	s->dst_eof = true;
	s->cb(s, RELAY_SPLICE_DST_EOF, s->arg);
}

struct relay_splice *relay_splice_start(struct event_base *base, int src, int dst, uint64_t budget,
					int watch_dst, relay_splice_cb cb, void *arg)
{
	struct relay_splice *s = calloc(1, sizeof *s);
	int saved;

	if (!s)
		return NULL;
	splice_pipe_join();
	*s = (struct relay_splice){ .base = base, .src = src, .dst = dst, .budget = budget,
				    .cb = cb, .arg = arg, .pipe = SPLICE_PIPE_NONE };
	s->head = evbuffer_new();
	s->rd = event_new(base, src, EV_READ | EV_PERSIST, relay_splice_io_cb, s);
	s->wr = event_new(base, dst, EV_WRITE | EV_PERSIST, relay_splice_io_cb, s);
	if (watch_dst)
		s->guard = event_new(base, dst, EV_READ | EV_PERSIST, relay_splice_guard_cb, s);
	errno = ENOMEM;
	if (!s->head || !s->rd || !s->wr || (watch_dst && !s->guard))
		goto fail;
	event_base_gettimeofday_cached(base, &s->last);
	if (s->guard)
		event_add(s->guard, NULL);
	/* From the loop: the owner's state must be complete before the first report. */
	splice_event_set(s->wr, &s->wr_on, true);
	return s;
fail:
	saved = errno;
	relay_splice_stop(s, NULL);
	errno = saved;
	return NULL;
}

void relay_splice_head(struct relay_splice *s, struct evbuffer *buf)
{
	evbuffer_add_buffer(s->head, buf);
}

/* Reads what the pipe holds into out. */
static void relay_splice_unpipe(struct relay_splice *s, struct evbuffer *out)
{
	struct evbuffer_iovec v;
	ssize_t n;

	while (s->queued > 0 && evbuffer_reserve_space(out, (ev_ssize_t)s->queued, &v, 1) == 1) {
		n = read(s->pipe.rd, v.iov_base, s->queued < v.iov_len ? s->queued : v.iov_len);
		if (n <= 0)
			return;
		v.iov_len = (size_t)n;
		evbuffer_commit_space(out, &v, 1);
		s->queued -= (size_t)n;
	}
}

void relay_splice_stop(struct relay_splice *s, struct evbuffer *out)
{
	if (!s)
		return;
	if (out && s->head) {
		evbuffer_add_buffer(out, s->head);
		relay_splice_unpipe(s, out);
	}
	if (s->rd)
		event_free(s->rd);
	if (s->wr)
		event_free(s->wr);
	if (s->guard)
		event_free(s->guard);
	if (s->head)
		evbuffer_free(s->head);
	if (s->queued == 0)
		splice_pipe_give(&s->pipe);
	else
		splice_pipe_drop(&s->pipe);
	splice_pipe_leave();
	free(s);
}

uint64_t relay_splice_moved(const struct relay_splice *s)
{
	return s->moved;
}

struct timeval relay_splice_last(const struct relay_splice *s)
{
	return s->last;
}
