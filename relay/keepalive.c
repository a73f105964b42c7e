/* KeepAlive virtual connections on the relay (MS-GRVHENC 3.4). Everything is keyed by the
 * Virtual-Connection-GUID, never by TCP connection: each request is handled on whatever connection
 * it came on, which then goes back to relay/session.c for its next request (or closes, when the
 * sender asked so, as nginx does towards its upstreams). So a proxy that opens a new upstream
 * connection per request serves as well as a client that keeps its two sessions.
 *
 * One GET may be outstanding (ServerOKtoSend, 3.4.1.1): it is answered with up to KA_CHUNK_MAX
 * octets from the backend as soon as there are any. One POST is read at a time: its body goes to
 * the backend as it arrives, and it is answered once the backend has room, which is our
 * backpressure. X-Sstp-Offset (proto/keepalive.h) says where a POST's chunk starts in the
 * client's stream; what the backend already has of it (a chunk resent after a POST session broke,
 * 3.3.7.1) is dropped, so the backend sees the stream exactly once. Without the field every body
 * is delivered, as the spec has it. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/ev_read.h"
#include "proto/keepalive.h"
#include "relay/relay.h"

/* Bytes read or written per system call on a client connection: a whole chunk and a head. */
#define RELAY_KA_READ (KA_CHUNK_MAX + CAP_HTTP_HEAD)

enum relay_ka_state {
	KA_HALF,        /* one handshake request seen, or both and the echo pending: 'Connected' */
	KA_BACKEND,     /* both handshakes: connecting to the backend */
	KA_ESTABLISHED, /* the echo went down the GET session (3.4.5.1.1.1) */
};
static const char *const relay_ka_state_names[] = { "connected", "backend", "established" };

struct relay_ka {
	struct relay *r;
	struct vc_entry link; /* in r->ka_vcs */
	char guid[CAP_GUID_MAX + 1];
	char peer[64];
	enum relay_ka_state state;
	bool have_get, have_post;   /* the handshake GET, the handshake POST with the echo */
	struct bufferevent *get;    /* the connection of the outstanding GET (ServerOKtoSend) */
	bool get_close;             /* close it after the response */
	char get_peer[64], post_peer[64]; /* the far ends of those connections, for the log */
	struct bufferevent *post;   /* the connection of the POST being read or answered */
	bool post_close, post_handshake, post_end;
	bool post_done;             /* body read, response waits for the backend's room */
	uint64_t post_left, post_skip; /* body octets still to read, and to drop of those */
	char echo[24];              /* the handshake POST's body */
	size_t echo_len;
	struct bufferevent *backend;
	struct dial_nb *dial;
	struct event *timer;        /* ConnectionEstablishment, then IdleConnection (3.4.2) */
	bool ready;                 /* GetSessionReady (3.4.1.1) */
	bool up_end, backend_shut;  /* the client's X-Sstp-End, passed on as a FIN */
	bool backend_eof, down_end; /* the backend's FIN, passed on as an X-Sstp-End response */
	uint64_t up, down;          /* application octets delivered each way */
};

static void relay_ka_go(struct relay_ka *vc, enum relay_ka_state to)
{
	log_debug("ka %.8s: %s -> %s", vc->guid, relay_ka_state_names[vc->state],
		  relay_ka_state_names[to]);
	vc->state = to;
}

/* --- VirtualConnectionGUIDList (3.4.1.1) ------------------------------------------------- */

static struct relay_ka *relay_ka_find(struct relay *r, const char *guid)
{
	struct vc_entry *e = vc_table_find(&r->ka_vcs, guid);

	return e ? VC_TABLE_OWNER(e, struct relay_ka, link) : NULL;
}

/* --- closing (3.4.4.1) ------------------------------------------------------------------- */

/* Closes the virtual connection: the connections of requests still open are dropped (graceful:
 * closed after what they hold), the backend too. */
static void relay_ka_close(struct relay_ka *vc, bool graceful, const char *why)
{
	struct relay *r = vc->r;

	log_info("ka %.8s (%s): closed, %s; %llu octets up, %llu down", vc->guid, vc->peer, why,
		 (unsigned long long)vc->up, (unsigned long long)vc->down);
	vc_table_remove(&r->ka_vcs, &vc->link);
	dial_nb_cancel(vc->dial);
	event_free(vc->timer);
	if (vc->backend)
		bufferevent_free(vc->backend);
	if (graceful) {
		relay_client_linger(r, vc->get);
		relay_client_linger(r, vc->post);
	} else {
		relay_client_free(r, vc->get);
		relay_client_free(r, vc->post);
	}
	r->n_vcs--;
	free(vc);
}

