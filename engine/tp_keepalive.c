/* `keepalive`: the HTTP KeepAlive encapsulation, client side (MS-GRVHENC 3.3, messages 2.2.2.2).
 * A GET session and a POST session, each a kept-alive HTTP/1.0 connection to the relay (or to an
 * HTTP proxy, with absolute URIs) carrying one request at a time. The echo string goes up the
 * first POST, whose response is "<HTML></HTML>", and comes back in the first GET response; then
 * the tunnel is established and ka_flow.c moves the application's bytes. This file holds the
 * sessions: opening, writing requests, reading responses, the handshake and the transport table.
 * A proxy's 401/407 on either session, in the handshake or later, is answered through
 * engine/proxy_series (3.3.5.1.3, 3.3.5.2.3): the same request goes again with credentials, on
 * the same connection when the proxy keeps it (its page read and dropped, by Content-Length or
 * chunked), else on a new one -- except the GET session of an established virtual connection,
 * which is never re-opened (3.3.4.6) -- and every later request carries them at once.
 * Credentials missing or refused end the attempt with EACCES. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "common/ev_read.h"
#include "common/log.h"
#include "engine/dial.h"
#include "engine/ka_client.h"
#include "engine/proxy.h"
#include "engine/proxy_series.h"
#include "engine/pump.h"
#include "engine/relay_where.h"
#include "engine/transport.h"
#include "engine/tunnel.h"

/* Get/PostNetworkReceiveIO (3.3.2.2, 3.3.2.3): the recommended 5 minutes. */
#define KAC_RECEIVE_MS (5u * 60u * 1000u)

static const char *const kac_state_names[] = { "connecting", "established", "closed" };
static const char *const kac_sess_names[] = { "closed", "connecting", "established" };

void kac_go(struct kac *c, enum kac_state to)
{
	log_debug("tunnel %u: keepalive %s -> %s", c->id, kac_state_names[c->state],
		  kac_state_names[to]);
	c->state = to;
}

void kac_session_go(struct kac_session *s, enum kac_sess_state to)
{
	log_debug("tunnel %u: keepalive %s session %s -> %s", s->c->id, s->name,
		  kac_sess_names[s->state], kac_sess_names[to]);
	s->state = to;
}

void kac_session_drop(struct kac_session *s)
{
	dial_nb_cancel(s->dial);
	s->dial = NULL;
	if (s->bev)
		bufferevent_free(s->bev);
	s->bev = NULL;
	s->outstanding = false;
	s->challenged = false;
	(void)proxy_series_closed(s->auth); /* an NTLM authentication goes with the connection */
	if (s->receive)
		evtimer_del(s->receive);
	if (s->state != KAS_CLOSED)
		kac_session_go(s, KAS_CLOSED);
}

static void kac_free(struct kac *c)
{
	kac_session_drop(&c->get);
	kac_session_drop(&c->post);
	if (c->get.receive)
		event_free(c->get.receive);
	if (c->post.receive)
		event_free(c->post.receive);
	proxy_series_free(c->get.auth);
	proxy_series_free(c->post.auth);
	if (c->mine)
		bufferevent_free(c->mine);
	if (c->inflight)
		evbuffer_free(c->inflight);
	if (c->watch)
		event_free(c->watch);
	free(c);
}

void kac_fail(struct kac *c, int err, const char *why)
{
	struct tp_attempt *a = c->a;

	a->state = NULL;
	kac_free(c);
	tp_attempt_done(a, NULL, err, why);
}

void kac_close(struct kac *c, bool error, const char *why)
{
	log_debug("tunnel %u: keepalive closed: %s (%llu octets up, %llu down)", c->id, why,
		  (unsigned long long)c->up, (unsigned long long)c->down);
	kac_go(c, KAC_CLOSED);
	if (error)
		pump_pair_reset(c->mine);
	kac_free(c);
}

