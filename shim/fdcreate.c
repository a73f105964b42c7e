/* The calls that create descriptors, hooked only to record those the engine thread creates
 * (libevent's epoll fd, the engine's sockets) as internal. On other threads they pass through. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/internal_fds.h"
#include "shim/real.h"

static int shim_engine_fd(int fd)
{
	if (fd >= 0 && internal_on_engine_thread)
		internal_fd_add(fd, true);
	return fd;
}

static int shim_engine_pair(int rc, const int fds[2])
{
	if (rc == 0 && internal_on_engine_thread) {
		internal_fd_add(fds[0], true);
		internal_fd_add(fds[1], true);
	}
	return rc;
}

__attribute__((visibility("default"))) int socket(int domain, int type, int protocol)
{
	return shim_engine_fd(shim_real()->socket(domain, type, protocol));
}

__attribute__((visibility("default"))) int socketpair(int domain, int type, int protocol, int fds[2])
{
	return shim_engine_pair(shim_real()->socketpair(domain, type, protocol, fds), fds);
}

__attribute__((visibility("default"))) int epoll_create(int size)
{
	return shim_engine_fd(shim_real()->epoll_create(size));
}

__attribute__((visibility("default"))) int epoll_create1(int flags)
{
	return shim_engine_fd(shim_real()->epoll_create1(flags));
}

__attribute__((visibility("default"))) int eventfd(unsigned initval, int flags)
{
	return shim_engine_fd(shim_real()->eventfd(initval, flags));
}

__attribute__((visibility("default"))) int pipe(int fds[2])
{
	return shim_engine_pair(shim_real()->pipe(fds), fds);
}

__attribute__((visibility("default"))) int pipe2(int fds[2], int flags)
{
	return shim_engine_pair(shim_real()->pipe2(fds, flags), fds);
}
