/* An established `longlived` virtual connection whose sessions the splice pump cannot take
 * (engine/tp_longlived_split.c says when): the application's stream is one end of a bufferevent
 * pair; we feed the other end from the GET response and drain it into the POST body, as the data
 * arrives (MS-GRVHENC 3.1.5: never waiting for Content-Length), each session within its content
 * length (3.1.1.1). */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>

#include "common/log.h"
#include "engine/pump.h"
#include "engine/tp_longlived.h"
#include "engine/transport.h"

/* How often an established tunnel checks that the pump still holds the other end of the pair:
 * libevent does not tell a pair's end when its partner is freed. */
#define TP_LL_WATCH_MS 1000u

/* An established tunnel ends: an error reaches the application as a reset (the pump resets it
 * on a network-side error), then both sessions close (3.1.4.2). */
static void tp_ll_close(struct tp_ll *c, bool error, const char *why)
{
	log_debug("tunnel %u: longlived closed: %s (%llu octets up, %llu down)", c->id, why,
		  (unsigned long long)c->post_sent, (unsigned long long)c->get_received);
	tp_ll_go(c, TP_LL_CLOSED);
	if (error)
		pump_pair_reset(c->mine);
	tp_ll_free(c);
}

static void tp_ll_maybe_done(struct tp_ll *c)
{
	if (c->app_eof && c->post_shut && c->get_eof)
		tp_ll_close(c, false, "both directions finished");
}

/* --- relay -> application (3.1.5.2.2) --------------------------------------------------- */

static void tp_ll_restart_receive(struct tp_ll *c)
{
	struct timeval tv = { TP_LL_RECEIVE_MS / 1000, (TP_LL_RECEIVE_MS % 1000) * 1000 };

	evtimer_add(c->receive, &tv);
}

/* Moves the GET response body to the application. false when c was closed. */
static bool tp_ll_down(struct tp_ll *c)
{
	struct evbuffer *in = bufferevent_get_input(c->get);
	struct evbuffer *out = bufferevent_get_output(c->mine);
	size_t len;

	if (!c->echo_done) { /* the echo's line end may come late */
		size_t want = evbuffer_get_length(in), used = 0;
		enum parse_rc rc;
		want = want < 2 ? want : 2;
		rc = ll_echo_parse(&c->echo, (const char *)evbuffer_pullup(in, (ssize_t)want), want,
				   &used);
		evbuffer_drain(in, used);
		c->get_received += used;
		if (rc == PARSE_BAD) {
			tp_ll_close(c, true, "a bare CR after the echo string");
			return false;
		}
		c->echo_done = rc == PARSE_DONE;
	}
	len = evbuffer_get_length(in);
	if (!len)
		return true;
	c->get_received += len;
	if (c->get_received > c->limit) { /* 3.1.1.1: beyond what the response announced */
		tp_ll_close(c, true, "the GET response exceeded its Content-Length");
		return false;
	}
	tp_ll_restart_receive(c);
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) >= CAP_PUMP_BUFFER)
		bufferevent_disable(c->get, EV_READ);
	return true;
}

static void tp_ll_get_read(struct bufferevent *bev, void *arg)
{
	tp_ll_down(arg);
}

static void tp_ll_get_event(struct bufferevent *bev, short what, void *arg)
{
	struct tp_ll *c = arg;

	if (what & BEV_EVENT_ERROR) {
		tp_ll_close(c, true, "the GET session failed");
		return;
	}
	if (!(what & BEV_EVENT_EOF) || !tp_ll_down(c))
		return;
	/* The relay ended the response (the server closed, or the GET content length is used up,
	 * 3.1.4.3, <14>): the application sees the end of the stream. */
	c->get_eof = true;
	bufferevent_disable(bev, EV_READ);
	evtimer_del(c->receive);
	bufferevent_flush(c->mine, EV_WRITE, BEV_FINISHED);
	tp_ll_maybe_done(c);
}

/* The application read below the watermark: read the GET session again. */
static void tp_ll_mine_written(struct bufferevent *bev, void *arg)
{
	struct tp_ll *c = arg;

	if (!c->get_eof)
		bufferevent_enable(c->get, EV_READ);
}

/* --- application -> relay (3.1.4.3) ------------------------------------------------------ */

