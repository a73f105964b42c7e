/* One HTTP request that goes through a proxy which may ask for authentication: the GET and POST
 * sessions of the LongLived encapsulation (MS-GRVHENC 3.1.5.1.1.2, 3.1.5.2.1.3), and the
 * requests of KeepAlive and Polling (engine/proxy_series). It wraps engine/proxy_auth with what
 * every such transport does around it: the credentials for the next request, whether the retry
 * can go on the same connection, the 401/407 body to drop first, and the log line of each
 * decision (never a credential). It knows no sockets; the caller sends, reads and redials. Engine thread only. */
#ifndef SSTPSHIM_PROXY_SESSION_H
#define SSTPSHIM_PROXY_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/proxy.h"
#include "engine/proxy_auth.h"

struct evbuffer;
struct http_head;

/* Where the retry after a 401/407 goes. */
enum proxy_retry {
	PROXY_RETRY_FAIL, /* give up: EACCES (credentials missing or refused), logged */
	PROXY_RETRY_SAME, /* on this connection, once proxy_session_skip_body says the body is gone */
	PROXY_RETRY_NEW,  /* on a new connection to the proxy */
};

/* What a caller can read of a 401/407 reply to retry on the same connection. */
enum proxy_reuse {
	PROXY_REUSE_NONE,    /* nothing: the request left something unsent that the proxy waits for
			      * (a POST body it will not get) */
	PROXY_REUSE_LENGTH,  /* a body of Content-Length (proxy_session_skip_body) */
	PROXY_REUSE_CHUNKED, /* that, or a chunked one (proto/keepalive's reader) */
};

struct proxy_session {
	const struct eng_proxy *proxy; /* not owned */
	unsigned id;                   /* the tunnel's, for the log */
	const char *what;              /* "longlived GET", for the log; static */
	const char *field;             /* "Proxy-Authorization" or "Authorization" */
	size_t len;                    /* of value; 0: send no credentials */
	uint64_t body_left;            /* of the 401/407 body, before a PROXY_RETRY_SAME */
	char value[CAP_PROXY_AUTH_VALUE]; /* a credential: wiped by proxy_session_clear */
	struct proxy_auth pa;
};

/* What the connection of a request has seen before it. */
enum proxy_conn_use {
	PROXY_CONN_NEW,           /* nothing: the memo's credentials go at once, NTLM's too */
	PROXY_CONN_AUTHENTICATED, /* an NTLM handshake that the proxy accepted: no credentials */
	PROXY_CONN_ONE_REQUEST,   /* nothing, and it will carry no other (Polling): never NTLM */
};

/* Readies s for "method uri" through proxy on a connection of kind use, with the credentials of
 * the proxy's memo when it asked before (3.1.4.1.2: ProxyAuthRequired). random as for
 * proxy_auth_init. 0, or -1 with errno EACCES (logged) when the credentials cannot be
 * formatted. */
int proxy_session_init(struct proxy_session *s, const struct eng_proxy *proxy, unsigned id,
		       const char *what, const char *method, const char *uri,
		       enum proxy_conn_use use, proxy_auth_random_fn random);

/* The field and value to add to the next request, or NULL when none. */
const char *proxy_session_field(const struct proxy_session *s);

/* Whether the next request only opens an NTLM handshake (a NEGOTIATE), to which the proxy
 * answers 407: a request body would be wasted, and would keep the connection busy. */
bool proxy_session_negotiating(const struct proxy_session *s);

/* Answers the 401/407 head h (3.7.5.1.3 rules, which 3.1.5.1.1.2 and 3.1.5.2.1.3 repeat):
 * prepares the credentials of the retry and says where it goes: on the same connection only when
 * the caller can read the body to its end (reuse). On PROXY_RETRY_FAIL *why is static and
 * credential-free. */
enum proxy_retry proxy_session_challenged(struct proxy_session *s, const struct http_head *h,
					  enum proxy_reuse reuse, const char **why);

/* Drops what in holds of the 401/407 body; true once all of it is gone. */
bool proxy_session_skip_body(struct proxy_session *s, struct evbuffer *in);

/* Whether a retry may go on a new connection when the proxy closed the one it was meant for
 * (false in the middle of NTLM, which authenticates the connection). */
bool proxy_session_may_redial(const struct proxy_session *s);

/* Whether the credentials sent authenticate their connection (an NTLM AUTHENTICATE): once the
 * request went through, later ones on that connection need none (RFC 4559 4). */
bool proxy_session_binds_connection(const struct proxy_session *s);

/* The request went through: the proxy's memo learns what worked. */
void proxy_session_accepted(struct proxy_session *s);

/* Wipes the credentials; s may be reused after proxy_session_init only. NULL: no-op. */
void proxy_session_clear(struct proxy_session *s);

/* Whether the proxy keeps the connection after the reply head h, and the body it announces is
 * one a caller that reads what reuse says reads to its end: Content-Length (*body) up to
 * CAP_PROXY_AUTH_BODY, or with PROXY_REUSE_CHUNKED the chunked coding (*body 0) (RFC 7230
 * 3.3.3, 6.3; an HTTP/1.0 reply keeps it only with keep-alive). */
bool proxy_session_keeps_connection(const struct http_head *h, enum proxy_reuse reuse,
				    uint64_t *body);

#endif
