/* The engine's side of a tunnel for the unit tests that drive engine/ in the test thread: the
 * request and status a tunnel starts from, a tunnel started as the shim starts one, an
 * established tunnel for the pump alone, and waiting for the engine to decide or to let a tunnel
 * go. */
#ifndef SSTPSHIM_UNIT_ENGINE_H
#define SSTPSHIM_UNIT_ENGINE_H

#include <check.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "engine/engine.h"
#include "engine/tunnel.h"

/* A request whose engine end is one end of a new socketpair, the other being the application's
 * (*app); *st is its status, with a reference of the test's own besides the engine's. */
static inline void unit_request_init(struct eng_request *req, int *app, struct eng_status **st)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	memset(req, 0, sizeof *req);
	*app = sv[0];
	req->engine_fd = sv[1];
	req->app_fd = sv[0];
	*st = eng_status_new();
	atomic_fetch_add(&(*st)->refs, 1);
	req->status = *st;
}

/* Starts a tunnel to 127.0.0.1:2492 on base with cfg, as the shim starts one; the transports and
 * the peer's address come from cfg (the caller loads it after setting SSTPSHIM_TRANSPORTS,
 * SSTPSHIM_HTTP_PORT, http_proxy). The application's end; *st as unit_request_init. */
static inline int unit_tunnel_start(struct event_base *base, const struct config *cfg,
				    struct eng_status **st)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(2492) };
	struct eng_request req;
	int app;

	unit_request_init(&req, &app, st);
	memcpy(&req.dest, &a, sizeof a);
	req.dest_len = sizeof a;
	tunnel_start(base, cfg, &req);
	return app;
}

/* A tunnel for the application's end app as tunnel_established() leaves it, for a pump to
 * close; *st is its status, with a reference of the test's own. */
static inline struct tunnel *unit_tunnel_established(struct event_base *base, int app,
						     struct eng_status **st)
{
	struct tunnel *t = calloc(1, sizeof *t);
	struct stat sb;

	ck_assert_ptr_nonnull(t);
	t->base = base;
	t->state = TUNNEL_ESTABLISHED;
	t->engine_fd = -1;
	t->app_fd = app;
	ck_assert_int_eq(fstat(app, &sb), 0);
	t->app_ino = sb.st_ino;
	*st = eng_status_new();
	atomic_fetch_add(&(*st)->refs, 1); /* the tunnel's */
	t->status = *st;
	(*st)->tunnel = t;
	return t;
}

/* Runs the loop until the engine has decided the tunnel of st (ESTABLISHED or FAILED). */
static inline void unit_wait_decided(struct event_base *base, struct eng_status *st)
{
	while (atomic_load(&st->state) == ENG_CONNECTING)
		event_base_loop(base, EVLOOP_ONCE);
}

/* Runs the loop until the engine has freed the tunnel of st (the sanitizer build then reports
 * anything it failed to release), and drops the test's reference. */
static inline void unit_tunnel_release(struct event_base *base, struct eng_status *st)
{
	while (st->tunnel)
		event_base_loop(base, EVLOOP_ONCE);
	eng_status_put(st);
}

/* Closes the application's end app, runs the loop until the tunnel is gone (as
 * unit_tunnel_release), and frees base. */
static inline void unit_tunnel_end(struct event_base *base, int app, struct eng_status *st)
{
	close(app);
	unit_tunnel_release(base, st);
	event_base_free(base);
}

#endif
