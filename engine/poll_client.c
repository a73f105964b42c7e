/* The `polling` transport once the application has its stream (MS-GRVHENC 3.5.4.3, 3.5.5):
 * one request outstanding at a time (ClientOKtoSend), each carrying what the application wrote,
 * at most 32768 octets with the fields; polls without data on the back-off of 3.5.2.3 when
 * neither side has any; response n must answer request n, with the right GUID and checksum,
 * or the virtual connection closes and the application sees a reset.
 *
 * Long polling: when the relay's Min-Poll-Interval is 0, it holds polls (relay/poll_vc.c) and
 * understands a resend. Data the application writes while a poll without data is held then
 * does not wait for the hold: we abandon the held request (close its connection, unless its
 * response has started to arrive) and send the same sequence number again with the data. We
 * never abandon a request that carries data or our end of data, so the relay never gets those
 * twice; the relay keeps a response's data until the next sequence number, so none is lost.
 *
 * Our end of data and the relay's travel in POLL_EOF_FIELD, so that half-closes carry
 * through as TCP's do. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev_read.h"
#include "common/log.h"
#include "engine/poll_client.h"
#include "engine/poll_xchg.h"
#include "engine/proxy_series.h"
#include "engine/pump.h"
#include "proto/poll_checksum.h"
#include "proto/poll_http.h"

/* NetworkReceiveIO (3.5.2.2): the recommended 120 s, above any hold of the relay. */
#define PC_RECEIVE_MS (120u * 1000u)
/* How long the last handshake request waits for the application's first data (3.5.4.1.1 wants
 * it there); an application whose server speaks first gets its request without data after it. */
#define PC_FIRST_DATA_MS 500u
#define PC_WATCH_MS 1000u
/* Application-Data per request: the body's cap less the largest fields we write. */
#define PC_DATA_MAX (CAP_POLL_BODY - POLL_FIELDS_MAX)

static void pc_next(struct poll_client *c);
static void pc_answered(const struct poll_reply *reply, int err, const char *why, void *arg);

/* Readies the proxy credentials of the next request (3.5.4.1.2, 3.5.4.3.2: "If
 * ProxyAuthRequired is set, the client MUST add" them), over the target they sign. 0, or -1
 * with errno. */
static int pc_credentials(struct poll_client *c)
{
	char target[CAP_HOST_NAME + 16];

	if (!c->auth)
		return 0;
	if (poll_request_target(target, sizeof target, c->authority, c->via_proxy) < 0) {
		errno = EINVAL;
		return -1;
	}
	return proxy_series_next(c->auth, "POST", target);
}

/* Writes request seq into buf (cap bytes): the head, the virtual connection fields, the data.
 * 0 and *total, or -1. */
static int pc_write(const struct poll_client *c, uint64_t seq, const void *data, size_t len,
		    bool eof, char *buf, size_t cap, size_t *total)
{
	char fields[POLL_FIELDS_MAX];
	struct poll_msg m = { .version = POLL_VERSION, .seq = seq };
	size_t flen, hlen;

	snprintf(m.relay_name, sizeof m.relay_name, "%s", c->name);
	snprintf(m.guid, sizeof m.guid, "%s", c->guid);
	m.checksum = poll_checksum_of(data, len); /* 2.2.2.3.1.3.1.3; 0 without data */
	flen = poll_msg_write(&m, fields, sizeof fields);
	if (!flen || len > PC_DATA_MAX ||
	    poll_request_head_write(buf, cap, &hlen, c->authority, c->via_proxy, flen + len, eof,
				    proxy_series_field(c->auth), proxy_series_value(c->auth)) < 0 ||
	    hlen + flen + len > cap)
		return -1;
	memcpy(buf + hlen, fields, flen);
	if (len)
		memcpy(buf + hlen + flen, data, len);
	*total = hlen + flen + len;
	return 0;
}

int pc_send(struct poll_client *c, uint64_t seq, const void *data, size_t len, bool eof,
	    poll_xchg_cb cb)
{
	static char buf[CAP_POLL_BODY + CAP_PROXY_REQUEST];
	size_t total = 0;
	int rc;

	if (pc_credentials(c) < 0)
		return -1;
	rc = pc_write(c, seq, data, len, eof, buf, sizeof buf, &total);
	if (rc == 0)
		c->x = poll_xchg_start(c->base, &c->from, c->from_len, (struct sockaddr *)&c->to,
				       c->to_len, buf, total, PC_RECEIVE_MS, cb, c);
	if (proxy_series_value(c->auth))
		memset(buf, 0, CAP_PROXY_REQUEST); /* the head held a credential */
	if (rc < 0) {
		errno = EINVAL;
		return -1;
	}
	if (!c->x)
		return -1;
	c->requests++;
	log_debug("tunnel %u: polling request %llu, %zu octets%s", c->id, (unsigned long long)seq,
		  len, eof ? ", end of data" : "");
	return 0;
}

