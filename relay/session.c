/* One accepted HTTP connection until its request head is read (MS-GRVHENC 3.2.5.1, 3.2.5.2): the
 * head is parsed incrementally and bounded (CAP_HTTP_*), must arrive within --header-timeout
 * (a slowloris client costs one parser for that long), and is validated before the connection
 * joins a virtual connection. Anything wrong gets an error response and a close; other
 * connections never notice. */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/http_msg.h"
#include "proto/keepalive.h"
#include "proto/longlived.h"
#include "proto/poll_http.h"
#include "relay/relay.h"

/* Bytes read per system call while reading a head: a little more than one head. */
#define RELAY_HEAD_READ (CAP_HTTP_HEAD + 1024)

struct relay_session {
	struct relay *r;
	struct bufferevent *bev;
	struct http_parser *parser; /* freed as soon as the head is through */
	struct event *deadline;
	bool kept;                  /* a kept-alive connection waiting for its next request */
	char peer[64];
};

static void relay_session_free(struct relay_session *s)
{
	if (s->deadline)
		event_free(s->deadline);
	free(s->parser);
	free(s);
}

void relay_reply_error(struct relay *r, struct bufferevent *bev, unsigned status)
{
	char buf[CAP_LL_HEAD], date[LL_DATE_CAP];
	size_t len;

	ll_http_date(time(NULL), date);
	if (ll_error_response_write(buf, sizeof buf, &len, status, date, RELAY_SERVER) == 0)
		bufferevent_write(bev, buf, len);
	relay_client_linger(r, bev);
}

/* Ends the session with an error response; the stream lingers closed. */
static void relay_session_reject(struct relay_session *s, unsigned status, const char *why)
{
	log_info("%s: %u, %s", s->peer, status, why);
	relay_reply_error(s->r, s->bev, status);
	relay_session_free(s);
}

/* --- KeepAlive (3.4.5): each request of a kept-alive connection comes through here --- */
static void relay_session_dispatch_ka(struct relay_session *s)
{
	struct ka_info info;
	const char *why = "";
	enum ll_verdict v = ka_request_check(http_parser_head(s->parser), &info, &why);
	struct bufferevent *bev = s->bev;

	if (v != LL_OK) { /* 3.4.5.1.1.2, 3.4.5.2.4 */
		if (info.target.guid[0])
			relay_ka_abort_guid(s->r, info.target.guid);
		relay_session_reject(s, v == LL_ERR_METHOD ? 501 : 400, why);
		return;
	}
	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	relay_ka_request(s->r, bev, &info, s->peer);
	relay_session_free(s);
}

static void relay_session_dispatch(struct relay_session *s)
{
	struct ll_info info;
	const char *why = "";
	enum ll_verdict v;
	struct bufferevent *bev = s->bev;

	if (poll_request_is_polling(http_parser_head(s->parser))) { /* Polling: POST / (3.6.5) */
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
		relay_poll_request(s->r, bev, http_parser_head(s->parser), s->peer);
		relay_session_free(s);
		return;
	}
	if (ka_target_is_keepalive(http_head_target(http_parser_head(s->parser)))) {
		relay_session_dispatch_ka(s);
		return;
	}
	v = ll_request_check(http_parser_head(s->parser), &info, &why);
	switch (v) {
	case LL_OK:
		break;
	case LL_ERR_METHOD:
		relay_session_reject(s, 501, why);
		return;
	case LL_ERR_VERSION:  /* 3.2.5.1.1 step 2, 3.2.5.2.1 step 1 */
	case LL_ERR_PROTOCOL: /* 3.2.5.1.1.2: a 400 may also answer protocol errors */
		if (info.target.guid[0])
			relay_ll_abort_guid(s->r, info.target.guid);
		relay_session_reject(s, 400, why);
		return;
	}
	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	relay_ll_request(s->r, bev, &info, s->peer);
	relay_session_free(s);
}

static void relay_session_read(struct bufferevent *bev, void *arg)
{
	struct relay_session *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec vec;
	enum parse_rc rc = PARSE_AGAIN;
	size_t used;

	while (rc == PARSE_AGAIN && evbuffer_peek(in, -1, NULL, &vec, 1) > 0 && vec.iov_len) {
		rc = http_parse(s->parser, vec.iov_base, vec.iov_len, &used);
		evbuffer_drain(in, used);
	}
	if (rc == PARSE_AGAIN)
		return;
	if (rc != PARSE_DONE) {
		relay_session_reject(s, 400, rc == PARSE_TOO_LONG ? "request head too long"
								   : "malformed request head");
		return;
	}
	relay_session_dispatch(s);
}

static void relay_session_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_session *s = arg;

	log_debug("%s: closed before a whole request head", s->peer);
	relay_client_free(s->r, s->bev);
	relay_session_free(s);
}

static void relay_session_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct relay_session *s = arg;

	if (s->kept && s->parser->total == 0) { /* an idle kept-alive connection: no answer due */
		log_debug("%s: idle kept-alive connection closed", s->peer);
		relay_client_linger(s->r, s->bev);
		relay_session_free(s);
		return;
	}
	relay_session_reject(s, 408, "no whole request head in time");
}

/* Reads a request head on bev (taken), within ms. */
static void relay_session_begin(struct relay *r, struct bufferevent *bev, int fd, const char *peer,
				bool kept, unsigned ms)
{
	struct relay_session *s = calloc(1, sizeof *s);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (s) {
		s->r = r;
		s->parser = malloc(sizeof *s->parser);
		s->deadline = evtimer_new(r->base, relay_session_timeout, s);
		s->bev = bev ? bev : bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	}
	if (!s || !s->parser || !s->deadline || !s->bev) {
		log_error("%s: out of memory", peer);
		if (s && s->bev)
			bufferevent_free(s->bev);
		else if (bev)
			bufferevent_free(bev);
		else
			close(fd);
		if (s)
			relay_session_free(s);
		relay_client_closed(r);
		return;
	}
	snprintf(s->peer, sizeof s->peer, "%s", peer);
	s->kept = kept;
	if (!kept) /* once per connection, not per request on a kept-alive one */
		relay_stream_tune(s->bev);
	http_parser_init(s->parser, HTTP_REQUEST);
	bufferevent_set_max_single_read(s->bev, RELAY_HEAD_READ);
	bufferevent_setcb(s->bev, relay_session_read, NULL, relay_session_event, s);
	bufferevent_enable(s->bev, EV_READ);
	evtimer_add(s->deadline, &tv);
	/* A request that came right behind the last one: read it from the loop, not from inside
	 * the callback that answered the last one. */
	if (kept && evbuffer_get_length(bufferevent_get_input(s->bev)))
		bufferevent_trigger(s->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

void relay_session_start(struct relay *r, int fd, const char *peer)
{
	relay_session_begin(r, NULL, fd, peer, false, r->opts.header_ms);
}

void relay_session_continue(struct relay *r, struct bufferevent *bev, const char *peer)
{
	/* IdleConnection (3.4.2.2) bounds how long a connection may wait for its next request */
	unsigned ms = r->opts.receive_ms ? r->opts.receive_ms : r->opts.header_ms;

	relay_session_begin(r, bev, -1, peer, true, ms);
}
