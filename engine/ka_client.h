/* The KeepAlive client's state (MS-GRVHENC 3.3.1), shared by its two files: tp_keepalive.c
 * (sessions, handshake, the transport table) and ka_flow.c (application data once established). */
#ifndef SSTPSHIM_KA_CLIENT_H
#define SSTPSHIM_KA_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/caps.h"
#include "proto/guid.h"
#include "proto/keepalive.h"

struct bufferevent;
struct evbuffer;
struct event;
struct event_base;
struct dial_nb;
struct proxy_series;
struct tp_attempt;
struct tunnel;

/* GetSessionState / PostSessionState (3.3.1.1); 'Connected' (proxy negotiation) is not a state
 * of its own: a proxy's 401/407 is answered on the way (engine/proxy_series). */
enum kac_sess_state { KAS_CLOSED, KAS_CONNECTING, KAS_ESTABLISHED };
/* ConnectionState (3.3.1.1). */
enum kac_state { KAC_CONNECTING, KAC_ESTABLISHED, KAC_CLOSED };

struct kac;

struct kac_session {
	struct kac *c;
	const char *name;           /* "GET" or "POST", for the log */
	enum kac_sess_state state;
	struct dial_nb *dial;
	struct bufferevent *bev;
	struct ka_reader reader;    /* its responses */
	bool ok;                    /* its handshake response arrived */
	bool outstanding;           /* a request is out, its response not complete */
	bool close_after;           /* the last response said the connection closes */
	struct event *receive;      /* Get/PostNetworkReceiveIO (3.3.2.2, 3.3.2.3) */
	char body[32];              /* a handshake response's body */
	size_t body_len;            /* octets of the current response's body */
	struct proxy_series *auth;  /* through a proxy: its requests' credentials; else NULL */
	bool challenged;            /* the response is a 401/407: its body is dropped, the request
				     * goes again */
	char request_id[GUID_LEN + 1]; /* of the last request, which a retry sends again */
};

struct kac {
	struct tp_attempt *a;       /* until tp_attempt_done */
	struct tunnel *tunnel;      /* lives while the pump holds the other end of the pair */
	struct event_base *base;
	unsigned id;                /* the tunnel's, for the log */
	enum kac_state state;
	struct kac_session get, post;
	struct sockaddr_storage to; /* the relay, or the proxy */
	socklen_t to_len;
	bool proxy;                 /* ProxyConnection */
	char authority[CAP_HOST_NAME + 16];
	char name[CAP_HOST_NAME + 1];
	char guid[GUID_LEN + 1];    /* VirtualConnectionGUID */
	struct bufferevent *mine;   /* our end of the pair; the pump holds the other */
	struct evbuffer *inflight;  /* the chunk of the outstanding POST, kept to resend (3.3.7.1) */
	uint64_t inflight_offset;   /* its place in the stream (X-Sstp-Offset) */
	bool inflight_end;          /* the outstanding POST is the X-Sstp-End one */
	uint64_t up, down;          /* application octets acknowledged up, received down */
	unsigned reopens;           /* POST re-opens since the last response */
	bool app_eof;               /* the application finished sending */
	bool end_acked;             /* ... and the relay acknowledged that */
	bool get_end;               /* the relay said the backend finished (EOF given to the pump) */
	struct event *watch;
};

/* tp_keepalive.c ------------------------------------------------------------------------------ */

/* Every change of ConnectionState, or of a session's state, goes through these. */
void kac_go(struct kac *c, enum kac_state to);
void kac_session_go(struct kac_session *s, enum kac_sess_state to);

/* Opens s's TCP connection (again): its requests follow once connected. -1 when it cannot. */
int kac_session_open(struct kac_session *s);

/* Frees s's connection and stops its timer; the session is 'Closed'. */
void kac_session_drop(struct kac_session *s);

/* Writes a request on s: a GET, or a POST of the inflight chunk (or the end marker). false when
 * c was closed (or, connecting, failed). */
bool kac_send_request(struct kac_session *s);

/* Starts s's NetworkReceiveIO timer. */
void kac_receive_start(struct kac_session *s);

/* The attempt failed before it was established: reports it and frees c. */
void kac_fail(struct kac *c, int err, const char *why);

/* Ends an established virtual connection (3.3.4.2) and frees c; with error the application sees
 * a reset. */
void kac_close(struct kac *c, bool error, const char *why);

/* ka_flow.c ------------------------------------------------------------------------------------ */

/* Both sessions are established: hands the pair's other end to the chain and starts the flow. */
void kac_flow_start(struct kac *c);

/* A complete response arrived on an established virtual connection's session. false when c was
 * closed. */
bool kac_flow_response(struct kac_session *s);

/* n body bytes at the start of in, of a data response on the GET session: they go to the
 * application. false when c was closed. */
bool kac_flow_body(struct kac_session *s, struct evbuffer *in, size_t n);

/* The connection of s ended (EOF or error) while established. */
void kac_flow_session_lost(struct kac_session *s, bool error);

/* Sends the next chunk when ClientOKtoSend (3.3.4.7), re-opening the POST session if needed.
 * false when c was closed. */
bool kac_flow_send(struct kac *c);

#endif
