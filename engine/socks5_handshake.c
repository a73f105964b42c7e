/* Every request is written at start, so a target that cannot be expressed fails before a byte is
 * sent, and the credentials are copied once and wiped with the handshake. Replies are copied out
 * of the input buffer at most one reply's length at a time and only the bytes the parser took are
 * drained: what follows the CONNECT reply stays in the input buffer for the application
 * (STYLE: handshake transports never swallow tunnelled bytes). */
#include "engine/dial.h"
#include "engine/socks5_handshake.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "proto/socks5.h"

/* The ConnectionState values of MS-GRVHENC 3.9.1.1, plus 'authenticating' for RFC 1929. */
enum socks5_hs_state {
	HS_NEGOTIATING,    /* greeting sent, waiting for the method (3.9.4.1.1) */
	HS_AUTHENTICATING, /* user/password sent, waiting for its status (RFC 1929 2) */
	HS_NEGOTIATED,     /* authentication done (3.9.5.1.1) */
	HS_CONNECTING,     /* CONNECT sent, waiting for the reply (3.9.5.1.2) */
	HS_ESTABLISHED,    /* reply 00: the stream is the application's (3.9.5.1.3) */
	HS_CLOSED,         /* failed or abandoned (3.9.4.2) */
};

static const char *const socks5_hs_state_names[] = {
	[HS_NEGOTIATING] = "negotiating",   [HS_AUTHENTICATING] = "authenticating",
	[HS_NEGOTIATED] = "negotiated",     [HS_CONNECTING] = "connecting",
	[HS_ESTABLISHED] = "established",   [HS_CLOSED] = "closed",
};

struct socks5_handshake {
	enum socks5_hs_state state;
	unsigned tunnel_id;
	struct bufferevent *bev;
	socks5_handshake_cb cb;
	void *arg;
	bool userpass; /* offered 02 */
	char auth[SOCKS5_USERPASS_MAX]; /* the RFC 1929 request: holds the password */
	size_t auth_len;
	char connect[SOCKS5_CONNECT_MAX];
	size_t connect_len;
	union {
		struct socks5_method_parser method;
		struct socks5_auth_parser auth;
		struct socks5_connect_parser connect;
	} p;
};

/* Why a CONNECT failed, by REP (RFC 1928 6), for the log. */
static const char *const socks5_hs_rep_why[] = {
	[0x01] = "SOCKS5 CONNECT failed: general SOCKS server failure",
	[0x02] = "SOCKS5 CONNECT failed: connection not allowed by ruleset",
	[0x03] = "SOCKS5 CONNECT failed: network unreachable",
	[0x04] = "SOCKS5 CONNECT failed: host unreachable",
	[0x05] = "SOCKS5 CONNECT failed: connection refused",
	[0x06] = "SOCKS5 CONNECT failed: TTL expired",
	[0x07] = "SOCKS5 CONNECT failed: command not supported",
	[0x08] = "SOCKS5 CONNECT failed: address type not supported",
};

static const char *socks5_hs_rep_text(unsigned rep)
{
	if (rep < sizeof socks5_hs_rep_why / sizeof *socks5_hs_rep_why && socks5_hs_rep_why[rep])
		return socks5_hs_rep_why[rep];
	return "SOCKS5 CONNECT failed: unassigned reply code";
}

/* Every state change goes through here, so the debug log tells the handshake's whole story. */
static void socks5_hs_go(struct socks5_handshake *h, enum socks5_hs_state next)
{
	log_debug("tunnel %u socks5: %s -> %s", h->tunnel_id, socks5_hs_state_names[h->state],
		  socks5_hs_state_names[next]);
	h->state = next;
}

static void socks5_hs_free(struct socks5_handshake *h)
{
	dial_stream_free(h->bev);
	explicit_bzero(h, sizeof *h);
	free(h);
}

void eng_socks5_cancel(struct socks5_handshake *h)
{
	if (!h)
		return;
	socks5_hs_go(h, HS_CLOSED);
	socks5_hs_free(h);
}

/* Ends the handshake: frees it (and the stream, closed at once, on failure), then reports. */
static void socks5_hs_finish(struct socks5_handshake *h, int err, const char *why)
{
	socks5_handshake_cb cb = h->cb;
	void *arg = h->arg;
	struct bufferevent *bev = NULL;

	socks5_hs_go(h, err ? HS_CLOSED : HS_ESTABLISHED);
	if (!err) {
		bev = h->bev;
		h->bev = NULL;
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	}
	socks5_hs_free(h);
	cb(bev, err, why, arg);
}

static void socks5_hs_send_connect(struct socks5_handshake *h)
{
	socks5_hs_go(h, HS_NEGOTIATED);
	socks5_connect_parser_init(&h->p.connect);
	bufferevent_write(h->bev, h->connect, h->connect_len);
	socks5_hs_go(h, HS_CONNECTING); /* 3.9.5.1.2 */
}

/* The method reply is complete: go on as the proxy chose (3.9.5.1.1). false when finished. */
static bool socks5_hs_method_done(struct socks5_handshake *h)
{
	switch (h->p.method.method) {
	case SOCKS5_METHOD_NONE:
		socks5_hs_send_connect(h);
		return true;
	case SOCKS5_METHOD_USERPASS: /* the parser accepts it only when we offered it */
		socks5_auth_parser_init(&h->p.auth);
		bufferevent_write(h->bev, h->auth, h->auth_len);
		socks5_hs_go(h, HS_AUTHENTICATING);
		return true;
	}
	socks5_hs_finish(h, EACCES,
			 h->userpass ? "the SOCKS5 proxy accepts none of our methods"
				     : "the SOCKS5 proxy requires authentication, the proxy URL has no user");
	return false;
}

