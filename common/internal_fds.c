#include "common/internal_fds.h"

#include <stdatomic.h>
#include <stdint.h>

#include "common/caps.h"

__thread int internal_on_engine_thread __attribute__((tls_model("initial-exec")));

#define WORDS (CAP_FD_MAX / 64)

/* Bitmaps rather than lists: the check in close() must cost one load, and close_range() walks
 * them a word at a time. Static, so pages are only touched for the fds in use. */
static _Atomic uint64_t internal_bits[WORDS];
static _Atomic uint64_t engine_bits[WORDS];

void internal_fd_add(int fd, bool engine_owned)
{
	if (fd < 0 || (unsigned)fd >= CAP_FD_MAX)
		return;
	atomic_fetch_or(&internal_bits[fd / 64], UINT64_C(1) << (fd % 64));
	if (engine_owned)
		atomic_fetch_or(&engine_bits[fd / 64], UINT64_C(1) << (fd % 64));
}

void internal_fd_remove(int fd)
{
	if (fd < 0 || (unsigned)fd >= CAP_FD_MAX)
		return;
	atomic_fetch_and(&internal_bits[fd / 64], ~(UINT64_C(1) << (fd % 64)));
	atomic_fetch_and(&engine_bits[fd / 64], ~(UINT64_C(1) << (fd % 64)));
}

bool internal_fd_is(int fd)
{
	if (fd < 0 || (unsigned)fd >= CAP_FD_MAX)
		return false;
	return atomic_load_explicit(&internal_bits[fd / 64], memory_order_relaxed) &
	       (UINT64_C(1) << (fd % 64));
}

int internal_fd_next(unsigned from, unsigned last)
{
	if (last >= CAP_FD_MAX)
		last = CAP_FD_MAX - 1;
	for (unsigned fd = from; fd <= last;) {
		uint64_t word = atomic_load(&internal_bits[fd / 64]) >> (fd % 64);
		if (word)
			return fd + (unsigned)__builtin_ctzll(word) <= last ? (int)(fd + (unsigned)__builtin_ctzll(word)) : -1;
		fd = (fd / 64 + 1) * 64;
	}
	return -1;
}

void internal_fd_close_engine_owned(int (*close_fn)(int))
{
	for (unsigned w = 0; w < WORDS; w++) {
		uint64_t word = atomic_exchange(&engine_bits[w], 0);
		while (word) {
			unsigned bit = (unsigned)__builtin_ctzll(word);
			word &= word - 1;
			atomic_fetch_and(&internal_bits[w], ~(UINT64_C(1) << bit));
			close_fn((int)(w * 64 + bit));
		}
	}
}
