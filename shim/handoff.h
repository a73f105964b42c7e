/* The engine's connected socket given to a blocking connect() in place of the socketpair end. */
#ifndef SSTPSHIM_HANDOFF_H
#define SSTPSHIM_HANDOFF_H

#include "engine/engine.h"

/* Before the tunnel is submitted: a blocking connect() will wait for st, and will take the socket
 * if the engine hands one over (engine/tunnel.c). */
void shim_handoff_offer(struct eng_status *st);

/* Once the wait for st is over, whatever its outcome (rc and errno): withdraws the offer, or puts
 * the socket the engine handed over in place of fd's file and returns 0. Otherwise returns rc
 * with errno unchanged. */
int shim_handoff_settle(int fd, struct eng_status *st, int rc);

#endif
