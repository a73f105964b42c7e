/* Proxy-Authenticate / WWW-Authenticate field values (RFC 7235 4.1, 4.3; MS-GRVHENC 3.7.5.1.3,
 * 3.1.5.1.1.2): parsed into challenges (scheme plus token68 or auth-params), and the strongest
 * scheme we can answer chosen among all the challenges of one reply. A proxy may put several
 * challenges in one field ("Digest realm=..., Basic realm=...") or send one field per scheme
 * (squid, ISA in MS-GRVHENC 4.6); feed every field of the reply into the same set. The same
 * syntax parses credentials (Authorization values), which the tests use. Pure; no allocation. */
#ifndef SSTPSHIM_AUTH_CHALLENGE_H
#define SSTPSHIM_AUTH_CHALLENGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "proto/parse.h"

/* What a challenge can be answered with, weakest first, so the greater value is preferred:
 * NTLM > Digest SHA-256 > Digest MD5 > Basic. AUTH_NONE: a scheme we do not implement
 * (Negotiate, Kerberos, Bearer), or a Digest challenge we cannot answer (another algorithm, no
 * nonce or realm, a qop list without "auth", an -sess algorithm without qop). */
enum auth_scheme {
	AUTH_NONE = 0,
	AUTH_BASIC,
	AUTH_DIGEST_MD5,
	AUTH_DIGEST_SHA256,
	AUTH_NTLM,
};

/* The challenges of one reply. Strings live in the set's own arena (offsets, so a copy by value
 * stays valid); read them with the accessors. Every string is NUL-terminated, unescaped (a
 * quoted-string's quotes and backslashes removed) and free of control characters except HTAB. */
struct auth_challenges {
	unsigned count;
	struct auth_challenge {
		uint32_t scheme; /* arena offset of the scheme name as sent */
		uint32_t token68; /* arena offset, or UINT32_MAX when there is none */
		unsigned nparams;
		struct auth_param {
			uint32_t name, value; /* arena offsets */
		} param[CAP_AUTH_PARAMS];
	} ch[CAP_AUTH_CHALLENGES];
	uint32_t used; /* arena bytes in use */
	char arena[CAP_AUTH_TEXT];
};

/* Empties s, ready for the fields of a new reply. */
void auth_challenges_init(struct auth_challenges *s);

/* Parses one field value of len bytes (as the HTTP parser hands it over: complete, without the
 * field name) and appends its challenges to s. Empty list elements are skipped (RFC 7230 7).
 * PARSE_DONE; PARSE_BAD when the value is not 1#challenge (RFC 7235 2.1, 4.1: a scheme that is
 * not a token, a parameter value that is neither token nor quoted-string, an unterminated
 * quoted-string, a control character, a parameter name repeated within one challenge);
 * PARSE_TOO_LONG when CAP_AUTH_CHALLENGES, CAP_AUTH_PARAMS or CAP_AUTH_TEXT would be passed.
 * Never PARSE_AGAIN: a field value is complete. On failure s is left as it was, so the caller
 * may skip one bad field and keep the others. */
enum parse_rc auth_challenges_add(struct auth_challenges *s, const char *value, size_t len);

unsigned auth_challenges_count(const struct auth_challenges *s);
/* Challenge i < count: its scheme name as sent ("NTLM", "digest"), its token68 or NULL, and
 * the value of its parameter called name (ASCII case-insensitive) or NULL. */
const char *auth_challenge_scheme(const struct auth_challenges *s, unsigned i);
const char *auth_challenge_token68(const struct auth_challenges *s, unsigned i);
const char *auth_challenge_param(const struct auth_challenges *s, unsigned i, const char *name);

/* What challenge i can be answered with (see enum auth_scheme). */
enum auth_scheme auth_challenge_kind(const struct auth_challenges *s, unsigned i);

/* The strongest scheme offered across all challenges in s, and in *index the first challenge
 * offering it; AUTH_NONE (index untouched) when none can be answered. */
enum auth_scheme auth_challenges_best(const struct auth_challenges *s, unsigned *index);

/* A static name for logs ("NTLM", "Digest SHA-256", ...). */
const char *auth_scheme_name(enum auth_scheme k);

/* Whether the comma-separated token list list (a qop-options value such as "auth, auth-int")
 * holds token, ASCII case-insensitive. */
int auth_list_has(const char *list, const char *token);

#endif
