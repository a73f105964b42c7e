/* `connect`: the Secure Tunnel Proxy Protocol (MS-GRVHENC 1.3.2, 2.2.2.4, 3.7): an HTTP CONNECT
 * to the proxy of the environment (engine/proxy.h) for the destination's alternate port (443 by
 * default, 3.7.1.1 ServerPort), then the raw SSTP byte stream. 401/407 replies are answered
 * through engine/proxy_auth (3.7.5.1.3), on the same connection when the proxy keeps it, else on
 * a new one.
 *
 * Only the reply head is taken from the stream: bytes after its blank line (a server that
 * speaks first) stay in the input buffer and go to the application with it. How a failure
 * reaches the application (the errno of its connect() when this is the last transport tried):
 *   the proxy unreachable                         the dial's errno (ECONNREFUSED, ...)
 *   401/407 we cannot or may not answer           EACCES  (credentials missing or refused)
 *   400, 403 and other 4xx, 502, 503, 1xx, 3xx    ECONNREFUSED (3.7.5.1.2, 3.7.5.1.4: fatal)
 *   504 Gateway Timeout                           ETIMEDOUT
 *   a reply that is not HTTP, or a head over CAP_HTTP_HEAD   EPROTO
 *   the proxy closes before its reply is complete ECONNRESET */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/namemap.h"
#include "engine/dial.h"
#include "engine/proxy.h"
#include "engine/proxy_auth.h"
#include "engine/proxy_session.h"
#include "engine/transport.h"
#include "engine/tunnel.h"
#include "proto/http_msg.h"

/* 2.2.1.2.3: "The client sets the token value to" this. Appendix A <8> advises implementers to
 * send their own, but proxies that let CONNECT through by User-Agent were set up for the clients
 * this stands in for, and the request should look like theirs (2.2.2.4, 4.6). */
#define TPC_USER_AGENT "Mozilla/4.0 (compatible; MSIE 5.5; Win32)"

/* ConnectionState (3.7.1.1), split where this side waits for different things. */
enum tpc_state {
	TPC_DIALING, /* TCP connection to the proxy in progress ('Connecting') */
	TPC_HEAD,    /* CONNECT sent, reading the reply head */
	TPC_BODY,    /* reading and dropping a 401/407 body before the retry on this connection */
	TPC_DONE,    /* reported; the state is being freed */
};

static const char *const tpc_state_names[] = { "dialing", "head", "body", "done" };

struct tpc {
	struct tp_attempt *a;
	enum tpc_state state;
	const struct eng_proxy *proxy;
	struct dial_nb *dial;
	struct bufferevent *bev;
	unsigned requests;   /* sent on the current connection */
	uint64_t body_left;  /* TPC_BODY */
	bool redial;         /* after this reply, retry on a new connection */
	char target[CAP_HOST_NAME + 16]; /* "host:port", "[v6]:port" */
	const char *auth_field;
	size_t auth_len;
	char auth[CAP_PROXY_AUTH_VALUE]; /* Proxy-Authorization value for the next request */
	struct proxy_auth pa;
	struct http_parser parser;
};

static void tpc_dialled(struct bufferevent *bev, int err, void *arg);

/* Every state change goes through here (STYLE). */
static void tpc_go(struct tpc *c, enum tpc_state next)
{
	log_debug("tunnel %u connect: %s -> %s", c->a->tunnel->id, tpc_state_names[c->state],
		  tpc_state_names[next]);
	c->state = next;
}

static void tpc_free(struct tpc *c)
{
	dial_nb_cancel(c->dial);
	dial_stream_free(c->bev);
	memset(c->auth, 0, sizeof c->auth); /* a credential */
	free(c);
}

/* Reports the outcome; success hands the connection, with whatever follows the reply head in
 * its input, to the tunnel. c is gone afterwards. */
static void tpc_finish(struct tpc *c, int err, const char *why)
{
	struct tp_attempt *a = c->a;
	struct bufferevent *bev = NULL;

	tpc_go(c, TPC_DONE);
	if (!err) {
		bev = c->bev;
		c->bev = NULL;
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	}
	tpc_free(c);
	a->state = NULL;
	tp_attempt_done(a, bev, err, why);
}

/* "host:port" for the request line and Host (3.7.4.1.2: ServerHost, ServerPort): the name the
 * application resolved when known (the proxy resolves it), else the address; IPv6 bracketed. */
static int tpc_format_target(struct tpc *c, const struct tunnel *t)
{
	char addr[INET6_ADDRSTRLEN];
	const char *host = t->host;
	int n;

	if (!*host) {
		const void *a = t->dest.ss_family == AF_INET
					? (const void *)&((const struct sockaddr_in *)&t->dest)->sin_addr
					: (const void *)&((const struct sockaddr_in6 *)&t->dest)->sin6_addr;
		host = inet_ntop(t->dest.ss_family, a, addr, sizeof addr);
		if (!host)
			return -1;
	}
	n = snprintf(c->target, sizeof c->target, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
		     t->cfg->alt_port);
	return n > 0 && (size_t)n < sizeof c->target ? 0 : -1;
}

