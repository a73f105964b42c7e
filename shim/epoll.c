/* epoll_ctl(): remembered so that connect() can re-register the fd it replaces. */
#include <sys/epoll.h>

#include "common/internal_fds.h"
#include "shim/real.h"
#include "shim/sock.h"

__attribute__((visibility("default"))) int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int rc = shim_real()->epoll_ctl(epfd, op, fd, ev);

	if (rc == 0 && !internal_on_engine_thread)
		shim_epoll_note(epfd, op, fd, ev);
	return rc;
}
