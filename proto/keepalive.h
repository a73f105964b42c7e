/* The KeepAlive encapsulation's messages (MS-GRVHENC 2.2.2.2): the requests a client writes on
 * its GET and POST sessions, their validation on the relay, the relay's responses, and a reader
 * that splits a kept-alive connection into length-delimited messages. Pure functions over bytes;
 * nothing allocates. The request-target has the LongLived form with another type token, so it is
 * parsed by proto/ll_uri; heads by proto/http_msg.
 *
 * Two extension fields, which a relay that follows only the spec ignores (2.2.1.2: unknown
 * headers are interpreted as HTTP says, i.e. skipped), make the byte stream exact where the spec
 * is silent:
 *   X-Sstp-Offset: N  on a data POST: N is the offset, in the client -> server application byte
 *                     stream, of the body's first octet. A re-opened POST session resends the
 *                     chunk that was in flight (3.3.7.1) with the same N; a relay that already
 *                     delivered part or all of it drops that prefix, so nothing is delivered twice.
 *   X-Sstp-End: 1     on an empty POST (X-Sstp-Offset then gives the stream's total length): the
 *                     application finished sending (a TCP half-close); on an empty GET response:
 *                     the backend finished sending. The spec has no way to say either. */
#ifndef SSTPSHIM_KEEPALIVE_H
#define SSTPSHIM_KEEPALIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/http_chunked.h"
#include "proto/http_msg.h"
#include "proto/longlived.h"
#include "proto/parse.h"

/* KeepAlive-Encapsulation-Type-Token (2.2.2.2.1.1.1); the version is LL_VERSION (2.2.2.2.1.1.2). */
#define KA_TYPE_TOKEN "ConnType=KeepAlive"
/* Largest entity body of a request or response (3.3.4.7.1, 3.4.4.3). */
#define KA_CHUNK_MAX 32768u
/* KeepAlive-POST-Response-No-Data (2.2.2.2.4.1.1), with the CRLF the example counts
 * (Content-Length: 15 in 2.2.2.2.4.2 and 4.2); accepted without it too. */
#define KA_NO_DATA "<HTML></HTML>"
#define KA_NO_DATA_LINE KA_NO_DATA "\r\n"
#define KA_NO_DATA_LINE_LEN 15u
/* The extension fields described above. */
#define KA_HDR_OFFSET "X-Sstp-Offset"
#define KA_HDR_END "X-Sstp-End"

/* What a client request says. */
struct ka_request {
	enum ll_kind kind;
	const char *relay;       /* the relay's "host[:port]": Host, and the absolute URI's authority */
	const char *server_name; /* Relay-Server-Name (2.2.1.1.2), also the POST's UserAgent */
	const char *guid;        /* Virtual-Connection-GUID */
	const char *request_id;  /* KeepAlive-Encapsulation-Request-ID; through a proxy only */
	bool via_proxy;          /* absolute URI with ID=, Proxy-Connection (2.2.1.2.9) */
	bool host_on_post;       /* a Host field on the POST too, which 2.2.2.2.2 does not list */
	bool handshake;          /* POST: the body is the echo string (3.3.4.1.3) */
	uint64_t body_len;       /* POST, not handshake: Content-Length of the chunk that follows */
	bool has_offset;         /* POST, not handshake: X-Sstp-Offset */
	uint64_t offset;
	bool end;                /* POST: X-Sstp-End (body_len must be 0) */
	const char *auth_field;  /* through an authenticating proxy (3.3.4.7.2, 3.3.5.3.2): */
	const char *auth_value;  /* Proxy-Authorization and its value; NULL: none */
};

/* Writes the request-target (2.2.2.2.1.1): relative when direct, absolute with ID= through a
 * proxy (3.3.4.1.2, 3.3.4.1.4, 3.3.5.3.2). 0 and *len (a NUL follows), or -1. */
int ka_uri_write(const struct ka_request *r, char *buf, size_t cap, size_t *len);

/* Writes a request head (2.2.2.2.1, 2.2.2.2.2) with the fields in the order of the examples
 * (2.2.2.2.1.2, 2.2.2.2.3, 4.2), the proxy credentials last; the handshake POST carries its
 * body, the echo string with CRLF.
 * A data POST's body (body_len octets) is the caller's to append. 0 and *len, or -1. */
int ka_request_write(const struct ka_request *r, char *buf, size_t cap, size_t *len);

/* A validated request. */
struct ka_info {
	enum ll_kind kind;
	struct ll_target target;
	uint64_t content_length; /* POST: 0..KA_CHUNK_MAX; GET: 0 */
	bool has_offset;
	uint64_t offset;         /* X-Sstp-Offset */
	bool end;                /* X-Sstp-End */
	bool close_after;        /* the sender wants the connection closed after the response */
};

