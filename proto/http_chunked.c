/* The chunked transfer coding, read and dropped (RFC 7230 4.1):
 *   chunked-body = *chunk last-chunk trailer-part CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF */
#include "proto/http_chunked.h"

#include "common/caps.h"

void http_chunked_init(struct http_chunked *c, uint64_t max)
{
	c->state = HTTP_CHUNK_SIZE;
	c->rc = PARSE_AGAIN;
	c->digits = false;
	c->size = 0;
	c->total = 0;
	c->max = max;
	c->line = 0;
}

static int http_chunk_hex(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Control characters no line may carry (7230 3.2.6 for chunk-ext, 4.1.2 for the trailer's
 * fields); CR and LF are line ends, handled before. */
static bool http_chunk_ctl(unsigned char ch)
{
	return (ch < 0x20 && ch != '\t') || ch == 0x7f;
}

/* A new line starts in state st. */
static enum parse_rc http_chunk_line(struct http_chunked *c, enum http_chunked_state st)
{
	c->state = st;
	c->line = 0;
	if (st == HTTP_CHUNK_SIZE) {
		c->size = 0;
		c->digits = false;
	}
	return PARSE_AGAIN;
}

/* The size line ended: its chunk-data follows, or, after the last chunk, the trailer. A size
 * the cap cannot hold is refused before any of its data. */
static enum parse_rc http_chunk_sized(struct http_chunked *c)
{
	if (c->size == 0)
		return http_chunk_line(c, HTTP_CHUNK_TRAILER);
	if (c->size > c->max - c->total)
		return PARSE_TOO_LONG;
	c->state = HTTP_CHUNK_DATA;
	return PARSE_AGAIN;
}

/* A byte of a chunk-size line. */
static enum parse_rc http_chunk_size_byte(struct http_chunked *c, unsigned char ch)
{
	int d = c->state == HTTP_CHUNK_SIZE ? http_chunk_hex(ch) : -1;

	if (d >= 0) {
		if (c->size > (UINT64_MAX - (uint64_t)d) / 16)
			return PARSE_BAD;
		c->size = c->size * 16 + (uint64_t)d;
		c->digits = true;
		return PARSE_AGAIN;
	}
	if (!c->digits)
		return PARSE_BAD;
	if (ch == '\r') {
		c->state = HTTP_CHUNK_SIZE_LF;
		return PARSE_AGAIN;
	}
	if (ch == '\n')
		return http_chunk_sized(c);
	/* chunk-ext = *( BWS ";" BWS chunk-ext-name [ "=" chunk-ext-val ] ): whitespace after the
	 * size leads to ";" (a size is never followed by anything else: "5 junk" is no size 5);
	 * past it the extension is kept to no rule but its length, as nothing reads it */
	if (http_chunk_ctl(ch))
		return PARSE_BAD;
	if (c->state != HTTP_CHUNK_EXT && (ch == ' ' || ch == '\t')) {
		c->state = HTTP_CHUNK_BWS;
		return PARSE_AGAIN;
	}
	if (c->state != HTTP_CHUNK_EXT && ch != ';')
		return PARSE_BAD;
	c->state = HTTP_CHUNK_EXT;
	return PARSE_AGAIN;
}

/* A byte of the trailer: a field line, or the blank line that ends the body. */
static enum parse_rc http_chunk_trailer_byte(struct http_chunked *c, unsigned char ch)
{
	bool start = c->state == HTTP_CHUNK_TRAILER;

	if (ch == '\r') {
		c->state = start ? HTTP_CHUNK_END_LF : HTTP_CHUNK_FIELD_LF;
		return PARSE_AGAIN;
	}
	if (ch == '\n') {
		if (start) {
			c->state = HTTP_CHUNK_DONE;
			return PARSE_DONE;
		}
		return http_chunk_line(c, HTTP_CHUNK_TRAILER);
	}
	if (http_chunk_ctl(ch))
		return PARSE_BAD;
	c->state = HTTP_CHUNK_FIELD;
	return PARSE_AGAIN;
}

/* One byte outside chunk-data. */
static enum parse_rc http_chunk_byte(struct http_chunked *c, unsigned char ch)
{
	if (++c->line > CAP_HTTP_CHUNK_LINE)
		return PARSE_TOO_LONG;
	switch (c->state) {
	case HTTP_CHUNK_SIZE:
	case HTTP_CHUNK_BWS:
	case HTTP_CHUNK_EXT:
		return http_chunk_size_byte(c, ch);
	case HTTP_CHUNK_SIZE_LF:
		return ch == '\n' ? http_chunk_sized(c) : PARSE_BAD;
	case HTTP_CHUNK_DATA_CR:
		if (ch == '\r') {
			c->state = HTTP_CHUNK_DATA_LF;
			return PARSE_AGAIN;
		}
		/* a bare LF */
		/* fall through */
	case HTTP_CHUNK_DATA_LF:
		return ch == '\n' ? http_chunk_line(c, HTTP_CHUNK_SIZE) : PARSE_BAD;
	case HTTP_CHUNK_TRAILER:
	case HTTP_CHUNK_FIELD:
		return http_chunk_trailer_byte(c, ch);
	case HTTP_CHUNK_FIELD_LF:
		return ch == '\n' ? http_chunk_line(c, HTTP_CHUNK_TRAILER) : PARSE_BAD;
	case HTTP_CHUNK_END_LF:
		if (ch != '\n')
			return PARSE_BAD;
		c->state = HTTP_CHUNK_DONE;
		return PARSE_DONE;
	case HTTP_CHUNK_DATA:
	case HTTP_CHUNK_DONE:
		break;
	}
	return PARSE_BAD;
}

enum parse_rc http_chunked_parse(struct http_chunked *c, const char *buf, size_t len,
				 size_t *consumed)
{
	size_t i = 0;

	*consumed = 0;
	if (c->rc != PARSE_AGAIN)
		return c->rc;
	while (i < len && c->rc == PARSE_AGAIN) {
		size_t n = 1;

		if (c->state == HTTP_CHUNK_DATA && len - i > c->size)
			n = (size_t)c->size;
		else if (c->state == HTTP_CHUNK_DATA)
			n = len - i;
		if (n > c->max - c->total) {
			c->rc = PARSE_TOO_LONG;
			break;
		}
		c->total += n;
		if (c->state == HTTP_CHUNK_DATA) {
			c->size -= n;
			if (c->size == 0)
				http_chunk_line(c, HTTP_CHUNK_DATA_CR);
		} else {
			c->rc = http_chunk_byte(c, (unsigned char)buf[i]);
			if (c->rc == PARSE_BAD || c->rc == PARSE_TOO_LONG)
				break;
		}
		i += n;
	}
	*consumed = i;
	return c->rc;
}
