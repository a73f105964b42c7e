/* MS-NLMP 2.2.1 messages and 3.3.2 (NTLM v2 authentication):
 *   ResponseKeyNT = ResponseKeyLM = NTOWFv2 (see auth_ntlm.h)
 *   temp          = 0x01 0x01 Z(6) Time ClientChallenge Z(4) ServerName(TargetInfo) Z(4)
 *   NTProofStr    = HMAC_MD5(ResponseKeyNT, ServerChallenge || temp)
 *   NtChallengeResponse = NTProofStr || temp
 *   LmChallengeResponse = HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge)
 *                         || ClientChallenge
 * Every number in a message is little-endian. */
#include "proto/auth_ntlm.h"

#include <string.h>

#include "proto/base64.h"
#include "proto/crypto_lazy.h"
#include "proto/md4.h"

static const uint8_t ntlm_signature[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', '\0' };

#define NTLM_AUTH_HEADER_LEN 64 /* AUTHENTICATE up to Flags; VERSION and MIC are optional */
#define NTLM_LM_LEN 24
#define NTLM_TEMP_FIXED 28 /* temp up to ServerName */
#define NTLM_AV_EOL_LEN 4
#define NTLM_AV_TIMESTAMP 7 /* MsvAvTimestamp (2.2.2.1) */
#define NTLM_SESSION_KEY_MAX 16
#define NTLM_NT_MAX (NTLM_HASH_LEN + NTLM_TEMP_FIXED + CAP_NTLM_TARGET_INFO + 4)
#define NTLM_AUTH_MAX                                                                   \
	(NTLM_AUTH_HEADER_LEN + NTLM_VERSION_LEN + 3 * CAP_NTLM_NAME + NTLM_LM_LEN + \
	 NTLM_NT_MAX + NTLM_SESSION_KEY_MAX)

static uint16_t ntlm_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t ntlm_le32(const uint8_t *p)
{
	return (uint32_t)ntlm_le16(p) | (uint32_t)ntlm_le16(p + 2) << 16;
}

static void ntlm_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void ntlm_put32(uint8_t *p, uint32_t v)
{
	ntlm_put16(p, (uint16_t)v);
	ntlm_put16(p + 2, (uint16_t)(v >> 16));
}

static void ntlm_put64(uint8_t *p, uint64_t v)
{
	ntlm_put32(p, (uint32_t)v);
	ntlm_put32(p + 4, (uint32_t)(v >> 32));
}

_Static_assert(NTLM_HASH_LEN == CRYPTO_MD5_LEN, "NTProofStr and NTOWFv2 are HMAC-MD5 values");

/* The next code point of s[*i..n), strict UTF-8 (RFC 3629 3, 4): no overlong forms, no
 * surrogates, nothing past U+10FFFF. */
static int ntlm_utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
	unsigned c = s[*i], need;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, v = c & 0x07, min = 0x10000;
	else
		return -1;
	if (n - *i <= need)
		return -1;
	for (unsigned k = 1; k <= need; k++) {
		unsigned b = s[*i + k];
		if ((b & 0xc0) != 0x80)
			return -1;
		v = v << 6 | (b & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*i += need + 1;
	*cp = v;
	return 0;
}

/* Uppercase of 3.3.2's NTOWFv2 for the letters of ASCII and Latin-1; other scripts unchanged. */
static uint32_t ntlm_upper(uint32_t cp)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7))
		return cp - 0x20;
	return cp == 0xff ? 0x178 : cp;
}

/* n bytes of UTF-8 as UTF-16LE, appended to out (cap bytes) at *len. */
static int ntlm_utf16(const char *s, size_t n, bool upper, uint8_t *out, size_t cap,
		      size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		if (ntlm_utf8_next(u, n, &i, &cp) < 0)
			return -1;
		if (upper)
			cp = ntlm_upper(cp);
		if (cap - *len < (cp > 0xffff ? 4u : 2u))
			return -1;
		if (cp > 0xffff) {
			cp -= 0x10000;
			ntlm_put16(out + *len, (uint16_t)(0xd800 | cp >> 10));
			*len += 2;
			cp = 0xdc00 | (cp & 0x3ff);
		}
		ntlm_put16(out + *len, (uint16_t)cp);
		*len += 2;
	}
	return 0;
}