/* The virtual connection ends (3.5.4.2): an error reaches the application as a reset. */
static void pc_close(struct poll_client *c, bool error, const char *why)
{
	log_info("tunnel %u: polling vc %.8s closed: %s (%llu octets up, %llu down, %llu requests)",
		 c->id, c->guid, why, (unsigned long long)c->up, (unsigned long long)c->down,
		 (unsigned long long)c->requests);
	pc_go(c, PC_CLOSED);
	if (error)
		pump_pair_reset(c->mine);
	pc_free(c);
}

/* Sends request seq with what the application has written, up to a body's worth. */
static void pc_send_data(struct poll_client *c, uint64_t seq)
{
	static char data[PC_DATA_MAX];
	struct evbuffer *in = bufferevent_get_input(c->mine);
	int n = evbuffer_remove(in, data, sizeof data);
	size_t len = n > 0 ? (size_t)n : 0;
	bool eof = c->app_eof && evbuffer_get_length(in) == 0;

	if (len && !c->app_eof) /* room again: see pc_next */
		ev_read_resume(c->mine);
	evtimer_del(c->timer);
	c->seq = seq;
	c->x_carried = len > 0 || eof;
	c->x_eof = eof;
	c->up += len;
	if (pc_auth_keep(c, data, len) < 0 || pc_send(c, seq, data, len, eof, pc_answered) < 0)
		pc_close(c, true, strerror(errno));
}

/* Abandons the held poll for the data that just came (the rule at the top). */
static void pc_resend(struct poll_client *c)
{
	log_debug("tunnel %u: polling request %llu abandoned, sent again with data", c->id,
		  (unsigned long long)c->seq);
	poll_xchg_cancel(c->x);
	c->x = NULL;
	pc_send_data(c, c->seq);
}

