#include "engine/tunnel.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "engine/app_end.h"
#include "engine/chain.h"
#include "engine/dial.h"
#include "engine/pump.h"

static unsigned tunnel_next_id;

static const char *const tunnel_state_names[] = { "connecting", "established", "closing" };

/* Every state change goes through here, so the debug log tells a tunnel's whole story. */
static void tunnel_go(struct tunnel *t, enum tunnel_state next)
{
	log_debug("tunnel %u %s: %s -> %s", t->id, t->dest_text, tunnel_state_names[t->state],
		  tunnel_state_names[next]);
	t->state = next;
}

double tunnel_elapsed_ms(const struct tunnel *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->started.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - t->started.tv_nsec) / 1e6;
}

static void tunnel_format_dest(struct tunnel *t)
{
	char host[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr_in *in = (const struct sockaddr_in *)&t->dest;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&t->dest;

	if (t->dest.ss_family == AF_INET) {
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		snprintf(t->dest_text, sizeof t->dest_text, "%s:%u", host, ntohs(in->sin_port));
	} else {
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(t->dest_text, sizeof t->dest_text, "[%s]:%u", host, ntohs(in6->sin6_port));
	}
}

static void tunnel_publish(struct tunnel *t, enum eng_state state, int err)
{
	atomic_store(&t->status->error, err);
	atomic_store_explicit(&t->status->state, state, memory_order_release);
}

/* Frees the tunnel from a fresh event-loop turn, never inside a callback of something it owns. */
static void tunnel_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tunnel *t = arg;

	chain_free(t->chain);
	pump_free(t->pump);
	if (t->engine_fd >= 0)
		close(t->engine_fd);
	if (t->early)
		evbuffer_free(t->early);
	t->status->tunnel = NULL;
	eng_status_put(t->status);
	free(t);
}

void tunnel_close(struct tunnel *t)
{
	if (t->state == TUNNEL_CLOSING)
		return;
	tunnel_go(t, TUNNEL_CLOSING);
	event_base_once(t->base, -1, EV_TIMEOUT, tunnel_free_cb, t, NULL);
}

static void tunnel_early_free(const void *data, size_t len, void *extra)
{
	free((void *)data);
}

/* Whether a blocking connect() still waits for this tunnel (shim/handoff.c): then it takes the
 * file we hand over, if any. Otherwise the application's fd is a placeholder whose engine end is
 * *engine_fd (app_ino its inode): from the request, or left by a wait cut short. Decided once,
 * with the outcome. */
static bool tunnel_claim_waiter(struct eng_status *st, int *engine_fd, unsigned long *app_ino)
{
	int offered = ENG_HANDOFF_OFFERED;

	if (atomic_compare_exchange_strong(&st->handoff, &offered, ENG_HANDOFF_TAKEN))
		return true;
	if (*engine_fd < 0) {
		*engine_fd = st->engine_fd;
		*app_ino = st->app_ino;
		st->engine_fd = -1;
	}
	return false;
}

void tunnel_start(struct event_base *base, const struct config *cfg, struct eng_request *req)
{
	struct tunnel *t = calloc(1, sizeof *t);

	if (!t) {
		free(req->early_data);
		tunnel_claim_waiter(req->status, &req->engine_fd, &req->app_ino);
		if (req->engine_fd >= 0)
			close(req->engine_fd);
		atomic_store(&req->status->error, ENOMEM);
		atomic_store_explicit(&req->status->state, ENG_FAILED, memory_order_release);
		eng_status_wake(req->status);
		eng_status_put(req->status);
		return;
	}
	t->id = ++tunnel_next_id;
	t->base = base;
	t->cfg = cfg;
	t->engine_fd = req->engine_fd;
	t->app_fd = req->app_fd;
	t->app_ino = req->app_ino;
	memcpy(&t->dest, &req->dest, req->dest_len);
	t->dest_len = req->dest_len;
	memcpy(&t->from, &req->from, req->from_len);
	t->from_len = req->from_len;
	memcpy(t->host, req->host, sizeof t->host);
	memcpy(t->opts, req->opts, sizeof t->opts);
	t->n_opts = req->n_opts;
	t->status = req->status;
	t->status->tunnel = t;
	if (req->early_len && (t->early = evbuffer_new()))
		evbuffer_add_reference(t->early, req->early_data, req->early_len, tunnel_early_free, NULL);
	else
		free(req->early_data);
	clock_gettime(CLOCK_MONOTONIC, &t->started);
	tunnel_format_dest(t);
	log_debug("tunnel %u %s: new (app fd %d%s%s)", t->id, t->dest_text, t->app_fd,
		  t->host[0] ? ", host " : "", t->host);
	t->chain = chain_start(t);
	if (!t->chain)
		tunnel_failed(t, errno ? errno : ENOMEM);
}

