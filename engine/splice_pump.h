/* The pump between sockets: bytes go from one to the other through a kernel pipe with splice(2),
 * without being copied into the engine. Same contract as engine/pump.h (backpressure,
 * half-close, a network error turned into a reset the application sees). The network side is one
 * socket both ways, or two sockets, one per direction (engine/transport.h, struct tp_split). */
#ifndef SSTPSHIM_SPLICE_PUMP_H
#define SSTPSHIM_SPLICE_PUMP_H

#include "engine/transport.h"

struct evbuffer;
struct tunnel;
struct splice_pump;

/* Starts moving bytes between app_fd and the network side net, all connected non-blocking stream
 * sockets. to_net and to_app (either may be NULL) hold bytes already meant for each side; their
 * contents are taken and go out before anything else, and count against the budgets of net.
 * A direction that would carry more than its budget fails the network side (the application sees
 * a reset); a direction whose source brings nothing for net->down_idle_ms does too. Calls
 * tunnel_close(t) once both directions have ended or either side failed. On success app_fd and
 * net's fds are the pump's (net->to_app is not used); NULL with errno (pipes unavailable) when it
 * cannot start, and then nothing was taken. */
struct splice_pump *splice_pump_start(struct tunnel *t, int app_fd, const struct tp_split *net,
				      struct evbuffer *to_net, struct evbuffer *to_app);

/* Closes every socket and releases everything. NULL is a no-op. */
void splice_pump_free(struct splice_pump *p);

#endif
