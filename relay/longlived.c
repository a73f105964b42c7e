/* LongLived virtual connections on the relay (MS-GRVHENC 3.2): a GET session and a POST session
 * paired by Virtual-Connection-GUID in either order, the echo handshake, then POST bodies to the
 * backend and backend bytes down the GET response, with the content-length accounting and the
 * two timers of 3.2.2. Half-closes carry through like TCP's: the client's FIN on the POST
 * session ends what the backend reads, the backend's FIN ends the GET response. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "proto/longlived.h"
#include "relay/ll_vc.h"
#include "relay/relay.h"

static const char *const relay_vc_state_names[] = { "connected", "backend", "established" };

/* Every state change goes through here (STYLE). */
static void relay_vc_go(struct relay_vc *vc, enum relay_vc_state to)
{
	log_debug("vc %.8s: %s -> %s", vc->guid, relay_vc_state_names[vc->state],
		  relay_vc_state_names[to]);
	vc->state = to;
}

/* --- VirtualConnectionGUIDList (3.2.1.1) -------------------------------------------------- */

static struct relay_vc *relay_vc_find(struct relay *r, const char *guid)
{
	struct vc_entry *e = vc_table_find(&r->ll_vcs, guid);

	return e ? VC_TABLE_OWNER(e, struct relay_vc, link) : NULL;
}

/* --- closing (3.2.4.1) ---------------------------------------------------------------------- */

void relay_vc_close(struct relay_vc *vc, bool graceful, const char *why)
{
	struct relay *r = vc->r;

	relay_ll_splice_stop(vc);
	log_info("vc %.8s (%s): closed, %s; %llu octets up, %llu down", vc->guid, vc->peer, why,
		 (unsigned long long)vc->post_received, (unsigned long long)vc->get_sent);
	vc_table_remove(&r->ll_vcs, &vc->link);
	dial_nb_cancel(vc->dial);
	if (vc->timer)
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

static void relay_vc_timer_start(struct relay_vc *vc, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ms)
		evtimer_add(vc->timer, &tv);
	else
		evtimer_del(vc->timer);
}

bool relay_vc_maybe_done(struct relay_vc *vc)
{
	bool up_done = vc->post_eof && vc->backend_shut;
	bool down_done = (vc->backend_eof && vc->get_shut) || vc->get_closed;

	if (!up_done || !down_done)
		return false;
	relay_vc_close(vc, true, "both directions finished");
	return true;
}

static void relay_shut(struct bufferevent *bev, bool *flag)
{
	shutdown((int)bufferevent_getfd(bev), SHUT_WR);
	*flag = true;
}

/* --- backend -> GET session (3.2.4.2) ------------------------------------------------------ */

/* Moves what the backend sent down the GET response, once the client's first application data
 * said it has the echo (GetSessionReady, 3.2.1.1). false when vc was closed. */
static bool relay_vc_down(struct relay_vc *vc)
{
	struct evbuffer *in = bufferevent_get_input(vc->backend);
	struct evbuffer *out = bufferevent_get_output(vc->get);
	size_t len = evbuffer_get_length(in);

	if (!vc->ready)
		return true;
	if (len && vc->get_sent + len > vc->get_limit) { /* 3.2.4.2 */
		relay_vc_close(vc, true, "the GET response reached its Content-Length");
		return false;
	}
	vc->get_sent += len;
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) >= CAP_RELAY_BUFFER)
		bufferevent_disable(vc->backend, EV_READ);
	if (vc->backend_eof && !vc->get_shut && evbuffer_get_length(out) == 0) {
		relay_shut(vc->get, &vc->get_shut);
		return !relay_vc_maybe_done(vc);
	}
	return true;
}

static void relay_vc_backend_read(struct bufferevent *bev, void *arg)
{
	relay_vc_down(arg);
}

/* The backend took our bytes below the watermark: read the POST session again, or pass on its
 * end. */
static void relay_vc_backend_written(struct bufferevent *bev, void *arg)
{
	struct relay_vc *vc = arg;

	if (!vc->post_eof) {
		bufferevent_enable(vc->post, EV_READ);
		return;
	}
	if (!vc->backend_shut && evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		relay_shut(bev, &vc->backend_shut);
		relay_vc_maybe_done(vc);
	}
}

