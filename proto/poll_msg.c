#include "proto/poll_msg.h"

#include <string.h>
#include <strings.h>

#include "common/num.h"

enum { PM_VERSION, PM_URL, PM_GUID, PM_SEQ, PM_CHECKSUM, PM_PARAMS };

static size_t pm_field_cap(unsigned field)
{
	switch (field) {
	case PM_URL:
		return sizeof POLL_URL_SCHEME - 1 + CAP_HOST_NAME;
	case PM_GUID:
		return CAP_POLL_GUID;
	default:
		return CAP_POLL_FIELD;
	}
}

static bool pm_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool pm_is_alnum(char c)
{
	return pm_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A Relay-Server-Name: a DNS name, or an address literal (IPv6 possibly in brackets). */
static bool pm_name_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!pm_is_alnum(s[i]) && !strchr("-._:[]", s[i]))
			return false;
	return true;
}

static bool pm_guid_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!pm_is_alnum(s[i]))
			return false;
	return true;
}

/* 1*DIGIT "." 1*DIGIT (2.2.2.3.1.3.1.1) */
static bool pm_version_ok(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);

	if (!dot || dot == s || dot == s + len - 1)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s + i != dot && !pm_is_digit(s[i]))
			return false;
	return true;
}

/* Any integer, with an optional '-', reduced modulo 2^32: digits are folded in modulo 2^64,
 * which keeps the low 32 bits exact however long the number is. */
static int pm_checksum_parse(const char *s, size_t len, uint32_t *out)
{
	bool negative = len > 0 && s[0] == '-';
	uint64_t v = 0;

	if (negative) {
		s++;
		len--;
	}
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!pm_is_digit(s[i]))
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = (uint32_t)(negative ? 0 - v : v);
	return 0;
}

/* "max,min,repetitions" (2.2.2.3.2.1.1) */
static int pm_params_parse(const char *s, size_t len, struct poll_params *out)
{
	unsigned *dst[3] = { &out->max_interval_s, &out->min_interval_s, &out->repetitions };
	size_t start = 0;

	for (unsigned i = 0; i < 3; i++) {
		const char *comma = i < 2 ? memchr(s + start, ',', len - start) : NULL;
		size_t end = comma ? (size_t)(comma - s) : len;
		uint64_t v;

		if ((i < 2 && !comma) || num_parse_u64(s + start, end - start, POLL_PARAM_MAX, &v) < 0)
			return -1;
		*dst[i] = (unsigned)v;
		start = end + 1;
	}
	return 0;
}

static enum parse_rc pm_bad(struct poll_msg_parser *p, enum parse_rc rc, const char *why)
{
	p->why = why;
	return rc;
}

/* Field p->field is complete in p->buf: check it and store it. */
static enum parse_rc pm_field_done(struct poll_msg_parser *p)
{
	struct poll_msg *m = &p->msg;
	const size_t scheme_len = sizeof POLL_URL_SCHEME - 1;
	uint64_t seq;

	switch (p->field) {
	case PM_VERSION:
		if (!pm_version_ok(p->buf, p->len))
			return pm_bad(p, PARSE_BAD, "malformed encapsulation version");
		memcpy(m->version, p->buf, p->len);
		break;
	case PM_URL:
		if (p->len < scheme_len || strncasecmp(p->buf, POLL_URL_SCHEME, scheme_len) != 0 ||
		    !pm_name_ok(p->buf + scheme_len, p->len - scheme_len))
			return pm_bad(p, PARSE_BAD, "malformed Relay-Server-URL");
		memcpy(m->relay_name, p->buf + scheme_len, p->len - scheme_len);
		break;
	case PM_GUID:
		if (!pm_guid_ok(p->buf, p->len))
			return pm_bad(p, PARSE_BAD, "malformed Virtual-Connection-GUID");
		memcpy(m->guid, p->buf, p->len);
		break;
	case PM_SEQ:
		if (num_parse_u64(p->buf, p->len, POLL_SEQ_MAX, &seq) < 0)
			return pm_bad(p, PARSE_BAD, "malformed sequence number");
		m->seq = seq;
		break;
	case PM_CHECKSUM:
		if (pm_checksum_parse(p->buf, p->len, &m->checksum) < 0)
			return pm_bad(p, PARSE_BAD, "malformed checksum");
		break;
	case PM_PARAMS:
		if (pm_params_parse(p->buf, p->len, &m->params) < 0)
			return pm_bad(p, PARSE_BAD, "malformed poll parameters");
		m->has_params = true;
		break;
	}
	p->field++;
	p->len = 0;
	return p->field == (p->response ? PM_PARAMS + 1u : PM_PARAMS + 0u) ? PARSE_DONE : PARSE_AGAIN;
}

