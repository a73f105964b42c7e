#include "proto/poll_checksum.h"

void poll_checksum_add(struct poll_checksum *c, const void *data, size_t len)
{
	const signed char *b = data;

	/* Unsigned arithmetic wraps instead of overflowing; the low 32 bits stay exact. */
	for (size_t i = 0; i < len; i++)
		c->sum += (uint64_t)(int64_t)(b[i] + 1) * (c->index + i + 1);
	c->index += len;
}

uint32_t poll_checksum_value(const struct poll_checksum *c)
{
	return (uint32_t)c->sum;
}

uint32_t poll_checksum_of(const void *data, size_t len)
{
	struct poll_checksum c = { 0 };

	poll_checksum_add(&c, data, len);
	return poll_checksum_value(&c);
}
