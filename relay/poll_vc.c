/* Polling virtual connections on the relay (MS-GRVHENC 3.6): one backend connection each, the
 * backend's bytes buffered (bounded) until a request comes to carry them (3.6.4.3), and the
 * sequence rules of 3.6.5.
 *
 * A probe (seq 0, checksum 0, no data, unknown GUID) creates the virtual connection and a
 * backend connection; it is answered 400 (3.6.5.1.1) once the backend accepted, 500 if it did
 * not. Nothing else creates state: a request for a GUID we do not know gets a 404.
 *
 * Long polling (RFC 6202 section 2, --poll-hold): a request without data, when nothing waits to
 * go back, is held until backend data arrives or the hold ends. Requests with data are answered
 * at once, so the client's next data never waits for the backend. While a poll is held the
 * client cannot send (ClientOKtoSend, 3.5.1.1), so our client abandons the held request (closes
 * its connection) and sends the same sequence number again with its data. The rule, which only a
 * holding relay needs:
 *   - seq == last + 1: a new request; it acknowledges response `last`, whose data we forget.
 *   - seq == last, and request `last` carried nothing: the resend of an abandoned poll. Drop the
 *     held connection if still here; answer with the data of the response `last` we may already
 *     have sent (which the client never read) followed by whatever is new.
 *   - seq <= last with no data: a poll that was abandoned and arrives after its resend; it
 *     carries nothing, so it is closed unanswered.
 *   - anything else is a sequence error and closes the virtual connection (3.6.5.3).
 * A client abandons only requests that carry nothing, so no data is delivered twice, and a
 * response's data is kept until the next sequence number proves it arrived, so none is lost. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "common/ev_read.h"
#include "proto/longlived.h"
#include "proto/poll_checksum.h"
#include "proto/poll_http.h"
#include "relay/poll.h"

enum pvc_state { PVC_PROBING, PVC_PROBED, PVC_ESTABLISHED };
static const char *const pvc_state_names[] = { "probing", "probed", "established" };

/* Room for a response head (proto/poll_http: status line and four fields). */
#define PVC_HEAD_MAX 512u

/* Why the pending request has not been answered yet. */
enum pvc_wait { PVC_WAIT_BACKEND, PVC_WAIT_DATA, PVC_WAIT_DRAIN };

struct relay_pvc {
	struct relay *r;
	struct vc_entry link; /* in r->poll_vcs */
	char guid[CAP_POLL_GUID + 1];
	char name[CAP_HOST_NAME + 1]; /* Relay-Server-Name as the client wrote it */
	enum pvc_state state;
	struct dial_nb *dial;
	struct bufferevent *backend;
	struct bufferevent *pending; /* the request not answered yet, if any */
	enum pvc_wait wait;
	struct event *hold;   /* --poll-hold of a pending poll */
	struct event *expire; /* ConnectionEstablishment (3.6.2.1), then --poll-expire */
	uint64_t seq;         /* the last request accepted (RequestSequenceNum, 3.5.1.1) */
	struct evbuffer *sent; /* the data of response `seq`, until request seq + 1 */
	bool seq_data;        /* request `seq` carried data or the end of the client's data */
	bool client_eof, backend_shut; /* client -> backend finished, and passed on */
	bool backend_eof, eof_sent;    /* backend -> client finished, and told */
	uint64_t up, down;
	char peer[64];
};

static void pvc_go(struct relay_pvc *vc, enum pvc_state to)
{
	log_debug("pvc %.8s: %s -> %s", vc->guid, pvc_state_names[vc->state], pvc_state_names[to]);
	vc->state = to;
}

/* --- VirtualConnectionGUIDList (3.6.1.1) ------------------------------------------------- */

static struct relay_pvc *pvc_find(struct relay *r, const char *guid)
{
	struct vc_entry *e = vc_table_find(&r->poll_vcs, guid);

	return e ? VC_TABLE_OWNER(e, struct relay_pvc, link) : NULL;
}

/* --- closing (3.6.4.1) ---------------------------------------------------------------------- */

/* Takes the pending request away from vc (its callbacks and hold stop). */
static struct bufferevent *pvc_take_pending(struct relay_pvc *vc)
{
	struct bufferevent *bev = vc->pending;

	vc->pending = NULL;
	evtimer_del(vc->hold);
	if (bev)
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	return bev;
}

