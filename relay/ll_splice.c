/* A LongLived virtual connection after its first application data (MS-GRVHENC 3.2.1.1,
 * GetSessionReady): the POST body goes to the backend and the backend's bytes down the GET
 * response unchanged, each counted against its session's content length (3.2.4.2, 3.2.5.2.2).
 * relay/splice.c moves them inside the kernel; the bufferevents of the three sockets stay, without
 * their sockets, and get them back when the virtual connection closes, so that closing works as
 * before (a graceful close still sends what the GET session was due). */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "relay/ll_vc.h"
#include "relay/splice.h"

/* POST session -> backend. */
static void relay_ll_up_end(struct relay_splice *s, enum relay_splice_end how, void *arg)
{
	struct relay_vc *vc = arg;

	switch (how) {
	case RELAY_SPLICE_SRC_ERROR:
		/* Proxies (haproxy) turn the client's FIN on an unfinished body into a reset. */
		log_debug("vc %.8s: POST session reset, taken as its end", vc->guid);
		/* fall through */
	case RELAY_SPLICE_EOF:
		vc->post_eof = true;
		evtimer_del(vc->timer); /* nothing more can arrive to restart it */
		shutdown(vc->backend_fd, SHUT_WR);
		vc->backend_shut = true;
		relay_vc_maybe_done(vc);
		return;
	case RELAY_SPLICE_OVER:
		relay_vc_close(vc, false, "protocol error: POST body beyond its Content-Length");
		return;
	default:
		relay_vc_close(vc, false, strerror(errno));
		return;
	}
}

/* Backend -> GET session; the GET session is watched for the client's bytes and end too. */
static void relay_ll_down_end(struct relay_splice *s, enum relay_splice_end how, void *arg)
{
	struct relay_vc *vc = arg;

	switch (how) {
	case RELAY_SPLICE_EOF:
		vc->backend_eof = true;
		shutdown(vc->get_fd, SHUT_WR);
		vc->get_shut = true;
		relay_vc_maybe_done(vc);
		return;
	case RELAY_SPLICE_OVER: /* 3.2.4.2 */
		relay_vc_close(vc, true, "the GET response reached its Content-Length");
		return;
	case RELAY_SPLICE_DST_EOF:
		/* The client is done reading; its POST bytes may still be in flight. */
		vc->get_closed = true;
		relay_vc_maybe_done(vc);
		return;
	case RELAY_SPLICE_DST_DATA: /* 3.2.5.1.2 */
		relay_vc_close(vc, false, "protocol error: data on the GET session");
		return;
	case RELAY_SPLICE_DST_ERROR:
		relay_vc_close(vc, false, "the GET session closed");
		return;
	default:
		relay_vc_close(vc, false, strerror(errno));
		return;
	}
}

static int relay_ll_detach(struct bufferevent *bev)
{
	int fd = (int)bufferevent_getfd(bev);

	bufferevent_disable(bev, EV_READ | EV_WRITE);
	bufferevent_setfd(bev, -1);
	return fd;
}

bool relay_ll_splice_start(struct relay_vc *vc)
{
	struct event_base *base = vc->r->base;
	struct evbuffer *to_backend = bufferevent_get_output(vc->backend);
	struct evbuffer *to_get = bufferevent_get_output(vc->get);

	/* Everything read so far has been passed on (relay_vc_up, relay_vc_down). */
	if (evbuffer_get_length(bufferevent_get_input(vc->post)) ||
	    evbuffer_get_length(bufferevent_get_input(vc->backend)))
		return false;
	vc->up = relay_splice_start(base, (int)bufferevent_getfd(vc->post),
				    (int)bufferevent_getfd(vc->backend),
				    vc->post_limit - vc->post_received, 0, relay_ll_up_end, vc);
	vc->down = relay_splice_start(base, (int)bufferevent_getfd(vc->backend),
				      (int)bufferevent_getfd(vc->get), vc->get_limit - vc->get_sent,
				      1, relay_ll_down_end, vc);
	if (!vc->up || !vc->down) {
		log_debug("vc %.8s: cannot splice (%s), buffering", vc->guid, strerror(errno));
		relay_splice_stop(vc->up, NULL);
		relay_splice_stop(vc->down, NULL);
		vc->up = vc->down = NULL;
		return false;
	}
	/* A socket bufferevent lets only itself drain its output; those bytes go first. */
	evbuffer_unfreeze(to_backend, 1);
	evbuffer_unfreeze(to_get, 1);
	relay_splice_head(vc->up, to_backend);
	relay_splice_head(vc->down, to_get);
	vc->post_fd = relay_ll_detach(vc->post);
	vc->get_fd = relay_ll_detach(vc->get);
	vc->backend_fd = relay_ll_detach(vc->backend);
	log_debug("vc %.8s: splicing", vc->guid);
	return true;
}

void relay_ll_splice_stop(struct relay_vc *vc)
{
	if (!vc->up)
		return;
	vc->post_received += relay_splice_moved(vc->up);
	vc->get_sent += relay_splice_moved(vc->down);
	relay_splice_stop(vc->up, bufferevent_get_output(vc->backend));
	relay_splice_stop(vc->down, bufferevent_get_output(vc->get));
	vc->up = vc->down = NULL;
	bufferevent_setfd(vc->post, vc->post_fd);
	bufferevent_setfd(vc->get, vc->get_fd);
	bufferevent_setfd(vc->backend, vc->backend_fd);
}

bool relay_ll_splice_recent(struct relay_vc *vc, unsigned ms, struct timeval *left)
{
	struct timeval now, since, period = { ms / 1000, (ms % 1000) * 1000 };
	struct timeval last;

	if (!vc->up || vc->post_eof)
		return false;
	last = relay_splice_last(vc->up);
	event_base_gettimeofday_cached(vc->r->base, &now);
	timersub(&now, &last, &since);
	if (!timercmp(&since, &period, <))
		return false;
	timersub(&period, &since, left);
	return true;
}
