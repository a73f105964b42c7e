#include "proto/http_msg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/num.h"

/* RFC 7230 3.2.6: tchar, the characters of a token (method, field name). */
static bool http_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Control characters no head may carry (7230 3.2: field-value is VCHAR / obs-text / SP / HTAB;
 * the same holds for the reason phrase, 3.1.2). CR and LF are line ends, handled before. */
static bool http_is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool http_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char http_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

/* ASCII case-insensitive equality of a NUL-terminated string and len bytes; strcasecmp would
 * follow the application's locale. */
static bool http_eq_nocase(const char *a, const char *b, size_t blen)
{
	for (size_t i = 0; i < blen; i++)
		if (a[i] == '\0' || http_lower((unsigned char)a[i]) != http_lower((unsigned char)b[i]))
			return false;
	return a[blen] == '\0';
}

/* --- parsing ---------------------------------------------------------------------------- */

void http_parser_init(struct http_parser *p, unsigned want)
{
	struct http_head *h = &p->head;

	p->want = want & (HTTP_REQUEST | HTTP_RESPONSE);
	p->rc = PARSE_AGAIN;
	p->total = 0;
	p->line = 0;
	p->cr = false;
	p->started = false;
	h->kind = 0;
	h->major = h->minor = h->status = 0;
	h->method = h->target = h->reason = UINT32_MAX;
	h->nfields = 0;
	h->used = 0;
}

const struct http_head *http_parser_head(const struct http_parser *p)
{
	return &p->head;
}

/* "HTTP/" DIGIT "." DIGIT (7230 2.6; MS-GRVHENC 2.2.1.2 HTTP-Version); only major version 1 is
 * an HTTP/1.x message. */
