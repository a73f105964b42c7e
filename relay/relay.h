/* sstp-relay: terminates the HTTP encapsulations of MS-GRVHENC (LongLived, section 3.2) and the
 * raw tunnels of direct443/CONNECT, and carries each virtual connection to one configured
 * backend. Never connects anywhere else: it is not an open proxy. One libevent thread. */
#ifndef SSTPSHIM_RELAY_H
#define SSTPSHIM_RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/caps.h"
#include "common/dial_nb.h"
#include "common/log.h"
#include "relay/vc_table.h"

#define RELAY_VERSION "1.0"
/* The Server field of our responses (2.2.1.3.2: product "/" major "." minor). */
#define RELAY_SERVER "sstp-relay/" RELAY_VERSION

struct event_base;
struct bufferevent;
struct evbuffer;
struct evconnlistener;
struct relay_vc;
struct relay_ka;

struct relay_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[CAP_HOST_NAME + 8];
};

struct relay_opts {
	struct relay_addr listen[CAP_RELAY_LISTENERS];   /* LongLived (HTTP) listeners */
	unsigned n_listen;
	struct relay_addr tunnel[CAP_RELAY_LISTENERS];   /* raw byte listeners */
	unsigned n_tunnel;
	struct relay_addr backend;
	const char *name;           /* --name: the only Relay-Server-Name served, or NULL */
	unsigned max_connections;   /* client TCP connections open at once */
	unsigned establish_ms;      /* ConnectionEstablishment timer (3.2.2.1), 0 = off */
	unsigned receive_ms;        /* NetworkReceiveIO timer (3.2.2.2), 0 = off */
	unsigned header_ms;         /* a request head must arrive within this (slowloris) */
	enum log_level log_level;
	const char *log_file;
	/* Polling (3.6): --poll-hold, how long a poll with nothing to return waits for backend
	 * data (0 = answer at once, as the spec does); --poll-expire, how long a virtual
	 * connection lives without a request. */
	unsigned poll_hold_ms;
	unsigned poll_expire_ms;
};

struct relay {
	struct event_base *base;
	struct relay_opts opts;
	struct evconnlistener *listeners[2 * CAP_RELAY_LISTENERS];
	unsigned n_listeners;
	bool paused;                /* listeners disabled (relay/capacity.c says when) */
	bool starved;               /* accept() found no descriptor: paused for a moment */
	struct event *starved_timer;
	unsigned long closed_since_trim; /* relay/capacity.c: when to give memory back */
	struct event *trim_ev;
	bool draining;              /* SIGTERM: no new connections; exit once all are gone */
	unsigned n_clients;         /* client connections open (sessions, VCs' GET/POST, tunnels) */
	unsigned n_vcs;
	struct vc_table ll_vcs;     /* VirtualConnectionGUIDList (3.2.1.1) */
	struct vc_table ka_vcs;     /* the same for KeepAlive (3.4.1.1) */
	struct vc_table poll_vcs;   /* the same for Polling (3.6.1.1) */
	unsigned n_pvcs;
};

/* relay/capacity.c ------------------------------------------------------------------------- */

/* A client connection was opened or closed: counts it, pauses or resumes accepting at
 * --max-connections, and ends the loop when draining and the last one is gone. */
void relay_client_opened(struct relay *r);
void relay_client_closed(struct relay *r);

/* A listener's accept() failed (errno): without a descriptor or memory, accepting pauses until a
 * connection closes or a second passes, with one log line. arg is the relay. */
void relay_accept_failed(struct evconnlistener *l, void *arg);

/* The timers of relay/capacity.c, made at start-up; 0, or -1 (out of memory). */
int relay_capacity_init(struct relay *r);
void relay_capacity_free(struct relay *r);

/* Raises the soft descriptor limit so that max_connections connections fit, as far as the hard
 * limit allows, and says so once when they cannot. */
void relay_fd_limit_raise(unsigned max_connections);

/* relay/listen.c ---------------------------------------------------------------------------- */

/* Parses "ADDR:PORT" (ADDR alone gets default_port; port 0 only when allow_zero) and resolves
 * it numerically or by name. 0, or -1 with a message on stderr. */
int relay_addr_parse(const char *text, uint16_t default_port, bool allow_zero,
		     struct relay_addr *out);

/* Opens every listener and prints "listening on ADDR:PORT" on stdout for each. 0, or -1 (logged). */
int relay_listen_all(struct relay *r);

/* Closes the listeners (SIGTERM). */
void relay_listen_close(struct relay *r);


/* Sets bulk-transfer read/write sizes on a stream. */
void relay_stream_tune(struct bufferevent *bev);