void poll_msg_parser_init(struct poll_msg_parser *p, bool response)
{
	memset(p, 0, sizeof *p);
	p->response = response;
	p->rc = PARSE_AGAIN;
}

enum parse_rc poll_msg_parse(struct poll_msg_parser *p, const char *buf, size_t len,
			     size_t *consumed)
{
	size_t i = 0;

	while (i < len && p->rc == PARSE_AGAIN) {
		char c = buf[i++];
		if (c == '\0')
			p->rc = pm_field_done(p);
		else if (p->len < pm_field_cap(p->field))
			p->buf[p->len++] = c;
		else
			p->rc = pm_bad(p, PARSE_TOO_LONG, "a virtual connection field is too long");
	}
	p->total += i;
	*consumed = i;
	return p->rc;
}

/* Appends len bytes and a NUL; false when they do not fit. */
static bool pm_put(char *out, size_t cap, size_t *at, const char *s, size_t len, bool nul)
{
	if (cap - *at < len + (nul ? 1 : 0))
		return false;
	memcpy(out + *at, s, len);
	*at += len;
	if (nul)
		out[(*at)++] = '\0';
	return true;
}

/* Decimal text of v in buf (at least 21 bytes); returns its length. */
static size_t pm_decimal(uint64_t v, char *buf)
{
	char tmp[21];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static bool pm_put_number(char *out, size_t cap, size_t *at, uint64_t v, char end)
{
	char digits[21];
	size_t n = pm_decimal(v, digits);

	return pm_put(out, cap, at, digits, n, false) && pm_put(out, cap, at, &end, 1, false);
}

size_t poll_msg_write(const struct poll_msg *m, char *out, size_t cap)
{
	size_t vlen = strlen(m->version), nlen = strlen(m->relay_name), glen = strlen(m->guid);
	size_t at = 0;
	bool ok;

	if (!pm_version_ok(m->version, vlen) || !pm_name_ok(m->relay_name, nlen) ||
	    !pm_guid_ok(m->guid, glen) || glen > CAP_POLL_GUID || m->seq > POLL_SEQ_MAX)
		return 0;
	ok = pm_put(out, cap, &at, m->version, vlen, true) &&
	     pm_put(out, cap, &at, POLL_URL_SCHEME, sizeof POLL_URL_SCHEME - 1, false) &&
	     pm_put(out, cap, &at, m->relay_name, nlen, true) &&
	     pm_put(out, cap, &at, m->guid, glen, true) &&
	     pm_put_number(out, cap, &at, m->seq, '\0') &&
	     pm_put_number(out, cap, &at, m->checksum, '\0');
	if (ok && m->has_params) {
		const struct poll_params *pp = &m->params;
		ok = pp->max_interval_s <= POLL_PARAM_MAX && pp->min_interval_s <= POLL_PARAM_MAX &&
		     pp->repetitions <= POLL_PARAM_MAX &&
		     pm_put_number(out, cap, &at, pp->max_interval_s, ',') &&
		     pm_put_number(out, cap, &at, pp->min_interval_s, ',') &&
		     pm_put_number(out, cap, &at, pp->repetitions, '\0');
	}
	return ok ? at : 0;
}
