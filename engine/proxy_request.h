/* One HTTP request of a handshake on its own connection, to an HTTP proxy or straight to the
 * server: sends it, reads the reply head, and answers a proxy's 401/407 through
 * engine/proxy_session (MS-GRVHENC 3.1.5.1.1.2, 3.1.5.2.1.3) -- the retry on the same connection
 * once the 401/407 body is dropped, or on a new one the caller dials. The LongLived GET and POST
 * each have one (KeepAlive and Polling, which write and read their requests themselves, use
 * engine/proxy_series). The caller owns the connection, its callbacks and its dial; this only
 * reads its input and writes to it. Engine thread only. */
#ifndef SSTPSHIM_PROXY_REQUEST_H
#define SSTPSHIM_PROXY_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/proxy_session.h"
#include "proto/http_msg.h"

struct bufferevent;

/* Writes the whole request into buf (cap bytes), *len its length: with s's credentials when s is
 * not NULL and proxy_session_field(s) is, and without its body when no_body (an NTLM NEGOTIATE,
 * answered 407 by the proxy). 0, or -1. */
typedef int (*proxy_request_write_fn)(void *arg, const struct proxy_session *s, bool no_body,
				      char *buf, size_t cap, size_t *len);

struct proxy_request {
	struct bufferevent *bev;     /* the current connection; the caller's */
	struct proxy_session *ps;    /* NULL when not through a proxy */
	proxy_request_write_fn write;
	void *arg;
	bool has_body;     /* a body follows the head (a POST): its connection takes no retry */
	bool bodiless;     /* the last request went without it */
	bool skipping;     /* dropping a 401/407 body before the retry */
	unsigned sent;     /* requests on the current connection */
	struct http_parser parser;
};

/* What proxy_request_read found. */
enum proxy_request_rc {
	PROXY_REQUEST_HEAD,   /* a reply head other than 401/407 is complete in r->parser */
	PROXY_REQUEST_AGAIN,  /* more input is needed */
	PROXY_REQUEST_REDIAL, /* the retry goes on a new connection: free it, dial, attach, send */
	PROXY_REQUEST_FAIL,   /* *err and *why (static, credential-free) say why; logged */
};

/* A request "method uri" through proxy (NULL: straight to the server; then 401/407 is a head
 * like any other). what names it in the log ("longlived GET"); static. NULL with errno on
 * failure (EACCES when the remembered credentials cannot be formatted, logged). */
struct proxy_request *proxy_request_new(const struct eng_proxy *proxy, unsigned id,
					const char *what, const char *method, const char *uri,
					bool has_body, proxy_request_write_fn write, void *arg);

/* Wipes the credentials and frees r. NULL: no-op. */
void proxy_request_free(struct proxy_request *r);

/* A new connection for r: the next request goes on it. */
void proxy_request_attach(struct proxy_request *r, struct bufferevent *bev);

/* Writes the request to r->bev with the credentials prepared, if any; readies the parser. 0, or
 * -1 with errno. */
int proxy_request_send(struct proxy_request *r);

/* Reads r->bev's input: the reply head, answering 401/407 replies on this connection as they
 * come. Input after a PROXY_REQUEST_HEAD head is left in the buffer. */
enum proxy_request_rc proxy_request_read(struct proxy_request *r, int *err, const char **why);

/* The connection closed: whether r was waiting for a retry whose connection the proxy did not
 * keep after all, and may redial (false in the middle of NTLM). Bounded: each 401/407 counts
 * towards CAP_PROXY_AUTH_ROUNDS. */
bool proxy_request_may_redial(const struct proxy_request *r);

/* The request went through: the proxy's memo learns what it took (3.1.4.1.2). */
void proxy_request_accepted(struct proxy_request *r);

#endif
