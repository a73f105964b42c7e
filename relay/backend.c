/* Connections to the one configured backend (--backend): the relay never connects anywhere a
 * client names, so it cannot serve as an open proxy. */
#include <event2/bufferevent.h>
#include <unistd.h>

#include "relay/relay.h"

static struct bufferevent *relay_backend_stream(struct event_base *base, int fd)
{
	struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);

	if (!bev) {
		close(fd);
		return NULL;
	}
	relay_stream_tune(bev);
	return bev;
}

struct dial_nb *relay_backend_connect(struct relay *r, dial_nb_cb cb, void *arg)
{
	const struct relay_addr *to = &r->opts.backend;
	int fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return NULL;
	return dial_nb_start(r->base, fd, (const struct sockaddr *)&to->ss, to->len,
			     relay_backend_stream, cb, arg);
}
