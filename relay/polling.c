/* One Polling request on the relay (MS-GRVHENC 3.6.5): after session.c has read its head, the
 * entity body (at most 32768 octets, 2.2.2.3.1.2) is read within --header-timeout, its virtual
 * connection fields and checksum are checked (3.6.5 steps 1-3), and it goes to its virtual
 * connection (poll_vc.c). A request that is malformed gets a 400 and creates nothing. */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/ev_read.h"
#include "proto/longlived.h"
#include "proto/poll_http.h"
#include "relay/poll.h"

struct relay_pbody {
	struct relay *r;
	struct bufferevent *bev;
	size_t body_len;
	bool eof;
	struct event *deadline;
	char peer[64];
	char body[CAP_POLL_BODY];
};

void relay_poll_reply_empty(struct relay *r, struct bufferevent *bev, unsigned status)
{
	char buf[512], date[LL_DATE_CAP];
	size_t len;

	/* 3.6.5.1.1: no virtual connection fields, Content-Length 0 */
	ll_http_date(time(NULL), date);
	if (poll_response_head_write(buf, sizeof buf, &len, status, date, RELAY_SERVER, 0, false) == 0)
		bufferevent_write(bev, buf, len);
	relay_client_linger(r, bev);
}

static void relay_pbody_free(struct relay_pbody *b)
{
	if (b->deadline)
		event_free(b->deadline);
	free(b);
}

static void relay_pbody_reject(struct relay_pbody *b, unsigned status, const char *why)
{
	log_info("%s: polling request: %u, %s", b->peer, status, why);
	relay_poll_reply_empty(b->r, b->bev, status);
	relay_pbody_free(b);
}

/* The whole body is in: check it and hand it over. */
static void relay_pbody_done(struct relay_pbody *b)
{
	struct poll_msg msg;
	size_t off;
	const char *why;
	struct relay_preq req;
	int rc;

	evbuffer_remove(bufferevent_get_input(b->bev), b->body, b->body_len);
	rc = poll_body_parse(b->body, b->body_len, false, &msg, &off, &why);
	if (rc == -2) /* 3.6.5.2 step 3, 3.6.5.3 step 2: the GUID's connection closes */
		relay_pvc_abort(b->r, msg.guid, why);
	if (rc < 0) { /* 3.6.5 step 1: malformed fields name nothing we could close */
		relay_pbody_reject(b, 400, why);
		return;
	}
	req = (struct relay_preq){ .bev = b->bev, .msg = &msg, .data = b->body + off,
				   .len = b->body_len - off, .eof = b->eof, .peer = b->peer };
	/* Reading stays enabled: every way on answers, holds (with callbacks of its own) or frees
	 * the request at once, and a disable now and enable then would be two epoll_ctl calls. */
	bufferevent_setcb(b->bev, NULL, NULL, NULL, NULL);
	relay_pvc_request(b->r, &req); /* copies what it keeps */
	relay_pbody_free(b);
}

static void relay_pbody_read(struct bufferevent *bev, void *arg)
{
	struct relay_pbody *b = arg;
	size_t have = evbuffer_get_length(bufferevent_get_input(bev));

	if (have < b->body_len) { /* the rest of the body at once, not 4096 octets per loop turn */
		ev_read_more(bev, b->body_len - have);
		have = evbuffer_get_length(bufferevent_get_input(bev));
	}
	if (have >= b->body_len)
		relay_pbody_done(b);
}

static void relay_pbody_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_pbody *b = arg;

	/* A client that abandons a request before its body is through changes nothing. */
	log_debug("%s: polling request closed before its body", b->peer);
	relay_client_free(b->r, b->bev);
	relay_pbody_free(b);
}

static void relay_pbody_timeout(evutil_socket_t fd, short what, void *arg)
{
	relay_pbody_reject(arg, 408, "no whole body in time");
}

void relay_poll_request(struct relay *r, struct bufferevent *bev, const struct http_head *h,
			const char *peer)
{
	struct relay_pbody *b = calloc(1, sizeof *b);
	unsigned ms = r->opts.header_ms;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	const char *why;

	if (b)
		b->deadline = evtimer_new(r->base, relay_pbody_timeout, b);
	if (!b || !b->deadline) {
		log_error("%s: out of memory", peer);
		free(b);
		relay_client_free(r, bev);
		return;
	}
	b->r = r;
	b->bev = bev;
	snprintf(b->peer, sizeof b->peer, "%s", peer);
	if (poll_request_check(h, &b->body_len, &b->eof, &why) < 0) {
		relay_pbody_reject(b, 400, why);
		return;
	}
	evtimer_add(b->deadline, &tv); /* relay_session_begin tuned the stream already */
	bufferevent_setcb(bev, relay_pbody_read, NULL, relay_pbody_event, b);
	bufferevent_enable(bev, EV_READ);
	relay_pbody_read(bev, b);
}
