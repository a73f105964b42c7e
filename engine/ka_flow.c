/* The KeepAlive client once established (MS-GRVHENC 3.3.4.7, 3.3.5.1.1.2, 3.3.5.2.1.2, 3.3.7):
 * the application's bytes go up in POSTs of at most KA_CHUNK_MAX octets, one outstanding at a
 * time (ClientOKtoSend), each kept until its response so that a POST session that breaks is
 * re-opened and the same chunk resent at the same X-Sstp-Offset; a GET is always outstanding and
 * its responses' bodies go to the application. The application's end of stream goes up as an
 * X-Sstp-End POST, the backend's comes down as an X-Sstp-End response (proto/keepalive.h). */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>

#include "common/ev_read.h"
#include "common/log.h"
#include "engine/ka_client.h"
#include "engine/transport.h"

/* How often an established tunnel checks that the pump still holds the other end of the pair:
 * libevent does not tell a pair's end when its partner is freed. */
#define KAC_WATCH_MS 1000u

/* A chunk, or the end marker, waits for its response (or for the POST session to carry it). */
static bool kac_have_inflight(const struct kac *c)
{
	return evbuffer_get_length(c->inflight) || (c->inflight_end && !c->end_acked);
}

static bool kac_maybe_done(struct kac *c)
{
	if (!c->end_acked || !c->get_end)
		return false;
	kac_close(c, false, "both directions finished");
	return true;
}

/* Asks for more data (3.3.5.3), unless the application is behind: then once it catches up.
 * false when c was closed. */
static bool kac_flow_get(struct kac *c)
{
	struct kac_session *s = &c->get;

	if (c->get_end || s->outstanding || s->dial ||
	    evbuffer_get_length(bufferevent_get_output(c->mine)) >= CAP_PUMP_BUFFER)
		return true;
	if (!s->bev) { /* the last response closed its connection: the request goes on a new one */
		if (kac_session_open(s) == 0)
			return true;
		kac_close(c, true, "cannot re-open the GET connection");
		return false;
	}
	return kac_send_request(s);
}

bool kac_flow_send(struct kac *c)
{
	struct kac_session *p = &c->post;
	struct evbuffer *in = bufferevent_get_input(c->mine);
	size_t len = evbuffer_get_length(in);

	if (c->state != KAC_ESTABLISHED || p->outstanding || p->dial)
		return true; /* 3.3.4.7: ClientOKtoSend is FALSE, or the session is being re-opened */
	if (!kac_have_inflight(c)) {
		c->inflight_offset = c->up;
		if (len) {
			evbuffer_remove_buffer(in, c->inflight,
					       len < KA_CHUNK_MAX ? len : KA_CHUNK_MAX);
			if (!c->app_eof) /* room again: see kac_mine_read */
				ev_read_resume(c->mine);
		} else if (c->app_eof && !c->end_acked)
			c->inflight_end = true;
		else
			return true;
	}
	if (!p->bev) { /* 3.3.4.5, 3.3.7.1: closed since; re-opened with the same GUID */
		if (kac_session_open(p) == 0)
			return true;
		kac_close(c, true, "cannot re-open the POST session");
		return false;
	}
	return kac_send_request(p);
}

bool kac_flow_body(struct kac_session *s, struct evbuffer *in, size_t n)
{
	struct kac *c = s->c;

	evbuffer_remove_buffer(in, bufferevent_get_output(c->mine), n);
	c->down += n;
	return true;
}

/* A GET response is complete (3.3.5.2.1.2): ask again at once. */
static bool kac_flow_get_response(struct kac_session *s)
{
	struct kac *c = s->c;
	bool end = http_head_get(ka_reader_head(&s->reader), KA_HDR_END) != NULL;

	if (!end && s->body_len == 0) {
		kac_close(c, true, "protocol error: an empty GET response");
		return false;
	}
	/* A connection closed after many responses (nginx's keepalive_requests) is an orderly end
	 * of that connection, not the disconnect of 3.3.7: the next GET opens another. One closed
	 * after every response is refused at the handshake (tp_keepalive.c). */
	if (s->close_after || end)
		kac_session_drop(s);
	if (end) { /* the backend finished: the application reads the end of the stream */
		c->get_end = true;
		bufferevent_flush(c->mine, EV_WRITE, BEV_FINISHED);
		return !kac_maybe_done(c);
	}
	return kac_flow_get(c);
}

