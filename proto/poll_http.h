/* The Polling encapsulation's HTTP messages (MS-GRVHENC 2.2.2.3): the request and response heads
 * both sides write and check, and whole entity bodies (the virtual connection fields of
 * proto/poll_msg, then Application-Data under its checksum). Pure functions over bytes. */
#ifndef SSTPSHIM_POLL_HTTP_H
#define SSTPSHIM_POLL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "proto/http_msg.h"
#include "proto/poll_msg.h"

/* Our one extension field, in requests and responses: "the sender will send no more
 * Application-Data" (TCP's FIN). The spec has no half-close; a spec peer ignores an unknown
 * field (2.2.1.2, 2.2.1.3) and never sends it. */
#define POLL_EOF_FIELD "X-Sstpshim-Eof"

/* Bytes of the virtual connection fields we ever write (response fields included), so that a
 * body's data is at most CAP_POLL_BODY minus this. */
#define POLL_FIELDS_MAX (sizeof POLL_VERSION + sizeof POLL_URL_SCHEME + CAP_HOST_NAME + \
			 CAP_POLL_GUID + 3 * 22 + 3 * 12)

/* Writes the request-target of a Polling-POST-Request into buf (cap bytes, NUL-terminated): "/"
 * direct, or "http://" relay through a proxy (2.2.2.3.1.1), relay the Host value "host[:port]".
 * 0, or -1 when it does not fit or relay is empty. */
int poll_request_target(char *buf, size_t cap, const char *relay, bool via_proxy);

/* Writes a Polling-POST-Request head (2.2.2.3.1) in the order of the examples (4.3), to the
 * target of poll_request_target, with the proxy credentials auth_field: auth_value last
 * (3.5.4.3.2; NULL: none). 0 and *len, or -1 when it does not fit, a value would break the head
 * or body_len exceeds CAP_POLL_BODY. */
int poll_request_head_write(char *buf, size_t cap, size_t *len, const char *relay, bool via_proxy,
			    size_t body_len, bool eof, const char *auth_field,
			    const char *auth_value);

/* Writes a Polling-POST-Response head (2.2.2.3.2): the status line of 2.2.1.4, Date, Server,
 * Connection and Content-Length. 0 and *len, or -1. */
int poll_response_head_write(char *buf, size_t cap, size_t *len, unsigned status,
			     const char *date, const char *server, size_t body_len, bool eof);

/* Whether a request head is a Polling request: POST to "/" (relative, or absolute with an empty
 * or "/" path). Other encapsulations' targets never are. */
bool poll_request_is_polling(const struct http_head *h);

/* Checks a Polling request head on the relay: a Content-Length of 1..CAP_POLL_BODY
 * (2.2.2.3.1.2). 0 with *body_len and *eof, or -1 with *why a static text. */
int poll_request_check(const struct http_head *h, size_t *body_len, bool *eof, const char **why);

/* Checks a response head on the client: 0 with *body_len (or *until_close when no
 * Content-Length came, HTTP/1.0's end by close), *eof, for a Content-Length of 0..CAP_POLL_BODY;
 * -1 with *why. The status is the caller's to judge. */
int poll_response_check(const struct http_head *h, size_t *body_len, bool *until_close, bool *eof,
			const char **why);

/* Parses a whole entity body: the fields (response: with the poll parameters), then
 * Application-Data from *data_off on, whose checksum must match the field (2.2.2.3.1.3.1.3,
 * modulo 2^32). 0; -1 with *why when the fields are malformed; -2 with *why, *m and *data_off
 * filled when only the checksum is wrong (the GUID then names the connection to close). */
int poll_body_parse(const char *body, size_t len, bool response, struct poll_msg *m,
		    size_t *data_off, const char **why);

#endif
