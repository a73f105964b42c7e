/* For the transport tests that drive the engine in the test thread against a scripted peer: a
 * tunnel to 127.0.0.1:2492 started as the shim starts one, and its end. The transports and the
 * peer's address come from the environment the caller sets (SSTPSHIM_TRANSPORTS,
 * SSTPSHIM_HTTP_PORT, http_proxy) before rig_tunnel_start. */
#ifndef SSTPSHIM_TESTS_ENGINE_RIG_H
#define SSTPSHIM_TESTS_ENGINE_RIG_H

#include <check.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/config.h"
#include "engine/engine.h"
#include "engine/tunnel.h"

/* Starts the tunnel on base with cfg (loaded by the caller); returns the application's end, *st the
 * status it reports on (one reference is the caller's). */
static inline int rig_tunnel_start(struct event_base *base, struct config *cfg,
				   struct eng_status **st)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(2492) };
	struct eng_request req;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	memset(&req, 0, sizeof req);
	req.engine_fd = sv[1];
	req.app_fd = sv[0];
	memcpy(&req.dest, &a, sizeof a);
	req.dest_len = sizeof a;
	*st = eng_status_new();
	atomic_fetch_add(&(*st)->refs, 1);
	req.status = *st;
	tunnel_start(base, cfg, &req);
	return sv[0];
}

/* Runs the loop until the tunnel is established or failed. */
static inline void rig_tunnel_wait(struct event_base *base, struct eng_status *st)
{
	while (atomic_load(&st->state) == ENG_CONNECTING)
		event_base_loop(base, EVLOOP_ONCE);
}

/* The application's end app closed: runs the loop until the tunnel is gone, then frees st's
 * reference and base. */
static inline void rig_tunnel_end(struct event_base *base, int app, struct eng_status *st)
{
	close(app);
	while (st->tunnel)
		event_base_loop(base, EVLOOP_ONCE);
	eng_status_put(st);
	event_base_free(base);
}

#endif
