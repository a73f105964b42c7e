/* RFC 7616 3.4.1 - 3.4.4, with H = MD5 or SHA-256 as lowercase hex, KD(s, d) = H(s ":" d):
 *   A1       = unq(username) ":" unq(realm) ":" passwd
 *   -sess A1 = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce) ":" unq(cnonce)
 *   A2       = Method ":" request-uri                                     (qop auth or none)
 *   response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" "auth" ":" H(A2))   (qop auth)
 *   response = KD(H(A1), unq(nonce) ":" H(A2))                     (no qop, RFC 2617 3.2.2.1)
 * The -sess key is computed afresh from each request's cnonce, as curl and squid do; the
 * cnonce travels in every request, so the server can always recompute it. */
#include "proto/auth_digest.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/crypto_lazy.h"

/* Hex digest of SHA-256 plus NUL. */
#define DG_HEX_SIZE (2 * CRYPTO_DIGEST_MAX + 1)
/* Most values one hash joins with ':' (KD with qop). */
#define DG_PARTS_MAX 6

static bool dg_is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (!alnum && strchr("!#$%&'*+-.^_`|~", c) == NULL)
			return false;
	}
	return true;
}

/* Control characters other than HTAB cannot travel in a quoted-string (RFC 7230 3.2.6). */
static bool dg_has_ctl(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

/* hex = H(parts[0] ":" parts[1] ":" ... parts[n - 1]), n <= DG_PARTS_MAX. */
static int dg_hash_hex(enum digest_alg alg, const char *const *parts, size_t n,
		       char hex[DG_HEX_SIZE])
{
	struct crypto_part v[2 * DG_PARTS_MAX];
	uint8_t d[CRYPTO_DIGEST_MAX];
	size_t dlen = 0, k = 0;
	int rc;

	if (n > DG_PARTS_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			v[k++] = (struct crypto_part){ ":", 1 };
		v[k++] = (struct crypto_part){ parts[i], strlen(parts[i]) };
	}
	rc = crypto_digest(alg == DIGEST_SHA256 ? CRYPTO_SHA256 : CRYPTO_MD5, v, k, d, &dlen);
	for (size_t i = 0; rc == 0 && i < dlen; i++) {
		hex[2 * i] = "0123456789abcdef"[d[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	if (rc == 0)
		hex[2 * dlen] = '\0';
	explicit_bzero(d, sizeof d);
	return rc;
}

/* The response value for nonce count nc (8 hex digits). */
static int dg_response(const struct digest_state *st, const struct digest_request *rq,
		       const char *nc, char resp[DG_HEX_SIZE])
{
	char ha1[DG_HEX_SIZE], ha2[DG_HEX_SIZE], key[DG_HEX_SIZE];
	const char *a1[] = { rq->user, st->realm, rq->password };
	const char *sess[] = { key, st->nonce, rq->cnonce };
	const char *a2[] = { rq->method, rq->uri };
	const char *kd_qop[] = { ha1, st->nonce, nc, rq->cnonce, "auth", ha2 };
	const char *kd_plain[] = { ha1, st->nonce, ha2 };
	int rc = -1;

	if (dg_hash_hex(st->alg, a1, 3, st->sess ? key : ha1) < 0)
		goto out;
	if (st->sess && dg_hash_hex(st->alg, sess, 3, ha1) < 0)
		goto out;
	if (dg_hash_hex(st->alg, a2, 2, ha2) < 0)
		goto out;
	if (st->qop)
		rc = dg_hash_hex(st->alg, kd_qop, 6, resp);
	else
		rc = dg_hash_hex(st->alg, kd_plain, 3, resp);
out:
	explicit_bzero(ha1, sizeof ha1);
	explicit_bzero(key, sizeof key);
	return rc;
}

/* Credentials being written into the caller's buffer; bad once anything did not fit. */
struct dg_out {
	char *buf;
	size_t cap, len;
	bool bad;
};

static void dg_raw(struct dg_out *o, const char *s, size_t n)
{
	if (o->bad || n >= o->cap - o->len) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* ", name=value" (no comma first), value quoted with '"' and '\' escaped when quoted. */
static void dg_param(struct dg_out *o, const char *name, const char *value, bool quoted)
{
	if (o->len > 0)
		dg_raw(o, ", ", 2);
	else
		dg_raw(o, "Digest ", 7);
	dg_raw(o, name, strlen(name));
	if (!quoted) {
		dg_raw(o, "=", 1);
		dg_raw(o, value, strlen(value));
		return;
	}
	dg_raw(o, "=\"", 2);
	for (const char *p = value; *p != '\0';) {
		size_t n = strcspn(p, "\"\\");
		dg_raw(o, p, n);
		p += n;
		if (*p != '\0') {
			char esc[2] = { '\\', *p++ };
			dg_raw(o, esc, 2);
		}
	}
	dg_raw(o, "\"", 1);
}

static const char *dg_alg_name(const struct digest_state *st)
{
	if (st->alg == DIGEST_SHA256)
		return st->sess ? "SHA-256-sess" : "SHA-256";
	return st->sess ? "MD5-sess" : "MD5";
}

static int dg_copy(char *dst, const char *src)
{
	size_t n;

	if (src == NULL)
		return -1;
	n = strlen(src);
	if (n >= CAP_DIGEST_FIELD)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

int digest_state_init(struct digest_state *st, const struct auth_challenges *s, unsigned i)
{
	enum auth_scheme k = auth_challenge_kind(s, i);
	const char *alg = auth_challenge_param(s, i, "algorithm");
	const char *qop = auth_challenge_param(s, i, "qop");
	const char *uh = auth_challenge_param(s, i, "userhash");
	const char *stale = auth_challenge_param(s, i, "stale");
	const char *opaque = auth_challenge_param(s, i, "opaque");

	if (k != AUTH_DIGEST_MD5 && k != AUTH_DIGEST_SHA256)
		return -1;
	memset(st, 0, sizeof *st);
	st->alg = k == AUTH_DIGEST_SHA256 ? DIGEST_SHA256 : DIGEST_MD5;
	st->has_algorithm = alg != NULL;
	/* auth_challenge_kind allowed only MD5, SHA-256 and their -sess forms */
	st->sess = alg != NULL && strcasestr(alg, "-sess") != NULL;
	st->qop = qop != NULL; /* auth_challenge_kind checked that it lists "auth" */
	st->userhash = uh != NULL && strcasecmp(uh, "true") == 0;
	st->stale = stale != NULL && strcasecmp(stale, "true") == 0;
	st->has_opaque = opaque != NULL;
	if (dg_copy(st->realm, auth_challenge_param(s, i, "realm")) < 0 ||
	    dg_copy(st->nonce, auth_challenge_param(s, i, "nonce")) < 0 ||
	    (opaque != NULL && dg_copy(st->opaque, opaque) < 0))
		return -1;
	return 0;
}

static bool dg_request_ok(const struct digest_state *st, const struct digest_request *rq)
{
	if (!dg_is_token(rq->method) || rq->uri[0] == '\0' || dg_has_ctl(rq->uri) ||
	    dg_has_ctl(rq->user))
		return false;
	if (st->qop && (rq->cnonce == NULL || rq->cnonce[0] == '\0' || dg_has_ctl(rq->cnonce)))
		return false;
	return st->nc != UINT32_MAX;
}

int digest_credentials(struct digest_state *st, const struct digest_request *rq, char *out,
		       size_t cap, size_t *len)
{
	struct dg_out o = { .buf = out, .cap = cap, .bad = cap == 0 };
	char nc[9], resp[DG_HEX_SIZE], uhash[DG_HEX_SIZE];
	const char *uh[] = { rq->user, st->realm };

	if (!dg_request_ok(st, rq))
		return -1;
	snprintf(nc, sizeof nc, "%08x", (unsigned)(st->nc + 1));
	if (dg_response(st, rq, nc, resp) < 0)
		return -1;
	if (st->userhash && dg_hash_hex(st->alg, uh, 2, uhash) < 0)
		return -1;
	/* RFC 7616 3.4 and the order of its examples (3.9.1). */
	dg_param(&o, "username", st->userhash ? uhash : rq->user, true);
	dg_param(&o, "realm", st->realm, true);
	dg_param(&o, "uri", rq->uri, true);
	if (st->has_algorithm)
		dg_param(&o, "algorithm", dg_alg_name(st), false);
	dg_param(&o, "nonce", st->nonce, true);
	if (st->qop) {
		dg_param(&o, "nc", nc, false);
		dg_param(&o, "cnonce", rq->cnonce, true);
		dg_param(&o, "qop", "auth", false);
	}
	dg_param(&o, "response", resp, true);
	if (st->has_opaque)
		dg_param(&o, "opaque", st->opaque, true);
	if (st->userhash)
		dg_param(&o, "userhash", "true", false);
	if (o.bad)
		return -1;
	st->nc++;
	*len = o.len;
	return 0;
}
