/* Backpressure as in libevent's sample/le-proxy.c: stop reading a side while the other side's
 * output holds CAP_PUMP_BUFFER bytes, resume below half of that. */
#include "engine/pump.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "common/caps.h"
#include "common/log.h"
#include "engine/dial.h"
#include "engine/reset.h"
#include "engine/tunnel.h"

struct pump_side {
	struct bufferevent *bev;
	bool eof;      /* it will send nothing more */
	bool shut;     /* we told it that the other side will send nothing more */
	struct pump_side *peer;
	struct pump *pump;
	const char *name;
};

struct pump {
	struct tunnel *tunnel;
	struct pump_side app, net;
};

static void pump_maybe_done(struct pump *p)
{
	if (p->app.eof && p->net.eof && p->app.shut && p->net.shut)
		tunnel_close(p->tunnel);
}

/* Tells dst that its peer has finished: a socket gets a FIN, an in-process stream an EOF. */
static void pump_shut(struct pump_side *dst)
{
	int fd = (int)bufferevent_getfd(dst->bev);

	dst->shut = true;
	if (fd >= 0)
		shutdown(fd, SHUT_WR);
	else
		bufferevent_flush(dst->bev, EV_WRITE, BEV_FINISHED);
	pump_maybe_done(dst->pump);
}

static void pump_read_cb(struct bufferevent *bev, void *arg)
{
	struct pump_side *src = arg, *dst = src->peer;
	struct evbuffer *out = bufferevent_get_output(dst->bev);

	evbuffer_add_buffer(out, bufferevent_get_input(bev));
	if (evbuffer_get_length(out) >= CAP_PUMP_BUFFER)
		bufferevent_disable(bev, EV_READ);
}

/* Output of dst went below the low watermark: resume its source, or finish the half-close. */
static void pump_write_cb(struct bufferevent *bev, void *arg)
{
	struct pump_side *dst = arg, *src = dst->peer;

	if (!src->eof) {
		bufferevent_enable(src->bev, EV_READ);
		return;
	}
	if (!dst->shut && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		pump_shut(dst);
}

static void pump_fail(struct pump *p, struct pump_side *side)
{
	log_debug("tunnel %u: %s side failed: %s", p->tunnel->id, side->name, strerror(errno));
	/* The far end broke: the application must see a reset, not a clean end of stream. The
	 * reset needs unread bytes on our end when it closes, after this callback: stop reading. */
	if (side == &p->net) {
		bufferevent_disable(p->app.bev, EV_READ);
		reset_application(p->tunnel, bufferevent_getfd(p->app.bev));
	}
	tunnel_close(p->tunnel);
}

static void pump_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct pump_side *src = arg, *dst = src->peer;

	if (what & BEV_EVENT_ERROR) {
		pump_fail(src->pump, src);
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	src->eof = true;
	pump_read_cb(bev, src); /* whatever arrived with the EOF */
	if (evbuffer_get_length(bufferevent_get_output(dst->bev)) == 0)
		pump_shut(dst);
	else
		pump_maybe_done(src->pump);
}

static void pump_side_init(struct pump *p, struct pump_side *s, struct pump_side *peer,
			   struct bufferevent *bev, const char *name)
{
	s->bev = bev;
	s->peer = peer;
	s->pump = p;
	s->name = name;
	bufferevent_setcb(bev, pump_read_cb, pump_write_cb, pump_event_cb, s);
	bufferevent_setwatermark(bev, EV_WRITE, CAP_PUMP_BUFFER / 2, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

struct pump *pump_start(struct tunnel *t, int app_fd, struct bufferevent *stream)
{
	struct pump *p = calloc(1, sizeof *p);
	struct bufferevent *app;

	if (!p)
		return NULL;
	app = dial_stream(t->base, app_fd);
	if (!app) {
		free(p);
		return NULL;
	}
	p->tunnel = t;
	pump_side_init(p, &p->app, &p->net, app, "application");
	pump_side_init(p, &p->net, &p->app, stream, "network");
	/* Bytes that arrived with the transport's handshake belong to the application. */
	if (evbuffer_get_length(bufferevent_get_input(stream)))
		pump_read_cb(stream, &p->net);
	return p;
}

void pump_free(struct pump *p)
{
	if (!p)
		return;
	bufferevent_free(p->app.bev);
	bufferevent_free(p->net.bev);
	free(p);
}

void pump_apply_sockopt(struct pump *p, const struct eng_sockopt *opt)
{
	int fd = (int)bufferevent_getfd(p->net.bev);

	if (fd >= 0)
		setsockopt(fd, opt->level, opt->name, &opt->value, sizeof opt->value);
}
