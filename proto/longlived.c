/* LongLived heads and the echo handshake (MS-GRVHENC 2.2.2.1, 3.1.4.1, 3.2.5). */
#include "proto/longlived.h"

#include <stdio.h>
#include <string.h>

void ll_common_headers(struct http_out *o)
{
	http_out_header(o, "Accept", "*/*");                            /* 2.2.1.2.1 */
	http_out_header(o, "Content-Type", "application/octet-stream"); /* 2.2.1.2.2 */
	http_out_header(o, "User-Agent", LL_USER_AGENT);                /* 2.2.1.2.3 */
}

/* Both directives, each in its own field, as the original clients sent them (2.2.1.2.8, <9>). */
void ll_cache_headers(struct http_out *o)
{
	http_out_header(o, "Pragma", "no-cache"); /* 2.2.1.2.4 */
	http_out_header(o, "Cache-Control", "no-cache");
	http_out_header(o, "Expires", "0");       /* 2.2.1.2.5 */
	http_out_header(o, "Cache-Control", "max-age=0");
}

int ll_request_write(const struct ll_request *r, char *buf, size_t cap, size_t *len)
{
	char target[CAP_LL_URI];
	size_t tlen;
	struct http_out o;

	if (ll_uri_write(r, target, sizeof target, &tlen) < 0)
		return -1;
	http_out_init(&o, buf, cap);
	http_out_request_line(&o, r->kind == LL_GET ? "GET" : "POST", target, 0);
	ll_common_headers(&o);
	if (r->kind == LL_GET) {
		http_out_header(&o, "Host", r->relay); /* 2.2.1.2.7, 3.1.4.1.1 */
	} else {
		http_out_header(&o, "UserAgent", r->server_name); /* 2.2.1.1.5 */
		if (r->host_on_post)
			http_out_header(&o, "Host", r->relay);
		/* 2.2.2.1.2.2; 0 while an NTLM handshake that the proxy answers 407 to is under way,
		 * so that the connection is free for the next message (RFC 4559 4) */
		http_out_header_u64(&o, "Content-Length", r->no_body ? 0 : r->content_length);
	}
	if (r->via_proxy)
		http_out_header(&o, "Proxy-Connection", "Keep-Alive"); /* 2.2.1.2.9 */
	ll_cache_headers(&o);
	if (r->auth_field && r->auth_value)
		http_out_header(&o, r->auth_field, r->auth_value);
	http_out_end(&o);
	if (r->kind == LL_POST && !r->no_body) /* the first body fragment (2.2.2.1.2.3) */
		http_out_bytes(&o, LL_ECHO_LINE, LL_ECHO_LINE_LEN);
	return http_out_finish(&o, len);
}

enum ll_verdict ll_request_check(const struct http_head *h, struct ll_info *out, const char **why)
{
	const char *method = http_head_method(h);
	enum ll_verdict v;
	int rc;

	memset(out, 0, sizeof *out);
	if (!method || (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)) {
		*why = "neither GET nor POST";
		return LL_ERR_METHOD;
	}
	out->kind = method[0] == 'G' ? LL_GET : LL_POST;
	v = ll_target_parse(http_head_target(h), &out->target, why);
	if (v != LL_OK)
		return v;
	if (out->kind == LL_GET) {
		if (!out->target.has_content_length) {
			*why = "GET without ContentLength=";
			return LL_ERR_PROTOCOL;
		}
		out->content_length = out->target.content_length;
		return LL_OK;
	}
	rc = http_head_content_length(h, &out->content_length);
	if (rc != 0 || out->content_length == 0 || out->content_length > LL_CONTENT_LENGTH) {
		*why = "POST without a Content-Length of 1..2147479552";
		return LL_ERR_PROTOCOL;
	}
	return LL_OK;
}

