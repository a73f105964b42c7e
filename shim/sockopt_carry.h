/* Copying the socket options an application set onto the file that replaces its socket. */
#ifndef SSTPSHIM_SOCKOPT_CARRY_H
#define SSTPSHIM_SOCKOPT_CARRY_H

#include <stdbool.h>

/* Sets on `to` the SO_RCVTIMEO and SO_SNDTIMEO the application set on its socket `from`, and when
 * `to` is a TCP socket (tcp) its SO_LINGER too. Best effort: an option that cannot be read or set
 * is left as it is. */
void shim_sockopts_carry(int from, int to, bool tcp);

#endif
