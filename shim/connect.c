/* connect(): the one decision the shim makes. Everything not ours goes to libc untouched. */
#include <errno.h>
#include <sys/socket.h>

#include "common/internal_fds.h"
#include "shim/intercept.h"
#include "shim/real.h"

__attribute__((visibility("default"))) int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (internal_on_engine_thread)
		return shim_real()->connect(fd, addr, len);
	if (shim_sock_is(fd)) {
		int rc = shim_connect_again(fd);
		if (rc <= 0)
			return rc;
		/* The previous tunnel failed and its error was reported: this is a new attempt. */
		return shim_intercept(fd, addr, len, NULL, 0);
	}
	if (!shim_wants(fd, addr, len))
		return shim_real()->connect(fd, addr, len);
	return shim_intercept(fd, addr, len, NULL, 0);
}
