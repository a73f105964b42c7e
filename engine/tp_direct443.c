/* `direct443`: "SSTP over the SSL port" (spec 1.3 table): the same host on the alternate port,
 * default 443, carrying plain SSTP bytes (no TLS), for firewalls that only let 443 out. */
#include <netinet/in.h>
#include <string.h>

#include "engine/dial.h"
#include "engine/transport.h"
#include "engine/tunnel.h"

static int tp_direct443_start(struct tp_attempt *a)
{
	struct sockaddr_storage to;
	const struct tunnel *t = a->tunnel;

	memcpy(&to, &t->dest, t->dest_len);
	if (to.ss_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = htons(t->cfg->alt_port);
	else
		((struct sockaddr_in6 *)&to)->sin6_port = htons(t->cfg->alt_port);
	return dial_attempt_start(a, (const struct sockaddr *)&to, t->dest_len);
}

const struct transport tp_direct443 = {
	.name = "direct443",
	.timeout_ms = 5000,
	.usable = tp_usable_if_routable,
	.start = tp_direct443_start,
	.abort = dial_attempt_abort,
};
