/* The `polling` transport's virtual connection (MS-GRVHENC 3.5), shared by engine/tp_polling.c
 * (the transport table, the probe, handing the stream to the chain), engine/poll_client.c
 * (requests and responses once the application has its stream) and engine/poll_auth.c (a
 * proxy's 401/407 to any of its requests). */
#ifndef SSTPSHIM_POLL_CLIENT_H
#define SSTPSHIM_POLL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/caps.h"
#include "engine/poll_xchg.h"
#include "proto/guid.h"
#include "proto/poll_schedule.h"

struct event_base;
struct event;
struct bufferevent;
struct tp_attempt;
struct evbuffer;
struct eng_proxy;
struct proxy_series;

/* ConnectionState and PostSessionState folded into one (3.5.1.1). */
enum pc_state {
	PC_PROBING,     /* the probe is out (PostSessionState 'Probing') */
	PC_FIRST,       /* probed; the application has its stream; waiting for its first data */
	PC_CONNECTING,  /* the last handshake request, seq 0, is out */
	PC_ESTABLISHED,
	PC_CLOSED,
};

struct poll_client {
	struct tp_attempt *a; /* until the probe is answered */
	struct event_base *base;
	unsigned id;          /* the tunnel's, for the log */
	enum pc_state state;
	struct sockaddr_storage to; /* the relay, or the proxy (ProxyConnection) */
	socklen_t to_len;
	struct sockaddr_storage from; /* the tunnel's local address (struct tunnel) */
	socklen_t from_len;
	bool via_proxy;
	char authority[CAP_HOST_NAME + 16]; /* the relay's "host[:port]": Host, absolute URI */
	char name[CAP_HOST_NAME + 1];       /* Relay-Server-Name (2.2.1.1.2) */
	char guid[GUID_LEN + 1];            /* VirtualConnectionGUID */
	struct poll_xchg *x;  /* the outstanding request: ClientOKtoSend is false while set */
	bool x_carried;       /* it carries data or our end of data: never abandoned */
	bool x_eof;           /* it carries our end of data */
	uint64_t seq;         /* RequestSequenceNum of the last request sent */
	bool holding;         /* the relay holds polls (Min-Poll-Interval 0): resends are allowed */
	bool more;            /* the last response was full: poll again at once */
	struct poll_schedule sched;
	struct event *timer;  /* the Polling Encapsulation Timer (3.5.2.3), or the first-data wait */
	struct event *watch;
	struct bufferevent *mine; /* our end of the pair; the pump holds the other */
	bool app_eof, eof_sent;   /* application -> relay finished, and the relay has been told */
	bool relay_eof;           /* relay -> application finished */
	uint64_t up, down, requests;
	struct proxy_series *auth; /* through a proxy: the requests' credentials; else NULL */
	struct evbuffer *sent;     /* with auth: the data of the request out, for its retry */
};


/* Every state change (STYLE). */
void pc_go(struct poll_client *c, enum pc_state to);

/* Writes request `seq` with len bytes of data (and our end of data when eof), with the proxy
 * credentials the memo calls for, and sends it on a new connection; cb gets the response. 0, or
 * -1 with errno (EACCES: the credentials cannot be formatted, logged). */
int pc_send(struct poll_client *c, uint64_t seq, const void *data, size_t len, bool eof,
	    poll_xchg_cb cb);

/* The probe was answered: c now runs on its own with the application's stream `mine` (the
 * other end goes to the chain). Sends the handshake request when the first data comes. 0, or -1
 * (out of memory; c is still the caller's to free). */
int pc_run(struct poll_client *c, struct bufferevent *mine);

/* Frees c and everything it holds. */
void pc_free(struct poll_client *c);

/* engine/poll_auth.c ------------------------------------------------------------------------- */

/* Readies c's requests to go through proxy, which may ask for credentials. 0, or -1 (out of
 * memory; pc_auth_free frees what was made). */
int pc_auth_start(struct poll_client *c, const struct eng_proxy *proxy);

/* Frees what pc_auth_start made, wiping the credentials. */
void pc_auth_free(struct poll_client *c);

/* Keeps the len bytes of data of the request about to go, for its retry (with auth only). 0, or
 * -1 (out of memory). */
int pc_auth_keep(struct poll_client *c, const void *data, size_t len);

/* What a response was to the proxy authentication. */
enum pc_auth_rc {
	PC_AUTH_PASSED, /* not a challenge: the caller goes on with it */
	PC_AUTH_AGAIN,  /* a 401/407: request c->seq went again, with credentials, to cb */
	PC_AUTH_FAIL,   /* a 401/407 that cannot be answered: *why (static, logged) */
};

/* Looks at the reply to request c->seq (3.5.5.1.3). */
enum pc_auth_rc pc_auth_reply(struct poll_client *c, const struct poll_reply *reply,
			      poll_xchg_cb cb, const char **why);

#endif
