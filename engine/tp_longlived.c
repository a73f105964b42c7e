/* `longlived`: the HTTP LongLived encapsulation, client side (MS-GRVHENC 3.1, messages 2.2.2.1).
 * A GET session and a POST session on two TCP connections to the relay, or to an HTTP proxy with
 * absolute URIs; the echo string goes up the POST body and must come back down the GET response
 * before the tunnel counts as established. The application's stream is one end of a
 * bufferevent pair: we feed the other end from the GET response and drain it into the POST body,
 * as the data arrives (3.1.5: never waiting for Content-Length). */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "engine/dial.h"
#include "engine/proxy.h"
#include "engine/tp_longlived_split.h"
#include "engine/transport.h"
#include "engine/tunnel.h"
#include "proto/guid.h"
#include "proto/http_msg.h"
#include "proto/longlived.h"

/* NetworkReceiveIO on the GET session (3.1.2.2). */
#define TP_LL_RECEIVE_MS (5u * 60u * 1000u)
/* How often an established tunnel checks that the pump still holds the other end of the pair:
 * libevent does not tell a pair's end when its partner is freed. */
#define TP_LL_WATCH_MS 1000u

enum tp_ll_state { TP_LL_CONNECTING, TP_LL_ESTABLISHED, TP_LL_CLOSED };
static const char *const tp_ll_state_names[] = { "connecting", "established", "closed" };

struct tp_ll {
	struct tp_attempt *a; /* until tp_attempt_done */
	struct event_base *base;
	unsigned id;          /* the tunnel's, for the log */
	enum tp_ll_state state;
	struct dial *get_dial, *post_dial;
	struct bufferevent *get, *post;
	struct http_parser *parser; /* the GET response head, until it is through */
	struct ll_echo echo;
	bool echo_done;
	struct bufferevent *mine; /* our end of the pair; the pump holds the other */
	bool post_closed;         /* the relay closed the POST session during the handshake */
	bool app_eof, post_shut;  /* application -> relay finished, and passed on */
	bool get_eof;             /* relay -> application finished (EOF given to the pump) */
	uint64_t limit, post_sent, get_received; /* 3.1.1.1 Connection*ContentLength */
	struct event *receive;    /* NetworkReceiveIO */
	struct event *watch;
	char get_req[CAP_LL_HEAD], post_req[CAP_LL_HEAD];
	size_t get_len, post_len;
};

static void tp_ll_go(struct tp_ll *c, enum tp_ll_state to)
{
	log_debug("tunnel %u: longlived %s -> %s", c->id, tp_ll_state_names[c->state],
		  tp_ll_state_names[to]);
	c->state = to;
}

static void tp_ll_free(struct tp_ll *c)
{
	dial_cancel(c->get_dial);
	dial_cancel(c->post_dial);
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
	free(c->parser);
	free(c);
}

/* The attempt failed before it was established: report and free. */
static void tp_ll_fail(struct tp_ll *c, int err, const char *why)
{
	struct tp_attempt *a = c->a;

	a->state = NULL;
	tp_ll_free(c);
	tp_attempt_done(a, NULL, err, why);
}

/* An established tunnel ends: an error reaches the application as a reset (the pump resets it
 * on a network-side error), then both sessions close (3.1.4.2). */
static void tp_ll_close(struct tp_ll *c, bool error, const char *why)
{
	struct bufferevent *peer = c->mine ? bufferevent_pair_get_partner(c->mine) : NULL;

	log_debug("tunnel %u: longlived closed: %s (%llu octets up, %llu down)", c->id, why,
		  (unsigned long long)c->post_sent, (unsigned long long)c->get_received);
	tp_ll_go(c, TP_LL_CLOSED);
	if (error && peer) {
		errno = ECONNRESET;
		bufferevent_trigger_event(peer, BEV_EVENT_ERROR, 0);
	}
	tp_ll_free(c);
}

static void tp_ll_maybe_done(struct tp_ll *c)
{
	if (c->app_eof && c->post_shut && c->get_eof)
		tp_ll_close(c, false, "both directions finished");
}

/* --- established: relay -> application (3.1.5.2.2) -------------------------------------- */

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

/* --- established: application -> relay (3.1.4.3) --------------------------------------- */

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

/* 3.1.5.1: nothing ever comes back on the POST session but an error response. */
static void tp_ll_post_read(struct bufferevent *bev, void *arg)
{
	struct tp_ll *c = arg;

	if (c->state == TP_LL_CONNECTING)
		tp_ll_fail(c, ECONNREFUSED, "the relay or proxy answered on the POST session");
	else
		tp_ll_close(c, true, "protocol error: data on the POST session");
}

