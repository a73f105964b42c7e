/* The descriptors the shim and the engine own inside the host process. The application cannot
 * close them (close(), close_range() and closefrom() skip them), and after fork() the child closes
 * its copies of the engine's ones so that tunnels still end when the parent's engine ends them. */
#ifndef SSTPSHIM_INTERNAL_FDS_H
#define SSTPSHIM_INTERNAL_FDS_H

#include <stdbool.h>

/* Set on the engine thread: everything it calls through the hooks passes straight through, and
 * the descriptors it creates are recorded as engine-owned. */
extern __thread int internal_on_engine_thread __attribute__((tls_model("initial-exec")));

/* Records fd as internal; engine_owned ones are closed in a fork child. Ignores fds past the cap. */
void internal_fd_add(int fd, bool engine_owned);

/* Forgets fd (it is being closed by its owner). */
void internal_fd_remove(int fd);

bool internal_fd_is(int fd);

/* The lowest internal fd >= from and <= last, or -1. */
int internal_fd_next(unsigned from, unsigned last);

/* Closes and forgets every engine-owned fd with close_fn (in a fork child). */
void internal_fd_close_engine_owned(int (*close_fn)(int));

#endif
