/* Proxy authentication for a transport that sends request after request through an HTTP proxy
 * and writes and reads them itself: the GET and POST sessions of KeepAlive (MS-GRVHENC
 * 3.3.5.1.3, 3.3.5.2.3) and the requests of Polling (3.5.5.1.3). Every request starts with the
 * credentials the proxy's memo calls for (3.3.4.7.2, 3.3.5.3.2, 3.5.4.3.2: "If the
 * ProxyAuthRequired is set, the client MUST add additional proxy authentication headers"), so
 * that once the proxy has asked no request waits for a 401/407; one that comes anyway (a Digest
 * nonce gone stale) makes the same request go again with the answer, on the connection
 * engine/proxy_session says. NTLM authenticates a connection (RFC 4559 4): on KeepAlive's
 * kept-alive sessions the requests after its handshake go without credentials; Polling, one
 * request per connection, never uses it. Engine thread only. */
#ifndef SSTPSHIM_PROXY_SERIES_H
#define SSTPSHIM_PROXY_SERIES_H

#include <stdbool.h>

#include "common/caps.h"
#include "engine/proxy_session.h"

struct http_head;

struct proxy_series {
	struct proxy_session ps;       /* the current request's */
	const struct eng_proxy *proxy; /* not owned */
	unsigned id;                   /* the tunnel's, for the log */
	const char *what;              /* "keepalive GET", for the log; static */
	bool one_request;              /* every request on a connection of its own (Polling) */
	bool again;                    /* the current request goes again, with ps's answer */
	bool resent;                   /* ... and went: its reply has not come yet */
	bool authenticated;            /* NTLM authenticated the current connection */
	char uri[CAP_LL_URI];          /* the current request's target, which Digest signs */
};

/* A series of requests through proxy; what names them in the log. NULL when out of memory. */
struct proxy_series *proxy_series_new(const struct eng_proxy *proxy, unsigned id, const char *what,
				      bool one_request);

/* Wipes the credentials and frees p. NULL: no-op. */
void proxy_series_free(struct proxy_series *p);

/* Readies the credentials of a new request "method uri" (method static, uri copied), unless
 * p->again: then the last request goes again, with those its 401/407 called for. 0, or -1 with
 * errno EACCES (logged) when they cannot be formatted. */
int proxy_series_next(struct proxy_series *p, const char *method, const char *uri);

/* The field and its value to add to the request being written; NULL when none (p NULL too). */
const char *proxy_series_field(const struct proxy_series *p);
const char *proxy_series_value(const struct proxy_series *p);

/* Whether the reply head h is the proxy's challenge: a 401/407 through a proxy (p not NULL). */
bool proxy_series_challenge(const struct proxy_series *p, const struct http_head *h);

/* Answers the challenge h: prepares the next credentials of the request, which then goes again
 * (p->again) on the connection the result says, or fails (*why static, credential-free, logged).
 * reusable: the connection is free once the reply's body is read (a KeepAlive request went
 * whole) by proto/keepalive's reader, which reads a chunked body too; ignored with one_request. */
enum proxy_retry proxy_series_challenged(struct proxy_series *p, const struct http_head *h,
					 bool reusable, const char **why);

/* The reply was not a challenge: the memo learns what the request took (3.3.5.1.3: the client
 * sets ProxyAuthRequired), and an NTLM AUTHENTICATE leaves the connection authenticated. p
 * NULL: no-op. */
void proxy_series_accepted(struct proxy_series *p);

/* The connection of the series closed: the next request opens another. Returns whether a
 * request that was to go again, or went again and got no reply (the proxy did not keep the
 * connection after all), goes again on it (p->again; not in the middle of NTLM). p NULL:
 * false. */
bool proxy_series_closed(struct proxy_series *p);

#endif