/* A failure of either kind, as the connection's state calls for. */
static void kac_error(struct kac *c, int err, const char *why)
{
	if (c->state == KAC_CONNECTING)
		kac_fail(c, err, why);
	else
		kac_close(c, true, why);
}

/* --- requests ------------------------------------------------------------------------------ */

static void kac_receive_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct kac_session *s = arg;

	/* 3.3.6.2, 3.3.6.3 */
	kac_close(s->c, true, s == &s->c->get ? "GetNetworkReceiveIO expired"
					      : "PostNetworkReceiveIO expired");
}

void kac_receive_start(struct kac_session *s)
{
	struct timeval tv = { KAC_RECEIVE_MS / 1000, (KAC_RECEIVE_MS % 1000) * 1000 };

	evtimer_add(s->receive, &tv);
}

/* Sends a request and a copy of body (the chunk stays for a resend): written to the socket at
 * once when nothing is queued before it, the rest queued. One request, one response: waiting a
 * loop turn for writability would cost every exchange two more system calls and a wake-up. */
static void kac_write_now(struct bufferevent *bev, const char *head, size_t len,
			  struct evbuffer *body)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	struct evbuffer *msg = evbuffer_get_length(out) ? NULL : evbuffer_new();
	struct evbuffer *to = msg ? msg : out;
	size_t n = body ? evbuffer_get_length(body) : 0;

	evbuffer_add(to, head, len);
	if (n)
		evbuffer_add(to, evbuffer_pullup(body, -1), n);
	if (!msg)
		return;
	evbuffer_write(msg, bufferevent_getfd(bev));
	evbuffer_add_buffer(out, msg);
	evbuffer_free(msg);
}

/* Readies the credentials of s's request r through a proxy (3.3.4.1.2, 3.3.4.1.4, 3.3.4.7.2,
 * 3.3.5.3.2: "If the ProxyAuthRequired is set, the client MUST add" them): a fresh Request ID,
 * or the last one when the request goes again after a 401/407. 0, or -1 with *err and *why. */
static int kac_auth_prepare(struct kac_session *s, struct ka_request *r, int *err,
			    const char **why)
{
	char uri[CAP_LL_URI];
	size_t len;

	if (!s->auth)
		return 0;
	if ((!s->auth->again && guid_generate(s->request_id) < 0) || /* 3.3.5.3.2 */
	    ka_uri_write(r, uri, sizeof uri, &len) < 0)
		return -1; /* the caller's "cannot write a request" */
	if (proxy_series_next(s->auth, r->kind == LL_GET ? "GET" : "POST", uri) < 0) {
		*err = EACCES;
		*why = "the proxy credentials cannot be formatted";
		return -1;
	}
	r->auth_field = proxy_series_field(s->auth);
	r->auth_value = proxy_series_value(s->auth);
	return 0;
}

bool kac_send_request(struct kac_session *s)
{
	struct kac *c = s->c;
	char head[CAP_PROXY_REQUEST];
	size_t len = 0, body = c->inflight ? evbuffer_get_length(c->inflight) : 0;
	bool post = s == &c->post, handshake = c->state == KAC_CONNECTING;
	const char *why = "cannot write a request";
	int err = EPROTO;
	struct ka_request r = { .kind = post ? LL_POST : LL_GET, .relay = c->authority,
				.server_name = c->name, .guid = c->guid, .via_proxy = c->proxy,
				.host_on_post = true, .request_id = s->request_id,
				.handshake = handshake };
	if (post && !handshake) { /* 3.3.4.7.1 */
		r.body_len = body;
		r.has_offset = true;
		r.offset = c->inflight_offset;
		r.end = c->inflight_end;
	}
	bool ok = kac_auth_prepare(s, &r, &err, &why) == 0 &&
		  ka_request_write(&r, head, sizeof head, &len) == 0;

	if (ok)
		kac_write_now(s->bev, head, len, post && !handshake ? c->inflight : NULL);
	if (r.auth_value)
		memset(head, 0, sizeof head); /* holds a credential */
	if (!ok) {
		kac_error(c, err, why);
		return false;
	}
	s->outstanding = true;
	if (!handshake)
		kac_receive_start(s);
	return true;
}