static void relay_ka_timer_start(struct relay_ka *vc, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ms)
		evtimer_add(vc->timer, &tv);
}

static void relay_ka_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct relay_ka *vc = arg;

	if (vc->state != KA_ESTABLISHED) /* 3.4.6.1 */
		relay_ka_close(vc, false, "ConnectionEstablishment timer expired");
	else /* 3.4.6.2 */
		relay_ka_close(vc, true, "IdleConnection timer expired");
}

/* Both directions finished and passed on: the virtual connection is over. */
static bool relay_ka_maybe_done(struct relay_ka *vc)
{
	if (!vc->backend_shut || !vc->down_end || vc->post)
		return false;
	relay_ka_close(vc, true, "both directions finished");
	return true;
}

/* The request on bev is answered (the response is in its output): the connection serves its
 * next request, or closes when its sender asked so. */
static void relay_ka_release(struct relay_ka *vc, struct bufferevent *bev, const char *peer,
			     bool close)
{
	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	if (close)
		relay_client_linger(vc->r, bev);
	else
		relay_session_continue(vc->r, bev, peer);
}

/* --- backend -> GET responses (3.4.4.3) ---------------------------------------------------- */

/* Answers the outstanding GET when there is something to say. false when vc was closed. */
static bool relay_ka_down(struct relay_ka *vc)
{
	struct evbuffer *in = vc->backend ? bufferevent_get_input(vc->backend) : NULL;
	size_t len = in ? evbuffer_get_length(in) : 0, n = len < KA_CHUNK_MAX ? len : KA_CHUNK_MAX;
	char head[CAP_LL_HEAD], date[LL_DATE_CAP];
	size_t hlen;
	struct bufferevent *get = vc->get;

	if (vc->state != KA_ESTABLISHED || !vc->ready || !get || (!n && !vc->backend_eof))
		return true;
	ll_http_date(time(NULL), date);
	if (ka_get_response_write(head, sizeof head, &hlen, date, RELAY_SERVER, false, n, !n) < 0) {
		relay_ka_close(vc, false, "cannot write a GET response");
		return false;
	}
	relay_send_now(get, head, hlen, in, n);
	if (!vc->backend_eof) /* room again: see relay_ka_backend_read */
		ev_read_resume(vc->backend);
	vc->down += n;
	vc->down_end = !n;
	vc->get = NULL; /* ServerOKtoSend is FALSE until the next GET */
	relay_ka_release(vc, get, vc->get_peer, vc->get_close);
	return !relay_ka_maybe_done(vc);
}

/* Between GETs the backend's bytes wait here, up to CAP_RELAY_BUFFER: then reading pauses until
 * the next response takes some. */
static void relay_ka_backend_read(struct bufferevent *bev, void *arg)
{
	size_t len = evbuffer_get_length(bufferevent_get_input(bev));

	if (len < CAP_RELAY_BUFFER)
		ev_read_more(bev, relay_backend_read_max(len));
	if (relay_ka_down(arg))
		ev_read_pause_when_full(bev);
}

/* A GET's connection: nothing is read while it waits (a pipelined request stays in the buffer
 * for the session); its loss closes the virtual connection (3.4.7). */
static void relay_ka_get_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_ka *vc = arg;

	vc->get = NULL;
	relay_client_free(vc->r, bev);
	relay_ka_close(vc, false, "the GET session closed with a request outstanding");
}

/* --- POST bodies -> backend (3.4.5.2.2) ---------------------------------------------------- */

static bool relay_ka_post_answer(struct relay_ka *vc);


/* The client finished sending and the backend has it all: pass the end on as a FIN. */
static void relay_ka_maybe_shut(struct relay_ka *vc)
{
	if (!vc->up_end || vc->backend_shut || !vc->backend ||
	    evbuffer_get_length(bufferevent_get_output(vc->backend)))
		return;
	shutdown((int)bufferevent_getfd(vc->backend), SHUT_WR);
	vc->backend_shut = true;
}

