/* close(), close_range(), closefrom(), dup2(), dup3(): the application may close any fd it owns,
 * never the shim's or the engine's, and a closed fd forgets what the shim knew about it. */
#include <errno.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "common/internal_fds.h"
#include "shim/real.h"
#include "shim/sock.h"

__attribute__((visibility("default"))) int close(int fd)
{
	if (internal_on_engine_thread) {
		internal_fd_remove(fd);
		return shim_real()->close(fd);
	}
	if (internal_fd_is(fd)) {
		errno = EBADF; /* as if it were not open: the application never opened it */
		return -1;
	}
	shim_fd_forget(fd);
	return shim_real()->close(fd);
}

/* Closes [first, last] in pieces around the internal fds. */
static int shim_close_range_around(unsigned first, unsigned last, int flags)
{
	unsigned lo = first;

	for (;;) {
		int next = internal_fd_next(lo, last);
		unsigned hi = next < 0 ? last : (unsigned)next - 1;
		if ((next < 0 || (unsigned)next > lo) &&
		    shim_real()->close_range(lo, hi, flags) < 0)
			return -1;
		if (next < 0 || (unsigned)next >= last)
			return 0;
		lo = (unsigned)next + 1;
	}
}

__attribute__((visibility("default"))) int close_range(unsigned first, unsigned last, int flags)
{
	if (internal_on_engine_thread || (flags & CLOSE_RANGE_CLOEXEC) || first > last)
		return shim_real()->close_range(first, last, flags);
	if (shim_close_range_around(first, last, flags) < 0)
		return -1;
	shim_fd_forget_range(first, last);
	return 0;
}

__attribute__((visibility("default"))) void closefrom(int lowfd)
{
	if (lowfd < 0)
		lowfd = 0;
	if (close_range((unsigned)lowfd, ~0u, 0) == 0)
		return;
	/* No close_range(2) (old kernel): close one by one, as glibc's own fallback does. */
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = lowfd; fd < max; fd++)
		close((int)fd);
}

/* dup2/dup3 onto an internal fd would silently take the engine's descriptor away: refuse it with
 * the error Linux gives for a descriptor that is being set up. */
static int shim_dup_target_ok(int newfd)
{
	if (!internal_on_engine_thread && internal_fd_is(newfd)) {
		errno = EBUSY;
		return 0;
	}
	return 1;
}

__attribute__((visibility("default"))) int dup2(int oldfd, int newfd)
{
	if (!shim_dup_target_ok(newfd))
		return -1;
	int rc = shim_real()->dup2(oldfd, newfd);
	if (rc >= 0 && oldfd != newfd && !internal_on_engine_thread)
		shim_fd_forget(newfd);
	return rc;
}

__attribute__((visibility("default"))) int dup3(int oldfd, int newfd, int flags)
{
	if (!shim_dup_target_ok(newfd))
		return -1;
	int rc = shim_real()->dup3(oldfd, newfd, flags);
	if (rc >= 0 && !internal_on_engine_thread)
		shim_fd_forget(newfd);
	return rc;
}
