/* The wait of a blocking connect(), and what ends it (engine/engine.h, enum eng_handoff).
 *
 * While it waits, fd keeps the application's own socket, unconnected. The engine, once
 * established, hands over either its connected socket (direct, direct443, connect and socks5 once
 * their handshake is through, with no byte waiting) or the far end of a socketpair it pumps, and
 * this puts the file under the application's fd number. With the socket itself the application
 * reads and writes the connection as it would through proxychains: no byte passes through the
 * engine. The application has written nothing and watched fd nowhere but in epoll registrations,
 * which are carried over, so the swap loses nothing.
 *
 * The waiter sleeps on the status word (a futex): one wakeup delivers the outcome, and nothing is
 * made for the wait itself. A wait cut short by a signal or the time limit withdraws the offer and
 * gives fd the placeholder a non-blocking connect() gets at once: the connection then goes on as
 * one, with poll(), SO_ERROR and connect() again (EALREADY) telling its outcome. So does a wait
 * that outlasts the application's SO_SNDTIMEO, which the kernel also applies to connect(). */
#include "shim/handoff.h"

#include <errno.h>
#include <string.h>
#include <time.h>

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

/* Puts the file the engine handed over in place of fd; 0, or -1 with errno when fd is no longer
 * the one the connect() started with (closed by another thread meanwhile). */
static int shim_handoff_take(int fd, struct eng_status *st, int fd_flags, int fl_flags)
{
	int file = st->handoff_fd;

	st->handoff_fd = -1;
	internal_fd_remove(file); /* the application's from now on */
	if (shim_sock_with(fd, shim_is_status_cb, st, 0) != 1 ||
	    shim_swap(fd, file, st->handoff_native, fd_flags, fl_flags) < 0) {
		shim_real()->close(file);
		log_warn("fd %d: closed while connecting; the connection is dropped", fd);
		errno = ECONNABORTED;
		return -1;
	}
	if (st->handoff_native)
		shim_sock_with(fd, shim_native_cb, NULL, 0);
	return 0;
}

/* The wait ended early: true when the offer is withdrawn and the connection goes on without
 * this connect() (a non-blocking one's placeholder is put under fd for the engine), false when the
 * engine took it meanwhile (its outcome is then published), or when no placeholder can be made
 * (the wait then goes on: the engine ends it within its connect timeout). */
static bool shim_handoff_withdraw(int fd, struct eng_status *st, int fd_flags, int fl_flags)
{
	int offered = ENG_HANDOFF_OFFERED, saved = errno, engine_end;
	unsigned long ino;

	if (shim_placeholder(fd, fd_flags, fl_flags, st, &engine_end, &ino) < 0) {
		log_warn("fd %d: connect() cannot be interrupted: %s", fd, strerror(errno));
		eng_status_wait(st, NULL);
		return false;
	}
	/* Published before the offer is withdrawn: the engine reads them once it finds no offer. */
	st->engine_fd = engine_end;
	st->app_ino = ino;
	if (atomic_compare_exchange_strong(&st->handoff, &offered, ENG_HANDOFF_NONE)) {
		errno = saved;
		return true;
	}
	st->engine_fd = -1;
	internal_fd_remove(engine_end);
	shim_real()->close(engine_end);
	/* Taken, so published in the same engine callback: this waits for a few instructions. */
	eng_status_wait(st, NULL);
	return false;
}

/* The wait's bound, in microseconds: the application's SO_SNDTIMEO when it set one shorter than
 * limit_us (*own is then true), else limit_us. */
static long long shim_wait_bound(int fd, long long limit_us, bool *own)
{
	struct timeval tv;
	socklen_t len = sizeof tv;
	long long us;

	*own = false;
	if (shim_real()->getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) < 0)
		return limit_us;
	us = (long long)tv.tv_sec * 1000000 + tv.tv_usec;
	if (us <= 0 || us >= limit_us)
		return limit_us;
	*own = true;
	return us;
}

int shim_handoff_wait(int fd, struct eng_status *st, int fd_flags, int fl_flags)
{
	/* The engine gives up by itself after the connect timeout; this bound only guarantees that
	 * the application can never hang on us, even if the engine thread were stuck. */
	long long limit_us = ((long long)eng_config()->connect_timeout_ms + 5000) * 1000;
	struct timespec deadline;
	bool own;

	/* SO_SNDTIMEO bounds a blocking connect() as in the kernel: when it runs out, connect()
	 * returns EINPROGRESS and the connection goes on in the background. */
	limit_us = shim_wait_bound(fd, limit_us, &own);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += limit_us / 1000000;
	deadline.tv_nsec += (long)(limit_us % 1000000) * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	/* EINTR: connect() again says EALREADY, poll() and SO_ERROR tell the outcome. */
	if (eng_status_wait(st, &deadline) < 0) {
		if (own && errno == ETIMEDOUT)
			errno = EINPROGRESS;
		if (shim_handoff_withdraw(fd, st, fd_flags, fl_flags))
			return -1;
	}
	if (atomic_load_explicit(&st->state, memory_order_acquire) == ENG_FAILED) {
		errno = atomic_exchange(&st->error, 0);
		if (errno == 0)
			errno = ECONNABORTED;
		return -1;
	}
	return st->handoff_fd >= 0 ? shim_handoff_take(fd, st, fd_flags, fl_flags) : 0;
}