static void relay_vc_backend_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_vc *vc = arg;

	if (what & BEV_EVENT_ERROR) {
		relay_vc_close(vc, false, strerror(EVUTIL_SOCKET_ERROR()));
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	vc->backend_eof = true;
	if (!relay_vc_down(vc))
		return;
	if (!vc->get_shut && evbuffer_get_length(bufferevent_get_input(bev)) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(vc->get)) == 0) {
		relay_shut(vc->get, &vc->get_shut);
		relay_vc_maybe_done(vc);
	}
}

/* GET output drained below the watermark: resume the backend, or pass on its end. */
static void relay_vc_get_written(struct bufferevent *bev, void *arg)
{
	struct relay_vc *vc = arg;

	if (!vc->backend_eof) {
		bufferevent_enable(vc->backend, EV_READ);
		return;
	}
	if (!vc->get_shut && evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
	    evbuffer_get_length(bufferevent_get_input(vc->backend)) == 0) {
		relay_shut(bev, &vc->get_shut);
		relay_vc_maybe_done(vc);
	}
}

/* 3.2.5.1.2: a client never sends on its GET session after the request. */
static void relay_vc_get_read(struct bufferevent *bev, void *arg)
{
	relay_vc_close(arg, false, "protocol error: data on the GET session");
}

static void relay_vc_get_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_vc *vc = arg;

	if ((what & BEV_EVENT_ERROR) || vc->state != VC_ESTABLISHED) { /* 3.2.7 */
		relay_vc_close(vc, false, "the GET session closed");
		return;
	}
	/* The client is done reading; its POST bytes may still be in flight on the other
	 * connection, so the backend still gets them. */
	vc->get_closed = true;
	bufferevent_disable(bev, EV_READ);
	relay_vc_maybe_done(vc);
}

/* --- POST session -> backend (3.2.5.2.2) ----------------------------------------------------- */

/* Consumes the echo string at the start of the POST body (3.2.5.2.1). false when vc was
 * closed. */
static bool relay_vc_echo(struct relay_vc *vc, struct evbuffer *in);
static void relay_vc_maybe_connect(struct relay_vc *vc);

/* Moves the POST body to the backend. false when vc was closed. */
static bool relay_vc_up(struct relay_vc *vc)
{
	struct bufferevent *bev = vc->post;
	struct evbuffer *in = bufferevent_get_input(bev), *out;
	size_t len;

	if (!vc->echo_done && !relay_vc_echo(vc, in))
		return false;
	len = evbuffer_get_length(in);
	if (len == 0)
		return true;
	if (vc->state != VC_ESTABLISHED) {
		relay_vc_close(vc, false, "protocol error: application data before the handshake");
		return false;
	}
	if (vc->post_received + len > vc->post_limit) { /* 3.2.5.2.2 */
		relay_vc_close(vc, false, "protocol error: POST body beyond its Content-Length");
		return false;
	}
	vc->post_received += len;
	out = bufferevent_get_output(vc->backend);
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) >= CAP_RELAY_BUFFER)
		bufferevent_disable(bev, EV_READ);
	relay_vc_timer_start(vc, vc->r->opts.receive_ms); /* 3.2.5.2.2: restarted per fragment */
	if (!vc->ready) {
		vc->ready = true; /* the implied acknowledgement of the echo (3.2.1.1) */
		return relay_vc_down(vc);
	}
	return true;
}

static void relay_vc_post_read(struct bufferevent *bev, void *arg)
{
	struct relay_vc *vc = arg;

	/* Once the client's data flows, both sessions carry raw bytes until the end: splice them
	 * (relay/ll_splice.c). Only from here, where no end has been seen yet. */
	if (relay_vc_up(vc) && vc->ready && !vc->up && !vc->post_eof && !vc->backend_eof &&
	    !vc->get_closed)
		relay_ll_splice_start(vc);
}

static void relay_vc_post_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_vc *vc = arg;

	if (vc->state != VC_ESTABLISHED) { /* 3.2.7 */
		relay_vc_close(vc, false, "the POST session closed");
		return;
	}
	/* Proxies (haproxy) turn the client's FIN on an unfinished body into a reset towards us:
	 * either way the client has stopped sending, and the GET session still carries the rest. */
	if (what & BEV_EVENT_ERROR)
		log_debug("vc %.8s: POST session reset, taken as its end", vc->guid);
	if (!relay_vc_up(vc))
		return;
	vc->post_eof = true;
	evtimer_del(vc->timer); /* nothing more can arrive to restart it */
	bufferevent_disable(bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(vc->backend)) == 0) {
		relay_shut(vc->backend, &vc->backend_shut);
		relay_vc_maybe_done(vc);
	}
}

