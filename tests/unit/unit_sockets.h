/* Loopback sockets for the unit tests that run an event loop in the test thread: listeners,
 * connected TCP pairs, running the loop until a socket has something to read, and checking what
 * it reads (bytes, the end, a reset). */
#ifndef SSTPSHIM_UNIT_SOCKETS_H
#define SSTPSHIM_UNIT_SOCKETS_H

#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The port fd is bound to. */
static inline uint16_t unit_port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	return ntohs(a.sin_port);
}

/* A socket listening on 127.0.0.1 on a port of the kernel's choice; flags (0 or SOCK_NONBLOCK)
 * go to socket(). */
static inline int unit_listener(int flags)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	return fd;
}

/* A connected pair of TCP sockets on loopback: *near non-blocking, *far as accepted. Once
 * accept() has returned, the handshake is over on both ends. */
static inline void unit_tcp_pair(int *near, int *far)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = unit_listener(0);

	a.sin_port = htons(unit_port_of(l));
	*near = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ck_assert(connect(*near, (struct sockaddr *)&a, sizeof a) == 0 || errno == EINPROGRESS);
	*far = accept(l, NULL, NULL);
	ck_assert_int_ge(*far, 0);
	close(l);
}

/* Runs base's loop, without blocking in it, until fd is readable. */
static inline void unit_until_readable(struct event_base *base, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, 0) == 0)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

/* Runs base's loop until fd is readable, then reads it once: exactly the len bytes of want, or
 * with len 0, the end of the stream. */
static inline void unit_read_expect(struct event_base *base, int fd, const char *want, size_t len)
{
	char buf[256];
	ssize_t n;

	unit_until_readable(base, fd);
	n = read(fd, buf, sizeof buf);
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert_msg(memcmp(buf, want, len) == 0, "read <%.*s>, want <%s>", (int)n, buf, want);
}

/* Runs base's loop until fd is readable, then reads it once: a reset (ECONNRESET). */
static inline void unit_read_reset(struct event_base *base, int fd)
{
	char buf[16];

	unit_until_readable(base, fd);
	errno = 0;
	ck_assert_int_eq(read(fd, buf, sizeof buf), -1);
	ck_assert_int_eq(errno, ECONNRESET);
}

#endif
