/* Moves bytes both ways between the application's socketpair end and an established stream,
 * with bounded buffering, half-close, and errors turned into a reset the application sees. */
#ifndef SSTPSHIM_PUMP_H
#define SSTPSHIM_PUMP_H

#include "engine/engine.h"

struct bufferevent;
struct tunnel;
struct pump;

/* Starts pumping between app_fd (taken) and stream (taken). Calls tunnel_close(t) once both
 * directions have ended or either side failed. NULL on ENOMEM (nothing taken). */
struct pump *pump_start(struct tunnel *t, int app_fd, struct bufferevent *stream);

/* Releases both sides. NULL is a no-op. */
void pump_free(struct pump *p);

/* Applies a socket option to the stream's socket, when it is one. */
void pump_apply_sockopt(struct pump *p, const struct eng_sockopt *opt);

#endif
