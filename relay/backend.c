/* Connections to the one configured backend (--backend): the relay never connects anywhere a
 * client names, so it cannot serve as an open proxy. */
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>
#include <unistd.h>

#include "relay/relay.h"

struct relay_dial {
	int fd;
	int err; /* a failure known when connect() returned, reported from the loop */
	struct event *ev;
	struct event_base *base;
	relay_backend_cb cb;
	void *arg;
};

static void relay_dial_free(struct relay_dial *d)
{
	if (d->ev)
		event_free(d->ev);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

void relay_backend_cancel(struct relay_dial *d)
{
	if (d)
		relay_dial_free(d);
}

static void relay_dial_ready(evutil_socket_t fd, short what, void *arg)
{
	struct relay_dial *d = arg;
	int err = d->err;
	socklen_t len = sizeof err;
	struct bufferevent *bev = NULL;
	relay_backend_cb cb = d->cb;
	void *cb_arg = d->arg;

	if (!err && getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err) {
		bev = bufferevent_socket_new(d->base, d->fd, BEV_OPT_CLOSE_ON_FREE);
		if (bev) {
			d->fd = -1;
			relay_stream_tune(bev);
		} else {
			err = ENOMEM;
		}
	}
	relay_dial_free(d);
	cb(bev, err, cb_arg);
}

struct relay_dial *relay_backend_connect(struct relay *r, relay_backend_cb cb, void *arg)
{
	const struct relay_addr *to = &r->opts.backend;
	struct relay_dial *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->cb = cb;
	d->arg = arg;
	d->base = r->base;
	d->fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0) {
		free(d);
		return NULL;
	}
	if (connect(d->fd, (const struct sockaddr *)&to->ss, to->len) < 0 && errno != EINPROGRESS)
		d->err = errno;
	d->ev = event_new(r->base, d->fd, EV_WRITE, relay_dial_ready, d);
	if (!d->ev) {
		relay_dial_free(d);
		errno = ENOMEM;
		return NULL;
	}
	if (d->err)
		event_active(d->ev, EV_WRITE, 0);
	else
		event_add(d->ev, NULL);
	return d;
}