bool kac_flow_response(struct kac_session *s)
{
	struct kac *c = s->c;

	if (s->state != KAS_ESTABLISHED) /* 3.3.5.1.1.1: a re-opened session */
		kac_session_go(s, KAS_ESTABLISHED);
	if (s == &c->get)
		return kac_flow_get_response(s);
	/* 3.3.5.1.1.2: the chunk arrived; ClientOKtoSend is TRUE again */
	c->up += evbuffer_get_length(c->inflight);
	evbuffer_drain(c->inflight, evbuffer_get_length(c->inflight));
	c->end_acked |= c->inflight_end;
	c->reopens = 0;
	if (s->close_after)
		kac_session_drop(s);
	if (kac_maybe_done(c))
		return false;
	return kac_flow_send(c);
}

void kac_flow_session_lost(struct kac_session *s, bool error)
{
	struct kac *c = s->c;
	bool was_out = s->outstanding;

	kac_session_drop(s);
	if (s == &c->get) {
		/* 3.3.7: the GET session is never re-opened */
		if (!c->get_end)
			kac_close(c, true, "the GET session closed");
		return;
	}
	log_debug("tunnel %u: keepalive POST session lost%s", c->id,
		  was_out ? " with a request outstanding" : "");
	if (was_out && ++c->reopens > CAP_KA_POST_REOPENS) {
		kac_close(c, true, "the POST session keeps breaking");
		return;
	}
	if (!c->end_acked)
		kac_flow_send(c); /* 3.3.7.1: re-open now if there is something to send */
}

/* --- the application's side ------------------------------------------------------------- */

/* While a POST is out the application's bytes wait in the pair, up to CAP_PUMP_BUFFER: then
 * reading pauses (backpressure), until kac_flow_send takes the next chunk. */
static void kac_mine_read(struct bufferevent *bev, void *arg)
{
	if (kac_flow_send(arg))
		ev_read_pause_when_full(bev);
}

/* The application read below the watermark: the next GET may go. */
static void kac_mine_written(struct bufferevent *bev, void *arg)
{
	kac_flow_get(arg);
}

static void kac_mine_event(struct bufferevent *bev, short what, void *arg)
{
	struct kac *c = arg;

	if (!(what & BEV_EVENT_EOF)) {
		kac_close(c, true, "the application side failed");
		return;
	}
	c->app_eof = true;
	bufferevent_disable(bev, EV_READ);
	kac_flow_send(c);
}

static void kac_watch(evutil_socket_t fd, short what, void *arg)
{
	struct kac *c = arg;

	if (!bufferevent_pair_get_partner(c->mine))
		kac_close(c, false, "the tunnel is gone");
}

void kac_flow_start(struct kac *c)
{
	struct bufferevent *pair[2];
	struct tp_attempt *a = c->a;
	struct timeval watch = { KAC_WATCH_MS / 1000, (KAC_WATCH_MS % 1000) * 1000 };

	c->inflight = evbuffer_new();
	c->watch = event_new(c->base, -1, EV_PERSIST, kac_watch, c);
	if (!c->inflight || !c->watch || bufferevent_pair_new(c->base, 0, pair) < 0) {
		kac_fail(c, ENOMEM, "cannot create a stream pair"); /* frees what was made */
		return;
	}
	c->mine = pair[0];
	c->a = NULL;
	a->state = NULL;
	kac_go(c, KAC_ESTABLISHED); /* 3.3.5.1.1.1, 3.3.5.2.1.1 */
	bufferevent_setcb(c->mine, kac_mine_read, kac_mine_written, kac_mine_event, c);
	bufferevent_setwatermark(c->mine, EV_READ, 0, CAP_PUMP_BUFFER);
	bufferevent_setwatermark(c->mine, EV_WRITE, CAP_PUMP_BUFFER / 2, 0);
	bufferevent_enable(c->mine, EV_READ | EV_WRITE);
	if (c->get.close_after)
		kac_session_drop(&c->get);
	if (c->post.close_after)
		kac_session_drop(&c->post);
	event_add(c->watch, &watch);
	tp_attempt_done(a, pair[1], 0, NULL);
	kac_flow_get(c); /* 3.3.5.1.1.1: a GET request goes at once; nothing follows it here */
}
