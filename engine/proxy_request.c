/* The request is written afresh for every attempt, into a stack buffer wiped after use, since it
 * may hold a credential. */
#include "engine/proxy_request.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <string.h>

#include "common/caps.h"

struct proxy_request *proxy_request_new(const struct eng_proxy *proxy, unsigned id,
					const char *what, const char *method, const char *uri,
					bool has_body, proxy_request_write_fn write, void *arg)
{
	struct proxy_request *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->write = write;
	r->arg = arg;
	r->has_body = has_body;
	http_parser_init(&r->parser, HTTP_RESPONSE);
	if (!proxy)
		return r;
	r->ps = malloc(sizeof *r->ps);
	if (!r->ps ||
	    proxy_session_init(r->ps, proxy, id, what, method, uri, PROXY_CONN_NEW, NULL) < 0) {
		int err = r->ps ? errno : ENOMEM;
		free(r->ps);
		free(r);
		errno = err;
		return NULL;
	}
	return r;
}

void proxy_request_free(struct proxy_request *r)
{
	if (!r)
		return;
	proxy_session_clear(r->ps);
	free(r->ps);
	free(r);
}

void proxy_request_attach(struct proxy_request *r, struct bufferevent *bev)
{
	r->bev = bev;
	r->sent = 0;
	r->skipping = false;
}

int proxy_request_send(struct proxy_request *r)
{
	char buf[CAP_PROXY_REQUEST];
	size_t len = 0;
	int rc;

	r->bodiless = r->has_body && r->ps && proxy_session_negotiating(r->ps);
	rc = r->write(r->arg, r->ps, r->bodiless, buf, sizeof buf, &len);
	if (rc == 0)
		rc = bufferevent_write(r->bev, buf, len);
	else
		errno = EMSGSIZE;
	memset(buf, 0, sizeof buf); /* may hold a credential */
	r->sent++;
	http_parser_init(&r->parser, HTTP_RESPONSE);
	return rc;
}

/* A 401/407: prepares the retry. PROXY_REQUEST_AGAIN when it goes on this connection. A request
 * whose body went with it leaves the proxy waiting for that body: no retry on its connection. */
static enum proxy_request_rc proxy_request_challenged(struct proxy_request *r,
						     const struct http_head *h, int *err,
						     const char **why)
{
	bool reusable = !r->has_body || r->bodiless;

	switch (proxy_session_challenged(r->ps, h, reusable ? PROXY_REUSE_LENGTH : PROXY_REUSE_NONE,
					 why)) {
	case PROXY_RETRY_FAIL:
		*err = EACCES;
		return PROXY_REQUEST_FAIL;
	case PROXY_RETRY_NEW:
		return PROXY_REQUEST_REDIAL;
	case PROXY_RETRY_SAME:
		break;
	}
	r->skipping = true;
	return PROXY_REQUEST_AGAIN;
}

/* Feeds the parser, draining only what it consumed. */
static enum parse_rc proxy_request_parse(struct proxy_request *r, struct evbuffer *in)
{
	struct evbuffer_iovec vec;
	enum parse_rc rc = r->parser.rc;
	size_t used;

	while (rc == PARSE_AGAIN && evbuffer_peek(in, -1, NULL, &vec, 1) > 0 && vec.iov_len) {
		rc = http_parse(&r->parser, vec.iov_base, vec.iov_len, &used);
		evbuffer_drain(in, used);
	}
	return rc;
}

enum proxy_request_rc proxy_request_read(struct proxy_request *r, int *err, const char **why)
{
	struct evbuffer *in = bufferevent_get_input(r->bev);

	for (;;) {
		if (r->skipping) {
			if (!proxy_session_skip_body(r->ps, in))
				return PROXY_REQUEST_AGAIN;
			r->skipping = false;
			if (proxy_request_send(r) < 0) {
				*err = errno ? errno : ENOMEM;
				*why = "cannot send the retry";
				return PROXY_REQUEST_FAIL;
			}
		}
		enum parse_rc rc = proxy_request_parse(r, in);
		if (rc == PARSE_AGAIN)
			return PROXY_REQUEST_AGAIN;
		if (rc != PARSE_DONE) {
			*err = EPROTO;
			*why = rc == PARSE_TOO_LONG ? "the response head is over the size cap"
						    : "the response head is malformed";
			return PROXY_REQUEST_FAIL;
		}
		const struct http_head *h = http_parser_head(&r->parser);
		if (!r->ps || (h->status != 401 && h->status != 407))
			return PROXY_REQUEST_HEAD;
		enum proxy_request_rc next = proxy_request_challenged(r, h, err, why);
		if (next != PROXY_REQUEST_AGAIN)
			return next;
	}
}

bool proxy_request_may_redial(const struct proxy_request *r)
{
	bool retrying = r->skipping || (r->sent > 1 && r->parser.total == 0);

	return r->ps && retrying && proxy_session_may_redial(r->ps);
}

void proxy_request_accepted(struct proxy_request *r)
{
	if (r->ps)
		proxy_session_accepted(r->ps);
}
