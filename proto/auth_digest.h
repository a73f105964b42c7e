/* The Digest scheme (RFC 7616, compatible with RFC 2617): credentials computed from a challenge
 * kept in a state struct, so later requests reuse the nonce with an incremented nonce count
 * (RFC 7616 3.4: nc). Algorithms MD5, MD5-sess, SHA-256, SHA-256-sess; qop "auth" (when the
 * server offers "auth, auth-int" we take auth) or no qop at all (RFC 2069 style). */
#ifndef SSTPSHIM_AUTH_DIGEST_H
#define SSTPSHIM_AUTH_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "proto/auth_challenge.h"

enum digest_alg { DIGEST_MD5, DIGEST_SHA256 };

/* What one Digest challenge asked for, plus the nonce count. Plain data: copy it freely. */
struct digest_state {
	enum digest_alg alg;
	bool sess; /* an -sess algorithm (RFC 7616 3.4.2) */
	bool has_algorithm; /* the challenge named its algorithm: echo it */
	bool qop; /* the challenge offered qop "auth": send qop, nc and cnonce */
	bool userhash; /* the challenge set userhash=true: send H(user ":" realm) (3.4.4) */
	bool stale; /* the challenge set stale=true: the nonce expired, the credentials were good */
	bool has_opaque;
	uint32_t nc; /* nonce count of the last credentials made; 0 before the first */
	char realm[CAP_DIGEST_FIELD];
	char nonce[CAP_DIGEST_FIELD];
	char opaque[CAP_DIGEST_FIELD];
};

/* Takes challenge i of s, which must be a Digest challenge auth_challenge_kind accepts. 0, with
 * nc reset to 0; -1 when it is not, or when realm, nonce or opaque exceed CAP_DIGEST_FIELD. For
 * a new challenge on a connection that already sent credentials: if stale is false, the
 * credentials were refused (RFC 7616 3.3). */
int digest_state_init(struct digest_state *st, const struct auth_challenges *s, unsigned i);

/* One request to authenticate. cnonce: the client nonce, no control characters (the caller
 * draws it at random, e.g. base64 of 16 random bytes; tests pass fixed ones); only used with
 * qop. */
struct digest_request {
	const char *method; /* "CONNECT", "POST", ... (a token) */
	const char *uri; /* request-target as sent on the request line */
	const char *user; /* UTF-8; sent as a quoted-string */
	const char *password;
	const char *cnonce;
};

/* Increments st->nc and writes the credentials as RFC 7616 3.4 shows them, on one line:
 *   Digest username="...", realm="...", uri="...", algorithm=..., nonce="...", nc=00000001,
 *   cnonce="...", qop=auth, response="...", opaque="...", userhash=true
 * username, realm, uri, nonce, cnonce, response and opaque quoted (with '"' and '\' escaped);
 * algorithm, nc, qop and userhash not. algorithm only when the challenge named one, nc, cnonce
 * and qop only with qop, opaque only when the challenge had one, userhash only when true.
 * NUL-terminated in out (cap bytes); 0 and *len without the NUL; -1 (st->nc unchanged) when out
 * is too small, nc would wrap (ask for a new nonce), or an argument holds a control character
 * or is empty where it must not be (method, uri, cnonce with qop). */
int digest_credentials(struct digest_state *st, const struct digest_request *rq, char *out,
		       size_t cap, size_t *len);

#endif