void ll_http_date(time_t t, char out[LL_DATE_CAP])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	/* Names from tables, not strftime: the relay's locale must not change the wire. */
	gmtime_r(&t, &tm);
	snprintf(out, LL_DATE_CAP, "%s, %02u %s %04u %02u:%02u:%02u GMT", days[tm.tm_wday % 7],
		 (unsigned)tm.tm_mday % 100u, months[tm.tm_mon % 12], (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

const char *ll_reason(unsigned status)
{
	switch (status) { /* 2.2.1.4, spelled as listed there */
	case 200: return "OK";
	case 302: return "Moved Temporarily";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Not Valid";
	case 404: return "Not Found";
	case 407: return "ProxyAuthentication Required";
	case 408: return "Request Time-out";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	}
	return NULL;
}

void ll_response_fields(struct http_out *o, unsigned status, const char *date,
			const char *server, uint64_t content_length)
{
	http_out_status_line(o, 0, status, ll_reason(status)); /* 2.2.2.1.3.1: HTTP/1.0 */
	http_out_header(o, "Date", date);
	http_out_header(o, "Server", server);
	http_out_header(o, "Connection", "Keep-Alive");
	http_out_header_u64(o, "Content-Length", content_length);
}

void ll_response_head(struct http_out *o, unsigned status, const char *date, const char *server,
		      uint64_t content_length)
{
	ll_response_fields(o, status, date, server, content_length);
	http_out_end(o);
}

int ll_get_response_write(char *buf, size_t cap, size_t *len, const char *date,
			  const char *server, uint64_t content_length)
{
	struct http_out o;

	http_out_init(&o, buf, cap);
	ll_response_head(&o, 200, date, server, content_length);
	http_out_bytes(&o, LL_ECHO_LINE, LL_ECHO_LINE_LEN);
	return http_out_finish(&o, len);
}

int ll_error_response_write(char *buf, size_t cap, size_t *len, unsigned status, const char *date,
			    const char *server)
{
	struct http_out o;

	if (status == 200 || !ll_reason(status))
		return -1;
	http_out_init(&o, buf, cap);
	ll_response_head(&o, status, date, server, 0); /* 2.2.2.1.4.1 */
	return http_out_finish(&o, len);
}

enum ll_verdict ll_response_check(const struct http_head *h, const char **why)
{
	if (h->kind != HTTP_RESPONSE) {
		*why = "not an HTTP response";
		return LL_ERR_PROTOCOL;
	}
	switch (h->status) {
	case 200:
		return LL_OK;
	case 400: /* 3.1.5.2.1.2 */
		*why = "the relay answered 400 (protocol error or version mismatch)";
		return LL_ERR_PROTOCOL;
	case 401:
	case 407: /* 3.1.5.2.1.3: answered by engine/proxy_request before this; here, no more rounds */
		*why = "the proxy requires authentication";
		return LL_ERR_PROTOCOL;
	}
	*why = "the relay or proxy refused the request"; /* 3.1.5.2.1.4 */
	return LL_ERR_PROTOCOL;
}

void ll_echo_init(struct ll_echo *e)
{
	e->matched = 0;
	e->cr = false;
}

bool ll_echo_seen(const struct ll_echo *e)
{
	return e->matched == LL_ECHO_LEN;
}

enum parse_rc ll_echo_parse(struct ll_echo *e, const char *buf, size_t len, size_t *consumed)
{
	size_t i = 0;

	for (; i < len; i++) {
		char c = buf[i];
		if (e->matched < LL_ECHO_LEN) {
			if (c != LL_ECHO[e->matched]) {
				*consumed = i + 1;
				return PARSE_BAD;
			}
			e->matched++;
		} else if (c == '\n') {
			*consumed = i + 1;
			return PARSE_DONE;
		} else if (e->cr) {
			*consumed = i + 1;
			return PARSE_BAD; /* CR not followed by LF */
		} else if (c == '\r') {
			e->cr = true;
		} else {
			*consumed = i; /* application data: not ours */
			return PARSE_DONE;
		}
	}
	*consumed = len;
	return PARSE_AGAIN;
}