static int http_version_parse(const char *s, struct http_head *h)
{
	if (memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9')
		return -1;
	h->major = 1;
	h->minor = (unsigned)(s[7] - '0');
	return 0;
}

/* status-line = HTTP-version SP status-code SP reason-phrase (7230 3.1.2, MS-GRVHENC 2.2.1.4).
 * A missing " reason" is tolerated, as most clients do. Leaves the reason at the line's start. */
static enum parse_rc http_status_line(struct http_head *h, uint32_t off, uint32_t len)
{
	char *line = h->arena + off;
	uint64_t status;
	uint32_t rlen = 0;

	if (len < 12 || http_version_parse(line, h) < 0 || line[8] != ' ')
		return PARSE_BAD;
	if (num_parse_u64(line + 9, 3, 999, &status) < 0 || status < 100)
		return PARSE_BAD;
	if (len > 12) {
		if (line[12] != ' ')
			return PARSE_BAD;
		rlen = len - 13;
		memmove(line, line + 13, rlen);
	}
	line[rlen] = '\0';
	h->kind = HTTP_RESPONSE;
	h->status = (unsigned)status;
	h->reason = off;
	h->used = off + rlen + 1;
	return PARSE_AGAIN;
}

/* request-line = method SP request-target SP HTTP-version (7230 3.1.1): exactly one SP each, a
 * token method, a target of visible ASCII (origin, absolute or authority form, 5.3). */
static enum parse_rc http_request_line(struct http_head *h, uint32_t off, uint32_t len)
{
	char *line = h->arena + off;
	const char *sp1 = memchr(line, ' ', len), *sp2;
	uint32_t tend;

	if (!sp1 || sp1 == line)
		return PARSE_BAD;
	for (const char *c = line; c < sp1; c++)
		if (!http_is_tchar((unsigned char)*c))
			return PARSE_BAD;
	sp2 = memchr(sp1 + 1, ' ', len - (uint32_t)(sp1 + 1 - line));
	if (!sp2 || sp2 == sp1 + 1)
		return PARSE_BAD;
	for (const char *c = sp1 + 1; c < sp2; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			return PARSE_BAD;
	tend = (uint32_t)(sp2 - line);
	if (len - tend - 1 != 8 || http_version_parse(line + tend + 1, h) < 0)
		return PARSE_BAD;
	line[sp1 - line] = '\0';
	line[tend] = '\0';
	h->kind = HTTP_REQUEST;
	h->method = off;
	h->target = off + (uint32_t)(sp1 + 1 - line);
	h->used = off + tend + 1;
	return PARSE_AGAIN;
}

/* field-name ":" OWS field-value OWS (7230 3.2). No whitespace between name and colon (3.2.4),
 * no obs-fold (checked as the line starts). Rewrites the line as "name\0value\0". */
static enum parse_rc http_field_line(struct http_head *h, uint32_t off, uint32_t len)
{
	char *line = h->arena + off;
	const char *colon = memchr(line, ':', len);
	uint32_t c, v, e;

	if (!colon || colon == line)
		return PARSE_BAD;
	c = (uint32_t)(colon - line);
	for (uint32_t i = 0; i < c; i++)
		if (!http_is_tchar((unsigned char)line[i]))
			return PARSE_BAD;
	for (v = c + 1; v < len && http_is_ows(line[v]); v++)
		;
	for (e = len; e > v && http_is_ows(line[e - 1]); e--)
		;
	line[c] = '\0';
	memmove(line + c + 1, line + v, e - v);
	line[c + 1 + e - v] = '\0';
	h->field[h->nfields].name = off;
	h->field[h->nfields].value = off + c + 1;
	h->nfields++;
	h->used = off + c + 1 + (e - v) + 1;
	return PARSE_AGAIN;
}

/* The start line is complete: a status line if it can be one and is wanted, else a request. */
static enum parse_rc http_start_line(struct http_parser *p, uint32_t len)
{
	struct http_head *h = &p->head;
	const char *line = h->arena + p->line;

	if ((p->want & HTTP_RESPONSE) && len >= 5 && memcmp(line, "HTTP/", 5) == 0)
		return http_status_line(h, p->line, len);
	if (p->want & HTTP_REQUEST)
		return http_request_line(h, p->line, len);
	return PARSE_BAD;
}

/* A line end (LF, after an optional CR) was consumed. */
static enum parse_rc http_line_end(struct http_parser *p)
{
	struct http_head *h = &p->head;
	uint32_t len = h->used - p->line;
	enum parse_rc rc;

	if (!p->started) {
		if (len == 0) /* 7230 3.5: a server ignores empty lines before a request-line */
			return p->want == HTTP_REQUEST ? PARSE_AGAIN : PARSE_BAD;
		rc = http_start_line(p, len);
		p->started = true;
	} else if (len == 0) {
		return PARSE_DONE;
	} else {
		rc = http_field_line(h, p->line, len);
	}
	p->line = h->used;
	return rc;
}

/* Checks on a byte just stored that need not wait for the line end, so that a peer that never
 * ends its line is caught at the cap and a non-HTTP reply at once. */
static enum parse_rc http_byte_stored(struct http_parser *p, unsigned char c)
{
	const struct http_head *h = &p->head;
	uint32_t pos = h->used - p->line - 1;

	if (!p->started) {
		if (pos >= CAP_HTTP_LINE)
			return PARSE_TOO_LONG;
		if (p->want == HTTP_RESPONSE && pos < 5 && c != (unsigned char)"HTTP/"[pos])
			return PARSE_BAD;
		return PARSE_AGAIN;
	}
	if (pos == 0 && http_is_ows((char)c)) /* obs-fold, 7230 3.2.4 */
		return PARSE_BAD;
	if (pos == 0 && h->nfields >= CAP_HTTP_HEADERS)
		return PARSE_TOO_LONG;
	return PARSE_AGAIN;
}

static enum parse_rc http_parse_byte(struct http_parser *p, unsigned char c)
{
	struct http_head *h = &p->head;

	/* The arena is as large as the cap, and a head never stores more bytes than it consumed. */
	if (p->total >= CAP_HTTP_HEAD)
		return PARSE_TOO_LONG;
	p->total++;
	if (c == '\n') {
		p->cr = false;
		return http_line_end(p);
	}
	if (c == '\r' && !p->cr) {
		p->cr = true;
		return PARSE_AGAIN;
	}
	if (p->cr || http_is_ctl(c)) /* a CR not before LF, NUL and other controls */
		return PARSE_BAD;
	h->arena[h->used++] = (char)c;
	return http_byte_stored(p, c);
}

enum parse_rc http_parse(struct http_parser *p, const char *buf, size_t len, size_t *consumed)
{
	size_t i = 0;

	*consumed = 0;
	if (p->rc != PARSE_AGAIN)
		return p->rc;
	while (i < len && p->rc == PARSE_AGAIN)
		p->rc = http_parse_byte(p, (unsigned char)buf[i++]);
	*consumed = i;
	return p->rc;
}

/* --- reading a head --------------------------------------------------------------------- */

static const char *http_head_str(const struct http_head *h, uint32_t off)
{
	return off == UINT32_MAX ? NULL : h->arena + off;
}

const char *http_head_method(const struct http_head *h)
{
	return http_head_str(h, h->method);
}

const char *http_head_target(const struct http_head *h)
{
	return http_head_str(h, h->target);
}

const char *http_head_reason(const struct http_head *h)
{
	return http_head_str(h, h->reason);
}

unsigned http_head_count(const struct http_head *h)
{
	return h->nfields;
}

const char *http_head_name(const struct http_head *h, unsigned i)
{
	return i < h->nfields ? h->arena + h->field[i].name : NULL;
}

const char *http_head_value(const struct http_head *h, unsigned i)
{
	return i < h->nfields ? h->arena + h->field[i].value : NULL;
}

const char *http_head_next(const struct http_head *h, const char *name, const char *prev)
{
	unsigned i = 0;
	size_t nlen = strlen(name);

	if (prev) {
		while (i < h->nfields && h->arena + h->field[i].value != prev)
			i++;
		i++;
	}
	for (; i < h->nfields; i++)
		if (http_eq_nocase(h->arena + h->field[i].name, name, nlen))
			return h->arena + h->field[i].value;
	return NULL;
}

const char *http_head_get(const struct http_head *h, const char *name)
{
	return http_head_next(h, name, NULL);
}

/* Steps through a comma list (7230 7): the next element of *s, without OWS, possibly empty.
 * false when the list is exhausted. */
static bool http_list_next(const char **s, const char **item, size_t *ilen)
{
	const char *p = *s, *end;

	if (!p)
		return false;
	end = strchr(p, ',');
	*s = end ? end + 1 : NULL;
	if (!end)
		end = p + strlen(p);
	while (p < end && http_is_ows(*p))
		p++;
	while (end > p && http_is_ows(end[-1]))
		end--;
	*item = p;
	*ilen = (size_t)(end - p);
	return true;
}

int http_head_content_length(const struct http_head *h, uint64_t *out)
{
	const char *v = NULL, *list, *item;
	size_t ilen;
	uint64_t n = 0, x;
	bool found = false;

	while ((v = http_head_next(h, "Content-Length", v)) != NULL) {
		list = v;
		while (http_list_next(&list, &item, &ilen)) {
			if (num_parse_u64(item, ilen, INT64_MAX, &x) < 0 || (found && x != n))
				return PARSE_BAD;
			n = x;
			found = true;
		}
	}
	if (!found)
		return -1;
	*out = n;
	return 0;
}

/* Whether the last coding of the last Transfer-Encoding field is chunked (7230 3.3.1: the
 * codings apply in the order listed, and chunked, when present, is the last). */
static bool http_te_last_chunked(const struct http_head *h)
{
	const char *v = NULL, *last = NULL, *item = NULL;
	size_t ilen = 0;

	while ((v = http_head_next(h, "Transfer-Encoding", v)) != NULL)
		last = v;
	while (http_list_next(&last, &item, &ilen))
		;
	return item && http_eq_nocase("chunked", item, ilen);
}

enum http_framing http_head_framing(const struct http_head *h, uint64_t *len)
{
	uint64_t n = 0;
	int cl = http_head_content_length(h, &n);

	*len = 0;
	if (http_head_get(h, "Transfer-Encoding")) {
		if (cl != -1)
			return HTTP_FRAMING_BAD;
		return http_te_last_chunked(h) ? HTTP_FRAMING_CHUNKED : HTTP_FRAMING_CLOSE;
	}
	if (cl == -1)
		return HTTP_FRAMING_CLOSE;
	if (cl != 0)
		return HTTP_FRAMING_BAD;
	*len = n;
	return HTTP_FRAMING_LENGTH;
}

bool http_head_has_token(const struct http_head *h, const char *name, const char *token)
{
	const char *v = NULL, *list, *item;
	size_t ilen;

	while ((v = http_head_next(h, name, v)) != NULL) {
		list = v;
		while (http_list_next(&list, &item, &ilen))
			if (http_eq_nocase(token, item, ilen))
				return true;
	}
	return false;
}

/* --- writing a head --------------------------------------------------------------------- */

void http_out_init(struct http_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->overflow = false;
	o->invalid = false;
}

static void http_out_put(struct http_out *o, const void *s, size_t n)
{
	if (o->overflow || o->invalid)
		return;
	if (n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void http_out_str(struct http_out *o, const char *s)
{
	http_out_put(o, s, strlen(s));
}

static bool http_str_is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!http_is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* A request-target: visible ASCII, no space (7230 3.1.1, 5.3). */
static bool http_str_is_target(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* A field value or reason phrase: no CR, LF or other control (header injection). */
static bool http_str_is_text(const char *s)
{
	for (; *s; s++)
		if (http_is_ctl((unsigned char)*s))
			return false;
	return true;
}

/* Marks o invalid unless ok; returns ok. */
static bool http_out_check(struct http_out *o, bool ok)
{
	if (!ok)
		o->invalid = true;
	return ok;
}

void http_out_request_line(struct http_out *o, const char *method, const char *target,
			   unsigned minor)
{
	char v[] = " HTTP/1.x\r\n";

	if (!http_out_check(o, http_str_is_token(method) && http_str_is_target(target) && minor <= 9))
		return;
	v[8] = (char)('0' + minor);
	http_out_str(o, method);
	http_out_put(o, " ", 1);
	http_out_str(o, target);
	http_out_str(o, v);
}

void http_out_status_line(struct http_out *o, unsigned minor, unsigned status, const char *reason)
{
	char line[32];

	if (!http_out_check(o, minor <= 9 && status >= 100 && status <= 999 &&
				       http_str_is_text(reason)))
		return;
	snprintf(line, sizeof(line), "HTTP/1.%u %u ", minor, status);
	http_out_str(o, line);
	http_out_str(o, reason);
	http_out_put(o, "\r\n", 2);
}

void http_out_header(struct http_out *o, const char *name, const char *value)
{
	if (!http_out_check(o, http_str_is_token(name) && http_str_is_text(value)))
		return;
	http_out_str(o, name);
	http_out_put(o, ": ", 2);
	http_out_str(o, value);
	http_out_put(o, "\r\n", 2);
}

void http_out_header_u64(struct http_out *o, const char *name, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	http_out_header(o, name, num);
}

void http_out_end(struct http_out *o)
{
	http_out_put(o, "\r\n", 2);
}

void http_out_bytes(struct http_out *o, const void *data, size_t len)
{
	http_out_put(o, data, len);
}

int http_out_finish(const struct http_out *o, size_t *len)
{
	if (o->overflow || o->invalid)
		return -1;
	*len = o->len;
	return 0;
}