/* A reply of the current state is complete. false when the handshake finished (h is gone). */
static bool socks5_hs_reply_done(struct socks5_handshake *h)
{
	unsigned rep;

	switch (h->state) {
	case HS_NEGOTIATING:
		return socks5_hs_method_done(h);
	case HS_AUTHENTICATING:
		if (h->p.auth.status != 0) { /* RFC 1929 2: anything else is a failure */
			socks5_hs_finish(h, EACCES, "the SOCKS5 proxy rejected the user name or password");
			return false;
		}
		socks5_hs_send_connect(h);
		return true;
	case HS_CONNECTING:
		rep = h->p.connect.rep;
		socks5_hs_finish(h, socks5_rep_errno(rep), rep ? socks5_hs_rep_text(rep) : NULL);
		return false;
	default:
		return true;
	}
}

/* Feeds len bytes to the parser of the current state. */
static enum parse_rc socks5_hs_parse(struct socks5_handshake *h, const char *buf, size_t len,
				     size_t *consumed, const char **why)
{
	enum parse_rc rc;

	switch (h->state) {
	case HS_NEGOTIATING:
		rc = socks5_parse_method(&h->p.method, buf, len, consumed);
		*why = h->p.method.why;
		return rc;
	case HS_AUTHENTICATING:
		rc = socks5_parse_auth(&h->p.auth, buf, len, consumed);
		*why = h->p.auth.why;
		return rc;
	case HS_CONNECTING:
		rc = socks5_parse_connect(&h->p.connect, buf, len, consumed);
		*why = h->p.connect.why;
		return rc;
	default:
		*consumed = 0; /* 3.9.5.2: nothing is expected now */
		*why = "SOCKS5 proxy sent bytes before we asked";
		return PARSE_BAD;
	}
}

static void socks5_hs_read_cb(struct bufferevent *bev, void *arg)
{
	struct socks5_handshake *h = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	/* A CONNECT reply has the shape of a CONNECT request: no reply is longer. */
	char buf[SOCKS5_CONNECT_MAX];

	while (evbuffer_get_length(in) > 0) {
		ev_ssize_t n = evbuffer_copyout(in, buf, sizeof buf);
		size_t consumed = 0;
		const char *why = NULL;
		enum parse_rc rc;

		if (n <= 0)
			return;
		rc = socks5_hs_parse(h, buf, (size_t)n, &consumed, &why);
		evbuffer_drain(in, consumed);
		if (rc == PARSE_AGAIN)
			continue;
		if (rc != PARSE_DONE) {
			socks5_hs_finish(h, EPROTO, why ? why : "malformed SOCKS5 reply");
			return;
		}
		if (!socks5_hs_reply_done(h))
			return;
	}
}

static void socks5_hs_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct socks5_handshake *h = arg;
	int err = errno ? errno : ECONNRESET;
	int rep;

	if (what & BEV_EVENT_ERROR) {
		socks5_hs_finish(h, err, "the connection to the SOCKS5 proxy broke mid-handshake");
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	/* A proxy may answer a failed CONNECT with VER REP alone and close: the code still counts. */
	rep = h->state == HS_CONNECTING ? socks5_connect_partial_rep(&h->p.connect) : -1;
	if (rep > 0) {
		socks5_hs_finish(h, socks5_rep_errno((unsigned)rep), socks5_hs_rep_text((unsigned)rep));
		return;
	}
	socks5_hs_finish(h, ECONNRESET, h->state == HS_AUTHENTICATING
						? "the SOCKS5 proxy closed the connection during authentication"
						: "the SOCKS5 proxy closed the connection mid-handshake");
}

/* Writes the RFC 1929 and CONNECT requests into h. 0, or -1 (EINVAL). */
static int socks5_hs_prepare(struct socks5_handshake *h, const struct socks5_target *to)
{
	int rc;

	if (h->userpass &&
	    socks5_write_userpass(to->user, to->password ? to->password : "", h->auth, sizeof h->auth,
				  &h->auth_len) < 0)
		return -1;
	if (to->name)
		rc = socks5_write_connect_host(to->name, to->port, h->connect, sizeof h->connect,
					       &h->connect_len);
	else
		rc = socks5_write_connect_addr(to->addr, h->connect, sizeof h->connect,
					       &h->connect_len);
	return rc;
}

struct socks5_handshake *eng_socks5_start(struct bufferevent *bev, const struct socks5_target *to,
					  socks5_handshake_cb cb, void *arg)
{
	struct socks5_handshake *h = calloc(1, sizeof *h);
	char greeting[SOCKS5_GREETING_MAX];
	size_t len;

	if (!h) {
		bufferevent_free(bev);
		errno = ENOMEM;
		return NULL;
	}
	h->bev = bev;
	h->cb = cb;
	h->arg = arg;
	h->tunnel_id = to->tunnel_id;
	h->userpass = to->user != NULL; /* 3.9.4.1.1: offer 02 only with something to send */
	if (socks5_hs_prepare(h, to) < 0 ||
	    socks5_write_greeting(h->userpass, greeting, sizeof greeting, &len) < 0) {
		socks5_hs_free(h);
		errno = EINVAL;
		return NULL;
	}
	socks5_method_parser_init(&h->p.method, h->userpass);
	bufferevent_setcb(bev, socks5_hs_read_cb, NULL, socks5_hs_event_cb, h);
	if (bufferevent_write(bev, greeting, len) < 0 ||
	    bufferevent_enable(bev, EV_READ | EV_WRITE) < 0) {
		socks5_hs_free(h);
		errno = ENOMEM;
		return NULL;
	}
	log_debug("tunnel %u socks5: greeting sent (methods 00%s)", h->tunnel_id,
		  h->userpass ? " 02" : "");
	return h;
}
