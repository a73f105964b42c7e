/* The Polling encapsulation's checksum (MS-GRVHENC 2.2.2.3.1.3.1.3): the sum over the
 * Application-Data of (SignedByte + 1) * (index + 1), index from 0. The true sum of a full
 * 32768-octet body can exceed 32 bits and can be negative; we send it reduced modulo 2^32 as an
 * unsigned decimal and accept any integer that matches modulo 2^32, so that a peer that prints
 * the exact sum, signed or not, and one that wraps both interoperate with us. */
#ifndef SSTPSHIM_POLL_CHECKSUM_H
#define SSTPSHIM_POLL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* A running checksum, for data that arrives in pieces. Zero-initialise it. */
struct poll_checksum {
	uint64_t sum;   /* modulo 2^64, which keeps the sum modulo 2^32 exact */
	uint64_t index; /* bytes summed so far */
};

/* Adds the next len bytes of Application-Data. */
void poll_checksum_add(struct poll_checksum *c, const void *data, size_t len);

/* The checksum so far, modulo 2^32 (what we send). */
uint32_t poll_checksum_value(const struct poll_checksum *c);

/* The checksum of one buffer, modulo 2^32. */
uint32_t poll_checksum_of(const void *data, size_t len);

#endif
