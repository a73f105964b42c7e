/* The exchange is a small state machine over the replies (enum proxy_auth_step); every
 * credential is formatted straight into the caller's buffer and nothing here logs, so no
 * credential can reach a log line. */
#include "engine/proxy_auth.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/random.h"
#include "proto/auth_basic.h"
#include "proto/auth_ntlm.h"
#include "proto/base64.h"
#include "proto/crypto_lazy.h"

/* Bytes of randomness in a Digest cnonce (RFC 7616 3.4: an opaque quoted string). */
#define PROXY_AUTH_CNONCE_BYTES 16
/* Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01. */
#define PROXY_AUTH_FILETIME_EPOCH 11644473600ull

static struct {
	const void *proxy;
	struct proxy_auth_memo memo;
} proxy_auth_memos[CAP_PROXY_AUTH_MEMOS];

struct proxy_auth_memo *proxy_auth_memo_for(const void *proxy)
{
	for (unsigned i = 0; i < CAP_PROXY_AUTH_MEMOS; i++) {
		if (proxy_auth_memos[i].proxy == proxy)
			return &proxy_auth_memos[i].memo;
		if (!proxy_auth_memos[i].proxy) {
			proxy_auth_memos[i].proxy = proxy;
			return &proxy_auth_memos[i].memo;
		}
	}
	return NULL;
}

void proxy_auth_memo_reset(void)
{
	memset(proxy_auth_memos, 0, sizeof proxy_auth_memos);
}

void proxy_auth_init(struct proxy_auth *pa, const struct proxy_url *cred,
		     struct proxy_auth_memo *memo, const char *method, const char *uri,
		     proxy_auth_random_fn random)
{
	memset(pa, 0, sizeof *pa);
	pa->cred = cred;
	pa->memo = memo;
	pa->method = method;
	pa->uri = uri;
	pa->random = random ? random : random_bytes;
}

const char *proxy_auth_scheme_name(const struct proxy_auth *pa)
{
	return auth_scheme_name(pa->scheme);
}

static const char *proxy_auth_field(const struct proxy_auth *pa)
{
	return pa->www ? "Authorization" : "Proxy-Authorization";
}

static int proxy_auth_digest(struct proxy_auth *pa, char *out, size_t cap, size_t *len,
			     const char **why)
{
	unsigned char raw[PROXY_AUTH_CNONCE_BYTES];
	char cnonce[BASE64_ENCODED_SIZE(PROXY_AUTH_CNONCE_BYTES)];
	size_t n;
	struct digest_request rq = { .method = pa->method, .uri = pa->uri,
				     .user = pa->cred->user, .password = pa->cred->password,
				     .cnonce = cnonce };

	if (pa->random(raw, sizeof raw) < 0 || base64_encode(raw, sizeof raw, cnonce, sizeof cnonce,
							     &n) < 0) {
		*why = "no random bytes for the Digest cnonce";
		return -1;
	}
	if (digest_credentials(&pa->digest, &rq, out, cap, len) < 0) {
		*why = "cannot format Digest credentials (too long, or a control character)";
		return -1;
	}
	return 0;
}

/* FILETIME now, for an NTLMv2 response to a CHALLENGE without MsvAvTimestamp (MS-NLMP 3.3.2). */
static uint64_t proxy_auth_filetime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec + PROXY_AUTH_FILETIME_EPOCH) * 10000000ull +
	       (uint64_t)ts.tv_nsec / 100u;
}

static int proxy_auth_ntlm_authenticate(struct proxy_auth *pa, const char *token, char *out,
					size_t cap, size_t *len, const char **why)
{
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = { .user = pa->cred->ntlm_user,
				      .domain = pa->cred->ntlm_domain,
				      .password = pa->cred->password };
	int rc;

	if (!token || ntlm_challenge_from_token(token, &ch) < 0) {
		*why = "the proxy's NTLM CHALLENGE is missing or malformed";
		return -1;
	}
	if (pa->random(in.client_challenge, sizeof in.client_challenge) < 0) {
		*why = "no random bytes for the NTLM client challenge";
		return -1;
	}
	in.time = proxy_auth_filetime();
	rc = ntlm_authenticate_credentials(&ch, &in, out, cap, len);
	memset(&in, 0, sizeof in);
	if (rc < 0) {
		*why = "cannot format the NTLM AUTHENTICATE message (names too long or not UTF-8)";
		return -1;
	}
	return 0;
}

/* Digest and NTLM compute with libcrypto, loaded on first use (proto/crypto_lazy.h): false, with
 * *why naming the scheme and the loader's reason, when it cannot be loaded. Each scheme's text is
 * formatted once and never changes (the load is tried once), so it is as lasting as a literal. */
