/* The decisions around proxy_auth that every request through a proxy makes the same way. The
 * credential lives in s->value only; log lines name the proxy by its redacted URL and the scheme
 * by name. */
#include "engine/proxy_session.h"

#include <errno.h>
#include <event2/buffer.h>
#include <string.h>

#include "common/log.h"
#include "proto/http_msg.h"

int proxy_session_init(struct proxy_session *s, const struct eng_proxy *proxy, unsigned id,
		       const char *what, const char *method, const char *uri,
		       enum proxy_conn_use use, proxy_auth_random_fn random)
{
	const char *why = NULL;

	memset(s, 0, sizeof *s);
	s->proxy = proxy;
	s->id = id;
	s->what = what;
	proxy_auth_init(&s->pa, &proxy->url, proxy_auth_memo_for(proxy), method, uri, random);
	s->pa.one_request = use == PROXY_CONN_ONE_REQUEST;
	if (use == PROXY_CONN_AUTHENTICATED)
		return 0; /* the proxy knows the connection; a 401/407 is answered as usual */
	/* 3.1.4.1.2: "If the ProxyAuthRequired is set, the client MUST add" the credentials */
	if (proxy_auth_first(&s->pa, s->value, sizeof s->value, &s->len, &s->field, &why) < 0) {
		log_info("tunnel %u: %s via %s: %s", id, what, proxy->redacted, why);
		proxy_session_clear(s);
		errno = EACCES;
		return -1;
	}
	return 0;
}

const char *proxy_session_field(const struct proxy_session *s)
{
	return s->len ? s->field : NULL;
}

bool proxy_session_negotiating(const struct proxy_session *s)
{
	return s->len && s->pa.step == PROXY_AUTH_SENT_NEGOTIATE;
}

bool proxy_session_keeps_connection(const struct http_head *h, enum proxy_reuse reuse,
				    uint64_t *body)
{
	bool close = http_head_has_token(h, "Connection", "close") ||
		     http_head_has_token(h, "Proxy-Connection", "close");
	bool keep = http_head_has_token(h, "Connection", "keep-alive") ||
		    http_head_has_token(h, "Proxy-Connection", "keep-alive") || h->minor >= 1;
	enum http_framing framing = http_head_framing(h, body);

	if (close || !keep || reuse == PROXY_REUSE_NONE) {
		*body = 0;
		return false;
	}
	if (framing == HTTP_FRAMING_CHUNKED)
		return reuse == PROXY_REUSE_CHUNKED;
	return framing == HTTP_FRAMING_LENGTH && *body <= CAP_PROXY_AUTH_BODY;
}

enum proxy_retry proxy_session_challenged(struct proxy_session *s, const struct http_head *h,
					  enum proxy_reuse reuse, const char **why)
{
	bool same;

	if (proxy_auth_answer(&s->pa, h, s->value, sizeof s->value, &s->len, &s->field, why) < 0) {
		/* the one line that says why the chain moves on (EACCES) */
		log_info("tunnel %u: %s: %u from %s: %s", s->id, s->what, h->status,
			 s->proxy->redacted, *why);
		s->len = 0;
		return PROXY_RETRY_FAIL;
	}
	log_info("tunnel %u: %s: %u from %s, answering with %s", s->id, s->what, h->status,
		 s->proxy->redacted, proxy_auth_scheme_name(&s->pa));
	same = proxy_session_keeps_connection(h, reuse, &s->body_left);
	if (same)
		return PROXY_RETRY_SAME;
	s->body_left = 0;
	if (proxy_auth_needs_same_connection(&s->pa)) {
		/* RFC 4559 4: the AUTHENTICATE belongs to the connection of the CHALLENGE */
		*why = "the proxy closes the connection in the middle of NTLM";
		log_info("tunnel %u: %s via %s: %s", s->id, s->what, s->proxy->redacted, *why);
		return PROXY_RETRY_FAIL;
	}
	return PROXY_RETRY_NEW;
}

bool proxy_session_skip_body(struct proxy_session *s, struct evbuffer *in)
{
	size_t n = evbuffer_get_length(in);

	if (n > s->body_left)
		n = (size_t)s->body_left;
	evbuffer_drain(in, n);
	s->body_left -= n;
	return s->body_left == 0;
}

bool proxy_session_may_redial(const struct proxy_session *s)
{
	return !proxy_auth_needs_same_connection(&s->pa);
}

bool proxy_session_binds_connection(const struct proxy_session *s)
{
	return proxy_auth_needs_same_connection(&s->pa);
}

void proxy_session_accepted(struct proxy_session *s)
{
	proxy_auth_accepted(&s->pa);
}

void proxy_session_clear(struct proxy_session *s)
{
	if (!s)
		return;
	memset(s->value, 0, sizeof s->value); /* a credential */
	s->len = 0;
}
