/* Authentication to an HTTP proxy, for any request sent through one: the CONNECT of the connect
 * transport (MS-GRVHENC 3.7.5.1.3) and, later, the requests of the HTTP encapsulations
 * (3.1.5.1.1.2). Given each 401/407 reply head it produces the next credentials to send, or fails
 * with a reason; it knows nothing of sockets or connections beyond telling the caller when the
 * next request must use the same connection (NTLM). Basic (RFC 7617), Digest MD5 / SHA-256 with
 * qop=auth (RFC 7616) and NTLMv2 (MS-NLMP, RFC 4559; MS-GRVHENC 4.6). Engine thread only. */
#ifndef SSTPSHIM_PROXY_AUTH_H
#define SSTPSHIM_PROXY_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/caps.h"
#include "proto/auth_challenge.h"
#include "proto/auth_digest.h"
#include "proto/http_msg.h"
#include "proto/proxy_url.h"

/* What a proxy asked for, remembered between requests through it: ProxyAuthRequired (3.7.1.2),
 * so that later requests send credentials without waiting to be challenged (3.7.4.1.2). Holds no
 * credential; the Digest state is the proxy's last challenge and our nonce count. */
struct proxy_auth_memo {
	enum auth_scheme scheme; /* AUTH_NONE: the proxy never asked (or refused what we sent) */
	bool www;                /* it asked with 401 (Authorization), not 407 */
	struct digest_state digest; /* AUTH_DIGEST_*: reused with the next nonce count */
};

/* The memo of one proxy, by an identity that lives as long as the process (the struct eng_proxy
 * the engine's proxy settings hand out). NULL when CAP_PROXY_AUTH_MEMOS proxies have one. */
struct proxy_auth_memo *proxy_auth_memo_for(const void *proxy);

/* Forgets every memo (tests). */
void proxy_auth_memo_reset(void);

/* Where one authentication exchange stands. */
enum proxy_auth_step {
	PROXY_AUTH_NOTHING_SENT,  /* no credentials went out yet */
	PROXY_AUTH_SENT_FINAL,    /* Basic or Digest, or an NTLM AUTHENTICATE: a 407 now is a refusal */
	PROXY_AUTH_SENT_NEGOTIATE, /* an NTLM NEGOTIATE: the CHALLENGE comes on this connection */
};

/* Fills buf with n random bytes; 0 or -1. Tests pass a fixed one. */
typedef int (*proxy_auth_random_fn)(void *buf, size_t n);

/* One exchange: a request and the retries its 401/407 replies call for. Large (the challenge
 * set is parsed into it); allocate it with its owner. */
struct proxy_auth {
	const struct proxy_url *cred;   /* the user info of the proxy URL; not owned */
	struct proxy_auth_memo *memo;   /* may be NULL: nothing remembered */
	const char *method, *uri;       /* of the request, for Digest; not owned */
	proxy_auth_random_fn random;    /* Digest cnonce, NTLM client challenge */
	enum proxy_auth_step step;
	enum auth_scheme scheme;        /* of the credentials last sent */
	bool www;                       /* answering 401 (Authorization) */
	bool from_memo;                 /* what was last sent was not asked for in this exchange */
	bool bound;                     /* it answers a CHALLENGE on its connection (NTLM) */
	bool one_request;               /* every request goes on a connection of its own: NTLM,
					 * which authenticates a connection, is never chosen */
	unsigned rounds;                /* 401/407 replies answered */
	struct digest_state digest;
	struct auth_challenges challenges;
};

/* Readies pa for a request "method uri" through a proxy with credentials cred (and memo, or
 * NULL). random NULL: random_bytes() (getrandom(2)). */
void proxy_auth_init(struct proxy_auth *pa, const struct proxy_url *cred,
		     struct proxy_auth_memo *memo, const char *method, const char *uri,
		     proxy_auth_random_fn random);

/* The credentials for the first request: when the memo says the proxy asked before and the URL
 * has a user, writes the field value into out (cap bytes, NUL-terminated), *len its length and
 * *field "Proxy-Authorization" or "Authorization"; otherwise *len 0 and out "". 0, or -1 with
 * *why (static, never quoting a credential) when they cannot be formatted. Digest takes the
 * memo's next nonce count at once, so that requests in flight together never repeat one (a
 * repeated or older count makes squid drop the nonce). */
int proxy_auth_first(struct proxy_auth *pa, char *out, size_t cap, size_t *len,
		     const char **field, const char **why);

/* Answers a 401 or 407 reply head h (3.7.5.1.3): reads every Proxy-Authenticate (407) or
 * WWW-Authenticate (401) field, and writes the credentials for the retry as proxy_auth_first
 * does. -1 with *why, static and credential-free, when the retry would be pointless: no user in
 * the proxy URL, no scheme we support (with one_request, NTLM alone), credentials refused (a new
 * challenge after Basic, Digest without stale=true, or an NTLM AUTHENTICATE), a malformed NTLM
 * CHALLENGE, Digest or NTLM chosen but libcrypto not loadable, or more than
 * CAP_PROXY_AUTH_ROUNDS replies. A refusal also clears the memo. */
int proxy_auth_answer(struct proxy_auth *pa, const struct http_head *h, char *out, size_t cap,
		      size_t *len, const char **field, const char **why);

/* Whether the credentials last prepared must go on the connection that carried the reply they
 * answer: an NTLM AUTHENTICATE, since NTLM authenticates the connection that carried the
 * CHALLENGE (RFC 4559 4). A NEGOTIATE, like any first credentials, may go on a new one. */
bool proxy_auth_needs_same_connection(const struct proxy_auth *pa);

/* The request went through (not 401/407): remembers in the memo what worked, for the next; a
 * Digest nonce count never goes back. */
void proxy_auth_accepted(struct proxy_auth *pa);

/* The scheme of the credentials last sent, for logs. */
const char *proxy_auth_scheme_name(const struct proxy_auth *pa);

#endif