/* --- responses (3.3.5.1, 3.3.5.2) ------------------------------------------------------------ */

/* Whether a response closes its connection (RFC 7230 6.3; HTTP/1.0 keeps it only when told). */
static bool kac_response_closes(const struct http_head *h)
{
	if (http_head_has_token(h, "Connection", "close"))
		return true;
	return h->minor == 0 && !http_head_has_token(h, "Connection", "keep-alive") &&
	       !http_head_has_token(h, "Proxy-Connection", "keep-alive");
}

/* A handshake response is complete (3.3.5.1.1.1, 3.3.5.2.1.1). */
static void kac_handshake_response(struct kac_session *s)
{
	struct kac *c = s->c;
	bool get = s == &c->get;

	if (!ka_body_is(get ? LL_ECHO : KA_NO_DATA, s->body, s->body_len)) {
		kac_fail(c, EPROTO, get ? "the first GET response is not the echo string"
					: "the first POST response is not <HTML></HTML>");
		return;
	}
	/* 3.3.7: a GET session that is lost ends the virtual connection. One whose very first
	 * response closes it (nginx's keepalive_timeout 0) would be re-opened for every response:
	 * that is Polling's job, the next transport of the chain. */
	if (get && s->close_after) {
		kac_fail(c, ECONNRESET, "the GET session is closed after each response");
		return;
	}
	s->ok = true;
	kac_session_go(s, KAS_ESTABLISHED);
	if (c->get.ok && c->post.ok) /* 3.3.5.1.1.1, 3.3.5.2.1.1: the virtual connection is up */
		kac_flow_start(c);
}

/* The retry after a 401/407 cannot go on s's connection (the proxy closes it, or the page ends
 * only with it): it goes on a new one. In the handshake that is the retry 3.3.5.2.3 and 3.3.5.1.3
 * call for, "see section 3.3.4.1.2" / "3.3.4.1.4", which establish a TCP connection to the proxy:
 * the session is still in proxy negotiation ('Connected', 3.3.1.1), not closed, and the relay
 * has not seen it. Once established, a GET session whose connection ends is closed, and "the GET
 * session MUST NOT be re-opened" (3.3.4.6): the virtual connection ends (3.3.7). A POST session
 * is re-opened (3.3.4.5, 3.3.7.1). Always false: this connection, or c, is gone. */
static bool kac_redial(struct kac_session *s)
{
	struct kac *c = s->c;

	if (c->state == KAC_ESTABLISHED && s == &c->get) {
		log_info("tunnel %u: keepalive: the retry after a 401/407 needs a new GET connection; "
			 "a GET session is never re-opened (3.3.4.6), the virtual connection ends",
			 c->id);
		kac_close(c, true, "the GET session ended after a 401/407");
		return false;
	}
	kac_session_drop(s);
	if (kac_session_open(s) < 0)
		kac_error(c, errno ? errno : ENOMEM, "cannot reach the proxy again");
	return false;
}

/* A proxy's 401/407 (3.3.5.1.3, 3.3.5.2.3): the request goes again with the answer, on this
 * connection once the page is read (the whole request went, so the proxy waits for nothing), or
 * on a new one. false when this connection or c is gone. */
static bool kac_challenged(struct kac_session *s, const struct http_head *h)
{
	const char *why = NULL;

	switch (proxy_series_challenged(s->auth, h, true, &why)) {
	case PROXY_RETRY_SAME:
		s->challenged = true;
		return true;
	case PROXY_RETRY_NEW:
		return kac_redial(s);
	case PROXY_RETRY_FAIL:
		break;
	}
	kac_error(s->c, EACCES, why);
	return false;
}