/* Closes the virtual connection and frees it; a pending request gets status, or is dropped
 * when status is 0. */
static void pvc_close(struct relay_pvc *vc, unsigned status, const char *why)
{
	struct relay *r = vc->r;
	struct bufferevent *pending = pvc_take_pending(vc);

	log_info("pvc %.8s (%s): closed, %s; %llu octets up, %llu down", vc->guid, vc->peer, why,
		 (unsigned long long)vc->up, (unsigned long long)vc->down);
	vc_table_remove(&r->poll_vcs, &vc->link);
	dial_nb_cancel(vc->dial);
	event_free(vc->hold);
	event_free(vc->expire);
	if (vc->backend)
		bufferevent_free(vc->backend);
	if (pending && status)
		relay_poll_reply_empty(r, pending, status);
	else
		relay_client_free(r, pending);
	evbuffer_free(vc->sent);
	r->n_pvcs--;
	free(vc);
}

static void pvc_expire_restart(struct relay_pvc *vc)
{
	unsigned ms = vc->state == PVC_ESTABLISHED ? vc->r->opts.poll_expire_ms
						   : vc->r->opts.establish_ms;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ms)
		evtimer_add(vc->expire, &tv);
}

static void pvc_expired(evutil_socket_t fd, short what, void *arg)
{
	struct relay_pvc *vc = arg;

	if (vc->state == PVC_ESTABLISHED)
		pvc_close(vc, 0, "no request within --poll-expire: abandoned");
	else /* 3.6.6.1 */
		pvc_close(vc, 500, "ConnectionEstablishment timer expired");
}

/* Both directions finished and told: nothing more can happen. */
static bool pvc_maybe_done(struct relay_pvc *vc)
{
	if (!vc->client_eof || !vc->backend_shut || !vc->eof_sent || vc->pending)
		return false;
	pvc_close(vc, 0, "both directions finished");
	return true;
}

/* --- responses (3.6.5.2.1) ------------------------------------------------------------------ */

static void pvc_params(const struct relay_pvc *vc, struct poll_params *p)
{
	/* A holding relay asks for the next poll at once (Min-Poll-Interval 0): the hold, not the
	 * client's timer, paces an idle connection. Our client also takes the 0 as the sign that
	 * the relay holds, and so understands the resend rule above. */
	p->max_interval_s = POLL_DEFAULT_MAX_INTERVAL;
	p->min_interval_s = vc->r->opts.poll_hold_ms ? 0 : POLL_DEFAULT_MIN_INTERVAL;
	p->repetitions = POLL_DEFAULT_REPETITIONS;
}

/* Answers request vc->seq on bev with 200: the data of the last response if it was never
 * acknowledged, then backend bytes, up to 32768 octets in all. false when vc was closed. */
static bool pvc_answer(struct relay_pvc *vc, struct bufferevent *bev)
{
	static char msg[PVC_HEAD_MAX + CAP_POLL_BODY], data[CAP_POLL_BODY];
	struct evbuffer *in = bufferevent_get_input(vc->backend);
	struct poll_msg m = { .version = POLL_VERSION, .seq = vc->seq, .has_params = true };
	size_t room = CAP_POLL_BODY - POLL_FIELDS_MAX, old = evbuffer_get_length(vc->sent);
	size_t fields_len, len, moved = 0, head_len;
	char fields[POLL_FIELDS_MAX], date[LL_DATE_CAP];
	bool eof;

	if (old < room)
		moved = (size_t)evbuffer_remove_buffer(in, vc->sent, room - old);
	if (moved && !vc->backend_eof) /* room again: see pvc_backend_read */
		ev_read_resume(vc->backend);
	len = old + moved;
	evbuffer_copyout(vc->sent, data, len);
	eof = vc->backend_eof && evbuffer_get_length(in) == 0;
	snprintf(m.relay_name, sizeof m.relay_name, "%s", vc->name);
	snprintf(m.guid, sizeof m.guid, "%s", vc->guid);
	pvc_params(vc, &m.params);
	m.checksum = poll_checksum_of(data, len); /* 0 without data (3.6.5.2.1) */
	fields_len = poll_msg_write(&m, fields, sizeof fields);
	ll_http_date(time(NULL), date);
	if (!fields_len || poll_response_head_write(msg, PVC_HEAD_MAX, &head_len, 200, date,
						    RELAY_SERVER, fields_len + len, eof) < 0) {
		relay_client_free(vc->r, bev);
		pvc_close(vc, 0, "cannot write a response");
		return false;
	}
	memcpy(msg + head_len, fields, fields_len);
	memcpy(msg + head_len + fields_len, data, len);
	relay_send_now(bev, msg, head_len + fields_len + len, NULL, 0); /* head and body at once */
	relay_client_linger(vc->r, bev); /* 3.6.5.2.1: the Polling session closes */
	vc->down += moved;
	vc->eof_sent |= eof;
	log_debug("pvc %.8s: response %llu, %zu octets (%zu again)%s", vc->guid,
		  (unsigned long long)vc->seq, len, old, eof ? ", end of data" : "");
	pvc_expire_restart(vc);
	return !pvc_maybe_done(vc);
}

