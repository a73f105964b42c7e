/* The fallback chain: tries the configured transports in order, each under its own timeout and
 * all under the connect timeout, and reports the first that establishes the tunnel. */
#ifndef SSTPSHIM_CHAIN_H
#define SSTPSHIM_CHAIN_H

struct tunnel;
struct chain;

/* Starts trying transports for t. Calls tunnel_established() or tunnel_failed() exactly once,
 * from a callback, and frees itself right after. NULL with errno if it cannot start. */
struct chain *chain_start(struct tunnel *t);

/* Stops a chain that has not reported yet (the tunnel is going away). NULL is a no-op. */
void chain_free(struct chain *c);

#endif
