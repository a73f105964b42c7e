/* NTLM over HTTP (MS-NLMP, NTLMv2 only; MS-GRVHENC 4.6, RFC 4559 for the framing): the
 * NEGOTIATE message we send first, a strict parser of the CHALLENGE the proxy answers with, and
 * the AUTHENTICATE message with an NTLMv2 response. Raw messages, and the "NTLM <base64>" field
 * values that carry them. No signing or sealing: HTTP only needs the handshake. Deterministic:
 * the client challenge and the time come from the caller. */
#ifndef SSTPSHIM_AUTH_NTLM_H
#define SSTPSHIM_AUTH_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"

/* NegotiateFlags (MS-NLMP 2.2.2.5). */
#define NTLM_NEGOTIATE_UNICODE 0x00000001u
#define NTLM_NEGOTIATE_OEM 0x00000002u
#define NTLM_REQUEST_TARGET 0x00000004u
#define NTLM_NEGOTIATE_SIGN 0x00000010u
#define NTLM_NEGOTIATE_SEAL 0x00000020u
#define NTLM_NEGOTIATE_NTLM 0x00000200u
#define NTLM_NEGOTIATE_ALWAYS_SIGN 0x00008000u
#define NTLM_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLM_NEGOTIATE_TARGET_INFO 0x00800000u
#define NTLM_NEGOTIATE_VERSION 0x02000000u
#define NTLM_NEGOTIATE_128 0x20000000u
#define NTLM_NEGOTIATE_KEY_EXCH 0x40000000u
#define NTLM_NEGOTIATE_56 0x80000000u

/* What a current Windows client asks for in its NEGOTIATE message, less signing, sealing, key
 * exchange and VERSION, which an HTTP proxy handshake does not use. Not TargetInfo: that flag
 * says a CHALLENGE carries it, Windows (MS-GRVHENC 4.6) and curl leave it out of NEGOTIATE, and
 * servers that echo the client's flags (squid's ntlm_fake_auth) would claim TargetInfo they
 * do not send. */
#define NTLM_CLIENT_FLAGS                                                                     \
	(NTLM_NEGOTIATE_UNICODE | NTLM_REQUEST_TARGET | NTLM_NEGOTIATE_NTLM |                 \
	 NTLM_NEGOTIATE_ALWAYS_SIGN | NTLM_NEGOTIATE_EXTENDED_SESSIONSECURITY |               \
	 NTLM_NEGOTIATE_128 | NTLM_NEGOTIATE_56)

#define NTLM_CHALLENGE_LEN 8 /* ServerChallenge, ClientChallenge */
#define NTLM_HASH_LEN 16 /* NTOWFv2, NTProofStr */
#define NTLM_VERSION_LEN 8 /* VERSION (2.2.2.10) */
#define NTLM_NEGOTIATE_LEN 32

/* The parts of a CHALLENGE message (2.2.1.2) an NTLMv2 response needs. Plain data. */
struct ntlm_challenge {
	uint32_t flags;
	uint8_t server_challenge[NTLM_CHALLENGE_LEN];
	bool has_timestamp; /* TargetInfo held an MsvAvTimestamp */
	uint64_t timestamp; /* its FILETIME (100 ns units since 1601-01-01) */
	size_t target_info_len; /* TargetInfo through its MsvAvEOL; 0 when the server sent none */
	uint8_t target_info[CAP_NTLM_TARGET_INFO];
};

/* The NEGOTIATE message (2.2.1.1): NTLM_NEGOTIATE_LEN bytes, flags NTLM_CLIENT_FLAGS, no OEM
 * domain or workstation, no version. 0 and *len; -1 when cap is too small. */
int ntlm_negotiate(uint8_t *out, size_t cap, size_t *len);

/* Parses a CHALLENGE message of len bytes, trusting none of its lengths or offsets: the
 * signature and type, every field inside the message, TargetInfo a well-formed AV pair list
 * ending in MsvAvEOL (2.2.2.1) with an 8-byte MsvAvTimestamp if any, and within the caps.
 * 0 and *out filled; -1 when malformed, over CAP_NTLM_MSG or CAP_NTLM_TARGET_INFO, or without
 * NTLM_NEGOTIATE_UNICODE (we only speak UTF-16LE, which every NTLMv2 server accepts). */
int ntlm_challenge_parse(const uint8_t *msg, size_t len, struct ntlm_challenge *out);

/* Who authenticates, and the inputs that would otherwise be random or from the clock. */
struct ntlm_auth_input {
	const char *user; /* UTF-8, "user" or "DOMAIN\user" */
	const char *domain; /* UTF-8; NULL: the part of user before '\', or empty */
	const char *password; /* UTF-8 */
	const char *workstation; /* UTF-8; NULL or "": none */
	uint8_t client_challenge[NTLM_CHALLENGE_LEN]; /* random, from the caller */
	uint64_t time; /* FILETIME now; used when the challenge has no MsvAvTimestamp */
	uint32_t flags; /* NegotiateFlags to send; 0: NTLM_CLIENT_FLAGS and TargetInfo, & the
			 * challenge's */
	/* Only to reproduce other clients' messages (tests): a VERSION to include (set
	 * NTLM_NEGOTIATE_VERSION in flags too), and an EncryptedRandomSessionKey to carry as is. */
	const uint8_t *version;
	const uint8_t *session_key;
	size_t session_key_len;
};

/* NTOWFv2 = ResponseKeyNT = HMAC_MD5(MD4(UTF-16LE(password)), UTF-16LE(Uppercase(user) domain))
 * (MS-NLMP 3.3.2). user is the bare name (no "DOMAIN\"). Uppercase covers ASCII and Latin-1
 * letters. 0; -1 on malformed UTF-8, or a name or password over CAP_NTLM_NAME bytes in
 * UTF-16LE. */
int ntlm_ntowfv2(const char *user, const char *domain, const char *password,
		 uint8_t out[NTLM_HASH_LEN]);

/* The AUTHENTICATE message (2.2.1.3) answering ch: LmChallengeResponse the LMv2 response, or
 * Z(24) when the challenge carried MsvAvTimestamp (3.1.5.1.2); NtChallengeResponse NTProofStr
 * || temp with temp's timestamp from MsvAvTimestamp when present, else in->time (3.3.2);
 * domain, user and workstation in UTF-16LE; payload in the order domain, user, workstation,
 * LM, NT, session key; no MIC. 0 and *len; -1 when cap is too small or an input is malformed. */
int ntlm_authenticate(const struct ntlm_challenge *ch, const struct ntlm_auth_input *in,
		      uint8_t *out, size_t cap, size_t *len);

/* The same as field values (RFC 4559 4.1, MS-GRVHENC 4.6): "NTLM " base64(message), NUL-
 * terminated in out (cap bytes); 0 and *len without the NUL; -1 as above. */
int ntlm_negotiate_credentials(char *out, size_t cap, size_t *len);
int ntlm_authenticate_credentials(const struct ntlm_challenge *ch,
				  const struct ntlm_auth_input *in, char *out, size_t cap,
				  size_t *len);
/* Decodes the token68 of an "NTLM <token68>" challenge (auth_challenge_token68) and parses it;
 * 0, or -1 when the base64 or the message is malformed. */
int ntlm_challenge_from_token(const char *token68, struct ntlm_challenge *out);

#endif