static bool pvc_answer_pending(struct relay_pvc *vc)
{
	return pvc_answer(vc, pvc_take_pending(vc));
}

/* --- pending requests ------------------------------------------------------------------------ */

static void pvc_pending_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in)); /* nothing may follow a request: ignored */
}

/* The client closed a request we had not answered: it abandoned it (see the rule above). */
static void pvc_pending_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_pvc *vc = arg;

	log_debug("pvc %.8s: request %llu abandoned", vc->guid, (unsigned long long)vc->seq);
	relay_client_free(vc->r, pvc_take_pending(vc));
	pvc_expire_restart(vc);
}

static void pvc_hold_end(evutil_socket_t fd, short what, void *arg)
{
	pvc_answer_pending(arg); /* nothing came: the empty response of 3.6.5.3 */
}

static void pvc_pend(struct relay_pvc *vc, struct bufferevent *bev, enum pvc_wait wait)
{
	unsigned ms = vc->r->opts.poll_hold_ms;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	vc->pending = bev;
	vc->wait = wait;
	evtimer_del(vc->expire); /* a client waiting on us has not abandoned anything */
	bufferevent_setcb(bev, pvc_pending_read, NULL, pvc_pending_event, vc);
	bufferevent_enable(bev, EV_READ);
	if (wait == PVC_WAIT_DATA)
		evtimer_add(vc->hold, &tv);
}

/* Answers an accepted request now, or keeps it: while the backend has not taken what came
 * before (backpressure), or, for a poll without data when nothing waits to go back, for
 * --poll-hold. false when vc was closed. */
static bool pvc_respond(struct relay_pvc *vc, struct bufferevent *bev, bool carried)
{
	bool nothing = evbuffer_get_length(vc->sent) == 0 &&
		       evbuffer_get_length(bufferevent_get_input(vc->backend)) == 0 &&
		       (!vc->backend_eof || vc->eof_sent);

	if (evbuffer_get_length(bufferevent_get_output(vc->backend)) >= CAP_RELAY_BUFFER)
		pvc_pend(vc, bev, PVC_WAIT_DRAIN);
	else if (!carried && nothing && vc->r->opts.poll_hold_ms)
		pvc_pend(vc, bev, PVC_WAIT_DATA);
	else
		return pvc_answer(vc, bev);
	return true;
}

/* --- backend ----------------------------------------------------------------------------------- */

/* Between requests the backend's bytes wait here, up to CAP_RELAY_BUFFER: then reading pauses
 * until the next response takes some. */
static void pvc_backend_read(struct bufferevent *bev, void *arg)
{
	struct relay_pvc *vc = arg;
	size_t have = evbuffer_get_length(bufferevent_get_input(bev));

	/* what else the socket holds goes in the same answer, not 4096 octets per poll */
	if (have < CAP_RELAY_BUFFER)
		ev_read_more(bev, relay_backend_read_max(have));
	if (vc->pending && vc->wait == PVC_WAIT_DATA && !pvc_answer_pending(vc))
		return;
	ev_read_pause_when_full(bev);
}

/* Passes the client's end of data on. Never closes vc: the caller checks pvc_maybe_done once
 * it holds no request. */
static void pvc_backend_shut(struct relay_pvc *vc)
{
	shutdown((int)bufferevent_getfd(vc->backend), SHUT_WR);
	vc->backend_shut = true;
}

