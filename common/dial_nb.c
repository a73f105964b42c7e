#include "common/dial_nb.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <unistd.h>

struct dial_nb {
	int fd;
	int err; /* a failure already known when connect() returned */
	struct event *ev;
	struct event_base *base;
	dial_nb_stream_fn stream;
	dial_nb_cb cb;
	void *arg;
};

static void dial_nb_free(struct dial_nb *d)
{
	if (d->ev)
		event_free(d->ev);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

void dial_nb_cancel(struct dial_nb *d)
{
	if (d)
		dial_nb_free(d);
}

static void dial_nb_ready(evutil_socket_t fd, short what, void *arg)
{
	struct dial_nb *d = arg;
	int err = d->err;
	socklen_t len = sizeof err;
	struct bufferevent *bev = NULL;
	dial_nb_cb cb = d->cb;
	void *cb_arg = d->arg;

	if (!err && getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err) {
		bev = d->stream(d->base, d->fd);
		d->fd = -1; /* the stream's now, or closed by it */
		if (!bev)
			err = ENOMEM;
	}
	dial_nb_free(d);
	cb(bev, err, cb_arg);
}

struct dial_nb *dial_nb_start(struct event_base *base, int fd, const struct sockaddr *addr,
			      socklen_t len, dial_nb_stream_fn stream, dial_nb_cb cb, void *arg)
{
	struct dial_nb *d = calloc(1, sizeof *d);

	if (!d) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	d->base = base;
	d->stream = stream;
	d->cb = cb;
	d->arg = arg;
	if (connect(fd, addr, len) < 0 && errno != EINPROGRESS)
		d->err = errno; /* reported from the loop, like any other outcome */
	d->ev = event_new(base, fd, EV_WRITE, dial_nb_ready, d);
	if (!d->ev) {
		dial_nb_free(d);
		errno = ENOMEM;
		return NULL;
	}
	if (d->err)
		event_active(d->ev, EV_WRITE, 0);
	else
		event_add(d->ev, NULL);
	return d;
}
