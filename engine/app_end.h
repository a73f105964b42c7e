/* What the engine does to the application's end of a tunnel's socketpair. The engine holds only
 * its own end; the application's is reached through this process's descriptor table by number,
 * with pidfd_getfd(), and used only after checking it is still the same socket (the application
 * may have closed the number and reused it). Best effort: when that fails, nothing is done. */
#ifndef SSTPSHIM_APP_END_H
#define SSTPSHIM_APP_END_H

struct tunnel;

/* Opens what the others need (a pidfd of this process) when the engine starts rather than at the
 * first tunnel that needs it: the engine's descriptors are then all open once the first tunnel
 * has started, whichever way it went (tests count descriptors). */
void app_end_prepare(void);

/* Arranges that closing engine_fd (the engine's socketpair end, about to be closed by the caller)
 * gives the application's end ECONNRESET instead of a clean EOF. Linux reports ECONNRESET to a
 * unix stream socket whose peer closes with unread data; that data must come from the
 * application's end. When it cannot be done the application sees EOF. */
void app_end_reset(const struct tunnel *t, int engine_fd);

/* Gives the application's end back the send buffer the shim shrank to keep its fill small
 * (t->status->app_sndbuf); the end then polls writable. */
void app_end_restore_sndbuf(const struct tunnel *t);

#endif
