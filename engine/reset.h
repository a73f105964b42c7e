/* Making the application's read() fail with ECONNRESET when the far end broke. */
#ifndef SSTPSHIM_RESET_H
#define SSTPSHIM_RESET_H

struct tunnel;

/* Arranges that closing engine_fd (the engine's socketpair end, about to be closed by the caller)
 * gives the application's end ECONNRESET instead of a clean EOF. Linux reports ECONNRESET to a
 * unix stream socket whose peer closes with unread data; that data must come from the application's
 * end, which we reach with pidfd_getfd() after checking it is still the same socket. Best effort:
 * when it cannot be done the application sees EOF. */
void reset_application(const struct tunnel *t, int engine_fd);

#endif
