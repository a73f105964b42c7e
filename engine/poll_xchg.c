#include "engine/poll_xchg.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev_read.h"
#include "engine/dial.h"
#include "proto/http_msg.h"
#include "proto/poll_http.h"

/* What libevent 2.1 reads per call at most (EVBUFFER_MAX_READ). */
#define POLL_XCHG_LIBEVENT_READ 4096u

struct poll_xchg {
	struct event_base *base;
	struct dial_nb *dial;
	struct bufferevent *bev;
	struct evbuffer *request;
	struct http_parser parser;
	bool head_done;
	bool until_close; /* no Content-Length: the body ends with the connection (HTTP/1.0) */
	size_t body_len;
	struct poll_reply reply;
	unsigned timeout_ms;
	poll_xchg_cb cb;
	void *arg;
};

void poll_xchg_cancel(struct poll_xchg *x)
{
	if (!x)
		return;
	dial_nb_cancel(x->dial);
	if (x->bev)
		bufferevent_free(x->bev);
	if (x->request)
		evbuffer_free(x->request);
	free(x);
}

bool poll_xchg_answering(const struct poll_xchg *x)
{
	return x->bev && (x->parser.total > 0 || evbuffer_get_length(bufferevent_get_input(x->bev)));
}

/* Frees x, then reports: the callback may start the next exchange or free its owner. */
static void poll_xchg_finish(struct poll_xchg *x, int err, const char *why)
{
	static char body[CAP_POLL_BODY];
	static struct http_head head;
	struct poll_reply reply = x->reply;
	poll_xchg_cb cb = x->cb;
	void *arg = x->arg;

	if (!err) {
		reply.len = evbuffer_remove(bufferevent_get_input(x->bev), body,
					    x->until_close ? sizeof body : x->body_len);
		reply.body = body;
		head = *http_parser_head(&x->parser);
		reply.head = &head;
	}
	poll_xchg_cancel(x);
	cb(err ? NULL : &reply, err, why, arg);
}

/* The body is complete when Content-Length octets are in, or at the close without one. */
static void poll_xchg_body(struct poll_xchg *x, bool closed)
{
	size_t have = evbuffer_get_length(bufferevent_get_input(x->bev));

	if (x->until_close && have > CAP_POLL_BODY)
		poll_xchg_finish(x, EPROTO, "a response body beyond 32768 octets");
	else if (!x->until_close && have >= x->body_len)
		poll_xchg_finish(x, 0, NULL);
	else if (closed && x->until_close)
		poll_xchg_finish(x, 0, NULL);
	else if (closed)
		poll_xchg_finish(x, ECONNRESET, "the response ended before its Content-Length");
}

static void poll_xchg_read(struct bufferevent *bev, void *arg)
{
	struct poll_xchg *x = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec vec;
	enum parse_rc rc = x->parser.rc;
	const char *why = NULL;
	size_t used;

	/* libevent read a full 4096 octets: the rest of a response with data is likely there too */
	if (evbuffer_get_length(in) >= POLL_XCHG_LIBEVENT_READ)
		ev_read_more(bev, CAP_POLL_BODY + CAP_HTTP_HEAD);
	while (!x->head_done && rc == PARSE_AGAIN && evbuffer_peek(in, -1, NULL, &vec, 1) > 0 &&
	       vec.iov_len) {
		rc = http_parse(&x->parser, vec.iov_base, vec.iov_len, &used);
		evbuffer_drain(in, used);
	}
	if (rc == PARSE_BAD || rc == PARSE_TOO_LONG) {
		poll_xchg_finish(x, EPROTO, "a malformed response head");
		return;
	}
	if (rc == PARSE_AGAIN)
		return;
	if (!x->head_done) {
		const struct http_head *h = http_parser_head(&x->parser);
		if (poll_response_check(h, &x->body_len, &x->until_close, &x->reply.eof, &why) < 0) {
			poll_xchg_finish(x, EPROTO, why);
			return;
		}
		x->reply.status = h->status;
		x->head_done = true;
	}
	if (!x->until_close && evbuffer_get_length(in) < x->body_len)
		ev_read_more(bev, x->body_len - evbuffer_get_length(in));
	poll_xchg_body(x, false);
}

static void poll_xchg_event(struct bufferevent *bev, short what, void *arg)
{
	struct poll_xchg *x = arg;

	if (what & BEV_EVENT_TIMEOUT)
		poll_xchg_finish(x, ETIMEDOUT, "no response in time (NetworkReceiveIO)");
	else if ((what & BEV_EVENT_EOF) && x->head_done)
		poll_xchg_body(x, true);
	else if (what & BEV_EVENT_EOF)
		poll_xchg_finish(x, ECONNRESET, "the connection closed before a response");
	else
		poll_xchg_finish(x, EVUTIL_SOCKET_ERROR() ? EVUTIL_SOCKET_ERROR() : ECONNRESET,
				 "the connection failed");
}

static void poll_xchg_dialled(struct bufferevent *bev, int err, void *arg)
{
	struct poll_xchg *x = arg;
	struct timeval tv = { x->timeout_ms / 1000, (x->timeout_ms % 1000) * 1000 };

	x->dial = NULL;
	if (!bev) {
		poll_xchg_finish(x, err, NULL);
		return;
	}
	x->bev = bev;
	bufferevent_setcb(bev, poll_xchg_read, NULL, poll_xchg_event, x);
	bufferevent_set_timeouts(bev, &tv, &tv);
	/* The socket is writable now: the request goes at once, not a loop turn later. Only what
	 * it did not take waits for writability (a socket bufferevent starts with EV_WRITE on). */
	evbuffer_write(x->request, bufferevent_getfd(bev));
	bufferevent_write_buffer(bev, x->request);
	bufferevent_enable(bev, EV_READ);
}

struct poll_xchg *poll_xchg_start(struct event_base *base, const struct sockaddr_storage *from,
				  socklen_t from_len, const struct sockaddr *to, socklen_t to_len,
				  const void *request, size_t len, unsigned timeout_ms,
				  poll_xchg_cb cb, void *arg)
{
	struct poll_xchg *x = calloc(1, sizeof *x);

	if (!x)
		return NULL;
	x->base = base;
	x->cb = cb;
	x->arg = arg;
	x->timeout_ms = timeout_ms;
	http_parser_init(&x->parser, HTTP_RESPONSE);
	x->request = evbuffer_new();
	if (!x->request || evbuffer_add(x->request, request, len) < 0)
		goto out;
	x->dial = dial_start_from(base, from, from_len, to, to_len, poll_xchg_dialled, x);
	if (x->dial)
		return x;
out:
	if (!errno)
		errno = ENOMEM;
	poll_xchg_cancel(x);
	return NULL;
}
