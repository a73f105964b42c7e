/* The bufferevents of the handshake read a socket at most 4 KiB per call (libevent 2.1's
 * EVBUFFER_MAX_READ) and go through a bufferevent pair to reach the pump; spliced, the same bytes
 * never enter the engine (bench/README.md). */
#include "engine/tp_longlived_split.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "engine/transport.h"
#include "proto/longlived.h"

static bool tp_ll_split_plain(struct bufferevent *bev)
{
	return bufferevent_getfd(bev) >= 0 && bufferevent_get_underlying(bev) == NULL;
}

/* 2.2.1.1.3: the echo string may be followed by CRLF. DONE once that is decided. */
static enum parse_rc tp_ll_split_line_end(struct tp_ll_sessions *s)
{
	struct evbuffer *in = bufferevent_get_input(s->get);
	size_t want = evbuffer_get_length(in), used = 0;
	enum parse_rc rc;

	if (s->echo_done)
		return PARSE_DONE;
	want = want < 2 ? want : 2;
	rc = ll_echo_parse(s->echo, (const char *)evbuffer_pullup(in, (ssize_t)want), want, &used);
	evbuffer_drain(in, used);
	s->get_received += used;
	s->echo_done = rc == PARSE_DONE;
	return rc;
}

bool tp_ll_split_ready(struct tp_ll_sessions *s)
{
	if (!tp_ll_split_plain(s->get) || !tp_ll_split_plain(s->post) ||
	    evbuffer_get_length(bufferevent_get_output(s->post)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(s->get)) > 0)
		return false;
	/* A line end not yet decided (or a bare CR, an error the buffered way reports) stays with
	 * the buffered way: waiting here could wait for bytes the server sends only after ours. */
	if (tp_ll_split_line_end(s) != PARSE_DONE)
		return false;
	/* 3.1.1.1: a relay that sent more than its Content-Length already is for the buffered way
	 * to refuse. */
	return s->get_received + evbuffer_get_length(bufferevent_get_input(s->get)) <= s->limit &&
	       s->post_sent <= s->limit;
}

void tp_ll_split(struct tp_attempt *a, struct tp_ll_sessions *s, unsigned idle_ms)
{
	struct evbuffer *in = bufferevent_get_input(s->get);
	struct tp_split split = {
		.up_fd = (int)bufferevent_getfd(s->post),
		.down_fd = (int)bufferevent_getfd(s->get),
		.to_app = in,
		.up_budget = s->limit - s->post_sent,
		.down_budget = s->limit - s->get_received, /* the bytes of in count against it */
		.down_idle_ms = idle_ms,                   /* NetworkReceiveIO (3.1.2.2) */
	};

	bufferevent_disable(s->get, EV_READ | EV_WRITE);
	bufferevent_disable(s->post, EV_READ | EV_WRITE);
	bufferevent_setfd(s->get, -1); /* the sockets are the tunnel's now */
	bufferevent_setfd(s->post, -1);
	tp_attempt_done_split(a, &split);
}