/* NTOWFv2 from counted strings (user without its "DOMAIN\" prefix). */
static int ntlm_owf(const char *user, size_t ulen, const char *dom, size_t dlen,
		    const char *password, uint8_t out[NTLM_HASH_LEN])
{
	uint8_t pw[CAP_NTLM_NAME], ud[2 * CAP_NTLM_NAME], nt_hash[MD4_DIGEST_LEN];
	size_t pwlen = 0, udlen = 0;
	struct crypto_part v = { ud, 0 };
	int rc = -1;

	if (ntlm_utf16(password, strlen(password), false, pw, sizeof pw, &pwlen) < 0 ||
	    ntlm_utf16(user, ulen, true, ud, CAP_NTLM_NAME, &udlen) < 0 ||
	    ntlm_utf16(dom, dlen, false, ud, udlen + CAP_NTLM_NAME, &udlen) < 0)
		goto out;
	md4(pw, pwlen, nt_hash);
	v.n = udlen;
	rc = crypto_hmac_md5(nt_hash, sizeof nt_hash, &v, 1, out);
out:
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(nt_hash, sizeof nt_hash);
	return rc;
}

int ntlm_ntowfv2(const char *user, const char *domain, const char *password,
		 uint8_t out[NTLM_HASH_LEN])
{
	return ntlm_owf(user, strlen(user), domain, strlen(domain), password, out);
}

int ntlm_negotiate(uint8_t *out, size_t cap, size_t *len)
{
	if (cap < NTLM_NEGOTIATE_LEN)
		return -1;
	memset(out, 0, NTLM_NEGOTIATE_LEN);
	memcpy(out, ntlm_signature, sizeof ntlm_signature);
	ntlm_put32(out + 8, 1);
	ntlm_put32(out + 12, NTLM_CLIENT_FLAGS);
	/* 2.2.1.1: no domain, no workstation; their offsets point where a payload would start. */
	ntlm_put32(out + 20, NTLM_NEGOTIATE_LEN);
	ntlm_put32(out + 28, NTLM_NEGOTIATE_LEN);
	*len = NTLM_NEGOTIATE_LEN;
	return 0;
}

/* The security buffer (Len, MaxLen, Offset) at msg[at]; -1 unless its bytes lie inside the
 * message, after the first min bytes. MaxLen is ignored, as 2.2.1.2 allows. */
static int ntlm_secbuf(const uint8_t *msg, size_t len, size_t at, size_t min, size_t *off,
		       size_t *flen)
{
	size_t l = ntlm_le16(msg + at), o = ntlm_le32(msg + at + 4);

	*off = o;
	*flen = l;
	if (l == 0)
		return 0;
	return o >= min && o <= len && l <= len - o ? 0 : -1;
}

/* TargetInfo (2.2.2.1): AV pairs inside n bytes, ending with MsvAvEOL; keeps them through the
 * EOL and notes MsvAvTimestamp. */
static int ntlm_av_pairs(const uint8_t *ti, size_t n, struct ntlm_challenge *out)
{
	size_t p = 0;

	for (;;) {
		if (n - p < 4)
			return -1;
		uint16_t id = ntlm_le16(ti + p), l = ntlm_le16(ti + p + 2);
		p += 4;
		if (l > n - p)
			return -1;
		if (id == 0) {
			if (l != 0)
				return -1; /* MsvAvEOL has no value */
			break;
		}
		if (id == NTLM_AV_TIMESTAMP) {
			if (l != 8)
				return -1;
			out->has_timestamp = true;
			out->timestamp = ntlm_le32(ti + p) | (uint64_t)ntlm_le32(ti + p + 4) << 32;
		}
		p += l;
	}
	if (p > sizeof out->target_info)
		return -1;
	memcpy(out->target_info, ti, p);
	out->target_info_len = p;
	return 0;
}

int ntlm_challenge_parse(const uint8_t *msg, size_t len, struct ntlm_challenge *out)
{
	size_t off, flen;

	/* Signature, MessageType, TargetNameFields, NegotiateFlags, ServerChallenge: 32 bytes. */
	if (len < 32 || len > CAP_NTLM_MSG || memcmp(msg, ntlm_signature, 8) != 0 ||
	    ntlm_le32(msg + 8) != 2)
		return -1;
	memset(out, 0, sizeof *out);
	out->flags = ntlm_le32(msg + 20);
	memcpy(out->server_challenge, msg + 24, NTLM_CHALLENGE_LEN);
	if (!(out->flags & NTLM_NEGOTIATE_UNICODE))
		return -1;
	/* TargetNameFields (12) is not checked: nothing here reads TargetName (curl ignores it too),
	 * and squid's ntlm_fake_auth sends it with an uninitialised offset (0xaaaaaaae). */
	if (!(out->flags & NTLM_NEGOTIATE_TARGET_INFO))
		return 0;
	/* Reserved (8) then TargetInfoFields at 40. */
	if (len < 48 || ntlm_secbuf(msg, len, 40, 48, &off, &flen) < 0)
		return -1;
	if (flen == 0)
		return 0;
	return ntlm_av_pairs(msg + off, flen, out);
}