/* Whether a request-target names the KeepAlive encapsulation (a "ConnType=KeepAlive" token after
 * the GUID), so that a relay knows which validation applies. */
bool ka_target_is_keepalive(const char *target);

/* Validates a request head as a relay must (3.4.5.1.1, 3.4.5.1.2, 3.4.5.2): GET or POST, a
 * KeepAlive-Request-URI, and for a POST a Content-Length of 0..KA_CHUNK_MAX (2.2.2.2.2.1,
 * 3.4.4.3). Extension fields as described above; a malformed X-Sstp-Offset is a protocol error.
 * Fields this spec does not define are ignored (2.2.1.2). */
enum ll_verdict ka_request_check(const struct http_head *h, struct ka_info *out, const char **why);

/* Writes the handshake KeepAlive-POST-Response (2.2.2.2.4.2, 3.4.5.2.3.1) when handshake, else the
 * empty one that acknowledges a chunk (3.4.5.2.3.2). 0 and *len, or -1. */
int ka_post_response_write(char *buf, size_t cap, size_t *len, const char *date,
			   const char *server, bool handshake);

/* Writes the head of a KeepAlive-GET-Response (2.2.2.2.3): with the echo string as its body when
 * echo (3.4.5.1.1.1), else Content-Length: body_len (1..KA_CHUNK_MAX) for a chunk the caller
 * appends (3.4.4.3), or, when end, an empty response with X-Sstp-End. 0 and *len, or -1. */
int ka_get_response_write(char *buf, size_t cap, size_t *len, const char *date, const char *server,
			  bool echo, uint64_t body_len, bool end);

/* Whether a whole body is the literal lit, alone or followed by CRLF or LF: the echo string and
 * KeepAlive-POST-Response-No-Data arrive either way (spec/README.md). */
bool ka_body_is(const char *lit, const char *body, size_t len);

/* Splits the bytes of one kept-alive connection into messages: a head, then exactly
 * Content-Length octets of body, then the next head. A proxy's 401/407 (3.3.5.1.3, 3.3.5.2.3) is
 * not a KeepAlive message: its page is framed as HTTP frames it (RFC 7230 3.3.3: Content-Length,
 * the chunked coding, or the connection's end), up to CAP_PROXY_AUTH_BODY octets as sent. */
struct ka_reader {
	struct http_parser http;
	unsigned want;       /* HTTP_REQUEST or HTTP_RESPONSE */
	bool in_body;
	bool done;           /* the last message is complete; its head stays readable until the
			      * next feed */
	uint64_t body_left;
	bool page;           /* the body is a 401/407's page, framed by page_framing */
	enum http_framing page_framing;
	uint64_t page_read;  /* octets of the page so far, as sent */
	struct http_chunked chunks; /* HTTP_FRAMING_CHUNKED */
};

enum ka_step {
	KA_STEP_AGAIN, /* all given consumed; feed more */
	KA_STEP_HEAD,  /* a head is through (ka_reader_head); its body follows */
	KA_STEP_BODY,  /* *consumed octets at the start of buf are body (a 401/407's page as sent,
			* chunk framing included) */
	KA_STEP_END,   /* the message is complete; the next feed starts a new one */
	KA_STEP_BAD,   /* malformed, too long, or no usable Content-Length; *why says which */
};

void ka_reader_init(struct ka_reader *r, unsigned want);

/* Feeds len bytes (len may be 0, to collect a pending KA_STEP_END). Returns one step at a time:
 * call again with the rest of buf until KA_STEP_AGAIN. A head without Content-Length, or with one
 * over KA_CHUNK_MAX, is KA_STEP_BAD: every KeepAlive message carries one (2.2.2.2.2.1). A
 * 401/407 response's page is KA_STEP_BAD when its framing is malformed, when it passes
 * CAP_PROXY_AUTH_BODY octets (the moment it does, whatever length it announced), and, ending with
 * the connection, never ends here: the caller closes it. */
enum ka_step ka_reader_feed(struct ka_reader *r, const char *buf, size_t len, size_t *consumed,
			    const char **why);

/* The head of the current message; meaningful from KA_STEP_HEAD until the next feed after
 * KA_STEP_END. */
const struct http_head *ka_reader_head(const struct ka_reader *r);

/* Octets of the current body still to come (of a 401/407's page: 0, which tells nothing). */
uint64_t ka_reader_body_left(const struct ka_reader *r);

#endif