/* Moves the application's bytes into the POST body. false when c was closed. */
static bool tp_ll_up(struct tp_ll *c)
{
	struct evbuffer *in = bufferevent_get_input(c->mine);
	struct evbuffer *out = bufferevent_get_output(c->post);
	size_t len = evbuffer_get_length(in);

	if (!len)
		return true;
	if (c->post_sent + len > c->limit) {
		/* 3.1.4.3: close; the application reconnects and its connect() opens a new virtual
		 * connection through the chain. */
		tp_ll_close(c, true, "the POST body would exceed its Content-Length");
		return false;
	}
	c->post_sent += len;
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) >= CAP_PUMP_BUFFER)
		bufferevent_disable(c->mine, EV_READ);
	return true;
}

static void tp_ll_mine_read(struct bufferevent *bev, void *arg)
{
	tp_ll_up(arg);
}

static void tp_ll_post_shut(struct tp_ll *c)
{
	shutdown((int)bufferevent_getfd(c->post), SHUT_WR);
	c->post_shut = true;
	tp_ll_maybe_done(c);
}

static void tp_ll_mine_event(struct bufferevent *bev, short what, void *arg)
{
	struct tp_ll *c = arg;

	if (!(what & BEV_EVENT_EOF)) {
		tp_ll_close(c, true, "the application side failed");
		return;
	}
	if (!tp_ll_up(c))
		return;
	/* The application finished sending: a graceful end of the POST session (3.1.4.2). */
	c->app_eof = true;
	bufferevent_disable(bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->post)) == 0)
		tp_ll_post_shut(c);
}

static void tp_ll_post_written(struct bufferevent *bev, void *arg)
{
	struct tp_ll *c = arg;

	if (!c->app_eof)
		bufferevent_enable(c->mine, EV_READ);
	else if (!c->post_shut && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		tp_ll_post_shut(c);
}

/* 3.1.5.1: once established, nothing ever comes back on the POST session (the handshake has
 * callbacks of its own, tp_ll_post_handshake_*). */
static void tp_ll_post_read(struct bufferevent *bev, void *arg)
{
	tp_ll_close(arg, true, "protocol error: data on the POST session");
}

static void tp_ll_post_event(struct bufferevent *bev, short what, void *arg)
{
	struct tp_ll *c = arg;

	if ((what & BEV_EVENT_ERROR) || !c->app_eof)
		tp_ll_close(c, true, "the POST session closed");
	else
		bufferevent_disable(bev, EV_READ); /* the relay's end after ours */
}

/* --- timers ----------------------------------------------------------------------------- */

static void tp_ll_receive_timeout(evutil_socket_t fd, short what, void *arg)
{
	/* 3.1.6.2 */
	tp_ll_close(arg, true, "NetworkReceiveIO: nothing on the GET session for 5 minutes");
}

static void tp_ll_watch(evutil_socket_t fd, short what, void *arg)
{
	struct tp_ll *c = arg;

	if (!bufferevent_pair_get_partner(c->mine))
		tp_ll_close(c, false, "the tunnel is gone");
}

/* --- starting ------------------------------------------------------------------------------ */

void tp_ll_pair_start(struct tp_ll *c)
{
	struct bufferevent *pair[2];
	struct tp_attempt *a = c->a;
	struct timeval watch = { TP_LL_WATCH_MS / 1000, (TP_LL_WATCH_MS % 1000) * 1000 };

	c->receive = evtimer_new(c->base, tp_ll_receive_timeout, c);
	c->watch = event_new(c->base, -1, EV_PERSIST, tp_ll_watch, c);
	if (!c->receive || !c->watch || bufferevent_pair_new(c->base, 0, pair) < 0) {
		tp_ll_fail(c, ENOMEM, "cannot create a stream pair");
		return;
	}
	c->mine = pair[0];
	c->a = NULL;
	a->state = NULL;
	tp_ll_go(c, TP_LL_ESTABLISHED);
	bufferevent_setcb(c->mine, tp_ll_mine_read, tp_ll_mine_written, tp_ll_mine_event, c);
	bufferevent_setwatermark(c->mine, EV_WRITE, CAP_PUMP_BUFFER / 2, 0);
	bufferevent_setwatermark(c->post, EV_WRITE, CAP_PUMP_BUFFER / 2, 0);
	bufferevent_setcb(c->get, tp_ll_get_read, NULL, tp_ll_get_event, c);
	bufferevent_setcb(c->post, tp_ll_post_read, tp_ll_post_written, tp_ll_post_event, c);
	bufferevent_enable(c->mine, EV_READ | EV_WRITE);
	tp_ll_restart_receive(c);
	event_add(c->watch, &watch);
	tp_attempt_done(a, pair[1], 0, NULL);
	tp_ll_down(c); /* whatever followed the echo */
}
