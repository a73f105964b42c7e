/* `longlived`: the HTTP LongLived encapsulation, client side (MS-GRVHENC 3.1, messages 2.2.2.1),
 * up to the established virtual connection. A GET session and a POST session on two TCP
 * connections to the relay, or to an HTTP proxy with absolute URIs; the echo string goes up the
 * POST body and must come back down the GET response before the tunnel counts as established.
 * Then the sessions go to the splice pump (engine/tp_longlived_split.c) or, when they cannot,
 * stay behind a bufferevent pair (engine/tp_longlived_pair.c). A proxy's 401/407 on either session
 * is answered through engine/proxy_request (3.1.5.1.1.2, 3.1.5.2.1.3): on the same connection
 * when the proxy keeps it and the request left nothing unsent, else on a new one; a POST that only
 * opens an NTLM handshake goes without its body, so that the CHALLENGE comes on a free
 * connection. Credentials missing or refused fail the transport with EACCES. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "engine/dial.h"
#include "engine/proxy.h"
#include "engine/proxy_request.h"
#include "engine/relay_where.h"
#include "engine/tp_longlived.h"
#include "engine/tp_longlived_split.h"
#include "engine/transport.h"
#include "engine/tunnel.h"
#include "proto/guid.h"
#include "proto/http_msg.h"
#include "proto/longlived.h"

static const char *const tp_ll_state_names[] = { "connecting", "established", "closed" };

static void tp_ll_get_dialled(struct bufferevent *bev, int err, void *arg);
static void tp_ll_post_dialled(struct bufferevent *bev, int err, void *arg);

void tp_ll_go(struct tp_ll *c, enum tp_ll_state to)
{
	log_debug("tunnel %u: longlived %s -> %s", c->id, tp_ll_state_names[c->state],
		  tp_ll_state_names[to]);
	c->state = to;
}

void tp_ll_free(struct tp_ll *c)
{
	dial_nb_cancel(c->get_dial);
	dial_nb_cancel(c->post_dial);
	if (c->get)
		bufferevent_free(c->get);
	if (c->post)
		bufferevent_free(c->post);
	if (c->mine)
		bufferevent_free(c->mine);
	if (c->receive)
		event_free(c->receive);
	if (c->watch)
		event_free(c->watch);
	proxy_request_free(c->rq[LL_GET]);
	proxy_request_free(c->rq[LL_POST]);
	free(c);
}

void tp_ll_fail(struct tp_ll *c, int err, const char *why)
{
	struct tp_attempt *a = c->a;

	a->state = NULL;
	tp_ll_free(c);
	tp_attempt_done(a, NULL, err, why);
}

/* --- handshake (3.1.4.1, 3.1.5.2.1) ------------------------------------------------------- */

/* Hands both sessions to the tunnel as plain sockets when they are (engine/tp_longlived_split.c);
 * c is then freed. false when they stay here, the buffered way. */
static bool tp_ll_hand_over(struct tp_ll *c)
{
	struct tp_attempt *a = c->a;
	struct tp_ll_sessions s = { .get = c->get, .post = c->post, .echo = &c->echo,
				    .echo_done = c->echo_done, .limit = c->limit,
				    .post_sent = c->post_sent, .get_received = c->get_received };
	bool ready = tp_ll_split_ready(&s);

	c->echo_done = s.echo_done;
	c->get_received = s.get_received;
	if (!ready)
		return false;
	c->a = NULL;
	a->state = NULL;
	tp_ll_go(c, TP_LL_ESTABLISHED);
	tp_ll_split(a, &s, TP_LL_RECEIVE_MS);
	tp_ll_free(c);
	return true;
}

/* The echo came back: the virtual connection is 'Established'; hand the sessions over, or keep
 * them behind a pair. Both requests went through the proxy: its memo learns what it took. */
static void tp_ll_established(struct tp_ll *c)
{
	for (int k = LL_GET; k <= LL_POST; k++) {
		proxy_request_accepted(c->rq[k]);
		proxy_request_free(c->rq[k]);
		c->rq[k] = NULL;
	}
	if (!tp_ll_hand_over(c))
		tp_ll_pair_start(c);
}

static struct bufferevent *tp_ll_session(struct tp_ll *c, enum ll_kind k)
{
	return k == LL_GET ? c->get : c->post;
}

/* Writes session k's request (2.2.2.1.1, 2.2.2.1.2) with the proxy credentials of s, if any
 * (3.1.4.1.2, 3.1.4.1.4). */
static int tp_ll_write(void *arg, const struct proxy_session *s, bool no_body, char *buf,
		       size_t cap, size_t *len)
{
	struct ll_request r = *(const struct ll_request *)arg;

	r.auth_field = s ? proxy_session_field(s) : NULL;
	r.auth_value = s ? s->value : NULL;
	r.no_body = no_body;
	return ll_request_write(&r, buf, cap, len);
}

