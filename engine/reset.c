#include "engine/reset.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/internal_fds.h"
#include "common/log.h"
#include "engine/tunnel.h"

static int reset_pidfd = -1;
static pid_t reset_pid;

/* A pidfd for this process, reopened after fork (the child's copy was closed). */
static int reset_self(void)
{
	if (reset_pid != getpid()) {
		reset_pid = getpid();
		reset_pidfd = (int)syscall(SYS_pidfd_open, reset_pid, 0);
		if (reset_pidfd >= 0)
			internal_fd_add(reset_pidfd, true);
	}
	return reset_pidfd;
}

void reset_application(const struct tunnel *t, int engine_fd)
{
	int self = reset_self(), app;
	struct stat st;

	if (self < 0 || engine_fd < 0)
		return;
	app = (int)syscall(SYS_pidfd_getfd, self, t->app_fd, 0);
	if (app < 0)
		return;
	if (fstat(app, &st) == 0 && st.st_ino == t->app_ino &&
	    send(app, "", 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
		log_debug("tunnel %u: application will see a reset", t->id);
	close(app);
}