/* NtChallengeResponse (3.3.2) into nt; its length in *ntlen. */
static int ntlm_nt_response(const struct ntlm_challenge *ch, const struct ntlm_auth_input *in,
			    const uint8_t key[NTLM_HASH_LEN], uint8_t *nt, size_t *ntlen)
{
	uint8_t *temp = nt + NTLM_HASH_LEN;
	size_t tilen = ch->target_info_len;
	struct crypto_part v[2] = { { ch->server_challenge, NTLM_CHALLENGE_LEN }, { temp, 0 } };

	memset(temp, 0, NTLM_TEMP_FIXED);
	temp[0] = 1; /* RespType */
	temp[1] = 1; /* HiRespType */
	ntlm_put64(temp + 8, ch->has_timestamp ? ch->timestamp : in->time);
	memcpy(temp + 16, in->client_challenge, NTLM_CHALLENGE_LEN);
	/* A server without TargetInfo still gets a well-formed (empty) AV pair list. */
	if (tilen == 0) {
		tilen = NTLM_AV_EOL_LEN;
		memset(temp + NTLM_TEMP_FIXED, 0, tilen);
	} else {
		memcpy(temp + NTLM_TEMP_FIXED, ch->target_info, tilen);
	}
	memset(temp + NTLM_TEMP_FIXED + tilen, 0, 4);
	v[1].n = NTLM_TEMP_FIXED + tilen + 4;
	*ntlen = NTLM_HASH_LEN + v[1].n;
	return crypto_hmac_md5(key, NTLM_HASH_LEN, v, 2, nt);
}

static int ntlm_lm_response(const struct ntlm_challenge *ch, const struct ntlm_auth_input *in,
			    const uint8_t key[NTLM_HASH_LEN], uint8_t lm[NTLM_LM_LEN])
{
	struct crypto_part v[2] = { { ch->server_challenge, NTLM_CHALLENGE_LEN },
				    { in->client_challenge, NTLM_CHALLENGE_LEN } };

	memset(lm, 0, NTLM_LM_LEN);
	if (ch->has_timestamp)
		return 0; /* 3.1.5.1.2: Z(24) when the server sent MsvAvTimestamp */
	memcpy(lm + NTLM_HASH_LEN, in->client_challenge, NTLM_CHALLENGE_LEN);
	return crypto_hmac_md5(key, NTLM_HASH_LEN, v, 2, lm);
}

/* The names of an AUTHENTICATE message, UTF-16LE: domain, user, workstation. */
struct ntlm_names {
	uint8_t dom[CAP_NTLM_NAME], user[CAP_NTLM_NAME], ws[CAP_NTLM_NAME];
	size_t domlen, userlen, wslen;
};

/* Splits "DOMAIN\user", converts the names, and computes NTOWFv2. */
static int ntlm_names(const struct ntlm_auth_input *in, struct ntlm_names *nm,
		      uint8_t key[NTLM_HASH_LEN])
{
	const char *user = in->user, *dom = in->domain, *bs = strchr(in->user, '\\');
	size_t dlen = dom != NULL ? strlen(dom) : 0;
	const char *ws = in->workstation != NULL ? in->workstation : "";

	if (dom == NULL && bs != NULL) {
		dom = user;
		dlen = (size_t)(bs - user);
		user = bs + 1;
	}
	if (dom == NULL)
		dom = "";
	nm->domlen = nm->userlen = nm->wslen = 0;
	if (ntlm_utf16(dom, dlen, false, nm->dom, sizeof nm->dom, &nm->domlen) < 0 ||
	    ntlm_utf16(user, strlen(user), false, nm->user, sizeof nm->user, &nm->userlen) < 0 ||
	    ntlm_utf16(ws, strlen(ws), false, nm->ws, sizeof nm->ws, &nm->wslen) < 0)
		return -1;
	return ntlm_owf(user, strlen(user), dom, dlen, in->password, key);
}

/* Writes the security buffer at out[field] for n bytes at *at, copies them there, moves *at. */
static void ntlm_payload(uint8_t *out, size_t field, const void *p, size_t n, size_t *at)
{
	ntlm_put16(out + field, (uint16_t)n);
	ntlm_put16(out + field + 2, (uint16_t)n);
	ntlm_put32(out + field + 4, (uint32_t)*at);
	if (n > 0)
		memcpy(out + *at, p, n);
	*at += n;
}

