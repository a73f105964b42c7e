/* RFC 7235 2.1 challenge syntax:
 *   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * inside a 1#challenge list. A comma separates both challenges and the parameters of one, so
 * after a comma a token followed by "=" continues the parameters and anything else starts a new
 * challenge. */
#include "proto/auth_challenge.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define AC_NONE UINT32_MAX

/* A field value being read, and the set being written; committed only on success. */
struct ac_cur {
	const char *v;
	size_t len, pos;
	struct auth_challenges *s;
	unsigned count; /* challenges, including the one being read */
	uint32_t used; /* arena bytes */
};

static bool ac_is_tchar(unsigned char c)
{
	/* RFC 7230 3.2.6 */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool ac_is_t68char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~+/", c) != NULL;
}

static bool ac_at(const struct ac_cur *c, char ch)
{
	return c->pos < c->len && c->v[c->pos] == ch;
}

static void ac_skip_ows(struct ac_cur *c)
{
	while (ac_at(c, ' ') || ac_at(c, '\t'))
		c->pos++;
}

static size_t ac_token_len(const struct ac_cur *c, size_t from)
{
	size_t n = 0;

	while (from + n < c->len && ac_is_tchar((unsigned char)c->v[from + n]))
		n++;
	return n;
}

/* Appends n bytes and a NUL to the arena; the offset in *off. */
static enum parse_rc ac_store(struct ac_cur *c, const char *p, size_t n, uint32_t *off)
{
	if (n >= CAP_AUTH_TEXT - c->used)
		return PARSE_TOO_LONG;
	memcpy(c->s->arena + c->used, p, n);
	c->s->arena[c->used + n] = '\0';
	*off = c->used;
	c->used += (uint32_t)n + 1;
	return PARSE_DONE;
}

/* A quoted-string at pos (RFC 7230 3.2.6), unescaped into the arena. */
static enum parse_rc ac_quoted(struct ac_cur *c, uint32_t *off)
{
	uint32_t start = c->used;

	c->pos++; /* DQUOTE */
	for (;;) {
		unsigned char ch;
		if (c->pos >= c->len)
			return PARSE_BAD;
		ch = (unsigned char)c->v[c->pos++];
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (c->pos >= c->len)
				return PARSE_BAD;
			ch = (unsigned char)c->v[c->pos++];
		}
		/* qdtext and quoted-pair both exclude CTLs other than HTAB. */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return PARSE_BAD;
		if (c->used + 1 >= CAP_AUTH_TEXT)
			return PARSE_TOO_LONG;
		c->s->arena[c->used++] = (char)ch;
	}
	if (c->used >= CAP_AUTH_TEXT)
		return PARSE_TOO_LONG;
	c->s->arena[c->used++] = '\0';
	*off = start;
	return PARSE_DONE;
}

/* If a token68 follows the scheme's SP, stores it and returns true with *rc set. */
static bool ac_token68(struct ac_cur *c, struct auth_challenge *ch, enum parse_rc *rc)
{
	size_t p = c->pos, n = 0;

	while (p < c->len && ac_is_t68char((unsigned char)c->v[p]))
		p++, n++;
	while (n > 0 && p < c->len && c->v[p] == '=')
		p++;
	if (n == 0)
		return false;
	size_t end = p;
	while (p < c->len && (c->v[p] == ' ' || c->v[p] == '\t'))
		p++;
	if (p < c->len && c->v[p] != ',')
		return false; /* "name=value": parameters */
	*rc = ac_store(c, c->v + c->pos, end - c->pos, &ch->token68);
	c->pos = p;
	return true;
}

static bool ac_param_dup(const struct ac_cur *c, const struct auth_challenge *ch, uint32_t name)
{
	for (unsigned i = 0; i < ch->nparams; i++)
		if (strcasecmp(c->s->arena + ch->param[i].name, c->s->arena + name) == 0)
			return true;
	return false;
}

