/* A thin layer over engine/proxy_session: the request's target is kept here because Digest
 * signs it and the retry must send the very same one. */
#include "engine/proxy_series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto/http_msg.h"

struct proxy_series *proxy_series_new(const struct eng_proxy *proxy, unsigned id, const char *what,
				      bool one_request)
{
	struct proxy_series *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->proxy = proxy;
	p->id = id;
	p->what = what;
	p->one_request = one_request;
	return p;
}

void proxy_series_free(struct proxy_series *p)
{
	if (!p)
		return;
	proxy_session_clear(&p->ps);
	free(p);
}

int proxy_series_next(struct proxy_series *p, const char *method, const char *uri)
{
	enum proxy_conn_use use = p->one_request     ? PROXY_CONN_ONE_REQUEST
				  : p->authenticated ? PROXY_CONN_AUTHENTICATED
						     : PROXY_CONN_NEW;
	int n;

	if (p->again) {
		p->again = false;
		p->resent = true;
		return 0;
	}
	p->resent = false;
	proxy_session_clear(&p->ps);
	n = snprintf(p->uri, sizeof p->uri, "%s", uri);
	if (n < 0 || (size_t)n >= sizeof p->uri) {
		errno = EINVAL;
		return -1;
	}
	return proxy_session_init(&p->ps, p->proxy, p->id, p->what, method, p->uri, use, NULL);
}

const char *proxy_series_field(const struct proxy_series *p)
{
	return p ? proxy_session_field(&p->ps) : NULL;
}

const char *proxy_series_value(const struct proxy_series *p)
{
	return proxy_series_field(p) ? p->ps.value : NULL;
}

bool proxy_series_challenge(const struct proxy_series *p, const struct http_head *h)
{
	return p && (h->status == 401 || h->status == 407);
}

enum proxy_retry proxy_series_challenged(struct proxy_series *p, const struct http_head *h,
					 bool reusable, const char **why)
{
	/* a reply on a kept connection is read by proto/keepalive's reader, chunked too */
	enum proxy_retry next = proxy_session_challenged(
		&p->ps, h, reusable && !p->one_request ? PROXY_REUSE_CHUNKED : PROXY_REUSE_NONE, why);

	p->resent = false;
	p->again = next != PROXY_RETRY_FAIL;
	return next;
}

void proxy_series_accepted(struct proxy_series *p)
{
	if (!p)
		return;
	p->resent = false;
	proxy_session_accepted(&p->ps);
	p->authenticated |= proxy_session_binds_connection(&p->ps);
}

bool proxy_series_closed(struct proxy_series *p)
{
	bool pending;

	if (!p)
		return false;
	pending = p->again || p->resent;
	p->authenticated = false;
	p->resent = false;
	p->again = pending && proxy_session_may_redial(&p->ps);
	return p->again;
}
