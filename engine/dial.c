#include "engine/dial.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "engine/transport.h"
#include "engine/tunnel.h"

/* Bytes one write system call may move (libevent's default is 16 KiB). Reads stay at 4 KiB or less
 * whatever this says: libevent 2.1 caps every socket read there (EVBUFFER_MAX_READ), which is
 * why the pump splices between sockets (engine/splice_pump.c). */
#define DIAL_IO_CHUNK (256 * 1024)

struct bufferevent *dial_stream(struct event_base *base, int fd)
{
	struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);

	if (!bev) {
		close(fd);
		return NULL;
	}
	bufferevent_set_max_single_read(bev, DIAL_IO_CHUNK);
	bufferevent_set_max_single_write(bev, DIAL_IO_CHUNK);
	return bev;
}

void dial_stream_free(struct bufferevent *bev)
{
	int fd;

	if (!bev)
		return;
	fd = (int)bufferevent_getfd(bev);
	if (fd >= 0) {
		bufferevent_setfd(bev, -1); /* takes the socket out of the loop before it closes */
		close(fd);
	}
	bufferevent_free(bev);
}

/* Binds fd to the address in from (from_len 0: nothing to do), on a port of the kernel's choosing
 * picked at connect() (IP_BIND_ADDRESS_NO_PORT: binding first would reserve a port for any
 * destination). An address of another family than the destination's cannot apply: the
 * connection then leaves from wherever the kernel routes it. 0, or -1 with errno. */
static int dial_bind(int fd, int family, const struct sockaddr_storage *from, socklen_t from_len)
{
	struct sockaddr_storage local;
	int one = 1;

	if (from_len == 0 || from->ss_family != family)
		return 0;
	memcpy(&local, from, from_len);
	if (family == AF_INET)
		((struct sockaddr_in *)&local)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&local)->sin6_port = 0;
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
	return bind(fd, (struct sockaddr *)&local, from_len);
}

/* dial_start, with t's socket options when t is not NULL: they must be set before connect(). */
static struct dial_nb *dial_begin(struct event_base *base, const struct tunnel *t,
				  const struct sockaddr_storage *from, socklen_t from_len,
				  const struct sockaddr *addr, socklen_t len, dial_nb_cb cb, void *arg)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return NULL;
	if (t)
		tunnel_apply_sockopts(t, fd);
	if (dial_bind(fd, addr->sa_family, from, from_len) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	return dial_nb_start(base, fd, addr, len, dial_stream, cb, arg);
}

struct dial_nb *dial_start(struct tunnel *t, const struct sockaddr *addr, socklen_t len,
			   dial_nb_cb cb, void *arg)
{
	return dial_begin(t->base, t, &t->from, t->from_len, addr, len, cb, arg);
}

struct dial_nb *dial_start_from(struct event_base *base, const struct sockaddr_storage *from,
				socklen_t from_len, const struct sockaddr *addr, socklen_t len,
				dial_nb_cb cb, void *arg)
{
	return dial_begin(base, NULL, from, from_len, addr, len, cb, arg);
}

static void dial_attempt_done(struct bufferevent *bev, int err, void *arg)
{
	struct tp_attempt *a = arg;

	a->state = NULL; /* the dial freed itself before calling us */
	tp_attempt_done(a, bev, err, NULL);
}

int dial_attempt_start(struct tp_attempt *a, const struct sockaddr *addr, socklen_t len)
{
	a->state = dial_start(a->tunnel, addr, len, dial_attempt_done, a);
	return a->state ? 0 : -1;
}

void dial_attempt_abort(struct tp_attempt *a)
{
	dial_nb_cancel(a->state);
	a->state = NULL;
}
