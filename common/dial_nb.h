/* A non-blocking TCP connection opened by a libevent loop, for the engine's connections
 * (engine/dial.c) and the relay's to its backend (relay/backend.c): the outcome, a connected
 * stream or the exact errno of the failure, always comes from the loop, never from inside the
 * call that started it. */
#ifndef SSTPSHIM_DIAL_NB_H
#define SSTPSHIM_DIAL_NB_H

#include <sys/socket.h>

struct bufferevent;
struct event_base;
struct dial_nb;

/* Makes the stream for a connected socket, with the caller's buffer sizes and options. NULL on
 * failure, the socket then closed. */
typedef struct bufferevent *(*dial_nb_stream_fn)(struct event_base *base, int fd);

/* Called once: bev is the connected stream (the caller owns it) and err 0, or bev NULL and err
 * the errno of the failure. The dial has freed itself before the call. */
typedef void (*dial_nb_cb)(struct bufferevent *bev, int err, void *arg);

/* Connects fd, a new non-blocking stream socket that it takes over (closed on every failure), to
 * addr; stream makes the bufferevent once it is connected. NULL with errno when it cannot even
 * start; a connect() that fails at once is reported through cb like any other outcome. */
struct dial_nb *dial_nb_start(struct event_base *base, int fd, const struct sockaddr *addr,
			      socklen_t len, dial_nb_stream_fn stream, dial_nb_cb cb, void *arg);

/* Abandons a dial that has not reported, closing its socket. NULL is a no-op. */
void dial_nb_cancel(struct dial_nb *d);

#endif
