/* Socket-level options an application set before connect() and still expects of its fd afterwards.
 * The file that takes the socket's place (shim_swap) is a new one, so they are copied onto it
 * before the swap: the timeouts onto any file (a recv() told to give up after SO_RCVTIMEO must not
 * wait forever on a socketpair end), and SO_LINGER when the new file is the connected TCP socket
 * itself. Options the application left alone are read but not written. Buffer sizes, TCP-level
 * options and SO_KEEPALIVE go to the engine's sockets before they connect (shim/intercept.c). */
#include "shim/sockopt_carry.h"

#include <sys/time.h>

#include "shim/real.h"

static void shim_carry_timeouts(int from, int to)
{
	static const int names[] = { SO_RCVTIMEO, SO_SNDTIMEO };

	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct timeval tv;
		socklen_t len = sizeof tv;
		if (shim_real()->getsockopt(from, SOL_SOCKET, names[i], &tv, &len) == 0 &&
		    (tv.tv_sec != 0 || tv.tv_usec != 0))
			shim_real()->setsockopt(to, SOL_SOCKET, names[i], &tv, sizeof tv);
	}
}

void shim_sockopts_carry(int from, int to, bool tcp)
{
	struct linger lg;
	socklen_t len = sizeof lg;

	shim_carry_timeouts(from, to);
	if (!tcp)
		return;
	if (shim_real()->getsockopt(from, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff)
		shim_real()->setsockopt(to, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}
