/* A transport is a table of functions (one instance per engine/tp_*.c), tried in turn by the
 * chain runner (engine/chain.c) until one establishes the tunnel. */
#ifndef SSTPSHIM_TRANSPORT_H
#define SSTPSHIM_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

struct bufferevent;
struct evbuffer;
struct tunnel;
struct tp_attempt;

struct transport {
	const char *name;
	/* How long one attempt may take before the chain moves on, in ms (SSTPSHIM_TRANSPORT_TIMEOUT
	 * overrides it). */
	unsigned timeout_ms;
	/* Whether this transport can be tried for t with the current settings; when it cannot,
	 * sets *why to a static text for the log. Does not allocate. */
	bool (*usable)(const struct tunnel *t, const char **why);
	/* Starts attempt a (a->tunnel says where to go). Later, from a callback and never from inside
	 * start, calls tp_attempt_done() exactly once. Returns 0, or -1 with errno when it cannot
	 * start (then done is not called). Everything it allocates hangs off a->state. */
	int (*start)(struct tp_attempt *a);
	/* Stops an attempt that has not called done (timeout, tunnel gone) and frees a->state.
	 * Called at most once, never after done. */
	void (*abort)(struct tp_attempt *a);
};

/* One try of one transport for one tunnel; owned by the chain. */
struct tp_attempt {
	const struct transport *tp;
	struct tunnel *tunnel;
	void *state; /* the transport's own */
};

/* Reports the end of an attempt. On success, stream carries the application's byte stream and
 * ownership of it passes to the tunnel (err is 0); bytes already in its input buffer belong to
 * the application. A stream with a descriptor and no bufferevent beneath it is taken for a plain
 * socket: the pump then moves bytes through that descriptor directly (engine/pump.c,
 * pump_stream_is_socket), so a transport that transforms bytes hands over a filter or a pair end.
 * On failure stream is NULL and err is the errno that describes it; why, when not NULL, is a
 * static text for the log. The transport must have freed a->state first. */
void tp_attempt_done(struct tp_attempt *a, struct bufferevent *stream, int err, const char *why);

/* A stream made of two sockets that carry the application's bytes unchanged, one per direction
 * (LongLived's POST and GET sessions once the handshake is through, MS-GRVHENC 3.1.4.3), each
 * with the octets it may still carry (its content length). */
struct tp_split {
	int up_fd;                 /* application -> network */
	int down_fd;               /* network -> application; may be up_fd */
	struct evbuffer *to_app;   /* bytes received before the handover, or NULL */
	uint64_t up_budget, down_budget; /* TP_SPLIT_UNLIMITED when there is no such limit */
	unsigned down_idle_ms;     /* fail when down_fd brings nothing for this long; 0 = never */
};
#define TP_SPLIT_UNLIMITED UINT64_MAX

/* Reports success with a stream of two sockets: the tunnel takes both fds (also when it then
 * fails), and the contents of s->to_app, which stays the caller's. Same rules as
 * tp_attempt_done() otherwise: a->state freed first; the caller may free what it still holds
 * after return. */
void tp_attempt_done_split(struct tp_attempt *a, struct tp_split *s);

/* Defaults for the table slots that a transport does not need. */
bool tp_usable_always(const struct tunnel *t, const char **why);

/* For transports that connect to the destination's address themselves: not for a placeholder
 * address that stands for a name only a proxy can resolve (SSTPSHIM_REMOTE_DNS). */
bool tp_usable_if_routable(const struct tunnel *t, const char **why);

/* The transports that exist, in the default fallback order; NULL-terminated. */
extern const struct transport *const tp_all[];

/* The transport called name, or NULL. */
const struct transport *tp_find(const char *name);

#endif