/* One auth-param at pos, whose name has already been seen to be followed by "=". */
static enum parse_rc ac_param(struct ac_cur *c, struct auth_challenge *ch, size_t nlen)
{
	struct auth_param *pa;
	enum parse_rc rc;

	if (ch->nparams >= CAP_AUTH_PARAMS)
		return PARSE_TOO_LONG;
	pa = &ch->param[ch->nparams];
	rc = ac_store(c, c->v + c->pos, nlen, &pa->name);
	if (rc != PARSE_DONE)
		return rc;
	if (ac_param_dup(c, ch, pa->name))
		return PARSE_BAD; /* RFC 7235 2.1: once per challenge */
	c->pos += nlen;
	ac_skip_ows(c);
	c->pos++; /* "=" */
	ac_skip_ows(c);
	if (ac_at(c, '"')) {
		rc = ac_quoted(c, &pa->value);
	} else {
		size_t vlen = ac_token_len(c, c->pos);
		if (vlen == 0)
			return PARSE_BAD;
		rc = ac_store(c, c->v + c->pos, vlen, &pa->value);
		c->pos += vlen;
	}
	if (rc == PARSE_DONE)
		ch->nparams++;
	return rc;
}

/* Whether the list element at pos is an auth-param (token BWS "="), not a new challenge. */
static bool ac_param_follows(const struct ac_cur *c, size_t *nlen)
{
	size_t n = ac_token_len(c, c->pos), p = c->pos + n;

	while (p < c->len && (c->v[p] == ' ' || c->v[p] == '\t'))
		p++;
	*nlen = n;
	return n > 0 && p < c->len && c->v[p] == '=';
}

/* Skips OWS, commas and empty list elements; false at the end of the value. */
static bool ac_next_element(struct ac_cur *c)
{
	for (;;) {
		ac_skip_ows(c);
		if (!ac_at(c, ','))
			return c->pos < c->len;
		c->pos++;
	}
}

/* The parameters after a scheme and its SP, until the value ends or a new challenge starts. */
static enum parse_rc ac_params(struct ac_cur *c, struct auth_challenge *ch)
{
	size_t nlen;
	enum parse_rc rc;

	if (!ac_param_follows(c, &nlen))
		return PARSE_BAD; /* "Scheme junk" */
	for (;;) {
		rc = ac_param(c, ch, nlen);
		if (rc != PARSE_DONE)
			return rc;
		ac_skip_ows(c);
		if (c->pos < c->len && !ac_at(c, ','))
			return PARSE_BAD;
		if (!ac_next_element(c) || !ac_param_follows(c, &nlen))
			return PARSE_DONE;
	}
}

/* One challenge at pos (a list element that is not empty). */
static enum parse_rc ac_challenge(struct ac_cur *c)
{
	size_t slen = ac_token_len(c, c->pos);
	struct auth_challenge *ch;
	enum parse_rc rc;

	if (slen == 0)
		return PARSE_BAD;
	if (c->count >= CAP_AUTH_CHALLENGES)
		return PARSE_TOO_LONG;
	ch = &c->s->ch[c->count++];
	ch->nparams = 0;
	ch->token68 = AC_NONE;
	rc = ac_store(c, c->v + c->pos, slen, &ch->scheme);
	c->pos += slen;
	if (rc != PARSE_DONE || c->pos == c->len || ac_at(c, ','))
		return rc;
	if (!ac_at(c, ' ') && !ac_at(c, '\t'))
		return PARSE_BAD;
	ac_skip_ows(c);
	if (c->pos == c->len || ac_at(c, ','))
		return PARSE_DONE;
	if (ac_token68(c, ch, &rc))
		return rc;
	return ac_params(c, ch);
}

void auth_challenges_init(struct auth_challenges *s)
{
	s->count = 0;
	s->used = 0;
}

enum parse_rc auth_challenges_add(struct auth_challenges *s, const char *value, size_t len)
{
	struct ac_cur c = { .v = value, .len = len, .s = s, .count = s->count, .used = s->used };
	enum parse_rc rc = PARSE_DONE;

