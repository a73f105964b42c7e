/* The fast way out of a LongLived handshake: once the echo and its line end are through, each
 * session is a plain byte stream (MS-GRVHENC 3.1.4.3), so the tunnel's pump can splice the
 * application's bytes into the POST socket and the GET socket's into the application, inside the
 * kernel, with each session's content length as the byte budget of its direction. */
#ifndef SSTPSHIM_TP_LONGLIVED_SPLIT_H
#define SSTPSHIM_TP_LONGLIVED_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

struct bufferevent;
struct ll_echo;
struct tp_attempt;

/* The two sessions of a virtual connection whose echo string has come back. */
struct tp_ll_sessions {
	struct bufferevent *get, *post;
	struct ll_echo *echo;   /* its line end may still be in the GET input */
	bool echo_done;         /* the line end is through: the rest is application data */
	uint64_t limit;         /* ConnectionContentLength of each session (3.1.1.1) */
	uint64_t post_sent, get_received; /* octets of each body so far, the echo's included */
};

/* Whether s can be handed over: both sessions are plain sockets, the POST request has gone out
 * and the echo's line end is through (consumed here, with get_received and echo_done updated,
 * when it is in the GET input). When false, s stays consistent for the buffered way. */
bool tp_ll_split_ready(struct tp_ll_sessions *s);

/* Reports a's success with both sockets (tp_attempt_done_split) and what the GET input holds for
 * the application. The bufferevents keep no socket: the caller frees them after return, and must
 * have cleared a->state first. */
void tp_ll_split(struct tp_attempt *a, struct tp_ll_sessions *s, unsigned idle_ms);

#endif
