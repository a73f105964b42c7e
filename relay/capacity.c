/* How many connections the relay takes at once: --max-connections, the descriptors they need,
 * pausing accept() when either runs out, and giving back the memory they held once they are
 * gone. A connection waiting in a listener's backlog keeps it readable, so a listener that cannot
 * accept must be disabled, not retried: retried, it would wake the loop at once, for ever, with a
 * log line each time. */
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <malloc.h>
#include <string.h>
#include <sys/resource.h>

#include "relay/relay.h"

/* Descriptors the relay needs besides its connections: listeners, the loop, the log, and the
 * splice pipes waiting to be lent (common/splice_pipe). */
#define RELAY_FD_RESERVE 64
/* How long accepting stays paused after accept() found no descriptor, unless a connection
 * closes first. */
#define RELAY_STARVED_SEC 1
/* Connections closed before the heap is trimmed, unless the last one closes first. */
#define RELAY_TRIM_AFTER 1024

/* Enables the listeners when the relay can take a connection, disables them when not. */
static void relay_accepting_update(struct relay *r)
{
	bool want = !r->draining && !r->starved && r->n_clients < r->opts.max_connections;

	if (want == !r->paused)
		return;
	for (unsigned i = 0; i < r->n_listeners; i++)
		if (want)
			evconnlistener_enable(r->listeners[i]);
		else
			evconnlistener_disable(r->listeners[i]);
	r->paused = !want;
}

static void relay_starved_end(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;

	r->starved = false;
	relay_accepting_update(r);
}

void relay_accept_failed(struct evconnlistener *l, void *arg)
{
	struct relay *r = arg;
	struct timeval tv = { RELAY_STARVED_SEC, 0 };
	int err = errno;

	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
		log_warn("accept: %s", strerror(err));
		return;
	}
	log_warn("accept: %s with %u connections open: not accepting until one closes (at most "
		 "%d s)",
		 strerror(err), r->n_clients, RELAY_STARVED_SEC);
	r->starved = true;
	relay_accepting_update(r);
	evtimer_add(r->starved_timer, &tv);
}

void relay_client_opened(struct relay *r)
{
	r->n_clients++;
	if (!r->paused && r->n_clients >= r->opts.max_connections)
		log_warn("%u connections open (--max-connections): not accepting more for now",
			 r->n_clients);
	relay_accepting_update(r);
}

static void relay_trim(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;

	r->closed_since_trim = 0;
	malloc_trim(0);
}

/* glibc keeps freed memory for reuse: after a burst of connections the relay would keep its peak
 * size for ever. Once the last connection has closed, or many have, what they held goes back to
 * the system, from the loop (never inside the closing connection's callback). */
static void relay_trim_maybe(struct relay *r)
{
	struct timeval now = { 0, 0 };

	if (++r->closed_since_trim < RELAY_TRIM_AFTER && r->n_clients > 0)
		return;
	if (!evtimer_pending(r->trim_ev, NULL))
		evtimer_add(r->trim_ev, &now);
}

void relay_client_closed(struct relay *r)
{
	r->n_clients--;
	relay_trim_maybe(r);
	if (r->starved)
		evtimer_del(r->starved_timer);
	r->starved = false;
	relay_accepting_update(r);
	if (r->draining && r->n_clients == 0) {
		log_info("drained: no connection left, exiting");
		event_base_loopexit(r->base, NULL);
	}
}

int relay_capacity_init(struct relay *r)
{
	/* Made now: when accept() runs out of descriptors, making a timer may fail too. */
	r->starved_timer = evtimer_new(r->base, relay_starved_end, r);
	r->trim_ev = evtimer_new(r->base, relay_trim, r);
	return r->starved_timer && r->trim_ev ? 0 : -1;
}

void relay_capacity_free(struct relay *r)
{
	if (r->starved_timer)
		event_free(r->starved_timer);
	if (r->trim_ev)
		event_free(r->trim_ev);
}

void relay_fd_limit_raise(unsigned max_connections)
{
	/* --max-connections counts client connections. The most one of them costs is a raw tunnel
	 * (--tunnel-listen): itself, its backend connection and two borrowed pipes while bytes are
	 * in flight, six descriptors. */
	rlim_t want = (rlim_t)max_connections * 6 + RELAY_FD_RESERVE;
	rlim_t enough = (rlim_t)max_connections + RELAY_FD_RESERVE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		unsigned long long was = rl.rlim_cur;
		bool capped = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want;
		rl.rlim_cur = capped ? rl.rlim_max : want;
		if (rl.rlim_cur > was && setrlimit(RLIMIT_NOFILE, &rl) == 0)
			log_info("descriptor limit raised from %llu to %llu (--max-connections %u)",
				 was, (unsigned long long)rl.rlim_cur, max_connections);
		else
			rl.rlim_cur = was;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < enough)
		log_warn("descriptor limit %llu (hard limit): fewer than --max-connections %u "
			 "connections can be open at once",
			 (unsigned long long)rl.rlim_cur, max_connections);
}