/* A head is through: the status decides (3.3.5.1.1 - 3.3.5.1.4, 3.3.5.2.1 - 3.3.5.2.4). */
static bool kac_head(struct kac_session *s)
{
	const struct http_head *h = ka_reader_head(&s->reader);
	const char *why;

	if (proxy_series_challenge(s->auth, h))
		return kac_challenged(s, h);
	proxy_series_accepted(s->auth); /* the proxy let it through: the memo learns */
	if (ll_response_check(h, &why) != LL_OK) {
		log_info("tunnel %u: keepalive: HTTP %u on the %s session", s->c->id, h->status,
			 s->name);
		kac_error(s->c, ECONNREFUSED, why);
		return false;
	}
	s->close_after = kac_response_closes(h);
	s->body_len = 0;
	return true;
}

/* Body bytes: a handshake response's are kept, a data GET response's go to the application,
 * and a data POST response has none (3.3.5.1.1.2). */
static bool kac_body(struct kac_session *s, struct evbuffer *in, size_t n)
{
	if (s->challenged) { /* a 401/407 page */
		evbuffer_drain(in, n);
		return true;
	}
	if (s->c->state == KAC_CONNECTING) {
		if (n > sizeof s->body - s->body_len) {
			kac_fail(s->c, EPROTO, "a handshake response with a long body");
			return false;
		}
		evbuffer_remove(in, s->body + s->body_len, n);
		s->body_len += n;
		return true;
	}
	if (s == &s->c->post) {
		kac_close(s->c, true, "protocol error: a POST response with a body");
		return false;
	}
	s->body_len += n;
	return kac_flow_body(s, in, n);
}


/* Feeds what arrived to the session's reader, one step at a time. false when the session's
 * connection or c is gone. */
static bool kac_session_feed(struct kac_session *s, struct bufferevent *bev)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	if (s->c->state == KAC_ESTABLISHED && s == &s->c->get)
		ev_read_more(bev, KA_CHUNK_MAX + CAP_LL_HEAD);
	for (;;) {
		struct evbuffer_iovec vec = { NULL, 0 };
		const char *why = NULL;
		size_t used = 0;
		enum ka_step st;

		evbuffer_peek(in, -1, NULL, &vec, 1);
		st = ka_reader_feed(&s->reader, vec.iov_base, vec.iov_len, &used, &why);
		if (st == KA_STEP_BODY) {
			if (!kac_body(s, in, used))
				return false;
			continue;
		}
		evbuffer_drain(in, used);
		if (st == KA_STEP_AGAIN && evbuffer_get_length(in) == 0)
			return true;
		if (st == KA_STEP_BAD) {
			kac_error(s->c, EPROTO, why);
			return false;
		}
		if (st == KA_STEP_HEAD && !kac_head(s))
			return false;
		if (st != KA_STEP_END)
			continue;
		s->outstanding = false;
		evtimer_del(s->receive);
		if (s->challenged) { /* its body is gone: the request goes again */
			s->challenged = false;
			if (!kac_send_request(s))
				return false;
			continue;
		}
		if (s->c->state == KAC_CONNECTING) {
			kac_handshake_response(s);
			return false; /* done, failed or established: nothing more is read here */
		}
		if (!kac_flow_response(s) || s->bev != bev)
			return false;
	}
}

static void kac_session_read(struct bufferevent *bev, void *arg)
{
	kac_session_feed(arg, bev);
}

static void kac_session_event(struct bufferevent *bev, short what, void *arg)
{
	struct kac_session *s = arg;

	if (proxy_series_closed(s->auth)) { /* a retry after a 401/407 goes on a new connection */
		kac_redial(s);
		return;
	}
	if (s->c->state == KAC_CONNECTING && s->ok && !s->outstanding && s->close_after) {
		kac_session_drop(s); /* it said so; the next request opens another */
		return;
	}
	if (s->c->state == KAC_CONNECTING) {
		kac_fail(s->c, ECONNRESET, s == &s->c->get ? "the GET session closed in the handshake"
							   : "the POST session closed in the handshake");
		return;
	}
	if (kac_session_feed(s, bev)) /* a last response that came with the end */
		kac_flow_session_lost(s, (what & BEV_EVENT_ERROR) != 0);
}