static bool proxy_auth_crypto_ok(enum auth_scheme k, const char **why)
{
	static char text[AUTH_NTLM + 1][CAP_PROXY_AUTH_WHY];
	const char *err = crypto_load_error();

	if (err == NULL)
		return true;
	if (text[k][0] == '\0')
		snprintf(text[k], sizeof text[k], "proxy authentication %s needs %s: %s",
			 auth_scheme_name(k), CRYPTO_LIBRARY, err);
	*why = text[k];
	return false;
}

/* Writes the first credentials of scheme k: Basic, Digest from pa->digest, or an NTLM
 * NEGOTIATE. */
static int proxy_auth_open(struct proxy_auth *pa, enum auth_scheme k, char *out, size_t cap,
			   size_t *len, const char **why)
{
	pa->scheme = k;
	pa->step = PROXY_AUTH_SENT_FINAL;
	pa->bound = false;
	switch (k) {
	case AUTH_BASIC:
		if (auth_basic_credentials(pa->cred->user, pa->cred->password, out, cap, len) == 0)
			return 0;
		*why = "cannot format Basic credentials (a ':' in the user, or a control character)";
		return -1;
	case AUTH_DIGEST_MD5:
	case AUTH_DIGEST_SHA256:
		if (!proxy_auth_crypto_ok(k, why))
			return -1;
		return proxy_auth_digest(pa, out, cap, len, why);
	case AUTH_NTLM:
		/* no NEGOTIATE when the AUTHENTICATE after it could not be computed */
		if (!proxy_auth_crypto_ok(k, why))
			return -1;
		pa->step = PROXY_AUTH_SENT_NEGOTIATE;
		if (ntlm_negotiate_credentials(out, cap, len) == 0)
			return 0;
		break;
	case AUTH_NONE:
		break;
	}
	*why = "cannot format credentials";
	return -1;
}

static bool proxy_auth_is_digest(enum auth_scheme k)
{
	return k == AUTH_DIGEST_MD5 || k == AUTH_DIGEST_SHA256;
}

int proxy_auth_first(struct proxy_auth *pa, char *out, size_t cap, size_t *len,
		     const char **field, const char **why)
{
	struct proxy_auth_memo *m = pa->memo;

	*len = 0;
	if (cap)
		out[0] = '\0';
	*field = proxy_auth_field(pa);
	if (!m || m->scheme == AUTH_NONE || !pa->cred->has_user ||
	    (m->scheme == AUTH_NTLM && pa->one_request))
		return 0;
	pa->www = m->www;
	*field = proxy_auth_field(pa);
	if (proxy_auth_is_digest(m->scheme))
		pa->digest = m->digest;
	if (proxy_auth_open(pa, m->scheme, out, cap, len, why) < 0)
		return -1;
	if (proxy_auth_is_digest(m->scheme))
		m->digest.nc = pa->digest.nc; /* taken: the next request counts on from here */
	/* an NTLM NEGOTIATE continues as usual; final credentials nobody asked for in this
	 * exchange get a fresh answer if the proxy challenges them (see proxy_auth_answer) */
	pa->from_memo = pa->step == PROXY_AUTH_SENT_FINAL;
	return 0;
}

/* Collects the challenges of h into pa->challenges; a malformed field is skipped, the others
 * still count (RFC 7235 4.1 allows a proxy several). */
static void proxy_auth_collect(struct proxy_auth *pa, const struct http_head *h)
{
	const char *name = pa->www ? "WWW-Authenticate" : "Proxy-Authenticate";

	auth_challenges_init(&pa->challenges);
	for (const char *v = http_head_get(h, name); v; v = http_head_next(h, name, v))
		(void)auth_challenges_add(&pa->challenges, v, strlen(v));
}

/* The first challenge of kind k (any Digest kind when k is one), or -1. */
static int proxy_auth_find(const struct proxy_auth *pa, enum auth_scheme k)
{
	bool digest = k == AUTH_DIGEST_MD5 || k == AUTH_DIGEST_SHA256;

	for (unsigned i = 0; i < auth_challenges_count(&pa->challenges); i++) {
		enum auth_scheme c = auth_challenge_kind(&pa->challenges, i);
		if (c == k || (digest && (c == AUTH_DIGEST_MD5 || c == AUTH_DIGEST_SHA256)))
			return (int)i;
	}
	return -1;
}

/* The strongest scheme offered, and in *index its first challenge; with one_request, NTLM
 * does not count (RFC 4559 4: it authenticates the connection, which carries one request). */