/* The backend took our bytes below the watermark: answer a POST waiting for that. */
static void relay_ka_backend_written(struct bufferevent *bev, void *arg)
{
	struct relay_ka *vc = arg;

	relay_ka_maybe_shut(vc);
	if (vc->post_done)
		relay_ka_post_answer(vc);
	else
		relay_ka_maybe_done(vc);
}

static void relay_ka_backend_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_ka *vc = arg;

	if (what & BEV_EVENT_ERROR) {
		relay_ka_close(vc, false, strerror(EVUTIL_SOCKET_ERROR()));
		return;
	}
	if (what & BEV_EVENT_EOF) {
		vc->backend_eof = true;
		bufferevent_disable(bev, EV_READ);
		relay_ka_down(vc);
	}
}

static bool relay_ka_maybe_connect(struct relay_ka *vc);

/* The POST's body is in: answer it (3.4.5.2.3), once the backend has room. false when vc was
 * closed. */
static bool relay_ka_post_answer(struct relay_ka *vc)
{
	char buf[CAP_LL_HEAD], date[LL_DATE_CAP];
	size_t len;
	struct bufferevent *post = vc->post;

	vc->post_done = true;
	vc->up_end |= vc->post_end && !vc->post_handshake;
	if (vc->backend && evbuffer_get_length(bufferevent_get_output(vc->backend)) >= CAP_RELAY_BUFFER)
		return true; /* relay_ka_backend_written comes back here */
	ll_http_date(time(NULL), date);
	if (ka_post_response_write(buf, sizeof buf, &len, date, RELAY_SERVER, vc->post_handshake) < 0)
		return true;
	relay_send_now(post, buf, len, NULL, 0);
	vc->post = NULL;
	vc->post_done = false;
	relay_ka_release(vc, post, vc->post_peer, vc->post_close);
	if (vc->post_handshake) {
		vc->have_post = true;
		return relay_ka_maybe_connect(vc);
	}
	relay_ka_maybe_shut(vc);
	return !relay_ka_maybe_done(vc);
}

/* Reads the handshake POST's body, the echo string (3.4.5.2.1). false when vc was closed. */
static bool relay_ka_post_echo(struct relay_ka *vc, struct evbuffer *in)
{
	size_t n = evbuffer_remove(in, vc->echo + vc->echo_len, (size_t)vc->post_left);

	vc->echo_len += n;
	vc->post_left -= n;
	if (vc->post_left)
		return true;
	if (!ka_body_is(LL_ECHO, vc->echo, vc->echo_len)) {
		relay_ka_close(vc, false, "protocol error: the handshake POST has no echo string");
		return false;
	}
	return relay_ka_post_answer(vc);
}

/* Moves the POST body to the backend, dropping what it already has; answers once it is in.
 * false when vc was closed. */
static bool relay_ka_post_take(struct relay_ka *vc, struct bufferevent *bev)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in), n, skip;

	if (vc->post_done)
		return true; /* a pipelined request: the session reads it after our answer */
	if (vc->post_left == 0)
		return relay_ka_post_answer(vc); /* an empty POST */
	if (!len)
		return true;
	if (!vc->post_handshake && vc->post_left > len) {
		ev_read_more(bev, (size_t)vc->post_left - len);
		len = evbuffer_get_length(in);
	}
	if (vc->post_handshake)
		return relay_ka_post_echo(vc, in);
	n = len < vc->post_left ? len : (size_t)vc->post_left;
	skip = n < vc->post_skip ? n : (size_t)vc->post_skip;
	evbuffer_drain(in, skip);
	relay_send_now(vc->backend, NULL, 0, in, n - skip);
	vc->post_skip -= skip;
	vc->post_left -= n;
	vc->up += n - skip;
	return vc->post_left ? true : relay_ka_post_answer(vc);
}

static void relay_ka_post_read(struct bufferevent *bev, void *arg)
{
	relay_ka_post_take(arg, bev);
}

/* The POST's connection broke before its answer: the client re-opens the POST session and
 * resends (3.4.7, 3.3.7.1); the virtual connection stays. */
static void relay_ka_post_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_ka *vc = arg;

	log_debug("ka %.8s: POST session closed during a request (%llu octets of it unread)",
		  vc->guid, (unsigned long long)vc->post_left);
	vc->post = NULL;
	vc->post_done = false;
	relay_client_free(vc->r, bev);
	if (vc->state != KA_ESTABLISHED) /* 3.4.5.2.1: no handshake, no connection */
		relay_ka_close(vc, false, "the POST session closed during the handshake");
}