/* Throws away the bytes the shim wrote to keep the application's end unwritable. They were all
 * written before the request was queued or the offer withdrawn, so they are all readable now. */
static int tunnel_drain_fill(struct tunnel *t)
{
	char buf[65536];
	size_t left = t->status->fill_len;

	while (left > 0) {
		ssize_t n = read(t->engine_fd, buf, left < sizeof buf ? left : sizeof buf);
		if (n <= 0)
			return -1;
		left -= (size_t)n;
	}
	return 0;
}

static void tunnel_record_local(struct tunnel *t, int fd)
{
	t->status->local_len = sizeof t->status->local;
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&t->status->local, &t->status->local_len) < 0)
		t->status->local_len = 0;
}

/* For a waiting connect() that a pump will serve: a new socketpair, whose far end the connect()
 * puts under its fd. 0, or -1. */
static int tunnel_fresh_pair(struct tunnel *t)
{
	int sv[2];
	struct stat st;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	t->engine_fd = sv[1];
	t->app_ino = fstat(sv[0], &st) == 0 ? st.st_ino : 0;
	t->status->handoff_fd = sv[0];
	return 0;
}

/* Publishes success; the application learns it from its wait, or by seeing its fd writable once
 * the fill is drained. -1 when the fill cannot be drained. */
static int tunnel_go_established(struct tunnel *t, const char *transport, int local_fd, bool waiter)
{
	tunnel_go(t, TUNNEL_ESTABLISHED);
	t->chain = NULL; /* the chain frees itself after reporting */
	snprintf(t->status->transport, sizeof t->status->transport, "%s", transport);
	tunnel_record_local(t, local_fd);
	tunnel_publish(t, ENG_ESTABLISHED, 0);
	if (waiter) {
		eng_status_wake(t->status);
		return 0;
	}
	app_end_restore_sndbuf(t);
	return tunnel_drain_fill(t);
}

/* Whether the waiting connect() can have the stream's socket itself: a plain socket with no byte
 * waiting in either direction. No byte of the connection then passes through the engine, as if
 * the application had connected through the proxy itself. */
static bool tunnel_can_hand_over(const struct tunnel *t, struct bufferevent *stream)
{
	return !t->early && pump_stream_is_socket(stream) &&
	       evbuffer_get_length(bufferevent_get_input(stream)) == 0 &&
	       evbuffer_get_length(bufferevent_get_output(stream)) == 0;
}

static void tunnel_hand_over(struct tunnel *t, struct bufferevent *stream, const char *transport)
{
	int fd = (int)bufferevent_getfd(stream);

	bufferevent_setfd(stream, -1);
	bufferevent_free(stream);
	t->status->handoff_fd = fd;
	t->status->handoff_native = 1;
	/* no local address: the application asks the socket itself (shim/sockname.c) */
	tunnel_go_established(t, transport, -1, true);
	log_debug("tunnel %u: socket handed to the application", t->id);
	tunnel_close(t);
}

void tunnel_established(struct tunnel *t, struct bufferevent *stream, const char *transport)
{
	bool waiter = tunnel_claim_waiter(t->status, &t->engine_fd, &t->app_ino);

	if (waiter && tunnel_can_hand_over(t, stream)) {
		tunnel_hand_over(t, stream, transport);
		return;
	}
	if (waiter && tunnel_fresh_pair(t) < 0) {
		dial_stream_free(stream);
		tunnel_failed(t, errno);
		return;
	}
	if (t->early)
		bufferevent_write_buffer(stream, t->early);
	if (tunnel_go_established(t, transport, (int)bufferevent_getfd(stream), waiter) < 0) {
		bufferevent_free(stream);
		tunnel_close(t);
		return;
	}
	t->pump = pump_start(t, t->engine_fd, stream);
	if (!t->pump) {
		bufferevent_free(stream);
		tunnel_close(t);
		return;
	}
	t->engine_fd = -1; /* the pump's now */
}