/* Sends len bytes of first, then n octets taken from rest (either may be NULL when its length is
 * 0), on bev: written to the socket at once when nothing is queued before them, the rest queued.
 * One request, one response: waiting a loop turn for writability, and registering for it, would
 * cost every exchange two more system calls and a wake-up. */
void relay_send_now(struct bufferevent *bev, const void *first, size_t len, struct evbuffer *rest,
		    size_t n);

/* Bytes a backend's read callback reads past libevent's 4 KiB (ev_read_more) when its input
 * holds have: CAP_READ_MORE, never past CAP_RELAY_BUFFER. */
static inline size_t relay_backend_read_max(size_t have)
{
	size_t room = have < CAP_RELAY_BUFFER ? CAP_RELAY_BUFFER - have : 0;

	return room < CAP_READ_MORE ? room : CAP_READ_MORE;
}

/* Frees a client stream now and counts it closed. NULL is a no-op. */
void relay_client_free(struct relay *r, struct bufferevent *bev);

/* Sends what bev still holds, then closes it (a graceful TCP disconnect, 3.2.4.1), bounded in
 * time; the stream is then owned by this function. Counts it closed when it is. */
void relay_client_linger(struct relay *r, struct bufferevent *bev);

/* relay/session.c: reading a request head ----------------------------------------------------- */

/* Takes an accepted HTTP connection: reads its request head within header_ms, validates it and
 * hands it to the LongLived code, or answers an error and closes it. */
void relay_session_start(struct relay *r, int fd, const char *peer);

/* Takes a kept-alive connection whose last request was answered: reads its next request head as
 * relay_session_start does (bytes already in its input first); one that stays idle closes
 * silently. */
void relay_session_continue(struct relay *r, struct bufferevent *bev, const char *peer);

/* Writes an error response (2.2.1.4 status) on bev and lingers it closed. */
void relay_reply_error(struct relay *r, struct bufferevent *bev, unsigned status);

/* relay/longlived.c: virtual connections (3.2) -------------------------------------------------- */

struct ll_info;

/* A validated LongLived request arrived on bev (its input holds what followed the head). Takes
 * bev: pairs it with the other half of its GUID, or waits for it. */
void relay_ll_request(struct relay *r, struct bufferevent *bev, const struct ll_info *info,
		      const char *peer);

/* A version mismatch or protocol error named guid: closes its virtual connection, if any. */
void relay_ll_abort_guid(struct relay *r, const char *guid);

/* SIGTERM: closes the virtual connections still waiting for their other half. */
void relay_ll_drain(struct relay *r);

/* Relay-Server-Name against --name (3.2.5.1.1 step 4, 3.4.5.1.1 step 4): true when it matches;
 * otherwise logs the refusal of peer's kind ("GET", "POST") of request, answers 400 on bev (taken)
 * and returns false. */
bool relay_name_accept(struct relay *r, struct bufferevent *bev, const char *peer, const char *kind,
		       const char *name);

/* relay/keepalive.c: KeepAlive virtual connections (3.4) ---------------------------------------- */

struct ka_info;

/* A validated KeepAlive request arrived on bev (its input holds what followed the head). Takes
 * bev: answers the request, then hands the connection back to relay_session_continue. */
void relay_ka_request(struct relay *r, struct bufferevent *bev, const struct ka_info *info,
		      const char *peer);

/* A version mismatch or protocol error named guid: closes its virtual connection, if any. */
void relay_ka_abort_guid(struct relay *r, const char *guid);

/* SIGTERM: closes the virtual connections not established yet. */
void relay_ka_drain(struct relay *r);

/* relay/polling.c, relay/poll_vc.c: Polling virtual connections (3.6) ---------------------- */

struct http_head;

/* A Polling request head (proto/poll_http.h poll_request_is_polling) arrived on bev (its input
 * holds what followed the head). Takes bev: reads the body, answers it. */
void relay_poll_request(struct relay *r, struct bufferevent *bev, const struct http_head *h,
			const char *peer);

/* SIGTERM: answers the held polls now and closes the virtual connections not established. */
void relay_poll_drain(struct relay *r);

/* relay/backend.c ---------------------------------------------------------------------------- */

/* Starts a connection to the configured backend. Returns a handle for dial_nb_cancel, or NULL
 * with errno when it cannot start. The callback always comes from the loop. */
struct dial_nb *relay_backend_connect(struct relay *r, dial_nb_cb cb, void *arg);

/* relay/tunnel.c: --tunnel-listen, raw bytes to the backend --------------------------------- */

void relay_tunnel_start(struct relay *r, int fd, const char *peer);

#endif
