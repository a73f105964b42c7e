/* Loopback sockets for the unit tests that run an event loop in the test thread: listeners,
 * connected TCP pairs, and running the loop until a socket has something to read. */
#ifndef SSTPSHIM_UNIT_SOCKETS_H
#define SSTPSHIM_UNIT_SOCKETS_H

#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
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

#endif