static void kac_dialled(struct bufferevent *bev, int err, void *arg)
{
	struct kac_session *s = arg;
	struct kac *c = s->c;
	int one = 1;

	s->dial = NULL;
	if (!bev) {
		kac_error(c, err, s == &c->get ? "cannot open the GET session"
					       : "cannot re-open the POST session");
		return;
	}
	s->bev = bev;
	/* one small request, one response: Nagle would hold each head for the peer's delayed ACK */
	setsockopt((int)bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	ka_reader_init(&s->reader, HTTP_RESPONSE);
	bufferevent_setcb(bev, kac_session_read, NULL, kac_session_event, s);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (c->state == KAC_CONNECTING) {
		kac_send_request(s); /* 3.3.4.1.1, 3.3.4.1.3 */
		return;
	}
	if (s == &c->post) {
		kac_flow_send(c); /* 3.3.7.1: the chunk in flight again, or the next */
	} else {
		kac_send_request(s);
	}
}

int kac_session_open(struct kac_session *s)
{
	struct kac *c = s->c;
	bool alive = c->a || (c->mine && bufferevent_pair_get_partner(c->mine));

	kac_session_go(s, KAS_CONNECTING);
	s->dial = alive ? dial_start(c->tunnel, (struct sockaddr *)&c->to, c->to_len, kac_dialled, s)
			: NULL;
	return s->dial ? 0 : -1;
}

/* --- the transport ---------------------------------------------------------------------------- */

static int kac_start(struct tp_attempt *a)
{
	struct tunnel *t = a->tunnel;
	const char *why = NULL;
	const struct eng_proxy *proxy = eng_proxy_for(t, PROXY_USE_HTTP, &why);
	struct kac *c = calloc(1, sizeof *c);

	if (!c)
		return -1;
	c->a = a;
	c->tunnel = t;
	c->base = t->base;
	c->id = t->id;
	c->proxy = proxy != NULL;
	c->get = (struct kac_session){ .c = c, .name = "GET" };
	c->post = (struct kac_session){ .c = c, .name = "POST" };
	c->get.receive = evtimer_new(t->base, kac_receive_timeout, &c->get);
	c->post.receive = evtimer_new(t->base, kac_receive_timeout, &c->post);
	eng_server_name(t, c->name, sizeof c->name);
	errno = 0;
	if (!c->get.receive || !c->post.receive || guid_generate(c->guid) < 0 ||
	    eng_relay_where(t, !proxy, c->authority, sizeof c->authority, &c->to, &c->to_len) < 0)
		goto out;
	if (proxy) { /* 3.3.4.1.2, 3.3.4.1.4: both sessions through the proxy */
		memcpy(&c->to, &proxy->addr, proxy->addr_len);
		c->to_len = proxy->addr_len;
		c->get.auth = proxy_series_new(proxy, t->id, "keepalive GET", false);
		c->post.auth = proxy_series_new(proxy, t->id, "keepalive POST", false);
		if (!c->get.auth || !c->post.auth)
			goto out;
	}
	log_debug("tunnel %u: keepalive vc %.8s for %s via %s%s", t->id, c->guid, c->name,
		  c->authority, proxy ? " (proxy)" : "");
	a->state = c;
	if (kac_session_open(&c->get) == 0 && kac_session_open(&c->post) == 0)
		return 0;
	a->state = NULL;
out:
	if (!errno)
		errno = ENOMEM;
	kac_free(c);
	return -1;
}

static void kac_abort(struct tp_attempt *a)
{
	kac_free(a->state);
	a->state = NULL;
}

const struct transport tp_keepalive = {
	.name = "keepalive",
	.timeout_ms = 30000, /* ConnectionEstablishment (3.3.2.1) */
	.usable = eng_relay_usable,
	.start = kac_start,
	.abort = kac_abort,
};
