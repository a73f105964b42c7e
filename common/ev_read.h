/* Reading through libevent 2.1 bufferevents where its defaults cost a wake-up per few bytes, for
 * the engine and the relay (never the shim's interposed functions, which do not use libevent). */
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

/* libevent 2.1.12 runs a read callback again, deferred, on every turn of the loop for as long as
 * it leaves bev's input at or above the high read watermark (bufferevent_inbuf_wm_check): a
 * reader that cannot take bytes yet (its one request is outstanding) spins the thread until it
 * can. Called at the end of such a callback, this stops reading bev while its input is that
 * full; ev_read_resume starts it again (never call that after an end of stream). */
void ev_read_pause_when_full(struct bufferevent *bev);

/* Enables reading bev again once its input is below half its high read watermark, so that each
 * pause lets a good share of a buffer in rather than one read (and two epoll_ctl calls) per
 * chunk taken out. Call it after taking bytes out. */
void ev_read_resume(struct bufferevent *bev);

#endif
