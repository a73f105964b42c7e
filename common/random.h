/* Random bytes from the kernel (getrandom(2)), for GUIDs, Digest cnonces and NTLM client
 * challenges: the same source OpenSSL seeds from, without loading OpenSSL into every process the
 * shim is preloaded in. */
#ifndef SSTPSHIM_RANDOM_H
#define SSTPSHIM_RANDOM_H

#include <stddef.h>

/* Fills buf with n random bytes, waiting until the kernel's pool is initialised; retries after a
 * signal and after short reads. 0, or -1 with errno from getrandom(2) (ENOSYS on a kernel
 * without it). */
int random_bytes(void *buf, size_t n);

#endif
