/* KeepAlive heads, their validation and a message reader (MS-GRVHENC 2.2.2.2, 3.3, 3.4). */
#include "proto/keepalive.h"

#include <stdio.h>
#include <string.h>

#include "common/num.h"

int ka_uri_write(const struct ka_request *r, char *buf, size_t cap, size_t *len)
{
	char id[CAP_GUID_MAX + 8] = "";
	int n;

	if (!*r->server_name || !*r->guid || (r->via_proxy && (!*r->relay || !r->request_id)))
		return -1;
	if (r->via_proxy) /* 2.2.2.2.1.1.3: never when direct; a fresh one per request (3.3.5.3.2) */
		snprintf(id, sizeof id, ",ID=%s", r->request_id);
	n = snprintf(buf, cap, "%s%s/" LL_VERSION "/%s/%s," KA_TYPE_TOKEN "%s",
		     r->via_proxy ? "http://" : "", r->via_proxy ? r->relay : "", r->server_name,
		     r->guid, id);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* Connection (2.2.1.2.6) and, through a proxy, Proxy-Connection (2.2.1.2.9). */
static void ka_connection_headers(struct http_out *o, const struct ka_request *r)
{
	http_out_header(o, "Connection", "Keep-Alive");
	if (r->via_proxy)
		http_out_header(o, "Proxy-Connection", "Keep-Alive");
}

/* 2.2.2.2.1.2: Host among the common fields, Connection just before the last Cache-Control. */
static void ka_get_head(struct http_out *o, const struct ka_request *r)
{
	http_out_header(o, "Host", r->relay); /* 2.2.1.2.7, 3.3.4.1.1 */
	http_out_header(o, "Pragma", "no-cache"); /* 2.2.1.2.4 */
	http_out_header(o, "Cache-Control", "no-cache"); /* 2.2.1.2.8, both directives, <9> */
	http_out_header(o, "Expires", "0"); /* 2.2.1.2.5 */
	ka_connection_headers(o, r);
	http_out_header(o, "Cache-Control", "max-age=0");
}

/* 2.2.2.2.3: UserAgent, Connection and Content-Length before the cache fields. */
static void ka_post_head(struct http_out *o, const struct ka_request *r)
{
	http_out_header(o, "UserAgent", r->server_name); /* 2.2.1.1.5 */
	if (r->host_on_post)
		http_out_header(o, "Host", r->relay);
	ka_connection_headers(o, r);
	http_out_header_u64(o, "Content-Length", r->handshake ? LL_ECHO_LINE_LEN : r->body_len);
	http_out_header(o, "Pragma", "no-cache");
	http_out_header(o, "Cache-Control", "no-cache");
	http_out_header(o, "Expires", "0");
	http_out_header(o, "Cache-Control", "max-age=0");
	if (r->has_offset && !r->handshake)
		http_out_header_u64(o, KA_HDR_OFFSET, r->offset);
	if (r->end && !r->handshake)
		http_out_header(o, KA_HDR_END, "1");
}

int ka_request_write(const struct ka_request *r, char *buf, size_t cap, size_t *len)
{
	char target[CAP_LL_URI];
	size_t tlen;
	struct http_out o;

	if (ka_uri_write(r, target, sizeof target, &tlen) < 0 || r->body_len > KA_CHUNK_MAX ||
	    (r->end && r->body_len))
		return -1;
	http_out_init(&o, buf, cap);
	http_out_request_line(&o, r->kind == LL_GET ? "GET" : "POST", target, 0); /* HTTP/1.0 */
	http_out_header(&o, "Accept", "*/*");                            /* 2.2.1.2.1 */
	http_out_header(&o, "Content-Type", "application/octet-stream"); /* 2.2.1.2.2 */
	http_out_header(&o, "User-Agent", LL_USER_AGENT);                /* 2.2.1.2.3 */
	if (r->kind == LL_GET)
		ka_get_head(&o, r);
	else
		ka_post_head(&o, r);
	if (r->auth_field && r->auth_value)
		http_out_header(&o, r->auth_field, r->auth_value);
	http_out_end(&o);
	if (r->kind == LL_POST && r->handshake) /* 3.3.4.1.3 */
		http_out_bytes(&o, LL_ECHO_LINE, LL_ECHO_LINE_LEN);
	return http_out_finish(&o, len);
}

bool ka_target_is_keepalive(const char *target)
{
	static const char tok[] = "," KA_TYPE_TOKEN;
	size_t n = sizeof tok - 1;

	for (const char *s = strchr(target, ','); s; s = strchr(s + 1, ',')) {
		size_t i = 1;
		while (s[i] == ' ') /* ", ConnType=" as in some examples */
			s++;
		for (i = 1; i < n && s[i] && (s[i] | 0x20) == (tok[i] | 0x20); i++)
			;
		if (i == n && (s[n] == ',' || s[n] == '\0'))
			return true;
	}
	return false;
}

/* The extension fields (see keepalive.h). */
static enum ll_verdict ka_extensions(const struct http_head *h, struct ka_info *out,
				     const char **why)
{
	const char *v = http_head_get(h, KA_HDR_OFFSET);

	if (v) {
		if (num_parse_str(v, INT64_MAX, &out->offset) < 0) {
			*why = "malformed " KA_HDR_OFFSET;
			return LL_ERR_PROTOCOL;
		}
		out->has_offset = true;
	}
	out->end = http_head_get(h, KA_HDR_END) != NULL;
	if (out->end && (out->kind != LL_POST || out->content_length)) {
		*why = KA_HDR_END " on a request with a body";
		return LL_ERR_PROTOCOL;
	}
	return LL_OK;
}

enum ll_verdict ka_request_check(const struct http_head *h, struct ka_info *out, const char **why)
{
	const char *method = http_head_method(h);
	enum ll_verdict v;

	memset(out, 0, sizeof *out);
	if (!method || (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)) {
		*why = "neither GET nor POST";
		return LL_ERR_METHOD;
	}
	out->kind = method[0] == 'G' ? LL_GET : LL_POST;
	v = ll_target_parse_type(http_head_target(h), KA_TYPE_TOKEN, &out->target, why);
	if (v != LL_OK)
		return v;
	/* RFC 7230 6.3: HTTP/1.0 persists only when asked to; "close" ends it either way. */
	out->close_after = http_head_has_token(h, "Connection", "close") ||
			   (h->minor == 0 && !http_head_has_token(h, "Connection", "keep-alive") &&
			    !http_head_has_token(h, "Proxy-Connection", "keep-alive"));
	if (out->kind == LL_POST) {
		if (http_head_content_length(h, &out->content_length) != 0 ||
		    out->content_length > KA_CHUNK_MAX) {
			*why = "POST without a Content-Length of 0..32768";
			return LL_ERR_PROTOCOL;
		}
	}
	return ka_extensions(h, out, why);
}

int ka_post_response_write(char *buf, size_t cap, size_t *len, const char *date,
			   const char *server, bool handshake)
{
	struct http_out o;

	http_out_init(&o, buf, cap);
	ll_response_head(&o, 200, date, server, handshake ? KA_NO_DATA_LINE_LEN : 0);
	if (handshake)
		http_out_bytes(&o, KA_NO_DATA_LINE, KA_NO_DATA_LINE_LEN);
	return http_out_finish(&o, len);
}

int ka_get_response_write(char *buf, size_t cap, size_t *len, const char *date, const char *server,
			  bool echo, uint64_t body_len, bool end)
{
	struct http_out o;

	if (!echo && !end && (body_len == 0 || body_len > KA_CHUNK_MAX))
		return -1; /* 3.3.5.2.1.2: a data response is never empty */
	http_out_init(&o, buf, cap);
	if (end) { /* the head of ll_response_head with one more field */
		http_out_status_line(&o, 0, 200, "OK");
		http_out_header(&o, "Date", date);
		http_out_header(&o, "Server", server);
		http_out_header(&o, "Connection", "Keep-Alive");
		http_out_header_u64(&o, "Content-Length", 0);
		http_out_header(&o, KA_HDR_END, "1");
		http_out_end(&o);
	} else {
		ll_response_head(&o, 200, date, server, echo ? LL_ECHO_LINE_LEN : body_len);
	}
	if (echo)
		http_out_bytes(&o, LL_ECHO_LINE, LL_ECHO_LINE_LEN);
	return http_out_finish(&o, len);
}

bool ka_body_is(const char *lit, const char *body, size_t len)
{
	size_t n = strlen(lit);

	if (len < n || memcmp(body, lit, n) != 0)
		return false;
	return len == n || (len == n + 1 && body[n] == '\n') ||
	       (len == n + 2 && body[n] == '\r' && body[n + 1] == '\n');
}

/* --- reader -------------------------------------------------------------------------------- */

void ka_reader_init(struct ka_reader *r, unsigned want)
{
	r->want = want;
	r->in_body = false;
	r->done = false;
	r->body_left = 0;
	r->page = false;
	http_parser_init(&r->http, want);
}

const struct http_head *ka_reader_head(const struct ka_reader *r)
{
	return http_parser_head(&r->http);
}

uint64_t ka_reader_body_left(const struct ka_reader *r)
{
	return r->page ? 0 : r->body_left;
}

/* A 401/407's head is through: its page is framed as HTTP frames it, to be dropped. */
static enum ka_step ka_reader_page_framed(struct ka_reader *r, const char **why)
{
	r->page_framing = http_head_framing(http_parser_head(&r->http), &r->body_left);
	if (r->page_framing == HTTP_FRAMING_BAD) {
		*why = "a 401/407 with a malformed Content-Length or Transfer-Encoding";
		return KA_STEP_BAD;
	}
	http_chunked_init(&r->chunks, CAP_PROXY_AUTH_BODY);
	r->page = true;
	r->page_read = 0;
	r->in_body = true;
	return KA_STEP_HEAD;
}

/* The head is through: its Content-Length frames the body. */
static enum ka_step ka_reader_framed(struct ka_reader *r, const char **why)
{
	const struct http_head *h = http_parser_head(&r->http);
	uint64_t cl;

	if (h->kind == HTTP_RESPONSE && (h->status == 401 || h->status == 407))
		return ka_reader_page_framed(r, why);
	if (http_head_content_length(h, &cl) != 0) {
		*why = "a message without a usable Content-Length";
		return KA_STEP_BAD;
	}
	if (cl > KA_CHUNK_MAX) {
		*why = "a body over 32768 octets";
		return KA_STEP_BAD;
	}
	r->in_body = true;
	r->body_left = cl;
	return KA_STEP_HEAD;
}

/* Whether a 401/407's page is complete. */
static bool ka_reader_page_done(const struct ka_reader *r)
{
	switch (r->page_framing) {
	case HTTP_FRAMING_LENGTH:
		return r->page_read == r->body_left;
	case HTTP_FRAMING_CHUNKED:
		return r->chunks.rc == PARSE_DONE;
	default:
		return false; /* it ends with the connection */
	}
}

/* Octets of a 401/407's page: passed on as they come, never kept, up to the cap. */
static enum ka_step ka_reader_page(struct ka_reader *r, const char *buf, size_t len,
				   size_t *consumed, const char **why)
{
	enum parse_rc rc = PARSE_AGAIN;
	size_t n = len;

	if (ka_reader_page_done(r)) {
		r->in_body = r->page = false;
		r->body_left = 0;
		r->done = true;
		return KA_STEP_END;
	}
	if (r->page_framing == HTTP_FRAMING_CHUNKED)
		rc = http_chunked_parse(&r->chunks, buf, len, &n);
	else if (r->page_framing == HTTP_FRAMING_LENGTH && n > r->body_left - r->page_read)
		n = (size_t)(r->body_left - r->page_read);
	if (rc == PARSE_BAD) {
		*why = "a 401/407 with a malformed chunked page";
		return KA_STEP_BAD;
	}
	if (rc == PARSE_TOO_LONG || n > CAP_PROXY_AUTH_BODY - r->page_read) {
		*why = "a 401/407 page over the size cap";
		return KA_STEP_BAD;
	}
	r->page_read += n;
	*consumed = n;
	return n ? KA_STEP_BODY : KA_STEP_AGAIN;
}

enum ka_step ka_reader_feed(struct ka_reader *r, const char *buf, size_t len, size_t *consumed,
			    const char **why)
{
	enum parse_rc rc;

	*consumed = 0;
	if (r->done) {
		r->done = false;
		http_parser_init(&r->http, r->want);
	}
	if (r->in_body && r->page)
		return ka_reader_page(r, buf, len, consumed, why);
	if (r->in_body && r->body_left == 0) {
		r->in_body = false;
		r->done = true;
		return KA_STEP_END;
	}
	if (r->in_body) {
		if (len == 0)
			return KA_STEP_AGAIN;
		*consumed = len < r->body_left ? len : (size_t)r->body_left;
		r->body_left -= *consumed;
		return KA_STEP_BODY;
	}
	rc = http_parse(&r->http, buf, len, consumed);
	switch (rc) {
	case PARSE_AGAIN:
		return KA_STEP_AGAIN;
	case PARSE_DONE:
		return ka_reader_framed(r, why);
	case PARSE_TOO_LONG:
		*why = "a head over the size caps";
		return KA_STEP_BAD;
	case PARSE_BAD:
		break;
	}
	*why = "a malformed head";
	return KA_STEP_BAD;
}
