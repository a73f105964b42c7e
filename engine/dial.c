#include "engine/dial.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <unistd.h>

#include "engine/transport.h"
#include "engine/tunnel.h"

/* Bytes one write system call may move (libevent's default is 16 KiB). Reads stay at 4 KiB or less
 * whatever this says: libevent 2.1 caps every socket read there (EVBUFFER_MAX_READ), which is
 * why the pump splices between sockets (engine/splice_pump.c). */
#define DIAL_IO_CHUNK (256 * 1024)

struct bufferevent *dial_stream(struct event_base *base, int fd)
{
	struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);

	if (!bev) {
		close(fd);
		return NULL;
	}
	bufferevent_set_max_single_read(bev, DIAL_IO_CHUNK);
	bufferevent_set_max_single_write(bev, DIAL_IO_CHUNK);
	return bev;
}

void dial_stream_free(struct bufferevent *bev)
{
	int fd;

	if (!bev)
		return;
	fd = (int)bufferevent_getfd(bev);
	if (fd >= 0) {
		bufferevent_setfd(bev, -1); /* takes the socket out of the loop before it closes */
		close(fd);
	}
	bufferevent_free(bev);
}

/* dial_start, with t's socket options when t is not NULL: they must be set before connect(). */
static struct dial_nb *dial_begin(struct event_base *base, const struct tunnel *t,
				  const struct sockaddr *addr, socklen_t len, dial_nb_cb cb, void *arg)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return NULL;
	if (t)
		tunnel_apply_sockopts(t, fd);
	return dial_nb_start(base, fd, addr, len, dial_stream, cb, arg);
}

struct dial_nb *dial_start(struct tunnel *t, const struct sockaddr *addr, socklen_t len,
			   dial_nb_cb cb, void *arg)
{
	return dial_begin(t->base, t, addr, len, cb, arg);
}

struct dial_nb *dial_start_plain(struct event_base *base, const struct sockaddr *addr,
				 socklen_t len, dial_nb_cb cb, void *arg)
{
	return dial_begin(base, NULL, addr, len, cb, arg);
}

static void dial_attempt_done(struct bufferevent *bev, int err, void *arg)
{
	struct tp_attempt *a = arg;

	a->state = NULL; /* the dial freed itself before calling us */
	tp_attempt_done(a, bev, err, NULL);
}

int dial_attempt_start(struct tp_attempt *a, const struct sockaddr *addr, socklen_t len)
{
	a->state = dial_start(a->tunnel, addr, len, dial_attempt_done, a);
	return a->state ? 0 : -1;
}

void dial_attempt_abort(struct tp_attempt *a)
{
	dial_nb_cancel(a->state);
	a->state = NULL;
}
