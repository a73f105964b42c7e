/* The end of a blocking connect(): when the transport that won delivers a plain socket (direct,
 * direct443, connect and socks5 once their handshake is through), the engine hands that socket
 * over and it takes the place of the socketpair end under the application's fd number. From then
 * on the application reads and writes the connection itself, as it would through proxychains,
 * and no byte passes through the engine.
 *
 * Only a blocking connect() is offered the socket: until it returns, the application has written
 * nothing into the socketpair and has not watched it since it was put in place, so swapping
 * the file behind the fd cannot lose a byte or an event. A non-blocking connect() keeps the
 * socketpair and the engine's pump. */
#include "shim/handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "common/internal_fds.h"
#include "common/log.h"
#include "shim/intercept.h"
#include "shim/real.h"

void shim_handoff_offer(struct eng_status *st)
{
	atomic_store(&st->handoff, ENG_HANDOFF_OFFERED);
}

static int shim_is_status_cb(struct shim_sock *s, void *arg)
{
	return s->status == arg;
}

static int shim_native_cb(struct shim_sock *s, void *arg)
{
	s->native = true;
	return 0;
}

/* Puts the engine's socket in place of fd; 0, or -1 with errno when fd is no longer the one the
 * connect() started with (closed by another thread meanwhile). */
static int shim_handoff_take(int fd, struct eng_status *st)
{
	int sock = st->handoff_fd;
	int fd_flags = fcntl(fd, F_GETFD), fl_flags = fcntl(fd, F_GETFL);

	st->handoff_fd = -1;
	internal_fd_remove(sock); /* the application's from now on */
	if (fd_flags < 0 || fl_flags < 0 || shim_sock_with(fd, shim_is_status_cb, st, 0) != 1 ||
	    shim_swap(fd, sock, fd_flags, fl_flags) < 0) {
		shim_real()->close(sock);
		log_warn("fd %d: closed while connecting; the connection is dropped", fd);
		errno = ECONNABORTED;
		return -1;
	}
	shim_sock_with(fd, shim_native_cb, NULL, 0);
	return 0;
}

int shim_handoff_settle(int fd, struct eng_status *st, int rc)
{
	int offered = ENG_HANDOFF_OFFERED, saved = errno;

	if (atomic_compare_exchange_strong(&st->handoff, &offered, ENG_HANDOFF_NONE) ||
	    offered == ENG_HANDOFF_NONE) {
		errno = saved;
		return rc;
	}
	/* Taken. The engine publishes the outcome right after taking, in the same callback: this
	 * waits for a few instructions of the engine thread, not for the network. The connect() has
	 * succeeded then, whatever interrupted the wait. */
	while (atomic_load_explicit(&st->state, memory_order_acquire) == ENG_CONNECTING)
		sched_yield();
	return shim_handoff_take(fd, st);
}
