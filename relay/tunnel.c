/* --tunnel-listen: raw bytes between a client and the backend, for the transports that carry the
 * stream unchanged ("SSTP over the SSL port" and Secure Tunnel, MS-GRVHENC 1.3 and 1.3.2), with
 * half-closes and backpressure as in libevent's sample/le-proxy.c. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/relay.h"

struct relay_tunnel_side {
	struct bufferevent *bev;
	bool eof, shut;
	struct relay_tunnel_side *peer;
	struct relay_tunnel *tunnel;
};

struct relay_tunnel {
	struct relay *r;
	struct relay_dial *dial;
	struct relay_tunnel_side client, backend;
	char peer[64];
};

static void relay_tunnel_free(struct relay_tunnel *t, const char *why)
{
	log_info("tunnel %s: closed, %s", t->peer, why);
	relay_backend_cancel(t->dial);
	if (t->backend.bev)
		bufferevent_free(t->backend.bev);
	relay_client_free(t->r, t->client.bev);
	free(t);
}

static void relay_tunnel_shut(struct relay_tunnel_side *dst)
{
	struct relay_tunnel *t = dst->tunnel;

	dst->shut = true;
	shutdown((int)bufferevent_getfd(dst->bev), SHUT_WR);
	if (t->client.eof && t->backend.eof && t->client.shut && t->backend.shut)
		relay_tunnel_free(t, "both directions finished");
}

static void relay_tunnel_read(struct bufferevent *bev, void *arg)
{
	struct relay_tunnel_side *src = arg;
	struct evbuffer *out = bufferevent_get_output(src->peer->bev);

	evbuffer_add_buffer(out, bufferevent_get_input(bev));
	if (evbuffer_get_length(out) >= CAP_RELAY_BUFFER)
		bufferevent_disable(bev, EV_READ);
}

static void relay_tunnel_written(struct bufferevent *bev, void *arg)
{
	struct relay_tunnel_side *dst = arg, *src = dst->peer;

	if (!src->eof)
		bufferevent_enable(src->bev, EV_READ);
	else if (!dst->shut && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		relay_tunnel_shut(dst);
}

static void relay_tunnel_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_tunnel_side *src = arg, *dst = src->peer;

	if (what & BEV_EVENT_ERROR) {
		relay_tunnel_free(src->tunnel, strerror(EVUTIL_SOCKET_ERROR()));
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	src->eof = true;
	relay_tunnel_read(bev, src);
	if (!dst->shut && evbuffer_get_length(bufferevent_get_output(dst->bev)) == 0)
		relay_tunnel_shut(dst);
}

static void relay_tunnel_side_init(struct relay_tunnel *t, struct relay_tunnel_side *s,
				   struct relay_tunnel_side *peer, struct bufferevent *bev)
{
	s->bev = bev;
	s->peer = peer;
	s->tunnel = t;
	bufferevent_setcb(bev, relay_tunnel_read, relay_tunnel_written, relay_tunnel_event, s);
	bufferevent_setwatermark(bev, EV_WRITE, CAP_RELAY_BUFFER / 2, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void relay_tunnel_connected(struct bufferevent *bev, int err, void *arg)
{
	struct relay_tunnel *t = arg;

	t->dial = NULL;
	if (!bev) {
		log_warn("tunnel %s: backend %s: %s", t->peer, t->r->opts.backend.text, strerror(err));
		relay_tunnel_free(t, "the backend is unreachable");
		return;
	}
	relay_tunnel_side_init(t, &t->client, &t->backend, t->client.bev);
	relay_tunnel_side_init(t, &t->backend, &t->client, bev);
	log_debug("tunnel %s: connected to the backend", t->peer);
}

void relay_tunnel_start(struct relay *r, int fd, const char *peer)
{
	struct relay_tunnel *t = calloc(1, sizeof *t);

	if (t)
		t->client.bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!t || !t->client.bev) {
		close(fd);
		free(t);
		relay_client_closed(r);
		return;
	}
	t->r = r;
	snprintf(t->peer, sizeof t->peer, "%s", peer);
	relay_stream_tune(t->client.bev);
	/* Nothing is read from the client until the backend is there: its bytes wait in the
	 * kernel, which bounds them. */
	t->dial = relay_backend_connect(r, relay_tunnel_connected, t);
	if (!t->dial)
		relay_tunnel_free(t, strerror(errno));
}
