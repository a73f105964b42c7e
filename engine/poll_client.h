/* The `polling` transport's virtual connection (MS-GRVHENC 3.5), shared by engine/tp_polling.c
 * (the transport table, the probe, handing the stream to the chain) and engine/poll_client.c
 * (requests and responses once the application has its stream). */
#ifndef SSTPSHIM_POLL_CLIENT_H
#define SSTPSHIM_POLL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/caps.h"
#include "proto/guid.h"
#include "proto/poll_schedule.h"

struct event_base;
struct event;
struct bufferevent;
struct tp_attempt;
struct poll_xchg;
struct poll_reply;

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
};

/* Every state change (STYLE). */
void pc_go(struct poll_client *c, enum pc_state to);

/* Writes request `seq` with len bytes of data (and our end of data when eof) and sends it on a
 * new connection; cb gets the response. 0, or -1 with errno. */
int pc_send(struct poll_client *c, uint64_t seq, const void *data, size_t len, bool eof,
	    void (*cb)(const struct poll_reply *, int, const char *, void *));

/* The probe was answered: c now runs on its own with the application's stream `mine` (the
 * other end goes to the chain). Sends the handshake request when the first data comes. 0, or -1
 * (out of memory; c is still the caller's to free). */
int pc_run(struct poll_client *c, struct bufferevent *mine);

/* Frees c and everything it holds. */
void pc_free(struct poll_client *c);

#endif