static void tp_ll_post_event(struct bufferevent *bev, short what, void *arg)
{
	struct tp_ll *c = arg;

	if (c->state == TP_LL_CONNECTING && (what & BEV_EVENT_EOF)) {
		/* The relay may close the POST session before its answer on the GET session (a 500
		 * when the backend is down) arrives: that answer says more. */
		c->post_closed = true;
		bufferevent_disable(bev, EV_READ);
	} else if (c->state == TP_LL_CONNECTING)
		tp_ll_fail(c, ECONNRESET, "the POST session failed during the handshake");
	else if ((what & BEV_EVENT_ERROR) || !c->app_eof)
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

/* The echo came back: the virtual connection is 'Established'; hand the sessions over, or the
 * pair's other end to the chain. */
static void tp_ll_established(struct tp_ll *c)
{
	struct bufferevent *pair[2];
	struct tp_attempt *a = c->a;
	struct timeval watch = { TP_LL_WATCH_MS / 1000, (TP_LL_WATCH_MS % 1000) * 1000 };

	if (tp_ll_hand_over(c))
		return;
	if (bufferevent_pair_new(c->base, 0, pair) < 0) {
		tp_ll_fail(c, ENOMEM, "cannot create a stream pair");
		return;
	}
	free(c->parser);
	c->parser = NULL;
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

/* Reads the GET response head, then the echo string (3.1.5.2.1.1). */
static void tp_ll_handshake_read(struct bufferevent *bev, void *arg)
{
	struct tp_ll *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec vec;
	enum parse_rc rc = c->parser->rc;
	const char *why;
	size_t used;

	while (rc == PARSE_AGAIN && evbuffer_peek(in, -1, NULL, &vec, 1) > 0 && vec.iov_len) {
		rc = http_parse(c->parser, vec.iov_base, vec.iov_len, &used);
		evbuffer_drain(in, used);
		if (rc == PARSE_DONE &&
		    ll_response_check(http_parser_head(c->parser), &why) != LL_OK) {
			log_info("tunnel %u: longlived: HTTP %u from the %s", c->id,
				 http_parser_head(c->parser)->status,
				 c->a->tunnel->host[0] ? c->a->tunnel->host : "relay");
			tp_ll_fail(c, ECONNREFUSED, why);
			return;
		}
	}
	if (rc == PARSE_BAD || rc == PARSE_TOO_LONG) {
		tp_ll_fail(c, EPROTO, "the relay's response head is malformed");
		return;
	}
	if (rc == PARSE_AGAIN || evbuffer_get_length(in) == 0)
		return;
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
	tp_ll_fail(arg, ECONNRESET, "the GET session closed before the echo came back");
}

static void tp_ll_session_up(struct tp_ll *c, struct bufferevent *bev, bool get)
{
	if (get) {
		c->get = bev;
		bufferevent_write(bev, c->get_req, c->get_len);
		bufferevent_setcb(bev, tp_ll_handshake_read, NULL, tp_ll_handshake_event, c);
	} else {
		c->post = bev;
		bufferevent_write(bev, c->post_req, c->post_len); /* with the echo string */
		bufferevent_setcb(bev, tp_ll_post_read, NULL, tp_ll_post_event, c);
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
		tp_ll_session_up(c, bev, true);
}

static void tp_ll_post_dialled(struct bufferevent *bev, int err, void *arg)
{
	struct tp_ll *c = arg;

	c->post_dial = NULL;
	if (!bev)
		tp_ll_fail(c, err, NULL);
	else
		tp_ll_session_up(c, bev, false);
}

/* --- starting ------------------------------------------------------------------------------ */

/* The destination's address as text, without port or brackets. */
static void tp_ll_dest_address(const struct tunnel *t, char *out, size_t cap)
{
	if (t->dest.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->dest)->sin_addr, out, cap);
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&t->dest)->sin6_addr, out,
			  (socklen_t)cap);
}