/* --- establishing (3.4.5.1.1, 3.4.5.2.1) ------------------------------------------------- */

/* The backend answered: the echo goes down the GET session (3.4.5.1.1.1), or a 500. */
static void relay_ka_backend_ready(struct bufferevent *bev, int err, void *arg)
{
	struct relay_ka *vc = arg;
	char buf[CAP_LL_HEAD], date[LL_DATE_CAP];
	size_t len;
	struct bufferevent *get = vc->get;

	vc->dial = NULL;
	if (!bev) {
		log_warn("ka %.8s (%s): backend %s: %s", vc->guid, vc->peer, vc->r->opts.backend.text,
			 strerror(err));
		vc->get = NULL;
		relay_reply_error(vc->r, get, 500);
		relay_ka_close(vc, true, "the backend is unreachable");
		return;
	}
	vc->backend = bev;
	ll_http_date(time(NULL), date);
	if (ka_get_response_write(buf, sizeof buf, &len, date, RELAY_SERVER, true, 0, false) < 0) {
		relay_ka_close(vc, false, "cannot write the GET response");
		return;
	}
	relay_ka_go(vc, KA_ESTABLISHED);
	evtimer_del(vc->timer);
	relay_ka_timer_start(vc, vc->r->opts.receive_ms); /* 3.4.2.2 */
	bufferevent_setcb(bev, relay_ka_backend_read, relay_ka_backend_written,
			  relay_ka_backend_event, vc);
	bufferevent_setwatermark(bev, EV_READ, 0, CAP_RELAY_BUFFER);
	bufferevent_setwatermark(bev, EV_WRITE, CAP_RELAY_BUFFER / 2, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	bufferevent_write(get, buf, len);
	vc->get = NULL;
	relay_ka_release(vc, get, vc->get_peer, vc->get_close);
}

/* Both handshake requests are in: connect the backend, so that one that is down fails the
 * client's connect. false when vc was closed. */
static bool relay_ka_maybe_connect(struct relay_ka *vc)
{
	struct bufferevent *get = vc->get;

	if (vc->state != KA_HALF || !vc->have_get || !vc->have_post || !get)
		return true;
	relay_ka_go(vc, KA_BACKEND);
	vc->dial = relay_backend_connect(vc->r, relay_ka_backend_ready, vc);
	if (!vc->dial) {
		vc->get = NULL;
		relay_reply_error(vc->r, get, 500);
		relay_ka_close(vc, true, strerror(errno));
		return false;
	}
	return true;
}

static struct relay_ka *relay_ka_new(struct relay *r, const char *guid, const char *peer)
{
	struct relay_ka *vc = calloc(1, sizeof *vc);

	if (vc)
		vc->timer = evtimer_new(r->base, relay_ka_timeout, vc);
	if (!vc || !vc->timer) {
		free(vc);
		return NULL;
	}
	vc->r = r;
	snprintf(vc->guid, sizeof vc->guid, "%s", guid);
	snprintf(vc->peer, sizeof vc->peer, "%s", peer);
	vc_table_add(&r->ka_vcs, &vc->link, vc->guid);
	r->n_vcs++;
	relay_ka_timer_start(vc, r->opts.establish_ms); /* 3.4.5.1.1, 3.4.5.2.1 */
	return vc;
}

/* --- requests ------------------------------------------------------------------------------ */

/* A GET: the handshake one, or a request for data (3.4.5.1.2). NULL error when taken. */
static const char *relay_ka_get(struct relay_ka *vc, struct bufferevent *bev,
				const struct ka_info *info, const char *peer)
{
	if (vc->get)
		return "a second GET while one is outstanding";
	if (vc->state == KA_HALF && vc->have_get)
		return "a second handshake GET";
	if (vc->state == KA_ESTABLISHED) {
		vc->ready = true; /* GetSessionReady, ServerOKtoSend */
		evtimer_del(vc->timer);
		relay_ka_timer_start(vc, vc->r->opts.receive_ms); /* 3.4.6.2 */
	}
	vc->have_get = true;
	vc->get = bev;
	vc->get_close = info->close_after;
	snprintf(vc->get_peer, sizeof vc->get_peer, "%s", peer);
	bufferevent_setcb(bev, NULL, NULL, relay_ka_get_event, vc);
	bufferevent_setwatermark(bev, EV_READ, CAP_HTTP_HEAD, CAP_HTTP_HEAD);
	bufferevent_enable(bev, EV_READ);
	if (vc->state == KA_HALF)
		relay_ka_maybe_connect(vc);
	else
		relay_ka_down(vc);
	return NULL;
}

/* A POST: the handshake one with the echo, or a chunk (3.4.5.2.2). NULL error when taken. */
static const char *relay_ka_post(struct relay_ka *vc, struct bufferevent *bev,
				 const struct ka_info *info, const char *peer)
{
	bool handshake = vc->state == KA_HALF;

	if (handshake && (vc->have_post || info->content_length < LL_ECHO_LEN ||
			  info->content_length > sizeof vc->echo))
		return "not a handshake POST";
	if (!handshake && vc->state != KA_ESTABLISHED)
		return "a POST during the handshake";
	if (!handshake && info->has_offset && info->offset > vc->up)
		return "a chunk beyond what was delivered";
	if (vc->post) /* an earlier POST session broke and the client re-opened it (3.3.7.1) */
		relay_client_free(vc->r, vc->post);
	vc->post = bev;
	snprintf(vc->post_peer, sizeof vc->post_peer, "%s", peer);
	vc->post_done = false;
	vc->post_handshake = handshake;
	vc->post_close = info->close_after;
	vc->post_end = info->end;
	vc->post_left = info->content_length;
	vc->post_skip = info->has_offset && !handshake ? vc->up - info->offset : 0;
	vc->echo_len = 0;
	if (!handshake && vc->post_skip)
		log_debug("ka %.8s: resent chunk at %llu, %llu octets already delivered", vc->guid,
			  (unsigned long long)info->offset, (unsigned long long)vc->post_skip);
	if (!handshake) {
		evtimer_del(vc->timer);
		relay_ka_timer_start(vc, vc->r->opts.receive_ms);
	}
	bufferevent_setcb(bev, relay_ka_post_read, NULL, relay_ka_post_event, vc);
	bufferevent_setwatermark(bev, EV_READ, 0, CAP_RELAY_BUFFER);
	bufferevent_enable(bev, EV_READ);
	relay_ka_post_take(vc, bev); /* vc may be gone after this */
	return NULL;
}

void relay_ka_request(struct relay *r, struct bufferevent *bev, const struct ka_info *info,
		      const char *peer)
{
	const char *kind = info->kind == LL_GET ? "GET" : "POST", *why;
	struct relay_ka *vc = relay_ka_find(r, info->target.guid);

	if (!relay_name_accept(r, bev, peer, kind, info->target.server_name))
		return;
	if (!vc && !(vc = relay_ka_new(r, info->target.guid, peer))) {
		log_error("%s: out of memory", peer);
		relay_client_free(r, bev);
		return;
	}
	log_debug("ka %.8s: %s from %s (%llu octets)", vc->guid, kind, peer,
		  (unsigned long long)info->content_length);
	/* TCP_NODELAY was set when the connection was accepted (relay_session_start): here only what
	 * a request needs, without a system call per request */
	bufferevent_set_max_single_read(bev, RELAY_KA_READ);
	bufferevent_set_max_single_write(bev, RELAY_KA_READ);
	why = info->kind == LL_GET ? relay_ka_get(vc, bev, info, peer)
				   : relay_ka_post(vc, bev, info, peer);
	if (!why)
		return;
	/* 3.4.5.1.1 step 6, 3.4.5.2.4: a protocol error closes the virtual connection */
	log_info("%s: %s for ka %.8s: %s: refused", peer, kind, vc->guid, why);
	relay_reply_error(r, bev, 400);
	relay_ka_close(vc, true, "protocol error");
}

void relay_ka_abort_guid(struct relay *r, const char *guid)
{
	struct relay_ka *vc = relay_ka_find(r, guid);

	if (vc)
		relay_ka_close(vc, false, "protocol error on a request naming it");
}

/* Closes only the virtual connection it is given (relay_ka_close frees nothing of another), as
 * vc_table_each requires. */
static void relay_ka_drain_one(struct vc_entry *e, void *arg)
{
	struct relay_ka *vc = VC_TABLE_OWNER(e, struct relay_ka, link);

	if (vc->state != KA_ESTABLISHED)
		relay_ka_close(vc, false, "draining: not established");
}

void relay_ka_drain(struct relay *r)
{
	vc_table_each(&r->ka_vcs, relay_ka_drain_one, NULL);
}
