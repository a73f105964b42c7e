/* Polling heads and bodies (MS-GRVHENC 2.2.2.3, 3.5.4, 3.6.5). */
#include "proto/poll_http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/longlived.h"
#include "proto/poll_checksum.h"

int poll_request_target(char *buf, size_t cap, const char *relay, bool via_proxy)
{
	int n = snprintf(buf, cap, "%s%s", via_proxy ? "http://" : "/", via_proxy ? relay : "");

	return *relay && n > 0 && (size_t)n < cap ? 0 : -1;
}

int poll_request_head_write(char *buf, size_t cap, size_t *len, const char *relay, bool via_proxy,
			    size_t body_len, bool eof, const char *auth_field,
			    const char *auth_value)
{
	char target[CAP_HOST_NAME + 16];
	struct http_out o;

	/* 2.2.2.3.1.1: HTTP-URL, "http://" Relay-Server-Name, as in the example */
	if (body_len > CAP_POLL_BODY ||
	    poll_request_target(target, sizeof target, relay, via_proxy) < 0)
		return -1;
	http_out_init(&o, buf, cap);
	http_out_request_line(&o, "POST", target, 0); /* 2.2.2.3.1: HTTP/1.0 */
	ll_common_headers(&o);
	http_out_header(&o, "Host", relay);
	http_out_header_u64(&o, "Content-Length", body_len);
	ll_cache_headers(&o);
	if (eof)
		http_out_header(&o, POLL_EOF_FIELD, "1");
	if (auth_field && auth_value)
		http_out_header(&o, auth_field, auth_value);
	http_out_end(&o);
	return http_out_finish(&o, len);
}

int poll_response_head_write(char *buf, size_t cap, size_t *len, unsigned status,
			     const char *date, const char *server, size_t body_len, bool eof)
{
	struct http_out o;

	if (!ll_reason(status) || body_len > CAP_POLL_BODY)
		return -1;
	http_out_init(&o, buf, cap);
	ll_response_fields(&o, status, date, server, body_len);
	if (eof)
		http_out_header(&o, POLL_EOF_FIELD, "1");
	http_out_end(&o);
	return http_out_finish(&o, len);
}

/* The path of a target: itself when it starts with '/', else what follows "http://authority"
 * ("" when nothing does); NULL for any other form. */
static const char *poll_target_path(const char *target)
{
	if (target[0] == '/')
		return target;
	if (strncasecmp(target, "http://", 7) != 0 || !target[7] || target[7] == '/')
		return NULL;
	target = strchr(target + 7, '/');
	return target ? target : "";
}

bool poll_request_is_polling(const struct http_head *h)
{
	const char *method = http_head_method(h), *path;

	if (!method || strcmp(method, "POST") != 0)
		return false;
	path = poll_target_path(http_head_target(h));
	return path && (path[0] == '\0' || strcmp(path, "/") == 0);
}

static bool poll_eof_field(const struct http_head *h)
{
	const char *v = http_head_get(h, POLL_EOF_FIELD);

	return v && strcmp(v, "1") == 0;
}

int poll_request_check(const struct http_head *h, size_t *body_len, bool *eof, const char **why)
{
	uint64_t cl;

	/* 2.2.2.3.1.2, 3.6.5.1 step 3: the fields are always there, so never 0 */
	if (http_head_content_length(h, &cl) != 0 || cl == 0 || cl > CAP_POLL_BODY) {
		*why = "POST without a Content-Length of 1..32768";
		return -1;
	}
	*body_len = (size_t)cl;
	*eof = poll_eof_field(h);
	return 0;
}

int poll_response_check(const struct http_head *h, size_t *body_len, bool *until_close, bool *eof,
			const char **why)
{
	uint64_t cl;
	int rc;

	if (h->kind != HTTP_RESPONSE) {
		*why = "not an HTTP response";
		return -1;
	}
	rc = http_head_content_length(h, &cl);
	if (rc == PARSE_BAD || (rc == 0 && cl > CAP_POLL_BODY)) {
		*why = "a response Content-Length beyond 32768";
		return -1;
	}
	*until_close = rc != 0;
	*body_len = rc == 0 ? (size_t)cl : 0;
	*eof = poll_eof_field(h);
	return 0;
}

int poll_body_parse(const char *body, size_t len, bool response, struct poll_msg *m,
		    size_t *data_off, const char **why)
{
	struct poll_msg_parser p;
	size_t used = 0;
	enum parse_rc rc;

	poll_msg_parser_init(&p, response);
	rc = poll_msg_parse(&p, body, len, &used);
	if (rc != PARSE_DONE) {
		*why = rc == PARSE_AGAIN ? "the body ends inside the virtual connection fields" : p.why;
		return -1;
	}
	*m = p.msg;
	*data_off = used;
	if (poll_checksum_of(body + used, len - used) != p.msg.checksum) { /* 2.2.2.3.1.3.1.3 */
		*why = "checksum mismatch";
		return -2;
	}
	return 0;
}
