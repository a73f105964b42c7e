#include "common/splice_step.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <sys/socket.h>

static enum splice_io splice_io_result(ssize_t n)
{
	if (n >= 0)
		return SPLICE_IO_DONE;
	return errno == EAGAIN || errno == EINTR ? SPLICE_IO_AGAIN : SPLICE_IO_FAILED;
}

enum splice_io splice_step_flush(struct evbuffer *head, int pipe_rd, size_t *queued, int dst)
{
	size_t len = evbuffer_get_length(head);
	ssize_t n;

	if (len > 0) {
		n = evbuffer_write(head, dst);
		if (n < 0 || (size_t)n < len)
			return n < 0 ? splice_io_result(n) : SPLICE_IO_AGAIN;
	}
	if (*queued == 0)
		return SPLICE_IO_DONE;
	n = splice(pipe_rd, NULL, dst, NULL, *queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n < 0)
		return splice_io_result(n);
	*queued -= (size_t)n;
	return *queued ? SPLICE_IO_AGAIN : SPLICE_IO_DONE;
}

/* The budget is spent: src may only end. */
static enum splice_io splice_step_spent(int src, bool *eof)
{
	char c;
	ssize_t n = recv(src, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n > 0) {
		errno = EMSGSIZE;
		return SPLICE_IO_FAILED;
	}
	if (n < 0)
		return splice_io_result(n);
	*eof = true;
	return SPLICE_IO_DONE;
}

enum splice_io splice_step_fill(int src, int pipe_wr, size_t pipe_size, uint64_t *budget,
				size_t *queued, bool *eof)
{
	size_t want = *budget < pipe_size ? (size_t)*budget : pipe_size;
	ssize_t n;

	*queued = 0;
	if (want == 0)
		return splice_step_spent(src, eof);
	n = splice(src, NULL, pipe_wr, NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n < 0)
		return splice_io_result(n);
	if (n == 0)
		*eof = true;
	*queued = (size_t)n;
	*budget -= (uint64_t)n;
	return SPLICE_IO_DONE;
}

void splice_event_set(struct event *ev, bool *on, bool want)
{
	if (*on == want)
		return;
	*on = want;
	if (want)
		event_add(ev, NULL);
	else
		event_del(ev);
}