static bool relay_vc_echo(struct relay_vc *vc, struct evbuffer *in)
{
	size_t len = evbuffer_get_length(in), used = 0;
	size_t want = len < LL_ECHO_LINE_LEN ? len : LL_ECHO_LINE_LEN;
	bool seen = ll_echo_seen(&vc->echo);
	enum parse_rc rc;

	if (len == 0)
		return true;
	rc = ll_echo_parse(&vc->echo, (const char *)evbuffer_pullup(in, (ssize_t)want), want, &used);
	evbuffer_drain(in, used);
	vc->post_received += used; /* the echo is the body's first fragment (2.2.2.1.2.3) */
	if (rc == PARSE_BAD) {
		relay_vc_close(vc, false, "protocol error: the POST body does not start with the echo");
		return false;
	}
	vc->echo_done = rc == PARSE_DONE;
	if (!seen && ll_echo_seen(&vc->echo))
		relay_vc_maybe_connect(vc);
	return true;
}

/* --- establishing (3.2.5.1.1, 3.2.5.2.1) -------------------------------------------------- */

static void relay_vc_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct relay_vc *vc = arg;
	struct timeval left;

	if (vc->state != VC_ESTABLISHED) /* 3.2.6.1 */
		relay_vc_close(vc, false, "ConnectionEstablishment timer expired");
	else if (relay_ll_splice_recent(vc, vc->r->opts.receive_ms, &left))
		evtimer_add(vc->timer, &left); /* spliced bytes do not restart it: check again then */
	else /* 3.2.6.2 */
		relay_vc_close(vc, true, "NetworkReceiveIO timer expired: the POST session was idle");
}

