/* Listeners, accepted connections and closing streams. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "relay/relay.h"

/* Bytes one read or write system call may move (libevent's 16 KiB default halves throughput). */
#define RELAY_IO_CHUNK (256 * 1024)
/* How long a closing stream may take to deliver its last bytes and see the peer's end. */
#define RELAY_LINGER_SEC 5

static void relay_addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
		snprintf(out, cap, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
		snprintf(out, cap, "[%s]:%u", host, port);
	} else {
		snprintf(out, cap, "?");
	}
}

int relay_addr_parse(const char *text, uint16_t default_port, bool allow_zero,
		     struct relay_addr *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char host[CAP_HOST_NAME + 1], port_text[8];
	uint16_t port;
	int rc;

	if (config_parse_hostport(text, default_port, allow_zero, host, &port) < 0) {
		fprintf(stderr, "sstp-relay: %s: expected ADDR:PORT\n", text);
		return -1;
	}
	snprintf(port_text, sizeof port_text, "%u", port);
	rc = getaddrinfo(host, port_text, &hints, &res);
	if (rc != 0 || !res || res->ai_addrlen > sizeof out->ss) {
		fprintf(stderr, "sstp-relay: %s: %s\n", text, rc ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	relay_addr_text((struct sockaddr *)&out->ss, out->text, sizeof out->text);
	return 0;
}

void relay_stream_tune(struct bufferevent *bev)
{
	int fd = (int)bufferevent_getfd(bev), one = 1;

	bufferevent_set_max_single_read(bev, RELAY_IO_CHUNK);
	bufferevent_set_max_single_write(bev, RELAY_IO_CHUNK);
	if (fd >= 0) /* the encapsulated protocol's commands are small and latency-bound */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void relay_send_now(struct bufferevent *bev, const void *first, size_t len, struct evbuffer *rest,
		    size_t n)
{
	struct evbuffer *out = bufferevent_get_output(bev), *msg;

	if (len + n == 0)
		return;
	if (!n && !evbuffer_get_length(out)) { /* one piece: straight from the caller's memory */
		int fd = (int)bufferevent_getfd(bev);
		ssize_t sent = send(fd, first, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		size_t done = sent > 0 ? (size_t)sent : 0;
		if (done < len) /* the rest, or an error, is the bufferevent's to deal with */
			evbuffer_add(out, (const char *)first + done, len - done);
		return;
	}
	msg = evbuffer_get_length(out) ? NULL : evbuffer_new();
	if (!msg) {
		if (len)
			evbuffer_add(out, first, len);
		if (n)
			evbuffer_remove_buffer(rest, out, n);
		return;
	}
	if (len)
		evbuffer_add(msg, first, len);
	if (n)
		evbuffer_remove_buffer(rest, msg, n);
	evbuffer_write(msg, bufferevent_getfd(bev));
	evbuffer_add_buffer(out, msg);
	evbuffer_free(msg);
}

void relay_client_free(struct relay *r, struct bufferevent *bev)
{
	if (!bev)
		return;
	bufferevent_free(bev);
	relay_client_closed(r);
}

/* Lingering close: after our last bytes, a FIN, then the peer's bytes are read and dropped until
 * its own end (or RELAY_LINGER_SEC), so that closing never turns into a reset that could destroy
 * our last response in flight. */
static void relay_linger_event(struct bufferevent *bev, short what, void *arg)
{
	relay_client_free(arg, bev);
}

static void relay_linger_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

static void relay_linger_written(struct bufferevent *bev, void *arg)
{
	struct timeval tv = { RELAY_LINGER_SEC, 0 };

	if (evbuffer_get_length(bufferevent_get_output(bev)))
		return;
	shutdown((int)bufferevent_getfd(bev), SHUT_WR);
	bufferevent_setcb(bev, relay_linger_read, NULL, relay_linger_event, arg);
	bufferevent_set_timeouts(bev, &tv, NULL);
	relay_linger_read(bev, arg);
	bufferevent_enable(bev, EV_READ);
}

void relay_client_linger(struct relay *r, struct bufferevent *bev)
{
	struct timeval tv = { RELAY_LINGER_SEC, 0 };

	if (!bev)
		return;
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	/* A response is usually written at once (relay_send_now): then the FIN follows now, and
	 * reading goes on as it was, without registering for writability that would wake the loop
	 * once for nothing, nor a disable and enable of reading (two epoll_ctl calls). */
	if (!evbuffer_get_length(bufferevent_get_output(bev))) {
		relay_linger_written(bev, r);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, relay_linger_written, relay_linger_event, r);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_WRITE);
}

static void relay_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
			 int len, void *arg)
{
	struct relay *r = arg;
	char peer[64];
	bool tunnel = false;

	for (unsigned i = r->opts.n_listen; i < r->n_listeners; i++)
		tunnel |= r->listeners[i] == l;
	if (r->draining) {
		close(fd);
		return;
	}
	relay_addr_text(sa, peer, sizeof peer);
	relay_client_opened(r);
	if (tunnel)
		relay_tunnel_start(r, fd, peer);
	else
		relay_session_start(r, fd, peer);
}

static int relay_listen_one(struct relay *r, const struct relay_addr *a, const char *what)
{
	unsigned flags = LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC;
	struct evconnlistener *l;
	struct sockaddr_storage bound;
	socklen_t len = sizeof bound;
	char text[CAP_HOST_NAME + 8];

	l = evconnlistener_new_bind(r->base, relay_accept, r, flags, 1024,
				    (const struct sockaddr *)&a->ss, (int)a->len);
	if (!l) {
		log_error("cannot listen on %s: %s", a->text, strerror(errno));
		fprintf(stderr, "sstp-relay: cannot listen on %s: %s\n", a->text, strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(l, relay_accept_failed);
	r->listeners[r->n_listeners++] = l;
	getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&bound, &len);
	relay_addr_text((struct sockaddr *)&bound, text, sizeof text);
	printf("%slistening on %s\n", what, text);
	fflush(stdout);
	log_info("%slistening on %s", what, text);
	return 0;
}

int relay_listen_all(struct relay *r)
{
	for (unsigned i = 0; i < r->opts.n_listen; i++)
		if (relay_listen_one(r, &r->opts.listen[i], "") < 0)
			return -1;
	for (unsigned i = 0; i < r->opts.n_tunnel; i++)
		if (relay_listen_one(r, &r->opts.tunnel[i], "tunnel ") < 0)
			return -1;
	return 0;
}

void relay_listen_close(struct relay *r)
{
	for (unsigned i = 0; i < r->n_listeners; i++)
		evconnlistener_free(r->listeners[i]);
	r->n_listeners = 0;
}
