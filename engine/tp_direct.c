/* `direct`: SSTP over TCP to the destination as the application gave it (spec 1.3, port 2492). */
#include "engine/dial.h"
#include "engine/transport.h"
#include "engine/tunnel.h"

static int tp_direct_start(struct tp_attempt *a)
{
	return dial_attempt_start(a, (const struct sockaddr *)&a->tunnel->dest, a->tunnel->dest_len);
}

const struct transport tp_direct = {
	.name = "direct",
	.timeout_ms = 5000,
	.usable = tp_usable_if_routable,
	.start = tp_direct_start,
	.abort = dial_attempt_abort,
};