/* The backend answered: send the GET response with the echo (3.2.5.1.1.1), or a 500 and close. */
static void relay_vc_backend_ready(struct bufferevent *bev, int err, void *arg)
{
	struct relay_vc *vc = arg;
	char buf[CAP_LL_HEAD], date[LL_DATE_CAP];
	size_t len;

	vc->dial = NULL;
	if (!bev) {
		log_warn("vc %.8s (%s): backend %s: %s", vc->guid, vc->peer, vc->r->opts.backend.text,
			 strerror(err));
		relay_reply_error(vc->r, vc->get, 500);
		vc->get = NULL;
		relay_vc_close(vc, true, "the backend is unreachable");
		return;
	}
	vc->backend = bev;
	ll_http_date(time(NULL), date);
	if (ll_get_response_write(buf, sizeof buf, &len, date, RELAY_SERVER, vc->get_limit) < 0) {
		relay_vc_close(vc, false, "cannot write the GET response");
		return;
	}
	bufferevent_write(vc->get, buf, len);
	vc->get_sent = LL_ECHO_LINE_LEN; /* the echo is the body's first fragment */
	relay_vc_go(vc, VC_ESTABLISHED);
	relay_vc_timer_start(vc, vc->r->opts.receive_ms); /* 3.2.5.1.1.1: on the POST session */
	bufferevent_setcb(bev, relay_vc_backend_read, relay_vc_backend_written,
			  relay_vc_backend_event, vc);
	bufferevent_setwatermark(bev, EV_READ, 0, CAP_RELAY_BUFFER);
	bufferevent_setwatermark(bev, EV_WRITE, CAP_RELAY_BUFFER / 2, 0);
	bufferevent_setwatermark(vc->get, EV_WRITE, CAP_RELAY_BUFFER / 2, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	relay_vc_up(vc); /* application data that came with the echo is a protocol error */
}

/* Both sessions are here and the echo has arrived: the handshake is complete once the backend
 * answers, so that a backend that is down fails the client's connect. */
static void relay_vc_maybe_connect(struct relay_vc *vc)
{
	if (vc->state != VC_HALF || !vc->get || !vc->post || !ll_echo_seen(&vc->echo))
		return;
	relay_vc_go(vc, VC_BACKEND);
	vc->dial = relay_backend_connect(vc->r, relay_vc_backend_ready, vc);
	if (!vc->dial) {
		relay_reply_error(vc->r, vc->get, 500);
		vc->get = NULL;
		relay_vc_close(vc, false, strerror(errno));
	}
}

static struct relay_vc *relay_vc_new(struct relay *r, const struct ll_info *info, const char *peer)
{
	struct relay_vc *vc = calloc(1, sizeof *vc);

	if (!vc)
		return NULL;
	vc->timer = evtimer_new(r->base, relay_vc_timeout, vc);
	if (!vc->timer) {
		free(vc);
		return NULL;
	}
	vc->r = r;
	snprintf(vc->guid, sizeof vc->guid, "%s", info->target.guid);
	snprintf(vc->peer, sizeof vc->peer, "%s", peer);
	ll_echo_init(&vc->echo);
	vc_table_add(&r->ll_vcs, &vc->link, vc->guid);
	r->n_vcs++;
	relay_vc_timer_start(vc, r->opts.establish_ms); /* 3.2.5.1.1, 3.2.5.2.1 */
	return vc;
}

/* Relay-Server-Name against --name (3.2.5.1.1 step 4, <20>), ASCII case-insensitively. */
static bool relay_name_ok(const struct relay *r, const char *name)
{
	const char *want = r->opts.name;

	if (!want)
		return true;
	for (; *want && *name; want++, name++)
		if ((*want | 0x20) != (*name | 0x20))
			return false;
	return *want == *name;
}

bool relay_name_accept(struct relay *r, struct bufferevent *bev, const char *peer, const char *kind,
		       const char *name)
{
	if (relay_name_ok(r, name))
		return true;
	log_info("%s: %s for server %s, not %s: refused", peer, kind, name, r->opts.name);
	relay_reply_error(r, bev, 400);
	return false;
}

static void relay_vc_attach(struct relay_vc *vc, struct bufferevent *bev,
			    const struct ll_info *info)
{
	relay_stream_tune(bev);
	if (info->kind == LL_GET) {
		vc->get = bev;
		vc->get_limit = info->content_length;
		bufferevent_setcb(bev, relay_vc_get_read, relay_vc_get_written, relay_vc_get_event, vc);
		bufferevent_enable(bev, EV_READ);
		if (evbuffer_get_length(bufferevent_get_input(bev))) {
			relay_vc_get_read(bev, vc);
			return;
		}
		relay_vc_maybe_connect(vc);
		return;
	}
	vc->post = bev;
	vc->post_limit = info->content_length;
	bufferevent_setcb(bev, relay_vc_post_read, NULL, relay_vc_post_event, vc);
	bufferevent_setwatermark(bev, EV_READ, 0, CAP_RELAY_BUFFER);
	bufferevent_enable(bev, EV_READ);
	relay_vc_up(vc);
}

void relay_ll_request(struct relay *r, struct bufferevent *bev, const struct ll_info *info,
		      const char *peer)
{
	struct relay_vc *vc;
	const char *kind = info->kind == LL_GET ? "GET" : "POST";

	if (!relay_name_accept(r, bev, peer, kind, info->target.server_name))
		return;
	vc = relay_vc_find(r, info->target.guid);
	if (vc && (vc->state != VC_HALF || (info->kind == LL_GET ? vc->get : vc->post))) {
		/* 3.2.5.1.1 step 6: a GUID already in use; the connection that holds it stays */
		log_info("%s: %s for vc %.8s, which already has one: refused", peer, kind, vc->guid);
		relay_reply_error(r, bev, 400);
		return;
	}
	if (!vc && !(vc = relay_vc_new(r, info, peer))) {
		log_error("%s: out of memory", peer);
		relay_client_free(r, bev);
		return;
	}
	log_debug("vc %.8s: %s session from %s", vc->guid, kind, peer);
	relay_vc_attach(vc, bev, info);
}

void relay_ll_abort_guid(struct relay *r, const char *guid)
{
	struct relay_vc *vc = relay_vc_find(r, guid);

	if (vc)
		relay_vc_close(vc, false, "protocol error on a request naming it");
}

static void relay_vc_drain(struct vc_entry *e, void *arg)
{
	struct relay_vc *vc = VC_TABLE_OWNER(e, struct relay_vc, link);

	if (vc->state != VC_ESTABLISHED)
		relay_vc_close(vc, false, "draining: not established");
}

void relay_ll_drain(struct relay *r)
{
	vc_table_each(&r->ll_vcs, relay_vc_drain, NULL);
}