/* Session k again on a new connection to the proxy (3.1.4.1.4). */
static void tp_ll_redial(struct tp_ll *c, enum ll_kind k)
{
	struct dial_nb *d;

	bufferevent_free(tp_ll_session(c, k));
	if (k == LL_GET)
		c->get = NULL;
	else
		c->post = NULL;
	d = dial_start(c->a->tunnel, (struct sockaddr *)&c->to, c->to_len,
		       k == LL_GET ? tp_ll_get_dialled : tp_ll_post_dialled, c);
	if (!d) {
		tp_ll_fail(c, errno ? errno : ENOMEM, "cannot reach the proxy again");
		return;
	}
	if (k == LL_GET)
		c->get_dial = d;
	else
		c->post_dial = d;
}

/* Reads session k's reply head, answering 401/407 replies (3.1.5.1.1.2, 3.1.5.2.1.3). 1: a head
 * that is not 401/407 is complete; 0: more input is needed; -1: c is gone, or the session
 * redials. */
static int tp_ll_head(struct tp_ll *c, enum ll_kind k)
{
	const char *why = NULL;
	int err = 0;

	switch (proxy_request_read(c->rq[k], &err, &why)) {
	case PROXY_REQUEST_HEAD:
		return 1;
	case PROXY_REQUEST_AGAIN:
		return 0;
	case PROXY_REQUEST_REDIAL:
		tp_ll_redial(c, k);
		return -1;
	case PROXY_REQUEST_FAIL:
		break;
	}
	tp_ll_fail(c, err, why);
	return -1;
}

/* A session closed during the handshake. True when it was waiting for the retry of a 401/407
 * whose connection the proxy did not keep after all: it redials. */
static bool tp_ll_redialled(struct tp_ll *c, enum ll_kind k)
{
	if (!proxy_request_may_redial(c->rq[k]))
		return false;
	tp_ll_redial(c, k);
	return true;
}

/* Reads the GET response head, then the echo string (3.1.5.2.1.1). */
static void tp_ll_handshake_read(struct bufferevent *bev, void *arg)
{
	struct tp_ll *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	enum parse_rc rc;
	const char *why;
	size_t used;

	if (tp_ll_head(c, LL_GET) <= 0)
		return;
	if (ll_response_check(http_parser_head(&c->rq[LL_GET]->parser), &why) != LL_OK) {
		log_info("tunnel %u: longlived: HTTP %u from the %s", c->id,
			 http_parser_head(&c->rq[LL_GET]->parser)->status,
			 c->a->tunnel->host[0] ? c->a->tunnel->host : "relay");
		tp_ll_fail(c, ECONNREFUSED, why);
		return;
	}
	while (!ll_echo_seen(&c->echo) && evbuffer_get_length(in)) {
		rc = ll_echo_parse(&c->echo, (const char *)evbuffer_pullup(in, 1), 1, &used);
		evbuffer_drain(in, used);
		c->get_received += used; /* the echo is the body's first fragment (2.2.2.1.2.3) */
		if (rc == PARSE_BAD) {
			tp_ll_fail(c, EPROTO, "the GET response does not start with the echo string");
			return;
		}
	}
	if (ll_echo_seen(&c->echo) && c->post_closed)
		tp_ll_fail(c, ECONNRESET, "the relay closed the POST session");
	else if (ll_echo_seen(&c->echo))
		tp_ll_established(c);
}

static void tp_ll_handshake_event(struct bufferevent *bev, short what, void *arg)
{
	struct tp_ll *c = arg;

	if (!tp_ll_redialled(c, LL_GET))
		tp_ll_fail(c, ECONNRESET, "the GET session closed before the echo came back");
}

/* 3.1.5.1: during the handshake only a proxy's 401/407 is answered on the POST session; any
 * other reply fails the attempt. */
static void tp_ll_post_handshake_read(struct bufferevent *bev, void *arg)
{
	struct tp_ll *c = arg;

	if (!c->proxy) {
		tp_ll_fail(c, ECONNREFUSED, "the relay answered on the POST session");
		return;
	}
	if (tp_ll_head(c, LL_POST) <= 0)
		return;
	log_info("tunnel %u: longlived: HTTP %u on the POST session from %s", c->id,
		 http_parser_head(&c->rq[LL_POST]->parser)->status, c->proxy->redacted);
	tp_ll_fail(c, ECONNREFUSED, "the relay or proxy answered on the POST session");
}

static void tp_ll_post_handshake_event(struct bufferevent *bev, short what, void *arg)
{
	struct tp_ll *c = arg;

	if (tp_ll_redialled(c, LL_POST))
		return;
	if (what & BEV_EVENT_EOF) {
		/* The relay may close the POST session before its answer on the GET session (a 500
		 * when the backend is down) arrives: that answer says more. */
		c->post_closed = true;
		bufferevent_disable(bev, EV_READ);
	} else
		tp_ll_fail(c, ECONNRESET, "the POST session failed during the handshake");
}

