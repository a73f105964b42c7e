/* A LongLived virtual connection on the relay, shared by relay/longlived.c (the protocol) and
 * relay/ll_splice.c (moving the bytes once established). */
#ifndef SSTPSHIM_RELAY_LL_VC_H
#define SSTPSHIM_RELAY_LL_VC_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/longlived.h"
#include "relay/relay.h"

struct relay_splice;

enum relay_vc_state {
	VC_HALF,        /* one session (or both, echo pending) known: 'Connected' */
	VC_BACKEND,     /* both sessions and the echo: connecting to the backend */
	VC_ESTABLISHED, /* GET response sent (3.2.5.1.1.1) */
};

struct relay_vc {
	struct relay *r;
	struct vc_entry link; /* in r->ll_vcs */
	char guid[CAP_GUID_MAX + 1];
	enum relay_vc_state state;
	struct bufferevent *get, *post, *backend;
	struct dial_nb *dial;
	struct event *timer; /* ConnectionEstablishment until established, then NetworkReceiveIO */
	struct ll_echo echo;
	bool echo_done;      /* echo string and its line end through: the rest is application data */
	bool ready;          /* GetSessionReady (3.2.1.1) */
	bool get_closed;     /* the client closed its GET session */
	bool post_eof, backend_shut; /* client -> backend finished, and passed on */
	bool backend_eof, get_shut;  /* backend -> client finished, and passed on */
	uint64_t get_limit, post_limit;       /* ConnectionContentLength of each session */
	uint64_t get_sent, post_received;     /* GetContentLength, PostContentLength */
	char peer[64];
	/* Once spliced (relay/ll_splice.c): the sockets the bufferevents above gave up for it. */
	struct relay_splice *up, *down;
	int get_fd, post_fd, backend_fd;
};

/* Closes the virtual connection and frees it: graceful sends what the GET session holds and
 * FINs both sessions; otherwise they are dropped. The backend connection closes either way. */
void relay_vc_close(struct relay_vc *vc, bool graceful, const char *why);

/* Both directions finished and passed on: closes vc. true when it did. */
bool relay_vc_maybe_done(struct relay_vc *vc);

/* relay/ll_splice.c: once the first application data has gone to the backend, both directions
 * move between the sockets inside the kernel. false (nothing changed) when they cannot. */
bool relay_ll_splice_start(struct relay_vc *vc);

/* Gives the sockets back to the bufferevents, with the bytes still on their way to the GET session
 * and the backend in their outputs. A vc that is not spliced is left alone. */
void relay_ll_splice_stop(struct relay_vc *vc);

/* NetworkReceiveIO while spliced (3.2.5.2.2): whether the POST session brought bytes within ms;
 * then *left is the rest of the period. */
bool relay_ll_splice_recent(struct relay_vc *vc, unsigned ms, struct timeval *left);

#endif
