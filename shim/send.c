/* sendto()/sendmsg(): MSG_FASTOPEN to an intercepted destination is connect + send; on an
 * intercepted socket a destination address is ignored, as TCP ignores it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/caps.h"
#include "common/internal_fds.h"
#include "shim/intercept.h"
#include "shim/real.h"

/* connect() + send of the first bytes, as TCP Fast Open does; returns the bytes accepted. The
 * payload travels with the request, so a non-blocking caller gets its count at once. */
static ssize_t shim_fastopen(int fd, const void *buf, size_t len, const struct sockaddr *to,
			     socklen_t tolen)
{
	size_t n = len < CAP_EARLY_DATA ? len : CAP_EARLY_DATA;
	int rc = shim_intercept(fd, to, tolen, buf, n);

	if (rc < 0 && !(errno == EINPROGRESS && n > 0))
		return -1;
	return (ssize_t)n;
}

__attribute__((visibility("default"))) ssize_t sendto(int fd, const void *buf, size_t len, int flags,
						       const struct sockaddr *to, socklen_t tolen)
{
	if (internal_on_engine_thread)
		return shim_real()->sendto(fd, buf, len, flags, to, tolen);
	if (shim_sock_is(fd))
		return shim_real()->sendto(fd, buf, len, flags & ~MSG_FASTOPEN, NULL, 0);
	if ((flags & MSG_FASTOPEN) && shim_wants(fd, to, tolen))
		return shim_fastopen(fd, buf, len, to, tolen);
	return shim_real()->sendto(fd, buf, len, flags, to, tolen);
}

/* Gathers the first CAP_EARLY_DATA bytes of an iovec for the fast-open path. */
static ssize_t shim_fastopen_msg(int fd, const struct msghdr *msg)
{
	char *buf = malloc(CAP_EARLY_DATA);
	size_t n = 0;
	ssize_t rc;

	if (!buf) {
		errno = ENOBUFS;
		return -1;
	}
	for (size_t i = 0; i < (size_t)msg->msg_iovlen && n < CAP_EARLY_DATA; i++) {
		size_t take = msg->msg_iov[i].iov_len;
		if (take > CAP_EARLY_DATA - n)
			take = CAP_EARLY_DATA - n;
		memcpy(buf + n, msg->msg_iov[i].iov_base, take);
		n += take;
	}
	rc = shim_fastopen(fd, buf, n, msg->msg_name, msg->msg_namelen);
	free(buf);
	return rc;
}

__attribute__((visibility("default"))) ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (internal_on_engine_thread)
		return shim_real()->sendmsg(fd, msg, flags);
	if (shim_sock_is(fd) && msg && msg->msg_name) {
		struct msghdr copy = *msg;
		copy.msg_name = NULL;
		copy.msg_namelen = 0;
		return shim_real()->sendmsg(fd, &copy, flags & ~MSG_FASTOPEN);
	}
	if ((flags & MSG_FASTOPEN) && msg && !shim_sock_is(fd) &&
	    shim_wants(fd, msg->msg_name, msg->msg_namelen))
		return shim_fastopen_msg(fd, msg);
	return shim_real()->sendmsg(fd, msg, flags);
}
