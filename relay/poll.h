/* The Polling encapsulation on the relay (MS-GRVHENC 3.6), between relay/polling.c (one request:
 * its body, its validation, which virtual connection it belongs to) and relay/poll_vc.c (the
 * virtual connections: backend, buffering, held requests, sequence rules, responses). */
#ifndef SSTPSHIM_RELAY_POLL_H
#define SSTPSHIM_RELAY_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/poll_msg.h"
#include "relay/relay.h"

/* One complete, well-formed request (fields and checksum already checked). */
struct relay_preq {
	struct bufferevent *bev; /* the request's connection; the response goes there */
	const struct poll_msg *msg;
	const char *data;        /* Application-Data */
	size_t len;
	bool eof;                /* POLL_EOF_FIELD: the client sends nothing after this */
	const char *peer;
};

/* Takes a request for a GUID and answers it (now, or later when it is held): a probe opens a
 * virtual connection, other requests follow the sequence rules of poll_vc.c. Takes req->bev. */
void relay_pvc_request(struct relay *r, const struct relay_preq *req);

/* A protocol error in a request naming guid: closes its virtual connection, if any. */
void relay_pvc_abort(struct relay *r, const char *guid, const char *why);

/* Writes a response without a body (400 for a probe, errors) on bev and lingers it closed. */
void relay_poll_reply_empty(struct relay *r, struct bufferevent *bev, unsigned status);

#endif