static void tp_ll_session_up(struct tp_ll *c, struct bufferevent *bev, enum ll_kind k)
{
	if (k == LL_GET) {
		c->get = bev;
		bufferevent_setcb(bev, tp_ll_handshake_read, NULL, tp_ll_handshake_event, c);
	} else {
		c->post = bev;
		bufferevent_setcb(bev, tp_ll_post_handshake_read, NULL, tp_ll_post_handshake_event,
				  c);
	}
	proxy_request_attach(c->rq[k], bev);
	if (proxy_request_send(c->rq[k]) < 0) { /* the POST with the echo string */
		tp_ll_fail(c, errno ? errno : ENOMEM, "cannot send the request");
		return;
	}
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void tp_ll_get_dialled(struct bufferevent *bev, int err, void *arg)
{
	struct tp_ll *c = arg;

	c->get_dial = NULL;
	if (!bev)
		tp_ll_fail(c, err, NULL);
	else
		tp_ll_session_up(c, bev, LL_GET);
}

static void tp_ll_post_dialled(struct bufferevent *bev, int err, void *arg)
{
	struct tp_ll *c = arg;

	c->post_dial = NULL;
	if (!bev)
		tp_ll_fail(c, err, NULL);
	else
		tp_ll_session_up(c, bev, LL_POST);
}

/* --- starting ------------------------------------------------------------------------------ */

/* Fills both requests (2.2.2.1.1, 2.2.2.1.2) into c, and through a proxy their authentication
 * state. */
static int tp_ll_requests(struct tp_ll *c, const struct tunnel *t)
{
	static const char *const what[2] = { "longlived GET", "longlived POST" };
	size_t len;

	eng_server_name(t, c->name, sizeof c->name); /* Relay-Server-Name (2.2.1.1.2) */
	/* 3.1.4.1: a new GUID per virtual connection; through a proxy, a Request ID per request */
	if (guid_generate(c->guid) < 0)
		return -1;
	for (int k = LL_GET; k <= LL_POST; k++) {
		struct ll_request *r = &c->req[k];
		*r = (struct ll_request){ .kind = (enum ll_kind)k, .relay = c->authority,
					  .server_name = c->name, .guid = c->guid,
					  .request_id = c->request_id[k],
					  .content_length = c->limit, .via_proxy = c->proxy != NULL,
					  .host_on_post = true };
		if (guid_generate(c->request_id[k]) < 0 ||
		    ll_uri_write(r, c->uri[k], sizeof c->uri[k], &len) < 0)
			return -1;
		c->rq[k] = proxy_request_new(c->proxy, t->id, what[k], k == LL_GET ? "GET" : "POST",
					     c->uri[k], k == LL_POST, tp_ll_write, r);
		if (!c->rq[k])
			return -1;
	}
	log_debug("tunnel %u: longlived vc %.8s for %s via %s%s", t->id, c->guid, c->name,
		  c->authority, c->proxy ? " (proxy)" : "");
	return 0;
}

static int tp_ll_start(struct tp_attempt *a)
{
	struct tunnel *t = a->tunnel;
	const char *why = NULL;
	struct tp_ll *c = calloc(1, sizeof *c);

	if (!c)
		return -1;
	c->a = a;
	c->base = t->base;
	c->id = t->id;
	c->limit = t->cfg->longlived_limit;
	c->post_sent = LL_ECHO_LINE_LEN; /* the echo counts in the POST body (3.1.1.1) */
	c->proxy = eng_proxy_for(t, PROXY_USE_HTTP, &why);
	ll_echo_init(&c->echo);
	errno = 0;
	if (eng_relay_where(t, !c->proxy, c->authority, sizeof c->authority, &c->to, &c->to_len) <
		    0 ||
	    tp_ll_requests(c, t) < 0)
		goto out;
	if (c->proxy) { /* 3.1.4.1.2, 3.1.4.1.4: both sessions through the proxy */
		memcpy(&c->to, &c->proxy->addr, c->proxy->addr_len);
		c->to_len = c->proxy->addr_len;
	}
	a->state = c;
	c->get_dial = dial_start(t, (struct sockaddr *)&c->to, c->to_len, tp_ll_get_dialled, c);
	c->post_dial = c->get_dial ? dial_start(t, (struct sockaddr *)&c->to, c->to_len,
						tp_ll_post_dialled, c)
				   : NULL;
	if (c->get_dial && c->post_dial)
		return 0;
	a->state = NULL;
out:
	if (!errno)
		errno = ENOMEM;
	tp_ll_free(c);
	return -1;
}

static void tp_ll_abort(struct tp_attempt *a)
{
	tp_ll_free(a->state);
	a->state = NULL;
}

const struct transport tp_longlived = {
	.name = "longlived",
	.timeout_ms = 30000, /* ConnectionEstablishment (3.1.2.1) */
	.usable = eng_relay_usable,
	.start = tp_ll_start,
	.abort = tp_ll_abort,
};
