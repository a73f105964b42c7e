/* The Polling client and a proxy that asks for credentials (MS-GRVHENC 3.5.5.1.3): every request
 * goes to the proxy on a connection of its own (3.5.4.3.2), so a 401/407 is answered by sending
 * the same request -- same sequence number, same data -- again on a new connection with the
 * credentials, and engine/proxy_series makes every later request carry them at once. NTLM
 * authenticates a connection, which here carries one request: a proxy that offers nothing else
 * fails the transport with a log line that says so. The relay never saw a request the proxy
 * answered 401/407, so sending it again delivers nothing twice. */
#include <errno.h>
#include <event2/buffer.h>

#include "engine/poll_client.h"
#include "engine/proxy_series.h"

int pc_auth_start(struct poll_client *c, const struct eng_proxy *proxy)
{
	c->auth = proxy_series_new(proxy, c->id, "polling", true);
	c->sent = evbuffer_new();
	return c->auth && c->sent ? 0 : -1;
}

void pc_auth_free(struct poll_client *c)
{
	proxy_series_free(c->auth);
	c->auth = NULL;
	if (c->sent)
		evbuffer_free(c->sent);
	c->sent = NULL;
}

int pc_auth_keep(struct poll_client *c, const void *data, size_t len)
{
	if (!c->auth)
		return 0;
	evbuffer_drain(c->sent, evbuffer_get_length(c->sent));
	return evbuffer_add(c->sent, data, len);
}

enum pc_auth_rc pc_auth_reply(struct poll_client *c, const struct poll_reply *reply,
			      poll_xchg_cb cb, const char **why)
{
	size_t len;

	if (!proxy_series_challenge(c->auth, reply->head)) {
		proxy_series_accepted(c->auth); /* 3.5.5.1.3: ProxyAuthRequired, for the next */
		return PC_AUTH_PASSED;
	}
	if (proxy_series_challenged(c->auth, reply->head, false, why) == PROXY_RETRY_FAIL)
		return PC_AUTH_FAIL;
	len = evbuffer_get_length(c->sent);
	if (pc_send(c, c->seq, evbuffer_pullup(c->sent, -1), len, c->x_eof, cb) < 0) {
		*why = errno == EACCES ? "the proxy credentials cannot be formatted"
				       : "cannot send the request again";
		return PC_AUTH_FAIL;
	}
	return PC_AUTH_AGAIN;
}
