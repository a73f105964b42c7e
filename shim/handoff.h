/* The wait of a blocking connect(), which ends with the file the engine hands over in place of
 * the placeholder under the application's fd. */
#ifndef SSTPSHIM_HANDOFF_H
#define SSTPSHIM_HANDOFF_H

#include "engine/engine.h"

/* Before the tunnel is submitted: a blocking connect() will wait for st (shim_handoff_wait). */
void shim_handoff_offer(struct eng_status *st);

/* Waits for the outcome of st, whose placeholder fd holds, and puts the file the engine hands over
 * in place of it (fd_flags, fl_flags: the application's FD_CLOEXEC and status flags). What
 * connect() returns: 0, or -1 with the failure's errno, EINTR or ETIMEDOUT (the connection then
 * goes on as a non-blocking one). */
int shim_handoff_wait(int fd, struct eng_status *st, int fd_flags, int fl_flags);

#endif
