#include "common/random.h"

#include <errno.h>
#include <sys/random.h>

int random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		/* getrandom(2): up to 256 bytes never come short once the pool is ready, but a
		 * larger request may, and a signal may interrupt the wait for the pool */
		ssize_t got = getrandom(p, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0) { /* not documented to happen; never loop on it */
			errno = EIO;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}