static void tunnel_split_close(const struct tp_split *s)
{
	close(s->up_fd);
	if (s->down_fd != s->up_fd)
		close(s->down_fd);
}

void tunnel_established_split(struct tunnel *t, struct tp_split *s, const char *transport)
{
	bool waiter = tunnel_claim_waiter(t->status, &t->engine_fd, &t->app_ino);

	if (waiter && tunnel_fresh_pair(t) < 0) {
		int err = errno;
		tunnel_split_close(s);
		tunnel_failed(t, err);
		return;
	}
	if (tunnel_go_established(t, transport, s->up_fd, waiter) == 0)
		t->pump = pump_start_split(t, t->engine_fd, s, t->early);
	if (!t->pump) {
		tunnel_split_close(s);
		app_end_reset(t, t->engine_fd); /* established, then broken: not a clean end */
		tunnel_close(t);
		return;
	}
	t->engine_fd = -1; /* the pump's now */
}

void tunnel_failed(struct tunnel *t, int err)
{
	tunnel_claim_waiter(t->status, &t->engine_fd, &t->app_ino);
	t->chain = NULL;
	tunnel_publish(t, ENG_FAILED, err);
	eng_status_wake(t->status); /* a waiting connect(), claimed now or already */
	/* Closing our end wakes the application's poll/select/epoll: its end reads as hung up. */
	tunnel_close(t);
}

/* Whether a fresh TCP socket already has opt, so that setting it would be a wasted system call
 * on every connect (the shim captures the options of every socket, set or not). Only options of
 * the TCP and socket levels, whose defaults are the same for IPv4 and IPv6; each is read once,
 * from *probe: a socket made for the purpose when first needed, which the caller closes. */
static bool tunnel_opt_is_default(const struct eng_sockopt *opt, int *probe)
{
	static struct eng_sockopt known[CAP_SOCKOPTS];
	static unsigned n_known;
	int value;
	socklen_t len = sizeof value;

	if (opt->level != IPPROTO_TCP && opt->level != SOL_SOCKET)
		return false;
	for (unsigned i = 0; i < n_known; i++)
		if (known[i].level == opt->level && known[i].name == opt->name)
			return known[i].value == opt->value;
	if (n_known == CAP_SOCKOPTS)
		return false;
	if (*probe < 0 && (*probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	if (getsockopt(*probe, opt->level, opt->name, &value, &len) < 0 || len != sizeof value)
		return false;
	known[n_known++] = (struct eng_sockopt){ opt->level, opt->name, value };
	return value == opt->value;
}

void tunnel_apply_sockopts(const struct tunnel *t, int fd)
{
	int probe = -1;

	for (unsigned i = 0; i < t->n_opts; i++) {
		const struct eng_sockopt *o = &t->opts[i];
		/* buffer sizes read back twice what was asked (the kernel's bookkeeping) */
		bool halve = o->level == SOL_SOCKET && (o->name == SO_RCVBUF || o->name == SO_SNDBUF);
		int value = halve ? o->value / 2 : o->value;
		if (!tunnel_opt_is_default(o, &probe))
			setsockopt(fd, o->level, o->name, &value, sizeof value);
	}
	if (probe >= 0)
		close(probe);
}

void tunnel_setsockopt(struct tunnel *t, const struct eng_sockopt *opt)
{
	unsigned i;

	for (i = 0; i < t->n_opts; i++)
		if (t->opts[i].level == opt->level && t->opts[i].name == opt->name)
			break;
	if (i < CAP_SOCKOPTS) {
		t->opts[i] = *opt;
		if (i == t->n_opts)
			t->n_opts++;
	}
	if (t->pump)
		pump_apply_sockopt(t->pump, opt);
}
