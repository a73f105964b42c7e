/* Turning an application's TCP socket into a tunnel carried by the engine. */
#ifndef SSTPSHIM_INTERCEPT_H
#define SSTPSHIM_INTERCEPT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "shim/sock.h"

/* Whether a connect() of fd to addr is ours: a TCP socket and an intercepted port. */
bool shim_wants(int fd, const struct sockaddr *addr, socklen_t len);

/* Hands the connection of fd to the engine: a non-blocking connect() gets a socketpair end in
 * place of its socket at once, a blocking one once established (shim/handoff.c); either keeps the
 * fd number, O_NONBLOCK, FD_CLOEXEC and epoll registrations. early/early_len is a
 * TCP Fast Open payload sent first (may be NULL/0). Returns what connect() should: 0 once
 * established (blocking), -1/EINPROGRESS (non-blocking), -1 with the failure's errno. */
int shim_intercept(int fd, const struct sockaddr *addr, socklen_t len, const void *early,
		   size_t early_len);

/* Puts new_file in place of fd's file (taking new_file), keeping the fd number, the FD_CLOEXEC of
 * fd_flags, the O_NONBLOCK of fl_flags, the epoll registrations the application made for fd, and
 * the socket options it set (shim/sockopt_carry.h; tcp: new_file is a TCP socket). */
int shim_swap(int fd, int new_file, bool tcp, int fd_flags, int fl_flags);

/* What a second connect() on an intercepted fd returns: EALREADY while connecting, EISCONN once
 * established, the pending error once after a failure; 1 when a new attempt should start. */
int shim_connect_again(int fd);

/* Puts one end of a new socketpair in place of fd's file, filled so that it polls unwritable until
 * the engine drains the fill (st->fill_len, st->app_sndbuf say how); the other end, for the
 * engine, in *engine_end, and the inode of fd's new file in *ino. 0, or -1 with errno. */
int shim_placeholder(int fd, int fd_flags, int fl_flags, struct eng_status *st, int *engine_end,
		     unsigned long *ino);

#endif
