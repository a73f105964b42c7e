/* One Polling POST session (MS-GRVHENC 3.5.4.3): a new TCP connection to the relay or the
 * proxy, one request written, one response read (head bounded by proto/http_msg, body by
 * CAP_POLL_BODY), the connection closed (3.5.5.1.5). Engine thread only. */
#ifndef SSTPSHIM_POLL_XCHG_H
#define SSTPSHIM_POLL_XCHG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct event_base;
struct evbuffer;
struct http_head;
struct poll_xchg;

/* What came back. head and body are valid during the callback only. */
struct poll_reply {
	const struct http_head *head; /* a proxy's 401/407 carries its challenge here */
	unsigned status;
	bool eof;         /* POLL_EOF_FIELD */
	const char *body;
	size_t len;
};

/* Called once, from the loop, after the exchange has freed itself: reply, or NULL with err and a
 * static why. */
typedef void (*poll_xchg_cb)(const struct poll_reply *reply, int err, const char *why, void *arg);

/* Connects to `to` from `from` (engine/dial.h, dial_start_from) and sends the len bytes of request (copied). The whole exchange must end
 * within timeout_ms (NetworkReceiveIO, 3.5.2.2). NULL with errno when it cannot start. */
struct poll_xchg *poll_xchg_start(struct event_base *base, const struct sockaddr_storage *from,
				  socklen_t from_len, const struct sockaddr *to, socklen_t to_len,
				  const void *request, size_t len, unsigned timeout_ms,
				  poll_xchg_cb cb, void *arg);

/* Whether any byte of the response has arrived (a request being answered is not abandoned). */
bool poll_xchg_answering(const struct poll_xchg *x);

/* Abandons an exchange that has not reported: closes its connection. NULL is a no-op. */
void poll_xchg_cancel(struct poll_xchg *x);

#endif