static enum auth_scheme proxy_auth_best(const struct proxy_auth *pa, unsigned *index)
{
	enum auth_scheme best = AUTH_NONE;

	if (!pa->one_request)
		return auth_challenges_best(&pa->challenges, index);
	for (unsigned i = 0; i < auth_challenges_count(&pa->challenges); i++) {
		enum auth_scheme k = auth_challenge_kind(&pa->challenges, i);
		if (k != AUTH_NTLM && k > best) {
			best = k;
			*index = i;
		}
	}
	return best;
}

/* The credentials sent were refused: forget them, so the next request starts afresh. */
static int proxy_auth_refused(struct proxy_auth *pa, const char *text, const char **why)
{
	if (pa->memo)
		pa->memo->scheme = AUTH_NONE;
	*why = text;
	return -1;
}

/* A reply to credentials sent in answer to a challenge of this exchange. */
static int proxy_auth_continue(struct proxy_auth *pa, char *out, size_t cap, size_t *len,
			       const char **why)
{
	int i = proxy_auth_find(pa, pa->scheme);

	if (pa->step == PROXY_AUTH_SENT_NEGOTIATE) {
		if (i < 0 || !auth_challenge_token68(&pa->challenges, (unsigned)i))
			return proxy_auth_refused(pa, "the proxy refused NTLM (no CHALLENGE)", why);
		pa->step = PROXY_AUTH_SENT_FINAL;
		pa->bound = true;
		return proxy_auth_ntlm_authenticate(
			pa, auth_challenge_token68(&pa->challenges, (unsigned)i), out, cap, len, why);
	}
	if ((pa->scheme == AUTH_DIGEST_MD5 || pa->scheme == AUTH_DIGEST_SHA256) && i >= 0 &&
	    digest_state_init(&pa->digest, &pa->challenges, (unsigned)i) == 0 && pa->digest.stale) {
		/* RFC 7616 3.3: stale=true, the nonce expired but the credentials were right */
		pa->scheme = auth_challenge_kind(&pa->challenges, (unsigned)i);
		return proxy_auth_digest(pa, out, cap, len, why);
	}
	return proxy_auth_refused(pa, "the proxy refused the credentials (wrong user or password)",
				  why);
}

int proxy_auth_answer(struct proxy_auth *pa, const struct http_head *h, char *out, size_t cap,
		      size_t *len, const char **field, const char **why)
{
	unsigned i = 0;
	enum auth_scheme best;

	*len = 0;
	pa->www = h->status == 401;
	*field = proxy_auth_field(pa);
	if (++pa->rounds > CAP_PROXY_AUTH_ROUNDS) {
		*why = "too many authentication rounds";
		return -1;
	}
	if (!pa->cred->has_user) {
		*why = "the proxy requires authentication and its URL has no user";
		return -1;
	}
	proxy_auth_collect(pa, h);
	if (pa->step != PROXY_AUTH_NOTHING_SENT && !pa->from_memo)
		return proxy_auth_continue(pa, out, cap, len, why);
	/* 3.7.5.1.3: a first challenge; credentials remembered from an earlier tunnel that drew one
	 * are answered afresh once, in case the proxy changed its mind (or our Digest nonce) */
	pa->from_memo = false;
	best = proxy_auth_best(pa, &i);
	if (best == AUTH_NONE && pa->one_request && proxy_auth_find(pa, AUTH_NTLM) >= 0) {
		*why = "the proxy offers only NTLM, which authenticates a connection, but each "
		       "request here has a connection of its own";
		return -1;
	}
	if (best == AUTH_NONE) {
		*why = "the proxy offers no authentication scheme we support";
		return -1;
	}
	if (proxy_auth_is_digest(best) &&
	    digest_state_init(&pa->digest, &pa->challenges, i) < 0) {
		*why = "the proxy's Digest challenge is over our caps";
		return -1;
	}
	return proxy_auth_open(pa, best, out, cap, len, why);
}

bool proxy_auth_needs_same_connection(const struct proxy_auth *pa)
{
	return pa->bound;
}

void proxy_auth_accepted(struct proxy_auth *pa)
{
	struct proxy_auth_memo *m = pa->memo;
	uint32_t nc;

	if (!m || pa->step == PROXY_AUTH_NOTHING_SENT)
		return;
	m->scheme = pa->scheme;
	m->www = pa->www;
	if (!proxy_auth_is_digest(pa->scheme))
		return;
	nc = strcmp(m->digest.nonce, pa->digest.nonce) == 0 ? m->digest.nc : 0;
	m->digest = pa->digest;
	if (nc > m->digest.nc) /* a later request took a count meanwhile */
		m->digest.nc = nc;
}