/* Lays the message out once every part is known; total length checked against cap. */
static int ntlm_auth_write(const struct ntlm_auth_input *in, uint32_t flags,
			   const struct ntlm_names *nm, const uint8_t *lm, const uint8_t *nt,
			   size_t ntlen, uint8_t *out, size_t cap, size_t *len)
{
	size_t at = NTLM_AUTH_HEADER_LEN + (in->version != NULL ? NTLM_VERSION_LEN : 0);
	size_t sklen = in->session_key != NULL ? in->session_key_len : 0;

	if (sklen > NTLM_SESSION_KEY_MAX ||
	    cap < at + nm->domlen + nm->userlen + nm->wslen + NTLM_LM_LEN + ntlen + sklen)
		return -1;
	memset(out, 0, at);
	memcpy(out, ntlm_signature, sizeof ntlm_signature);
	ntlm_put32(out + 8, 3);
	ntlm_put32(out + 60, flags);
	if (in->version != NULL)
		memcpy(out + NTLM_AUTH_HEADER_LEN, in->version, NTLM_VERSION_LEN);
	/* Field offsets (2.2.1.3): LM 12, NT 20, domain 28, user 36, workstation 44, key 52. */
	ntlm_payload(out, 28, nm->dom, nm->domlen, &at);
	ntlm_payload(out, 36, nm->user, nm->userlen, &at);
	ntlm_payload(out, 44, nm->ws, nm->wslen, &at);
	ntlm_payload(out, 12, lm, NTLM_LM_LEN, &at);
	ntlm_payload(out, 20, nt, ntlen, &at);
	ntlm_payload(out, 52, in->session_key, sklen, &at);
	*len = at;
	return 0;
}

int ntlm_authenticate(const struct ntlm_challenge *ch, const struct ntlm_auth_input *in,
		      uint8_t *out, size_t cap, size_t *len)
{
	struct ntlm_names nm;
	uint8_t key[NTLM_HASH_LEN], lm[NTLM_LM_LEN], nt[NTLM_NT_MAX];
	size_t ntlen = 0;
	uint32_t flags = in->flags != 0 ? in->flags
					: ((NTLM_CLIENT_FLAGS | NTLM_NEGOTIATE_TARGET_INFO) & ch->flags) |
					  NTLM_NEGOTIATE_UNICODE;
	int rc = -1;

	if (ch->target_info_len > CAP_NTLM_TARGET_INFO)
		return -1;
	if (ntlm_names(in, &nm, key) < 0 || ntlm_nt_response(ch, in, key, nt, &ntlen) < 0 ||
	    ntlm_lm_response(ch, in, key, lm) < 0)
		goto out;
	rc = ntlm_auth_write(in, flags, &nm, lm, nt, ntlen, out, cap, len);
out:
	explicit_bzero(key, sizeof key);
	return rc;
}

/* "NTLM " base64(msg) into out. */
static int ntlm_field(const uint8_t *msg, size_t n, char *out, size_t cap, size_t *len)
{
	size_t b64;

	if (cap < 5 || base64_encode(msg, n, out + 5, cap - 5, &b64) < 0)
		return -1;
	memcpy(out, "NTLM ", 5);
	*len = 5 + b64;
	return 0;
}

int ntlm_negotiate_credentials(char *out, size_t cap, size_t *len)
{
	uint8_t msg[NTLM_NEGOTIATE_LEN];
	size_t n;

	if (ntlm_negotiate(msg, sizeof msg, &n) < 0)
		return -1;
	return ntlm_field(msg, n, out, cap, len);
}

int ntlm_authenticate_credentials(const struct ntlm_challenge *ch,
				  const struct ntlm_auth_input *in, char *out, size_t cap,
				  size_t *len)
{
	uint8_t msg[NTLM_AUTH_MAX];
	size_t n;
	int rc = -1;

	if (ntlm_authenticate(ch, in, msg, sizeof msg, &n) == 0)
		rc = ntlm_field(msg, n, out, cap, len);
	explicit_bzero(msg, sizeof msg);
	return rc;
}

int ntlm_challenge_from_token(const char *token68, struct ntlm_challenge *out)
{
	uint8_t msg[CAP_NTLM_MSG];
	size_t n;

	if (base64_decode(token68, strlen(token68), msg, sizeof msg, &n) < 0)
		return -1;
	return ntlm_challenge_parse(msg, n, out);
}
