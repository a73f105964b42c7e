/* --tunnel-listen: raw bytes between a client and the backend, for the transports that carry the
 * stream unchanged ("SSTP over the SSL port" and Secure Tunnel, MS-GRVHENC 1.3 and 1.3.2). Each
 * direction moves inside the kernel through relay/splice.c, as an established LongLived virtual
 * connection does (libevent 2.1's bufferevents read 4 KiB per call). The end of one side's bytes
 * becomes a FIN to the other once everything before it went out, so half-closes carry through as
 * TCP's; an error on either side closes both. */
#include <errno.h>
#include <event2/bufferevent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/relay.h"
#include "relay/splice.h"

struct relay_tunnel {
	struct relay *r;
	struct dial_nb *dial;
	/* The sockets, held by bufferevents that are never enabled: relay_client_free counts the
	 * client's closing, and the backend arrives as one (relay_backend_connect). */
	struct bufferevent *client, *backend;
	struct relay_splice *up, *down; /* client -> backend, backend -> client */
	bool up_done, down_done;	/* that direction ended and its FIN was sent */
	char peer[64];
};

static void relay_tunnel_free(struct relay_tunnel *t, const char *why)
{
	log_info("tunnel %s: closed, %s; %llu octets up, %llu down", t->peer, why,
		 (unsigned long long)(t->up ? relay_splice_moved(t->up) : 0),
		 (unsigned long long)(t->down ? relay_splice_moved(t->down) : 0));
	dial_nb_cancel(t->dial);
	relay_splice_stop(t->up, NULL);
	relay_splice_stop(t->down, NULL);
	if (t->backend)
		bufferevent_free(t->backend);
	relay_client_free(t->r, t->client);
	free(t);
}

/* One direction ended. Neither direction watches its destination, so only the source's end or an
 * error can come here. */
static void relay_tunnel_end(struct relay_splice *s, enum relay_splice_end how, void *arg)
{
	struct relay_tunnel *t = arg;
	bool up = s == t->up;
	struct bufferevent *dst = up ? t->backend : t->client;

	if (how != RELAY_SPLICE_EOF) {
		relay_tunnel_free(t, strerror(errno));
		return;
	}
	shutdown((int)bufferevent_getfd(dst), SHUT_WR);
	if (up)
		t->up_done = true;
	else
		t->down_done = true;
	if (t->up_done && t->down_done)
		relay_tunnel_free(t, "both directions finished");
}

static void relay_tunnel_connected(struct bufferevent *bev, int err, void *arg)
{
	struct relay_tunnel *t = arg;
	int client = (int)bufferevent_getfd(t->client), backend;

	t->dial = NULL;
	if (!bev) {
		log_warn("tunnel %s: backend %s: %s", t->peer, t->r->opts.backend.text,
			 strerror(err));
		relay_tunnel_free(t, "the backend is unreachable");
		return;
	}
	t->backend = bev;
	backend = (int)bufferevent_getfd(bev);
	t->up = relay_splice_start(t->r->base, client, backend, UINT64_MAX, 0, relay_tunnel_end, t);
	t->down =
		relay_splice_start(t->r->base, backend, client, UINT64_MAX, 0, relay_tunnel_end, t);
	if (!t->up || !t->down) {
		log_warn("tunnel %s: cannot splice: %s", t->peer, strerror(errno));
		relay_tunnel_free(t, "out of memory");
		return;
	}
	log_debug("tunnel %s: connected to the backend, splicing", t->peer);
}

void relay_tunnel_start(struct relay *r, int fd, const char *peer)
{
	struct relay_tunnel *t = calloc(1, sizeof *t);

	if (t)
		t->client = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!t || !t->client) {
		close(fd);
		free(t);
		relay_client_closed(r);
		return;
	}
	t->r = r;
	snprintf(t->peer, sizeof t->peer, "%s", peer);
	relay_stream_tune(t->client);
	/* Nothing is read from the client until the backend is there: its bytes wait in the
	 * kernel, which bounds them. */
	t->dial = relay_backend_connect(r, relay_tunnel_connected, t);
	if (!t->dial)
		relay_tunnel_free(t, strerror(errno));
}
