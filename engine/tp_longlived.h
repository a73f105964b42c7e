/* The state of one `longlived` attempt and then of its virtual connection, shared by the
 * transport's two halves: engine/tp_longlived.c, the handshake (MS-GRVHENC 3.1.4.1, 3.1.5.2.1),
 * and engine/tp_longlived_pair.c, the established virtual connection when its sessions are not
 * handed to the splice pump (engine/tp_longlived_split.c): data both ways through a bufferevent
 * pair (3.1.4.3, 3.1.5.2.2). */
#ifndef SSTPSHIM_TP_LONGLIVED_H
#define SSTPSHIM_TP_LONGLIVED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/caps.h"
#include "proto/guid.h"
#include "proto/longlived.h"

struct bufferevent;
struct dial_nb;
struct eng_proxy;
struct event;
struct event_base;
struct proxy_request;
struct tp_attempt;

/* NetworkReceiveIO on the GET session (3.1.2.2). */
#define TP_LL_RECEIVE_MS (5u * 60u * 1000u)

enum tp_ll_state { TP_LL_CONNECTING, TP_LL_ESTABLISHED, TP_LL_CLOSED };

struct tp_ll {
	struct tp_attempt *a; /* until tp_attempt_done */
	struct event_base *base;
	unsigned id;          /* the tunnel's, for the log */
	enum tp_ll_state state;
	struct dial_nb *get_dial, *post_dial;
	struct bufferevent *get, *post;
	struct proxy_request *rq[2]; /* [enum ll_kind]: each session's request, until established */
	struct ll_echo echo;
	bool echo_done;
	struct bufferevent *mine; /* our end of the pair; the pump holds the other */
	bool post_closed;         /* the relay closed the POST session during the handshake */
	bool app_eof, post_shut;  /* application -> relay finished, and passed on */
	bool get_eof;             /* relay -> application finished (EOF given to the pump) */
	uint64_t limit, post_sent, get_received; /* 3.1.1.1 Connection*ContentLength */
	struct event *receive;    /* NetworkReceiveIO */
	struct event *watch;
	/* the handshake's requests, as sent again after a 401/407 (same GUID and Request ID, so
	 * that a Digest answer's uri is the request's) */
	const struct eng_proxy *proxy;
	struct sockaddr_storage to; /* the relay's or proxy's address */
	socklen_t to_len;
	struct ll_request req[2];        /* [enum ll_kind] */
	char authority[CAP_HOST_NAME + 16], name[CAP_HOST_NAME + 1], guid[GUID_LEN + 1];
	char request_id[2][GUID_LEN + 1], uri[2][CAP_LL_URI];
};

/* Every state change goes through here (STYLE). */
void tp_ll_go(struct tp_ll *c, enum tp_ll_state to);

/* Frees c and everything it holds. */
void tp_ll_free(struct tp_ll *c);

/* The attempt failed before it was established: reports err and why, and frees c. */
void tp_ll_fail(struct tp_ll *c, int err, const char *why);

/* engine/tp_longlived_pair.c: the echo came back and the sessions stay here: reports success with
 * the other end of a new bufferevent pair and moves the data between the pair and the sessions
 * from now on, whatever already followed the echo first. c is then the pair's, until the virtual
 * connection closes; on failure it is freed with the attempt. */
void tp_ll_pair_start(struct tp_ll *c);

#endif
