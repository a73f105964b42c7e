#include "engine/dial.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/transport.h"
#include "engine/tunnel.h"

/* Bytes one write system call may move (libevent's default is 16 KiB). Reads stay at 4 KiB or less
 * whatever this says: libevent 2.1 caps every socket read there (EVBUFFER_MAX_READ), which is
 * why the pump splices between sockets (engine/splice_pump.c). */
#define DIAL_IO_CHUNK (256 * 1024)

struct dial {
	int fd;
	int err;            /* a failure already known when connect() returned */
	struct event *ev;
	dial_cb cb;
	void *arg;
	struct event_base *base;
};

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

static void dial_free(struct dial *d)
{
	if (d->ev)
		event_free(d->ev);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

void dial_cancel(struct dial *d)
{
	if (d)
		dial_free(d);
}

static void dial_ready(evutil_socket_t fd, short what, void *arg)
{
	struct dial *d = arg;
	int err = d->err;
	socklen_t len = sizeof err;
	struct bufferevent *bev = NULL;
	dial_cb cb = d->cb;
	void *cb_arg = d->arg;

	if (!err && getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err) {
		bev = dial_stream(d->base, d->fd);
		d->fd = -1;
		if (!bev)
			err = ENOMEM;
	}
	dial_free(d);
	cb(bev, err, cb_arg);
}

/* dial_start, with t's socket options when t is not NULL. */
static struct dial *dial_begin(struct event_base *base, const struct tunnel *t,
			       const struct sockaddr *addr, socklen_t len, dial_cb cb, void *arg)
{
	struct dial *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->cb = cb;
	d->arg = arg;
	d->base = base;
	d->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0) {
		free(d);
		return NULL;
	}
	if (t)
		tunnel_apply_sockopts(t, d->fd);
	if (connect(d->fd, addr, len) < 0 && errno != EINPROGRESS)
		d->err = errno; /* reported from the loop, like any other outcome */
	d->ev = event_new(base, d->fd, EV_WRITE, dial_ready, d);
	if (!d->ev) {
		dial_free(d);
		errno = ENOMEM;
		return NULL;
	}
	if (d->err)
		event_active(d->ev, EV_WRITE, 0);
	else
		event_add(d->ev, NULL);
	return d;
}

struct dial *dial_start(struct tunnel *t, const struct sockaddr *addr, socklen_t len, dial_cb cb,
			void *arg)
{
	return dial_begin(t->base, t, addr, len, cb, arg);
}

struct dial *dial_start_plain(struct event_base *base, const struct sockaddr *addr, socklen_t len,
			      dial_cb cb, void *arg)
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
	dial_cancel(a->state);
	a->state = NULL;
}
