/* The LongLived encapsulation's messages (MS-GRVHENC 2.2.2.1): the request-targets and heads a
 * client writes, their validation on the relay, the relay's responses, and the echo handshake
 * string both sides send and check. Pure functions over bytes; nothing allocates. Heads are
 * parsed with proto/http_msg. */
#ifndef SSTPSHIM_LONGLIVED_H
#define SSTPSHIM_LONGLIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/caps.h"
#include "proto/http_msg.h"
#include "proto/parse.h"

/* LongLived-Encapsulation-Version (2.2.2.1.1.1.1). */
#define LL_VERSION "2.0"
/* ConnectionContentLength: 0x7ffff000 octets per session (1.3.1.1, 2.2.2.1.1.1.3, <6>). */
#define LL_CONTENT_LENGTH 2147479552ull
/* Encapsulation-Echo-String (2.2.1.1.3). The examples follow it with CRLF (Content-Length: 22
 * in 4.2) though the ABNF does not: we send the CRLF and accept it or not. */
#define LL_ECHO "GroovePing: 1.0,Ping"
#define LL_ECHO_LEN 20u
#define LL_ECHO_LINE LL_ECHO "\r\n"
#define LL_ECHO_LINE_LEN 22u
/* LongLived-Encapsulation-Type-Token (2.2.2.1.1.1.2). */
#define LL_TYPE_TOKEN "ConnType=LongLived"
/* User-Agent as the original clients sent it (2.2.1.2.3, <8>): proxies know it. */
#define LL_USER_AGENT "Mozilla/4.0 (compatible; MSIE 5.5; Win32)"

enum ll_kind { LL_GET, LL_POST };

/* What a client request says. */
struct ll_request {
	enum ll_kind kind;
	const char *relay;       /* the relay's "host[:port]": Host, and the absolute URI's authority */
	const char *server_name; /* Relay-Server-Name (2.2.1.1.2), also the POST's UserAgent */
	const char *guid;        /* Virtual-Connection-GUID */
	const char *request_id;  /* LongLived-Encapsulation-Request-ID; through a proxy only */
	uint64_t content_length; /* ConnectionContentLength */
	bool via_proxy;          /* absolute URI with ID=, Proxy-Connection (2.2.1.2.9) */
	bool host_on_post;       /* a Host field on the POST too, which 2.2.2.1.2 does not list */
	const char *auth_field;  /* through an authenticating proxy (3.1.4.1.2, 3.1.4.1.4): */
	const char *auth_value;  /* Proxy-Authorization and its value; NULL: none */
	bool no_body;            /* a POST that only carries an NTLM NEGOTIATE: Content-Length 0 */
};

/* Writes the request-target (2.2.2.1.1.1, 2.2.2.1.2.1): relative when direct, absolute with ID=
 * through a proxy. 0 and *len (a NUL follows), or -1 when it does not fit or a part is empty. */
int ll_uri_write(const struct ll_request *r, char *buf, size_t cap, size_t *len);

/* Writes the whole request (2.2.2.1.1, 2.2.2.1.2): head, and for a POST the echo string as the
 * first body fragment (3.1.4.1.3), unless no_body. Headers in the order of the examples
 * (2.2.2.1.1.2, 2.2.2.1.2.4), proxy credentials last. 0 and *len, or -1. */
int ll_request_write(const struct ll_request *r, char *buf, size_t cap, size_t *len);

/* How a relay answers a request. */
enum ll_verdict {
	LL_OK,
	LL_ERR_VERSION,  /* version mismatch: 400 (3.2.5.1.1 step 2) */
	LL_ERR_PROTOCOL, /* anything else: the virtual connection closes (3.2.5.1.1 step 1, 3) */
	LL_ERR_METHOD,   /* neither GET nor POST */
};

/* What a request-target says (2.2.2.1.1.1). */
struct ll_target {
	unsigned major, minor;              /* LongLived-Encapsulation-Version */
	char server_name[CAP_HOST_NAME + 1]; /* Relay-Server-Name */
	char guid[CAP_GUID_MAX + 1];
	bool has_type;                      /* ConnType=LongLived was present */
	bool has_content_length;
	uint64_t content_length;            /* ContentLength=, 1..LL_CONTENT_LENGTH */
};

/* Parses a request-target, relative or absolute ("http://authority/..."), accepting a space
 * after each comma as the examples in 4.1 show and tokens in any order; ID= is ignored (3.2.5.1.1
 * step 5), unknown tokens too. LL_OK, LL_ERR_VERSION when all parses but the version is not 2.0,
 * else LL_ERR_PROTOCOL with *why a static text. */