static void pvc_backend_written(struct bufferevent *bev, void *arg)
{
	struct relay_pvc *vc = arg;

	if (vc->pending && vc->wait == PVC_WAIT_DRAIN && !pvc_answer_pending(vc))
		return;
	if (vc->client_eof && !vc->backend_shut &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		pvc_backend_shut(vc);
		pvc_maybe_done(vc);
	}
}

static void pvc_backend_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_pvc *vc = arg;

	if (what & BEV_EVENT_ERROR) {
		pvc_close(vc, 500, strerror(EVUTIL_SOCKET_ERROR()));
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	vc->backend_eof = true;
	bufferevent_disable(bev, EV_READ);
	if (vc->pending && vc->wait == PVC_WAIT_DATA)
		pvc_answer_pending(vc);
}

/* Hands a request's data, and the end of the client's data, to the backend. */
static void pvc_deliver(struct relay_pvc *vc, const struct relay_preq *req)
{
	struct evbuffer *out = bufferevent_get_output(vc->backend);

	if (req->len && !vc->client_eof) {
		relay_send_now(vc->backend, req->data, req->len, NULL, 0);
		vc->up += req->len;
	}
	vc->client_eof |= req->eof;
	if (vc->client_eof && !vc->backend_shut && evbuffer_get_length(out) == 0)
		pvc_backend_shut(vc);
}

/* --- requests (3.6.5) ------------------------------------------------------------------------ */

