/* Moves bytes both ways between the application's socketpair end and an established stream,
 * with bounded buffering, half-close, and errors turned into a reset the application sees. */
#ifndef SSTPSHIM_PUMP_H
#define SSTPSHIM_PUMP_H

#include <stdbool.h>

#include "engine/engine.h"
#include "engine/transport.h"

struct bufferevent;
struct evbuffer;
struct tunnel;
struct pump;

/* Starts pumping between app_fd (taken) and stream (taken). Calls tunnel_close(t) once both
 * directions have ended or either side failed. NULL on ENOMEM (nothing taken). */
struct pump *pump_start(struct tunnel *t, int app_fd, struct bufferevent *stream);

/* Starts pumping between app_fd and a network side of two sockets, spliced (struct tp_split).
 * to_net (may be NULL) holds bytes for the network that go first; its contents are taken, as
 * are those of net->to_app. Takes app_fd and net's fds on success; NULL with errno (nothing
 * taken) when it cannot start. */
struct pump *pump_start_split(struct tunnel *t, int app_fd, const struct tp_split *net,
			      struct evbuffer *to_net);

/* Whether stream is a plain socket that bytes may go to and from directly: it has a descriptor and
 * no bufferevent beneath it. */
bool pump_stream_is_socket(struct bufferevent *stream);

/* For a stream that is our end (mine) of a bufferevent pair, the other end being the pump's:
 * makes the pump see a network error, so that the application gets a reset, not a clean end.
 * Call before freeing mine; NULL, or an end whose partner is gone, is a no-op. */
void pump_pair_reset(struct bufferevent *mine);

/* Releases both sides. NULL is a no-op. */
void pump_free(struct pump *p);

/* Applies a socket option to the stream's socket, when it is one. */
void pump_apply_sockopt(struct pump *p, const struct eng_sockopt *opt);

#endif