static void pc_arm(struct poll_client *c, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

/* Decides what happens next: called after every response and whenever the application
 * wrote, read or finished. */
static void pc_next(struct poll_client *c)
{
	bool data = evbuffer_get_length(bufferevent_get_input(c->mine)) > 0;
	bool send = data || (c->app_eof && !c->eof_sent);
	unsigned wait_s;

	if (c->x) {
		if (send && !c->x_carried && c->holding && !poll_xchg_answering(c->x))
			pc_resend(c);
		else /* the application's bytes wait in the pair, up to CAP_PUMP_BUFFER */
			ev_read_pause_when_full(c->mine);
		return;
	}
	if (c->state == PC_FIRST) {
		if (data || c->app_eof) { /* else the first-data wait sends it */
			pc_go(c, PC_CONNECTING);
			pc_send_data(c, 0); /* 3.5.4.1.1: seq 0 with the first data */
		}
		return;
	}
	if (send) { /* 3.5.4.3; 3.5.2.3: sending data starts the back-off over */
		poll_schedule_reset(&c->sched);
		pc_send_data(c, c->seq + 1);
	} else if (c->more && !c->relay_eof) {
		pc_send_data(c, c->seq + 1);
	} else if (c->app_eof && c->relay_eof) {
		pc_close(c, false, "both directions finished");
	} else if (!c->relay_eof && !evtimer_pending(c->timer, NULL) &&
		   evbuffer_get_length(bufferevent_get_output(c->mine)) < CAP_PUMP_BUFFER) {
		/* 3.5.6.3: nothing to send, so poll when the interval has passed; not while the
		 * application has a full buffer to read, nor once the relay's data has ended. A
		 * holding relay's interval is 0: that poll goes now, not a loop turn later. */
		wait_s = poll_schedule_next(&c->sched);
		if (wait_s)
			pc_arm(c, wait_s * 1000u);
		else
			pc_send_data(c, c->seq + 1);
	}
}

static void pc_timer(evutil_socket_t fd, short what, void *arg)
{
	struct poll_client *c = arg;

	if (c->x)
		return;
	if (c->state == PC_FIRST)
		pc_go(c, PC_CONNECTING);
	pc_send_data(c, c->state == PC_CONNECTING ? 0 : c->seq + 1);
}

/* 3.5.5.1.1.1 and 3.5.5.1.1.2: checks response c->seq and passes its data on. false when c was
 * closed. */
static bool pc_take(struct poll_client *c, const struct poll_reply *reply)
{
	struct poll_msg m;
	size_t off;
	const char *why;
	char text[80];

	if (reply->status != 200) { /* 3.5.5.1.2.2, 3.5.5.1.3, 3.5.5.1.4 */
		snprintf(text, sizeof text, "HTTP %u from the relay or proxy", reply->status);
		pc_close(c, true, text);
		return false;
	}
	if (poll_body_parse(reply->body, reply->len, true, &m, &off, &why) < 0 ||
	    (why = "another virtual connection's GUID", strcmp(m.guid, c->guid) != 0) ||
	    (why = "a sequence error", m.seq != c->seq)) {
		pc_close(c, true, why);
		return false;
	}
	if (c->state == PC_CONNECTING)
		pc_go(c, PC_ESTABLISHED);
	if (reply->len > off) {
		evbuffer_add(bufferevent_get_output(c->mine), reply->body + off, reply->len - off);
		c->down += reply->len - off;
	}
	poll_schedule_update(&c->sched, &m.params); /* 3.5.2.3: refreshed on every response */
	if (reply->len > off || c->x_carried)
		poll_schedule_reset(&c->sched);
	/* A full response says the relay holds more: the back-off is for an idle connection ("in
	 * the absence of application data arriving from the server", 1.3.4), and waiting even
	 * Min-Poll-Interval here would cap the throughput at one body per interval. */
	c->more = reply->len - off >= PC_DATA_MAX;
	c->holding = m.params.min_interval_s == 0;
	return true;
}

static void pc_answered(const struct poll_reply *reply, int err, const char *why, void *arg)
{
	struct poll_client *c = arg;
	enum pc_auth_rc rc;

	c->x = NULL;
	if (!reply) {
		pc_close(c, true, why ? why : strerror(err));
		return;
	}
	rc = pc_auth_reply(c, reply, pc_answered, &why);
	if (rc == PC_AUTH_FAIL)
		pc_close(c, true, why);
	if (rc != PC_AUTH_PASSED)
		return; /* closed, or the request went again */
	if (!pc_take(c, reply))
		return;
	c->eof_sent |= c->x_eof;
	if (reply->eof && !c->relay_eof) { /* the relay's end of data: the application's EOF */
		c->relay_eof = true;
		bufferevent_flush(c->mine, EV_WRITE, BEV_FINISHED);
	}
	pc_next(c);
}

/* --- the application's side of the pair --------------------------------------------------- */

static void pc_mine_read(struct bufferevent *bev, void *arg)
{
	pc_next(arg);
}

static void pc_mine_written(struct bufferevent *bev, void *arg)
{
	pc_next(arg);
}

static void pc_mine_event(struct bufferevent *bev, short what, void *arg)
{
	struct poll_client *c = arg;

	if (!(what & BEV_EVENT_EOF)) {
		pc_close(c, true, "the application side failed");
		return;
	}
	c->app_eof = true;
	bufferevent_disable(bev, EV_READ);
	pc_next(c);
}

static void pc_watch(evutil_socket_t fd, short what, void *arg)
{
	struct poll_client *c = arg;

	if (!bufferevent_pair_get_partner(c->mine))
		pc_close(c, false, "the tunnel is gone");
}

int pc_run(struct poll_client *c, struct bufferevent *mine)
{
	struct timeval watch = { PC_WATCH_MS / 1000, (PC_WATCH_MS % 1000) * 1000 };

	c->mine = mine;
	c->timer = evtimer_new(c->base, pc_timer, c);
	c->watch = event_new(c->base, -1, EV_PERSIST, pc_watch, c);
	if (!c->timer || !c->watch)
		return -1;
	pc_go(c, PC_FIRST);
	bufferevent_setcb(mine, pc_mine_read, pc_mine_written, pc_mine_event, c);
	bufferevent_setwatermark(mine, EV_WRITE, CAP_PUMP_BUFFER / 2, 0);
	/* What the application writes waits in the pair until a request takes it: bounded, so that
	 * the pump stops reading the application (backpressure). */
	bufferevent_setwatermark(mine, EV_READ, 0, CAP_PUMP_BUFFER);
	bufferevent_enable(mine, EV_READ | EV_WRITE);
	event_add(c->watch, &watch);
	pc_arm(c, PC_FIRST_DATA_MS);
	return 0;
}
