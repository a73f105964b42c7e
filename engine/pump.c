/* Two ways to pump, chosen in pump_start(): between two sockets, engine/splice_pump.c moves the
 * bytes inside the kernel; a stream that is not a plain socket (an encapsulation built of
 * bufferevents) goes through bufferevents here. libevent 2.1 reads a socket at most 4 KiB per
 * call, which caps a bufferevent pump far below what loopback carries.
 *
 * Backpressure as in libevent's sample/le-proxy.c: stop reading a side while the other side's
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
#include "common/ev_read.h"
#include "common/log.h"
#include "engine/dial.h"
#include "engine/app_end.h"
#include "engine/splice_pump.h"
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
	struct splice_pump *splice; /* when both sides are sockets; then app and net are unused */
	int net_fd, net_fd2;        /* the network socket(s) of a splice pump, or -1 */
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
	struct evbuffer *out = bufferevent_get_output(dst->bev), *in = bufferevent_get_input(bev);
	size_t queued = evbuffer_get_length(out);

	/* whole bodies per wake-up for the transport; a stream without a socket is left alone */
	if (!src->eof && queued < CAP_PUMP_BUFFER)
		ev_read_more(bev, CAP_PUMP_BUFFER - queued < CAP_READ_MORE
					  ? CAP_PUMP_BUFFER - queued
					  : CAP_READ_MORE);
	/* Nothing queued before these bytes: straight to a socket, rather than registering for its
	 * writability and writing a loop turn later. What it does not take is queued. */
	if (!queued && pump_stream_is_socket(dst->bev))
		evbuffer_write(in, bufferevent_getfd(dst->bev));
	evbuffer_add_buffer(out, in);
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
		app_end_reset(p->tunnel, bufferevent_getfd(p->app.bev));
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
	/* An in-process stream hands over everything its peer wrote, unless told where to stop. */
	bufferevent_setwatermark(bev, EV_READ, 0, CAP_PUMP_BUFFER);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* Lets the engine's socketpair end (app_fd) hold CAP_PUMP_BUFFER bytes on their way to the
 * application: with the default (about 200 KiB) the engine wakes up more often and sending down
 * costs a quarter to a half more CPU time per byte (bench/README.md). The kernel caps it at
 * net.core.wmem_max. The application's own end keeps the send buffer that the shim filled to keep
 * it unwritable until the tunnel was established. */
static void pump_size_app_end(int app_fd)
{
	int size = CAP_PUMP_BUFFER;

	setsockopt(app_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

/* A filter's descriptor is its underlying stream's, not its own. A TLS bufferevent
 * (libevent_openssl) would pass this test: a transport that uses one must be excluded here too,
 * with bufferevent_openssl_get_ssl(). */
bool pump_stream_is_socket(struct bufferevent *stream)
{
	return bufferevent_getfd(stream) >= 0 && bufferevent_get_underlying(stream) == NULL;
}

/* Hands app_fd and the stream's socket to a splice pump, with the bytes the stream still holds
 * each way; the stream itself is freed. -1 (nothing taken) when the splice pump cannot start. */
static int pump_start_splice(struct pump *p, int app_fd, struct bufferevent *stream)
{
	int fd = (int)bufferevent_getfd(stream);
	struct evbuffer *out = bufferevent_get_output(stream);
	struct tp_split net = { .up_fd = fd, .down_fd = fd, .up_budget = TP_SPLIT_UNLIMITED,
				.down_budget = TP_SPLIT_UNLIMITED };

	/* A socket bufferevent lets only itself drain its output; its bytes move to the pump. */
	evbuffer_unfreeze(out, 1);
	p->splice = splice_pump_start(p->tunnel, app_fd, &net, out, bufferevent_get_input(stream));
	if (!p->splice) {
		evbuffer_freeze(out, 1);
		log_debug("tunnel %u: cannot splice (%s), pumping through buffers", p->tunnel->id,
			  strerror(errno));
		return -1;
	}
	p->net_fd = p->net_fd2 = fd;
	bufferevent_setfd(stream, -1); /* the socket is the splice pump's now */
	bufferevent_free(stream);
	return 0;
}

struct pump *pump_start(struct tunnel *t, int app_fd, struct bufferevent *stream)
{
	struct pump *p = calloc(1, sizeof *p);
	struct bufferevent *app;

	if (!p)
		return NULL;
	p->tunnel = t;
	p->net_fd = p->net_fd2 = -1;
	pump_size_app_end(app_fd);
	if (pump_stream_is_socket(stream) && pump_start_splice(p, app_fd, stream) == 0)
		return p;
	/* pump_read_cb writes to it directly: never a blocking write on the engine thread */
	evutil_make_socket_nonblocking(app_fd);
	app = dial_stream(t->base, app_fd);
	if (!app) {
		free(p);
		return NULL;
	}
	pump_side_init(p, &p->app, &p->net, app, "application");
	pump_side_init(p, &p->net, &p->app, stream, "network");
	/* Bytes that arrived with the transport's handshake belong to the application. */
	if (evbuffer_get_length(bufferevent_get_input(stream)))
		pump_read_cb(stream, &p->net);
	return p;
}

struct pump *pump_start_split(struct tunnel *t, int app_fd, const struct tp_split *net,
			      struct evbuffer *to_net)
{
	struct pump *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->tunnel = t;
	pump_size_app_end(app_fd);
	p->splice = splice_pump_start(t, app_fd, net, to_net, net->to_app);
	if (!p->splice) {
		log_info("tunnel %u: cannot splice: %s", t->id, strerror(errno));
		free(p);
		return NULL;
	}
	p->net_fd = net->up_fd;
	p->net_fd2 = net->down_fd;
	return p;
}

void pump_pair_reset(struct bufferevent *mine)
{
	struct bufferevent *peer = mine ? bufferevent_pair_get_partner(mine) : NULL;

	if (peer) {
		errno = ECONNRESET;
		bufferevent_trigger_event(peer, BEV_EVENT_ERROR, 0);
	}
}

void pump_free(struct pump *p)
{
	if (!p)
		return;
	if (p->splice) {
		splice_pump_free(p->splice);
	} else {
		bufferevent_free(p->app.bev);
		bufferevent_free(p->net.bev);
	}
	free(p);
}

void pump_apply_sockopt(struct pump *p, const struct eng_sockopt *opt)
{
	int fd = p->splice ? p->net_fd : (int)bufferevent_getfd(p->net.bev);

	if (fd >= 0)
		setsockopt(fd, opt->level, opt->name, &opt->value, sizeof opt->value);
	if (p->splice && p->net_fd2 != p->net_fd)
		setsockopt(p->net_fd2, opt->level, opt->name, &opt->value, sizeof opt->value);
}
