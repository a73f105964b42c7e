/* One direction of a relayed byte stream, moved from one socket to another through a kernel pipe
 * with splice(2): LongLived's POST session to the backend and the backend to the GET session once
 * a virtual connection is established (MS-GRVHENC 3.2.4.2, 3.2.5.2.2: raw bytes, counted against
 * the session's content length), and both directions of a --tunnel-listen connection (no budget).
 * libevent 2.1's bufferevents read at most 4 KiB per call; this moves up to a pipeful per system
 * call, and the bytes never enter the relay. */
#ifndef SSTPSHIM_RELAY_SPLICE_H
#define SSTPSHIM_RELAY_SPLICE_H

#include <stdint.h>
#include <sys/time.h>

struct event_base;
struct evbuffer;
struct relay_splice;

enum relay_splice_end {
	RELAY_SPLICE_EOF,       /* src ended and everything before went out: dst is not shut */
	RELAY_SPLICE_SRC_ERROR, /* reading src failed (errno) */
	RELAY_SPLICE_DST_ERROR, /* writing dst failed (errno) */
	RELAY_SPLICE_OVER,      /* src brought more than the budget; what fitted went out */
	RELAY_SPLICE_DST_DATA,  /* dst, which must only receive, sent bytes */
	RELAY_SPLICE_DST_EOF,   /* dst, which must only receive, sent its end (reported once) */
};

/* Called once per end (DST_EOF aside, the direction then stops), with errno as the failed call
 * left it for the errors. The owner may free s (and itself) inside it; s is not touched after it
 * returns. */
typedef void (*relay_splice_cb)(struct relay_splice *s, enum relay_splice_end how, void *arg);

/* Starts moving src to dst (connected non-blocking sockets, not owned); budget is the octets src
 * may still bring. With watch_dst, dst is also watched for reading (DST_DATA, DST_EOF). Reports
 * only from the loop. NULL with errno when it cannot start. */
struct relay_splice *relay_splice_start(struct event_base *base, int src, int dst, uint64_t budget,
					int watch_dst, relay_splice_cb cb, void *arg);

/* Takes the contents of buf, bytes for dst that go out before any from src (outside the budget). */
void relay_splice_head(struct relay_splice *s, struct evbuffer *buf);

/* Stops, moves the bytes not yet written to dst into out (may be NULL: they are dropped), and
 * releases; the sockets stay open. NULL is a no-op. */
void relay_splice_stop(struct relay_splice *s, struct evbuffer *out);

/* Octets read from src so far, and when src last brought some (the loop's cached time). */
uint64_t relay_splice_moved(const struct relay_splice *s);
struct timeval relay_splice_last(const struct relay_splice *s);

#endif
