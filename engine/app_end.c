#include "engine/app_end.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/internal_fds.h"
#include "common/log.h"
#include "engine/tunnel.h"

static int app_end_pidfd = -1;
static pid_t app_end_pid;

/* A pidfd for this process, reopened after fork (the child's copy was closed). */
static int app_end_self(void)
{
	if (app_end_pid != getpid()) {
		app_end_pid = getpid();
		app_end_pidfd = (int)syscall(SYS_pidfd_open, app_end_pid, 0);
		if (app_end_pidfd >= 0)
			internal_fd_add(app_end_pidfd, true);
	}
	return app_end_pidfd;
}

void app_end_prepare(void)
{
	app_end_self();
}

/* A new descriptor for the application's end, or -1 when it is gone or replaced. */
static int app_end_get(const struct tunnel *t)
{
	int self = app_end_self(), app;
	struct stat st;

	if (self < 0)
		return -1;
	app = (int)syscall(SYS_pidfd_getfd, self, t->app_fd, 0);
	if (app < 0)
		return -1;
	if (fstat(app, &st) == 0 && st.st_ino == t->app_ino)
		return app;
	close(app);
	return -1;
}

void app_end_reset(const struct tunnel *t, int engine_fd)
{
	int app;

	if (engine_fd < 0 || (app = app_end_get(t)) < 0)
		return;
	if (send(app, "", 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
		log_debug("tunnel %u: application will see a reset", t->id);
	close(app);
}

void app_end_restore_sndbuf(const struct tunnel *t)
{
	int app, size = t->status->app_sndbuf / 2; /* the kernel doubles what it is given */

	if (t->status->app_sndbuf <= 0 || (app = app_end_get(t)) < 0)
		return;
	setsockopt(app, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	close(app);
}
