/* Socket-level options an application set before connect() and still expects of its fd afterwards.
 * The file that takes the socket's place (shim_swap) is a new one, so they are copied onto it
 * before the swap: the timeouts onto any file (a recv() told to give up after SO_RCVTIMEO must not
 * wait forever on a socketpair end), and, when the new file is the connected TCP socket itself,
 * SO_LINGER and the buffer sizes too. Options the application left alone are read but not written.
 * TCP-level options and SO_KEEPALIVE go to the engine's sockets instead (shim/intercept.c). */
#include "shim/sockopt_carry.h"

#include <pthread.h>
#include <sys/time.h>
#include <unistd.h>

#include "shim/real.h"

/* SO_RCVBUF and SO_SNDBUF of a fresh, unconnected TCP socket: a value different from these on the
 * application's own (never connected) socket is one it set. 0 when they could not be read. */
static int shim_buf_defaults[2];
static pthread_once_t shim_buf_once = PTHREAD_ONCE_INIT;
static const int shim_buf_names[2] = { SO_RCVBUF, SO_SNDBUF };

static void shim_buf_defaults_read(void)
{
	int probe = shim_real()->socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	for (int i = 0; i < 2 && probe >= 0; i++) {
		socklen_t len = sizeof shim_buf_defaults[i];
		if (shim_real()->getsockopt(probe, SOL_SOCKET, shim_buf_names[i],
					    &shim_buf_defaults[i], &len) < 0)
			shim_buf_defaults[i] = 0;
	}
	if (probe >= 0)
		shim_real()->close(probe);
}

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

/* The kernel reports twice what was asked for (its bookkeeping overhead), so half is asked again.
 */
static void shim_carry_buffers(int from, int to)
{
	pthread_once(&shim_buf_once, shim_buf_defaults_read);
	for (int i = 0; i < 2; i++) {
		int v, half;
		socklen_t len = sizeof v;
		if (shim_buf_defaults[i] == 0 ||
		    shim_real()->getsockopt(from, SOL_SOCKET, shim_buf_names[i], &v, &len) < 0 ||
		    v == shim_buf_defaults[i])
			continue;
		half = v / 2;
		shim_real()->setsockopt(to, SOL_SOCKET, shim_buf_names[i], &half, sizeof half);
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
	shim_carry_buffers(from, to);
}
