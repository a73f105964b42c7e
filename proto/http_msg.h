/* HTTP/1.x message heads, shared by the client engine (CONNECT replies, replies from the relay
 * through proxies) and the relay (requests): an incremental, bounded parser of a head (start line
 * plus header fields, RFC 7230 3 / RFC 1945 4, MS-GRVHENC 2.2.2), and a writer that formats one
 * into a caller's buffer. Pure functions over bytes; nothing allocates. */
#ifndef SSTPSHIM_HTTP_MSG_H
#define SSTPSHIM_HTTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "proto/parse.h"

/* What a parser accepts; both bits: whichever the first line turns out to be ("HTTP/" cannot
 * start a method, since '/' is not a token character). */
enum http_kind { HTTP_REQUEST = 1, HTTP_RESPONSE = 2 };

/* One parsed head. Strings live in the head's own arena (offsets, so a copy by value stays
 * valid); read them with the accessors below. All strings are NUL-terminated and contain no
 * control character other than HTAB. */
struct http_head {
	enum http_kind kind; /* HTTP_REQUEST or HTTP_RESPONSE */
	unsigned major, minor; /* HTTP-version; major is always 1 */
	unsigned status; /* responses: 100..999 */
	uint32_t method, target, reason; /* arena offsets; see the accessors */
	unsigned nfields;
	struct http_field {
		uint32_t name, value; /* arena offsets */
	} field[CAP_HTTP_HEADERS];
	uint32_t used; /* arena bytes in use */
	char arena[CAP_HTTP_HEAD];
};

/* Requests: the method ("GET") and request-target as sent ("/2.0/...", "http://h/...",
 * "host:443"); NULL for a response. */
const char *http_head_method(const struct http_head *h);
const char *http_head_target(const struct http_head *h);
/* Responses: the reason phrase, possibly empty; NULL for a request. */
const char *http_head_reason(const struct http_head *h);

/* Header fields in the order received: count, and the name (as sent) and value (without the
 * surrounding whitespace) of field i < count. */
unsigned http_head_count(const struct http_head *h);
const char *http_head_name(const struct http_head *h, unsigned i);
const char *http_head_value(const struct http_head *h, unsigned i);

/* The value of the first field called name (ASCII case-insensitive), or NULL. */
const char *http_head_get(const struct http_head *h, const char *name);
/* The value of the next field called name after the one whose value is prev (as returned by
 * http_head_get or this function; NULL starts from the top), or NULL: walks repeated fields
 * such as several Proxy-Authenticate (MS-GRVHENC 4.6). */
const char *http_head_next(const struct http_head *h, const char *name, const char *prev);

/* Content-Length (RFC 7230 3.3.2): 0 and *out set; -1 when absent; PARSE_BAD when a value is
 * not 1*DIGIT, exceeds INT64_MAX, or repeated fields (or a comma list) disagree. Identical
 * repeats are accepted, as 3.3.2 allows. */
int http_head_content_length(const struct http_head *h, uint64_t *out);

/* How a response's body ends (RFC 7230 3.3.3), for a response with a body (not to HEAD, not 1xx,
 * 204 or 304). */
enum http_framing {
	HTTP_FRAMING_LENGTH,  /* after Content-Length octets (*len) */
	HTTP_FRAMING_CHUNKED, /* with the last chunk of the chunked coding (proto/http_chunked) */
	HTTP_FRAMING_CLOSE,   /* when the connection closes: no Content-Length and no
			       * Transfer-Encoding, or one whose last coding is not chunked */
	HTTP_FRAMING_BAD,     /* a malformed Content-Length, or one with a Transfer-Encoding
			       * (3.3.3 item 3: a sign of response splitting, handled as an error) */
};

/* The framing of response h's body; *len set for HTTP_FRAMING_LENGTH, else 0. */
enum http_framing http_head_framing(const struct http_head *h, uint64_t *len);

/* Whether any field called name holds token in its comma-separated list, ASCII
 * case-insensitive ("Connection: Keep-Alive, close" has "close"; RFC 7230 7). */
bool http_head_has_token(const struct http_head *h, const char *name, const char *token);

/* The incremental parser. Bytes are copied into the head as they come, so the caller may drop
 * everything the parser reports consumed. */
struct http_parser {
	unsigned want; /* enum http_kind bits */
	enum parse_rc rc; /* PARSE_AGAIN until the head is done or failed; then sticky */
	uint32_t total; /* bytes consumed so far */
	uint32_t line; /* arena offset where the current line starts */
	bool cr; /* the previous byte was CR */
	bool started; /* the start line has been parsed */
	struct http_head head;
};

/* Readies p for one head of the kinds in want (enum http_kind bits). Cheap: call it again for
 * the next message on a kept-alive connection. */
void http_parser_init(struct http_parser *p, unsigned want);

/* Feeds len bytes. Consumes at most through the line end of the blank line that ends the head,
 * never beyond: on PARSE_DONE, *consumed counts the head's last bytes in buf and what follows
 * belongs to the body or the application. PARSE_AGAIN: all len consumed, feed more. On PARSE_BAD
 * / PARSE_TOO_LONG, *consumed counts up to and including the offending byte. Once not AGAIN, the result is
 * sticky (consumed 0) until http_parser_init.
 * Accepts CRLF or bare LF line ends and, when only HTTP_REQUEST is wanted, empty lines before
 * the request line (RFC 7230 3.5). PARSE_BAD: a bare CR, a control character or NUL, obs-fold (a line starting
 * with SP/HTAB), a field without ':' or with an empty name or whitespace before ':', a malformed
 * request line, status code or HTTP-version (7230 3.1, 3.2, 3.2.4). PARSE_TOO_LONG: a start
 * line over CAP_HTTP_LINE, a head over CAP_HTTP_HEAD, more than CAP_HTTP_HEADERS fields; each
 * reported as soon as the cap is passed, without waiting for a line end. */
enum parse_rc http_parse(struct http_parser *p, const char *buf, size_t len, size_t *consumed);

/* The parsed head; meaningful after PARSE_DONE. */
const struct http_head *http_parser_head(const struct http_parser *p);

/* A head being written into a fixed caller buffer: lines end in CRLF, fields keep the order they
 * are added in. A write that does not fit sets overflow, an argument that would break the
 * message (CR, LF or another control character in a value, a name that is not a token, a space
 * in a target) sets invalid; either way nothing more is written and http_out_finish fails. */
struct http_out {
	char *buf;
	size_t cap, len;
	bool overflow, invalid;
};

void http_out_init(struct http_out *o, char *buf, size_t cap);
/* "METHOD target HTTP/1.minor" CRLF. */
void http_out_request_line(struct http_out *o, const char *method, const char *target,
			   unsigned minor);
/* "HTTP/1.minor status reason" CRLF; status 100..999. */
void http_out_status_line(struct http_out *o, unsigned minor, unsigned status, const char *reason);
/* "name: value" CRLF. */
void http_out_header(struct http_out *o, const char *name, const char *value);
/* "name: <decimal v>" CRLF, for Content-Length. */
void http_out_header_u64(struct http_out *o, const char *name, uint64_t v);
/* The blank line that ends the head. */
void http_out_end(struct http_out *o);
/* Raw bytes after the head (a short body such as "<HTML></HTML>", MS-GRVHENC 2.2.2.2.4.1.1). */
void http_out_bytes(struct http_out *o, const void *data, size_t len);
/* 0 and *len the bytes written; -1 when anything overflowed or was invalid. */
int http_out_finish(const struct http_out *o, size_t *len);

#endif
