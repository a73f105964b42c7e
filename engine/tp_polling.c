/* `polling`: the HTTP Polling encapsulation, client side (MS-GRVHENC 3.5, messages 2.2.2.3).
 * Every request is a new TCP connection to the relay, or to an HTTP proxy with an absolute URI
 * (3.5.4.1.2). The attempt is the probe (seq 0, checksum 0, no data): the relay answers it 400
 * once it has reached the backend (500 when it cannot), and that makes the tunnel established,
 * since the last handshake request must carry the application's first data (3.5.4.1.1), which
 * an application only writes once its connect() succeeded. engine/poll_client.c takes over. A
 * proxy's 401/407 to any request is answered by engine/poll_auth.c. */
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "engine/poll_client.h"
#include "engine/poll_xchg.h"
#include "engine/proxy.h"
#include "engine/relay_where.h"
#include "engine/transport.h"
#include "engine/tunnel.h"
#include "proto/poll_http.h"

static const char *const pc_state_names[] = { "probing", "first data", "connecting",
					       "established", "closed" };

void pc_go(struct poll_client *c, enum pc_state to)
{
	log_debug("tunnel %u: polling %s -> %s", c->id, pc_state_names[c->state],
		  pc_state_names[to]);
	c->state = to;
}

void pc_free(struct poll_client *c)
{
	poll_xchg_cancel(c->x);
	if (c->timer)
		event_free(c->timer);
	if (c->watch)
		event_free(c->watch);
	if (c->mine)
		bufferevent_free(c->mine);
	pc_auth_free(c);
	free(c);
}

static void pc_fail(struct poll_client *c, int err, const char *why)
{
	struct tp_attempt *a = c->a;

	a->state = NULL;
	pc_free(c);
	tp_attempt_done(a, NULL, err, why);
}

/* 3.5.5.1.2.1: the probe's answer. 400 without a body is the relay's; a proxy's 401/407 is
 * answered (3.5.5.1.3); anything else fails the attempt. */
static void pc_probed(const struct poll_reply *reply, int err, const char *why, void *arg)
{
	struct poll_client *c = arg;
	struct bufferevent *pair[2];
	struct tp_attempt *a = c->a;
	enum pc_auth_rc rc;

	c->x = NULL;
	if (!reply) {
		pc_fail(c, err, why);
		return;
	}
	rc = pc_auth_reply(c, reply, pc_probed, &why);
	if (rc == PC_AUTH_FAIL)
		pc_fail(c, EACCES, why);
	if (rc != PC_AUTH_PASSED)
		return; /* failed, or the probe went again */
	if (reply->status != 400 || reply->len != 0) {
		log_info("tunnel %u: polling: HTTP %u (%zu octets) to the probe", c->id, reply->status,
			 reply->len);
		pc_fail(c, ECONNREFUSED,
			reply->status == 400 ? "a 400 with a body: not the relay's answer"
					     : "the relay or proxy refused the probe");
		return;
	}
	if (bufferevent_pair_new(c->base, 0, pair) < 0) {
		pc_fail(c, ENOMEM, "cannot create a stream pair");
		return;
	}
	if (pc_run(c, pair[0]) < 0) {
		bufferevent_free(pair[1]);
		c->mine = pair[0];
		pc_fail(c, ENOMEM, "out of memory");
		return;
	}
	c->a = NULL;
	a->state = NULL;
	tp_attempt_done(a, pair[1], 0, NULL);
}

static int pc_where(struct poll_client *c, struct tunnel *t)
{
	const char *why = NULL;
	const struct eng_proxy *proxy = eng_proxy_for(t, PROXY_USE_HTTP, &why);

	if (eng_relay_where(t, !proxy, c->authority, sizeof c->authority, &c->to, &c->to_len) < 0)
		return -1;
	memcpy(&c->from, &t->from, t->from_len);
	c->from_len = t->from_len;
	if (proxy) { /* 3.5.4.1.2 */
		memcpy(&c->to, &proxy->addr, proxy->addr_len);
		c->to_len = proxy->addr_len;
		c->via_proxy = true;
		if (pc_auth_start(c, proxy) < 0)
			return -1;
	}
	eng_server_name(t, c->name, sizeof c->name);
	return 0;
}

static int pc_start(struct tp_attempt *a)
{
	struct tunnel *t = a->tunnel;
	struct poll_client *c = calloc(1, sizeof *c);
	const struct poll_params defaults = { POLL_DEFAULT_MAX_INTERVAL, POLL_DEFAULT_MIN_INTERVAL,
					      POLL_DEFAULT_REPETITIONS };

	if (!c)
		return -1;
	errno = 0;
	c->a = a;
	c->base = t->base;
	c->id = t->id;
	poll_schedule_init(&c->sched, &defaults);
	if (pc_where(c, t) < 0 || guid_generate(c->guid) < 0) /* 3.5.4.1: a new GUID */
		goto out;
	log_debug("tunnel %u: polling vc %.8s for %s via %s%s", t->id, c->guid, c->name,
		  c->authority, c->via_proxy ? " (proxy)" : "");
	if (pc_send(c, 0, NULL, 0, false, pc_probed) < 0) /* 3.5.4.1.1: seq 0, checksum 0 */
		goto out;
	a->state = c;
	return 0;
out:
	if (!errno)
		errno = ENOMEM;
	pc_free(c);
	return -1;
}

static void pc_abort(struct tp_attempt *a)
{
	pc_free(a->state);
	a->state = NULL;
}

const struct transport tp_polling = {
	.name = "polling",
	.timeout_ms = 30000, /* below ConnectionEstablishment's 3 minutes (3.5.2.1): a chain waits */
	.usable = eng_relay_usable,
	.start = pc_start,
	.abort = pc_abort,
};