/* "host[:port]" for Host and the absolute URI (2.2.1.2.7), brackets around IPv6 literals. */
static void tp_ll_authority(const char *host, uint16_t port, char *out, size_t cap)
{
	bool v6 = strchr(host, ':') != NULL;

	if (port == 80)
		snprintf(out, cap, "%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
	else
		snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* Where the relay is: SSTPSHIM_RELAY, else the intercepted host on SSTPSHIM_HTTP_PORT. Fills
 * its authority and, unless through a proxy, its address. */
static int tp_ll_relay_where(const struct tunnel *t, bool resolve, char *authority, size_t cap,
			   struct sockaddr_storage *to, socklen_t *to_len)
{
	const struct config *cfg = t->cfg;
	char addr[INET6_ADDRSTRLEN] = "";
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char port[8];

	if (!cfg->relay_host[0]) {
		tp_ll_dest_address(t, addr, sizeof addr);
		tp_ll_authority(t->host[0] ? t->host : addr, cfg->http_port, authority, cap);
		memcpy(to, &t->dest, t->dest_len);
		*to_len = t->dest_len;
		if (to->ss_family == AF_INET)
			((struct sockaddr_in *)to)->sin_port = htons(cfg->http_port);
		else
			((struct sockaddr_in6 *)to)->sin6_port = htons(cfg->http_port);
		return 0;
	}
	tp_ll_authority(cfg->relay_host, cfg->relay_port, authority, cap);
	if (!resolve)
		return 0;
	snprintf(port, sizeof port, "%u", cfg->relay_port);
	if (getaddrinfo(cfg->relay_host, port, &hints, &res) != 0 || !res ||
	    res->ai_addrlen > sizeof *to) {
		if (res)
			freeaddrinfo(res);
		errno = EHOSTUNREACH;
		return -1;
	}
	memcpy(to, res->ai_addr, res->ai_addrlen);
	*to_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Writes both requests (2.2.2.1.1, 2.2.2.1.2) into c. */
static int tp_ll_requests(struct tp_ll *c, const struct tunnel *t, const char *authority, bool proxy)
{
	char guid[GUID_LEN + 1], get_id[GUID_LEN + 1], post_id[GUID_LEN + 1];
	char name[CAP_HOST_NAME + 1];
	struct ll_request r = { .relay = authority, .server_name = name, .guid = guid,
				.content_length = c->limit, .via_proxy = proxy,
				.host_on_post = true };

	if (t->host[0]) /* Relay-Server-Name: the name the application asked for (2.2.1.1.2) */
		snprintf(name, sizeof name, "%s", t->host);
	else
		tp_ll_dest_address(t, name, sizeof name);
	/* 3.1.4.1: a new GUID per virtual connection; through a proxy, a Request ID per request */
	if (guid_generate(guid) < 0 || guid_generate(get_id) < 0 || guid_generate(post_id) < 0)
		return -1;
	r.kind = LL_GET;
	r.request_id = get_id;
	if (ll_request_write(&r, c->get_req, sizeof c->get_req, &c->get_len) < 0)
		return -1;
	r.kind = LL_POST;
	r.request_id = post_id;
	if (ll_request_write(&r, c->post_req, sizeof c->post_req, &c->post_len) < 0)
		return -1;
	log_debug("tunnel %u: longlived vc %.8s for %s via %s%s", t->id, guid, name, authority,
		  proxy ? " (proxy)" : "");
	return 0;
}

static int tp_ll_start(struct tp_attempt *a)
{
	struct tunnel *t = a->tunnel;
	const char *why = NULL;
	const struct eng_proxy *proxy = eng_proxy_for(t, PROXY_USE_HTTP, &why);
	char authority[CAP_HOST_NAME + 16];
	struct sockaddr_storage to;
	socklen_t to_len = 0;
	struct tp_ll *c = calloc(1, sizeof *c);

	if (!c)
		return -1;
	c->a = a;
	c->base = t->base;
	c->id = t->id;
	c->limit = t->cfg->longlived_limit;
	c->post_sent = LL_ECHO_LINE_LEN; /* the echo counts in the POST body (3.1.1.1) */
	c->parser = malloc(sizeof *c->parser);
	c->receive = evtimer_new(t->base, tp_ll_receive_timeout, c);
	c->watch = event_new(t->base, -1, EV_PERSIST, tp_ll_watch, c);
	ll_echo_init(&c->echo);
	if (!c->parser || !c->receive || !c->watch ||
	    tp_ll_relay_where(t, !proxy, authority, sizeof authority, &to, &to_len) < 0 ||
	    tp_ll_requests(c, t, authority, proxy != NULL) < 0)
		goto out;
	if (proxy) { /* 3.1.4.1.2, 3.1.4.1.4: both sessions through the proxy */
		memcpy(&to, &proxy->addr, proxy->addr_len);
		to_len = proxy->addr_len;
	}
	http_parser_init(c->parser, HTTP_RESPONSE);
	a->state = c;
	c->get_dial = dial_start(t, (struct sockaddr *)&to, to_len, tp_ll_get_dialled, c);
	c->post_dial = c->get_dial ? dial_start(t, (struct sockaddr *)&to, to_len, tp_ll_post_dialled, c)
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

/* Through a proxy the relay's name is the proxy's to resolve; with SSTPSHIM_RELAY it is ours;
 * otherwise the destination's address must be a real one. */
static bool tp_ll_usable(const struct tunnel *t, const char **why)
{
	const char *no_proxy;

	if (t->cfg->relay_host[0] || eng_proxy_for(t, PROXY_USE_HTTP, &no_proxy))
		return true;
	return tp_usable_if_routable(t, why);
}

const struct transport tp_longlived = {
	.name = "longlived",
	.timeout_ms = 30000, /* ConnectionEstablishment (3.1.2.1) */
	.usable = tp_ll_usable,
	.start = tp_ll_start,
	.abort = tp_ll_abort,
};