/* The backend answered the probe's connection: 400 to the probe (3.6.5.1.1), or 500. */
static void pvc_backend_ready(struct bufferevent *bev, int err, void *arg)
{
	struct relay_pvc *vc = arg;

	vc->dial = NULL;
	if (!bev) {
		log_warn("pvc %.8s (%s): backend %s: %s", vc->guid, vc->peer,
			 vc->r->opts.backend.text, strerror(err));
		pvc_close(vc, 500, "the backend is unreachable");
		return;
	}
	vc->backend = bev;
	bufferevent_setcb(bev, pvc_backend_read, pvc_backend_written, pvc_backend_event, vc);
	bufferevent_setwatermark(bev, EV_READ, 0, CAP_RELAY_BUFFER);
	bufferevent_setwatermark(bev, EV_WRITE, CAP_RELAY_BUFFER / 2, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	pvc_go(vc, PVC_PROBED);
	if (vc->pending)
		relay_poll_reply_empty(vc->r, pvc_take_pending(vc), 400);
}

/* 3.6.5.1: a probe for a new GUID. */
static void pvc_probe(struct relay *r, const struct relay_preq *req)
{
	struct relay_pvc *vc = NULL;

	if (r->n_pvcs < CAP_RELAY_POLL_VCS && (vc = calloc(1, sizeof *vc))) {
		vc->hold = evtimer_new(r->base, pvc_hold_end, vc);
		vc->expire = evtimer_new(r->base, pvc_expired, vc);
		vc->sent = evbuffer_new();
	}
	if (!vc || !vc->hold || !vc->expire || !vc->sent) {
		log_warn("%s: polling probe refused: %u virtual connections, or out of memory", req->peer,
			 r->n_pvcs);
		if (vc && vc->hold)
			event_free(vc->hold);
		if (vc && vc->expire)
			event_free(vc->expire);
		if (vc && vc->sent)
			evbuffer_free(vc->sent);
		free(vc);
		relay_poll_reply_empty(r, req->bev, 500);
		return;
	}
	vc->r = r;
	snprintf(vc->guid, sizeof vc->guid, "%s", req->msg->guid);
	snprintf(vc->name, sizeof vc->name, "%s", req->msg->relay_name);
	snprintf(vc->peer, sizeof vc->peer, "%s", req->peer);
	vc_table_add(&r->poll_vcs, &vc->link, vc->guid);
	r->n_pvcs++;
	log_debug("pvc %.8s: probe from %s", vc->guid, req->peer);
	pvc_pend(vc, req->bev, PVC_WAIT_BACKEND);
	pvc_expire_restart(vc);
	vc->dial = relay_backend_connect(r, pvc_backend_ready, vc);
	if (!vc->dial)
		pvc_close(vc, 500, strerror(errno));
}

/* The sequence rules of the comment at the top, for an established virtual connection. */
static void pvc_established_request(struct relay_pvc *vc, const struct relay_preq *req)
{
	uint64_t s = req->msg->seq;
	bool carried = req->len > 0 || req->eof;

	if (s == vc->seq + 1 && !vc->pending) {
		evbuffer_drain(vc->sent, evbuffer_get_length(vc->sent)); /* acknowledged */
	} else if (s == vc->seq && !vc->seq_data) {
		if (vc->pending)
			relay_client_free(vc->r, pvc_take_pending(vc));
		log_debug("pvc %.8s: request %llu again, %zu octets", vc->guid,
			  (unsigned long long)s, req->len);
	} else if (s <= vc->seq && !carried) {
		log_debug("pvc %.8s: stale poll %llu dropped", vc->guid, (unsigned long long)s);
		relay_client_free(vc->r, req->bev);
		return;
	} else {
		log_info("pvc %.8s: sequence error: request %llu after %llu", vc->guid,
			 (unsigned long long)s, (unsigned long long)vc->seq);
		relay_client_free(vc->r, pvc_take_pending(vc));
		relay_poll_reply_empty(vc->r, req->bev, 400);
		pvc_close(vc, 0, "protocol error: sequence");
		return;
	}
	vc->seq = s;
	vc->seq_data = carried;
	pvc_expire_restart(vc);
	pvc_deliver(vc, req);
	pvc_respond(vc, req->bev, carried);
}

/* 3.6.5.2: the last handshake request, seq 0. It carries the client's first data; we also take
 * it without any, for applications whose server speaks first. */
static void pvc_handshake(struct relay_pvc *vc, const struct relay_preq *req)
{
	if (req->msg->seq != 0) {
		relay_poll_reply_empty(vc->r, req->bev, 400);
		pvc_close(vc, 0, "protocol error: the handshake request is not sequence 0");
		return;
	}
	pvc_go(vc, PVC_ESTABLISHED);
	vc->seq = 0;
	vc->seq_data = req->len > 0 || req->eof;
	pvc_expire_restart(vc);
	pvc_deliver(vc, req);
	/* Never held: the client learns from this answer whether we hold, and until then could not
	 * send its data while a poll waits here. */
	pvc_respond(vc, req->bev, true);
}

void relay_pvc_request(struct relay *r, const struct relay_preq *req)
{
	const struct poll_msg *m = req->msg;
	struct relay_pvc *vc = pvc_find(r, m->guid);
	bool probe = m->seq == 0 && m->checksum == 0 && req->len == 0 && !req->eof;

	if (r->opts.name && strcasecmp(r->opts.name, m->relay_name) != 0) { /* <49> */
		log_info("%s: polling request for server %s, not %s: refused", req->peer,
			 m->relay_name, r->opts.name);
		relay_poll_reply_empty(r, req->bev, 400);
		return;
	}
	if (!vc && probe) {
		pvc_probe(r, req);
	} else if (!vc) {
		log_info("%s: polling request %llu for unknown vc %.8s: 404", req->peer,
			 (unsigned long long)m->seq, m->guid);
		relay_poll_reply_empty(r, req->bev, 404);
	} else if (vc->state == PVC_PROBING && probe) { /* the client tried its probe again */
		relay_client_free(r, pvc_take_pending(vc));
		pvc_pend(vc, req->bev, PVC_WAIT_BACKEND);
	} else if (vc->state == PVC_PROBING) {
		relay_poll_reply_empty(r, req->bev, 400);
		pvc_close(vc, 500, "protocol error: a request before the probe was answered");
	} else if (vc->state == PVC_PROBED) {
		pvc_handshake(vc, req);
	} else {
		pvc_established_request(vc, req);
	}
}

void relay_pvc_abort(struct relay *r, const char *guid, const char *why)
{
	struct relay_pvc *vc = pvc_find(r, guid);

	if (vc)
		pvc_close(vc, 0, why);
}

/* Closes or answers only the virtual connection it is given (pvc_close and pvc_answer free
 * nothing of another), as vc_table_each requires. */
static void pvc_drain_one(struct vc_entry *e, void *arg)
{
	struct relay_pvc *vc = VC_TABLE_OWNER(e, struct relay_pvc, link);

	if (vc->state != PVC_ESTABLISHED)
		pvc_close(vc, 500, "draining: not established");
	else if (vc->pending && vc->wait == PVC_WAIT_DATA)
		pvc_answer_pending(vc);
}

void relay_poll_drain(struct relay *r)
{
	vc_table_each(&r->poll_vcs, pvc_drain_one, NULL);
}