	while (rc == PARSE_DONE && ac_next_element(&c))
		rc = ac_challenge(&c);
	if (rc == PARSE_DONE) {
		s->count = c.count;
		s->used = c.used;
	}
	return rc;
}

unsigned auth_challenges_count(const struct auth_challenges *s)
{
	return s->count;
}

const char *auth_challenge_scheme(const struct auth_challenges *s, unsigned i)
{
	return s->arena + s->ch[i].scheme;
}

const char *auth_challenge_token68(const struct auth_challenges *s, unsigned i)
{
	return s->ch[i].token68 == AC_NONE ? NULL : s->arena + s->ch[i].token68;
}

const char *auth_challenge_param(const struct auth_challenges *s, unsigned i, const char *name)
{
	const struct auth_challenge *ch = &s->ch[i];

	for (unsigned k = 0; k < ch->nparams; k++)
		if (strcasecmp(s->arena + ch->param[k].name, name) == 0)
			return s->arena + ch->param[k].value;
	return NULL;
}

int auth_list_has(const char *list, const char *token)
{
	size_t tlen = strlen(token);
	const char *p = list;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		size_t n = strcspn(p, " \t,");
		if (n == tlen && n > 0 && strncasecmp(p, token, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* RFC 7616 3.3: algorithm absent means MD5; -sess needs a cnonce, which only comes with qop. */
static enum auth_scheme ac_digest_kind(const struct auth_challenges *s, unsigned i)
{
	const char *alg = auth_challenge_param(s, i, "algorithm");
	const char *qop = auth_challenge_param(s, i, "qop");
	enum auth_scheme k;

	if (auth_challenge_param(s, i, "nonce") == NULL ||
	    auth_challenge_param(s, i, "realm") == NULL)
		return AUTH_NONE;
	if (qop != NULL && !auth_list_has(qop, "auth"))
		return AUTH_NONE; /* auth-int only: we do not hash bodies */
	if (alg == NULL || strcasecmp(alg, "MD5") == 0)
		return AUTH_DIGEST_MD5;
	if (strcasecmp(alg, "MD5-sess") == 0)
		k = AUTH_DIGEST_MD5;
	else if (strcasecmp(alg, "SHA-256") == 0)
		return AUTH_DIGEST_SHA256;
	else if (strcasecmp(alg, "SHA-256-sess") == 0)
		k = AUTH_DIGEST_SHA256;
	else
		return AUTH_NONE;
	return qop != NULL ? k : AUTH_NONE;
}

enum auth_scheme auth_challenge_kind(const struct auth_challenges *s, unsigned i)
{
	const char *scheme = auth_challenge_scheme(s, i);

	if (strcasecmp(scheme, "NTLM") == 0)
		return AUTH_NTLM;
	if (strcasecmp(scheme, "Basic") == 0)
		return AUTH_BASIC;
	if (strcasecmp(scheme, "Digest") == 0 && auth_challenge_token68(s, i) == NULL)
		return ac_digest_kind(s, i);
	return AUTH_NONE;
}

enum auth_scheme auth_challenges_best(const struct auth_challenges *s, unsigned *index)
{
	enum auth_scheme best = AUTH_NONE;

	for (unsigned i = 0; i < s->count; i++) {
		enum auth_scheme k = auth_challenge_kind(s, i);
		if (k > best) {
			best = k;
			*index = i;
		}
	}
	return best;
}

const char *auth_scheme_name(enum auth_scheme k)
{
	switch (k) {
	case AUTH_NONE:
		return "none";
	case AUTH_BASIC:
		return "Basic";
	case AUTH_DIGEST_MD5:
		return "Digest MD5";
	case AUTH_DIGEST_SHA256:
		return "Digest SHA-256";
	case AUTH_NTLM:
		return "NTLM";
	}
	return "?";
}
