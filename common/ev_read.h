/* Reading more of a socket than libevent 2.1 does per system call, for the engine and the relay
 * (never the shim's interposed functions, which do not use libevent). */
#ifndef SSTPSHIM_EV_READ_H
#define SSTPSHIM_EV_READ_H

#include <stddef.h>

struct bufferevent;

/* libevent 2.1 reads at most 4096 bytes per system call (EVBUFFER_MAX_READ in buffer.c), so a
 * 32768-octet KeepAlive chunk costs eight wake-ups, each passed down the line on its own. Reads
 * what else bev's socket holds right now, up to max bytes, into its input buffer, from inside
 * its read callback. An end of stream or an error is left for libevent to find on its next read.
 * bev is a socket bufferevent (bufferevent_socket_new); anything else (a pair, a filter, whose
 * descriptor is that of the stream beneath it) is left alone. */
void ev_read_more(struct bufferevent *bev, size_t max);

#endif