/* Writes what the socket takes at once and queues the rest: a fresh connection's send buffer
 * always takes a whole request, and writing it now rather than on the loop's next turn brings
 * the proxy's answer, and the application's connect(), that much sooner. */
static int tpc_write(struct tpc *c, const char *buf, size_t len)
{
	ssize_t n = 0;

	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		n = send(bufferevent_getfd(c->bev), buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (n < 0)
			n = 0;
	}
	return (size_t)n == len ? 0 : bufferevent_write(c->bev, buf + n, len - (size_t)n);
}

/* Sends the CONNECT request (2.2.2.4; 3.7.4.1.2) with the credentials in c->auth, if any. */
static int tpc_send(struct tpc *c)
{
	char req[CAP_CONNECT_REQUEST];
	struct http_out o;
	size_t len;

	http_out_init(&o, req, sizeof req);
	http_out_request_line(&o, "CONNECT", c->target, 0);
	http_out_header(&o, "User-Agent", TPC_USER_AGENT);
	http_out_header(&o, "Host", c->target);
	http_out_header(&o, "Proxy-Connection", "Keep-Alive"); /* 2.2.1.2.9 */
	http_out_header(&o, "Pragma", "no-cache");             /* 2.2.1.2.4 */
	if (c->auth_len)
		http_out_header(&o, c->auth_field, c->auth);
	http_out_end(&o);
	if (http_out_finish(&o, &len) < 0 || tpc_write(c, req, len) < 0) {
		int err = errno;
		memset(req, 0, sizeof req);
		errno = err;
		return -1;
	}
	memset(req, 0, len); /* a credential */
	c->requests++;
	http_parser_init(&c->parser, HTTP_RESPONSE);
	tpc_go(c, TPC_HEAD);
	return 0;
}

static int tpc_dial(struct tpc *c)
{
	dial_stream_free(c->bev);
	c->bev = NULL;
	c->requests = 0;
	c->redial = false;
	tpc_go(c, TPC_DIALING);
	c->dial = dial_start(c->a->tunnel, (const struct sockaddr *)&c->proxy->addr,
			     c->proxy->addr_len, tpc_dialled, c);
	return c->dial ? 0 : -1;
}

/* The retry after a 401/407: on this connection, or on a new one. True when the reply is to be
 * read from this connection's input (false: c is gone, or the connection is). */
static bool tpc_retry(struct tpc *c)
{
	bool redial = c->redial;

	if (redial ? tpc_dial(c) < 0 : tpc_send(c) < 0) {
		tpc_finish(c, errno ? errno : ENOMEM, "cannot send the retry to the proxy");
		return false;
	}
	return !redial;
}

/* 3.7.5.1.3: 401 or 407. Prepares the retry; false when it failed (c is gone then). */
static bool tpc_challenged(struct tpc *c, const struct http_head *h)
{
	const char *why = NULL;

	if (proxy_auth_answer(&c->pa, h, c->auth, sizeof c->auth, &c->auth_len, &c->auth_field,
			      &why) < 0) {
		log_debug("tunnel %u connect: %u from %s: %s", c->a->tunnel->id, h->status,
			  c->proxy->redacted, why);
		tpc_finish(c, EACCES, why);
		return false;
	}
	log_debug("tunnel %u connect: %u from %s, answering with %s", c->a->tunnel->id, h->status,
		  c->proxy->redacted, proxy_auth_scheme_name(&c->pa));
	c->redial = !proxy_session_keeps_connection(h, PROXY_REUSE_LENGTH, &c->body_left);
	if (c->redial && proxy_auth_needs_same_connection(&c->pa)) {
		tpc_finish(c, EACCES, "the proxy closes the connection in the middle of NTLM");
		return false;
	}
	if (c->redial || c->body_left == 0)
		return tpc_retry(c);
	tpc_go(c, TPC_BODY);
	return true;
}

/* The status of a reply that is neither 2xx nor 401/407 (3.7.5.1.2, 3.7.5.1.4): fatal. */
static void tpc_refused(struct tpc *c, const struct http_head *h)
{
	int err = ECONNREFUSED;
	const char *why = "the proxy refused the tunnel";

	if (h->status == 400)
		why = "the proxy rejected the CONNECT request (400)";
	else if (h->status == 403)
		why = "the proxy forbids this destination (403)";
	else if (h->status == 502 || h->status == 503)
		why = "the proxy could not reach the destination";
	else if (h->status == 504) {
		err = ETIMEDOUT;
		why = "the proxy timed out reaching the destination (504)";
	}
	log_debug("tunnel %u connect: %s answered %u %.80s", c->a->tunnel->id, c->proxy->redacted,
		  h->status, http_head_reason(h));
	tpc_finish(c, err, why);
}

/* A complete reply head. True when more of this connection's input is to be read. */
static bool tpc_head_done(struct tpc *c)
{
	const struct http_head *h = http_parser_head(&c->parser);

	if (h->status >= 200 && h->status < 300) {
		/* 3.7.5.1.1: 'Established' */
		proxy_auth_accepted(&c->pa);
		tpc_finish(c, 0, NULL);
		return false;
	}
	if (h->status == 401 || h->status == 407)
		return tpc_challenged(c, h);
	tpc_refused(c, h);
	return false;
}

