/* Opening a TCP connection from the engine, with the exact errno of a failure. */
#ifndef SSTPSHIM_DIAL_H
#define SSTPSHIM_DIAL_H

#include <sys/socket.h>

#include "common/dial_nb.h"

struct bufferevent;
struct event_base;
struct tunnel;

/* Connects to addr for tunnel t (its socket options applied). Reports through cb, always from a
 * callback; dial_nb_cancel() abandons it. NULL with errno when it cannot even start. */
struct dial_nb *dial_start(struct tunnel *t, const struct sockaddr *addr, socklen_t len,
			   dial_nb_cb cb, void *arg);

/* dial_start for connections that outlive their tunnel's attempt (Polling opens one per
 * request): no tunnel, no application socket options, but the tunnel's local address (its
 * from and from_len, copied). */
struct dial_nb *dial_start_from(struct event_base *base, const struct sockaddr_storage *from,
				socklen_t from_len, const struct sockaddr *addr, socklen_t len,
				dial_nb_cb cb, void *arg);

/* Makes a bufferevent for a connected socket, tuned for bulk transfer; NULL on failure (the fd
 * is then closed). */
struct bufferevent *dial_stream(struct event_base *base, int fd);

/* Frees a stream of dial_stream() and closes its socket now. Inside one of the stream's own
 * callbacks, bufferevent_free() alone only drops a reference and the socket stays open until
 * the callback returns: after the chain may have told the application that its connect()
 * failed. NULL is a no-op. */
void dial_stream_free(struct bufferevent *bev);


struct tp_attempt;

/* A whole transport attempt that is just a TCP connection to addr: a->state holds the dial and
 * tp_attempt_done() reports its outcome. For the `start` slot of plain-TCP transports. */
int dial_attempt_start(struct tp_attempt *a, const struct sockaddr *addr, socklen_t len);

/* The matching `abort` slot. */
void dial_attempt_abort(struct tp_attempt *a);

#endif
