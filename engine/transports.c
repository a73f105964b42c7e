/* The list of transports, in the default fallback order (the order real clients used, spec
 * Appendix A note <5>). */
#include <string.h>

#include "common/namemap.h"
#include "engine/transport.h"
#include "engine/tunnel.h"

extern const struct transport tp_direct;
extern const struct transport tp_direct443;
extern const struct transport tp_connect;
extern const struct transport tp_socks5;
extern const struct transport tp_longlived;
extern const struct transport tp_keepalive;
extern const struct transport tp_polling;

const struct transport *const tp_all[] = {
	&tp_direct,
	&tp_direct443,
	&tp_connect,
	&tp_socks5,
	&tp_longlived,
	&tp_keepalive,
	&tp_polling,
	NULL,
};

const struct transport *tp_find(const char *name)
{
	for (unsigned i = 0; tp_all[i]; i++)
		if (strcmp(tp_all[i]->name, name) == 0)
			return tp_all[i];
	return NULL;
}

bool tp_usable_always(const struct tunnel *t, const char **why)
{
	return true;
}

bool tp_usable_if_routable(const struct tunnel *t, const char **why)
{
	if (!namemap_is_placeholder((const struct sockaddr *)&t->dest))
		return true;
	*why = "placeholder address, only a proxy can resolve the name";
	return false;
}
