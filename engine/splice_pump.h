/* The pump between two sockets: bytes go from one to the other through a kernel pipe with
 * splice(2), without being copied into the engine. Same contract as engine/pump.h (backpressure,
 * half-close, a network error turned into a reset the application sees). */
#ifndef SSTPSHIM_SPLICE_PUMP_H
#define SSTPSHIM_SPLICE_PUMP_H

struct evbuffer;
struct tunnel;
struct splice_pump;

/* Starts moving bytes between app_fd and net_fd, both connected non-blocking stream sockets.
 * to_net and to_app hold bytes already meant for each side (the transport's handshake left them
 * behind); their contents are taken and go out before anything else. Calls tunnel_close(t) once
 * both directions have ended or either side failed. On success both fds are the pump's; NULL
 * with errno (pipes unavailable) when it cannot start, and then nothing was taken. */
struct splice_pump *splice_pump_start(struct tunnel *t, int app_fd, int net_fd,
				      struct evbuffer *to_net, struct evbuffer *to_app);

/* Closes both sockets and releases everything. NULL is a no-op. */
void splice_pump_free(struct splice_pump *p);

#endif