/* Feeds the parser from the input, draining only what it consumed. */
static enum parse_rc tpc_parse(struct tpc *c, struct evbuffer *in)
{
	struct evbuffer_iovec v;
	enum parse_rc rc = PARSE_AGAIN;
	size_t used;

	while (rc == PARSE_AGAIN && evbuffer_peek(in, -1, NULL, &v, 1) > 0) {
		rc = http_parse(&c->parser, v.iov_base, v.iov_len, &used);
		evbuffer_drain(in, used);
	}
	return rc;
}

/* Drops the rest of a 401/407 body; true once it is gone. */
static bool tpc_skip_body(struct tpc *c, struct evbuffer *in)
{
	size_t n = evbuffer_get_length(in);

	if (n > c->body_left)
		n = (size_t)c->body_left;
	evbuffer_drain(in, n);
	c->body_left -= n;
	return c->body_left == 0;
}

static void tpc_read_cb(struct bufferevent *bev, void *arg)
{
	struct tpc *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	enum parse_rc rc;

	for (;;) {
		if (c->state == TPC_BODY) {
			if (!tpc_skip_body(c, in) || !tpc_retry(c))
				return;
			continue;
		}
		rc = tpc_parse(c, in);
		if (rc == PARSE_AGAIN)
			return;
		if (rc != PARSE_DONE) {
			tpc_finish(c, EPROTO, rc == PARSE_TOO_LONG
						      ? "the proxy's reply head is over the size cap"
						      : "the proxy's reply is not HTTP");
			return;
		}
		if (!tpc_head_done(c))
			return;
	}
}

static void tpc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tpc *c = arg;

	/* a kept connection the proxy closed in a 401/407 body, or before answering our retry: the
	 * retry goes on a new one, unless it is bound to this one (NTLM). Bounded: every 401/407
	 * counts towards CAP_PROXY_AUTH_ROUNDS. */
	bool elsewhere = c->state == TPC_BODY ||
			 (c->state == TPC_HEAD && c->requests > 1 && c->parser.total == 0);

	if (elsewhere && !proxy_auth_needs_same_connection(&c->pa)) {
		c->redial = true;
		(void)tpc_retry(c);
		return;
	}
	tpc_finish(c, ECONNRESET, c->state == TPC_BODY
					  ? "the proxy closed the connection in a 407 body"
					  : "the proxy closed the connection before its reply");
}

static void tpc_dialled(struct bufferevent *bev, int err, void *arg)
{
	struct tpc *c = arg;

	c->dial = NULL; /* freed itself */
	if (err) {
		tpc_finish(c, err, err == ECONNREFUSED ? "the proxy refused the TCP connection" : NULL);
		return;
	}
	c->bev = bev;
	bufferevent_setcb(bev, tpc_read_cb, NULL, tpc_event_cb, c);
	if (bufferevent_enable(bev, EV_READ) < 0 || tpc_send(c) < 0)
		tpc_finish(c, errno ? errno : ENOMEM, "cannot send to the proxy");
}

static bool tpc_usable(const struct tunnel *t, const char **why)
{
	if (!t->host[0] && namemap_is_placeholder((const struct sockaddr *)&t->dest)) {
		*why = "placeholder address without its name";
		return false;
	}
	return eng_proxy_for(t, PROXY_USE_CONNECT, why) != NULL;
}

static int tpc_start(struct tp_attempt *a)
{
	const char *why = NULL;
	struct tpc *c = calloc(1, sizeof *c);

	if (!c)
		return -1;
	c->a = a;
	c->proxy = eng_proxy_for(a->tunnel, PROXY_USE_CONNECT, &why);
	if (!c->proxy || tpc_format_target(c, a->tunnel) < 0) {
		free(c);
		errno = ENETUNREACH;
		return -1;
	}
	/* 3.7.4.1.2: "If ProxyAuthRequired is set, the client MUST add" the credentials at once */
	proxy_auth_init(&c->pa, &c->proxy->url, proxy_auth_memo_for(c->proxy), "CONNECT", c->target,
			NULL);
	if (proxy_auth_first(&c->pa, c->auth, sizeof c->auth, &c->auth_len, &c->auth_field, &why) <
	    0) {
		log_debug("tunnel %u connect: %s", a->tunnel->id, why);
		tpc_free(c);
		errno = EACCES;
		return -1;
	}
	if (tpc_dial(c) < 0) {
		int err = errno;
		tpc_free(c);
		errno = err;
		return -1;
	}
	a->state = c;
	return 0;
}

static void tpc_abort(struct tp_attempt *a)
{
	if (a->state)
		tpc_free(a->state);
	a->state = NULL;
}

const struct transport tp_connect = {
	.name = "connect",
	/* the proxy also connects onwards; less than 3.7.2.1's 90 s, which the chain's
	 * SSTPSHIM_CONNECT_TIMEOUT (30 s) would cut anyway */
	.timeout_ms = 10000,
	.usable = tpc_usable,
	.start = tpc_start,
	.abort = tpc_abort,
};