enum ll_verdict ll_target_parse(const char *target, struct ll_target *out, const char **why);

/* The same for another encapsulation that shares this URI form: the KeepAlive-Request-URI
 * (2.2.2.2.1.1) carries type "ConnType=KeepAlive" and no ContentLength=. */
enum ll_verdict ll_target_parse_type(const char *target, const char *type, struct ll_target *out,
				     const char **why);

/* A validated request. */
struct ll_info {
	enum ll_kind kind;
	struct ll_target target;
	uint64_t content_length; /* GET: ContentLength= of the URI; POST: the Content-Length field */
};

/* Validates a request head as a relay must (3.2.5.1.1, 3.2.5.2.1): GET with the type token and
 * ContentLength=, POST with the type token and a Content-Length of 1..LL_CONTENT_LENGTH. Other
 * fields, and values this spec does not define, are ignored (2.2.1.2). */
enum ll_verdict ll_request_check(const struct http_head *h, struct ll_info *out, const char **why);

/* An HTTP-date (2.2.1.3.1, RFC 1945 3.3) for t: "Wed, 26 Dec 2007 20:31:28 GMT" (29 bytes). */
#define LL_DATE_CAP 40u
void ll_http_date(time_t t, char out[LL_DATE_CAP]);

/* The reason phrase of status as 2.2.1.4 lists it, "Bad Request" for 400; NULL when unlisted. */
const char *ll_reason(unsigned status);

/* Writes a response head as the examples of 2.2.2.1.3.2 and 2.2.2.2.3.1 show it: HTTP/1.0 status
 * line, Date, Server, Connection: Keep-Alive, Content-Length, blank line (2.2.2.1.3, 2.2.2.2.3,
 * 2.2.2.2.4). status must be listed in 2.2.1.4. */
void ll_response_head(struct http_out *o, unsigned status, const char *date, const char *server,
		      uint64_t content_length);

/* Writes the 200 LongLived-GET-Response (2.2.2.1.3, 3.2.5.1.1.1): Date, Server, Connection,
 * Content-Length, then the echo string with CRLF as the examples show. 0 and *len, or -1. */
int ll_get_response_write(char *buf, size_t cap, size_t *len, const char *date,
			  const char *server, uint64_t content_length);

/* Writes an error response (2.2.2.1.4, 3.2.5.1.1.2) with a status of 2.2.1.4 and Content-Length:
 * 0. 0 and *len, or -1 (also for an unlisted status). */
int ll_error_response_write(char *buf, size_t cap, size_t *len, unsigned status, const char *date,
			    const char *server);

/* How a client takes a response on either session (3.1.5.1.1, 3.1.5.2.1): LL_OK for 200 on
 * HTTP/1.x; otherwise LL_ERR_PROTOCOL (the status says which). */
enum ll_verdict ll_response_check(const struct http_head *h, const char **why);

/* The echo string at the start of a body (3.1.5.2.1.1, 3.2.5.2.1), then an optional line end. */
struct ll_echo {
	unsigned matched; /* bytes of LL_ECHO seen */
	bool cr;          /* a CR after it */
};

void ll_echo_init(struct ll_echo *e);

/* Feeds body bytes. PARSE_DONE once the string and its optional CRLF or LF are through; consumed
 * then excludes the first byte of what follows (application data). PARSE_AGAIN: all consumed.
 * PARSE_BAD: the bytes differ from the echo string, or a CR after it is not followed by LF;
 * consumed counts through the offending byte. */
enum parse_rc ll_echo_parse(struct ll_echo *e, const char *buf, size_t len, size_t *consumed);

/* Whether the whole echo string has arrived (the line end may still be pending): enough to
 * complete the handshake. */
bool ll_echo_seen(const struct ll_echo *e);

/* Pieces of the heads above that the other encapsulations share (Polling, 2.2.2.3): Accept,
 * Content-Type and User-Agent (2.2.1.2.1-3); Pragma, Cache-Control twice and Expires (2.2.1.2.4,
 * 2.2.1.2.5, 2.2.1.2.8); a response's status line, Date, Server, Connection and Content-Length
 * (2.2.2.1.3), without the blank line that ends the head. */
void ll_common_headers(struct http_out *o);
void ll_cache_headers(struct http_out *o);
void ll_response_fields(struct http_out *o, unsigned status, const char *date,
			const char *server, uint64_t content_length);

#endif
