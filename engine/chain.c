#include "engine/chain.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "engine/transport.h"
#include "engine/tunnel.h"

struct chain {
	struct tunnel *tunnel;
	unsigned next;             /* index into cfg->transports of the next name to try */
	struct tp_attempt attempt; /* the running one, when attempt.tp != NULL */
	double attempt_started_ms;
	struct event *attempt_timer;
	struct event *deadline;    /* SSTPSHIM_CONNECT_TIMEOUT for the whole chain */
	struct event *begin;       /* first step, from the loop */
	int last_err;
	char tried[600];           /* "direct (Connection refused, 0.12 ms), ..." for the log */
	size_t tried_len;
};

static void chain_next(struct chain *c);

static void chain_note(struct chain *c, const char *name, const char *what, double ms)
{
	int n = snprintf(c->tried + c->tried_len, sizeof c->tried - c->tried_len, "%s%s (%s, %.2f ms)",
			 c->tried_len ? ", " : "", name, what, ms);
	if (n > 0 && (size_t)n < sizeof c->tried - c->tried_len)
		c->tried_len += (size_t)n;
}

static void chain_stop_attempt(struct chain *c)
{
	if (c->attempt.tp)
		c->attempt.tp->abort(&c->attempt);
	c->attempt.tp = NULL;
	if (c->attempt_timer)
		event_del(c->attempt_timer);
}

void chain_free(struct chain *c)
{
	if (!c)
		return;
	chain_stop_attempt(c);
	if (c->attempt_timer)
		event_free(c->attempt_timer);
	if (c->deadline)
		event_free(c->deadline);
	if (c->begin)
		event_free(c->begin);
	free(c);
}

static void chain_fail(struct chain *c, int err)
{
	struct tunnel *t = c->tunnel;

	log_info("tunnel %s: failed after %.2f ms (%s); tried %s", t->dest_text, tunnel_elapsed_ms(t),
		 strerror(err), c->tried_len ? c->tried : "nothing");
	chain_free(c);
	tunnel_failed(t, err);
}

/* The attempt a (the chain's own, freed here with it) succeeded: logs it and frees the chain. */
static void chain_succeeded(struct tp_attempt *a)
{
	struct tunnel *t = a->tunnel;
	struct chain *c = t->chain;
	const char *name = a->tp->name;

	c->attempt.tp = NULL; /* done: the transport has freed its state */
	log_info("tunnel %s: established via %s in %.2f ms%s%s", t->dest_text, name,
		 tunnel_elapsed_ms(t), c->tried_len ? "; tried " : "", c->tried);
	chain_free(c);
}

void tp_attempt_done_split(struct tp_attempt *a, struct tp_split *s)
{
	struct tunnel *t = a->tunnel;
	const char *name = a->tp->name;

	chain_succeeded(a);
	tunnel_established_split(t, s, name);
}

void tp_attempt_done(struct tp_attempt *a, struct bufferevent *stream, int err, const char *why)
{
	struct tunnel *t = a->tunnel;
	struct chain *c = t->chain;
	const char *name = a->tp->name;
	double ms = tunnel_elapsed_ms(t) - c->attempt_started_ms;

	if (stream) {
		chain_succeeded(a);
		tunnel_established(t, stream, name);
		return;
	}
	c->attempt.tp = NULL; /* done: the transport has freed its state */
	event_del(c->attempt_timer);
	c->last_err = err;
	chain_note(c, name, why ? why : strerror(err), ms);
	log_debug("tunnel %u: %s failed: %s", t->id, name, why ? why : strerror(err));
	chain_next(c);
}

static void chain_attempt_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct chain *c = arg;
	const char *name = c->attempt.tp->name;
	double ms = tunnel_elapsed_ms(c->tunnel) - c->attempt_started_ms;

	chain_stop_attempt(c);
	c->last_err = ETIMEDOUT;
	chain_note(c, name, "timed out", ms);
	chain_next(c);
}

static void chain_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct chain *c = arg;

	if (c->attempt.tp)
		chain_note(c, c->attempt.tp->name, "cut by the connect timeout",
			   tunnel_elapsed_ms(c->tunnel) - c->attempt_started_ms);
	chain_fail(c, ETIMEDOUT);
}

/* Starts the next usable transport, or fails the tunnel with the last error when none is left. */
static void chain_next(struct chain *c)
{
	const struct config *cfg = c->tunnel->cfg;

	while (c->next < cfg->n_transports) {
		const char *name = cfg->transports[c->next++];
		const struct transport *tp = tp_find(name);
		const char *why = NULL;
		if (!tp) {
			chain_note(c, name, "unknown transport, skipped", 0);
			continue;
		}
		if (!tp->usable(c->tunnel, &why)) {
			chain_note(c, name, why ? why : "not usable, skipped", 0);
			continue;
		}
		c->attempt = (struct tp_attempt){ .tp = tp, .tunnel = c->tunnel };
		c->attempt_started_ms = tunnel_elapsed_ms(c->tunnel);
		if (tp->start(&c->attempt) < 0) {
			c->attempt.tp = NULL;
			c->last_err = errno;
			chain_note(c, name, strerror(errno), 0);
			continue;
		}
		unsigned ms = cfg->transport_timeout_ms ? cfg->transport_timeout_ms : tp->timeout_ms;
		struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
		event_add(c->attempt_timer, &tv);
		return;
	}
	chain_fail(c, c->last_err ? c->last_err : ENETUNREACH);
}

/* Starting goes through the event loop so that the chain's first report always comes from a
 * callback, after chain_start() has returned and the tunnel holds the chain. */
static void chain_begin(evutil_socket_t fd, short what, void *arg)
{
	chain_next(arg);
}

struct chain *chain_start(struct tunnel *t)
{
	struct chain *c = calloc(1, sizeof *c);
	unsigned ms = t->cfg->connect_timeout_ms;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (!c)
		return NULL;
	c->tunnel = t;
	c->attempt_timer = evtimer_new(t->base, chain_attempt_timeout, c);
	c->deadline = evtimer_new(t->base, chain_deadline, c);
	c->begin = evtimer_new(t->base, chain_begin, c);
	if (!c->attempt_timer || !c->deadline || !c->begin || event_add(c->deadline, &tv) < 0) {
		chain_free(c);
		errno = ENOMEM;
		return NULL;
	}
	event_active(c->begin, EV_TIMEOUT, 0);
	return c;
}
