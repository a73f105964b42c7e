/* getaddrinfo()/gethostbyname(): the results pass through untouched, but the shim remembers which
 * name gave which address, so that at connect() time a proxy can be handed the name. With
 * SSTPSHIM_REMOTE_DNS=1, a name the local resolver cannot resolve, asked for on an intercepted
 * port, gets a placeholder address that only a proxy will ever resolve (proxychains' proxy_dns). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "common/internal_fds.h"
#include "common/log.h"
#include "common/namemap.h"
#include "common/num.h"
#include "engine/engine.h"
#include "shim/real.h"

static bool shim_is_numeric_host(const char *node)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, node, buf) == 1 || inet_pton(AF_INET6, node, buf) == 1;
}

static void shim_remember_all(const char *node, const struct addrinfo *ai)
{
	for (; ai; ai = ai->ai_next)
		if (ai->ai_addr)
			namemap_remember(ai->ai_addr, node);
}

/* One addrinfo and its address in a single block, as glibc allocates them, so that the
 * application's freeaddrinfo() releases ours too. */
static struct addrinfo *shim_placeholder_ai(const char *node, uint16_t port, int family,
					    const struct addrinfo *hints)
{
	struct in_addr v4;
	struct addrinfo *ai;

	if (namemap_placeholder(node, &v4) < 0)
		return NULL;
	ai = calloc(1, sizeof *ai + sizeof(struct sockaddr_in6));
	if (!ai)
		return NULL;
	ai->ai_family = family;
	ai->ai_socktype = hints && hints->ai_socktype ? hints->ai_socktype : SOCK_STREAM;
	ai->ai_protocol = IPPROTO_TCP;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ai->ai_addr;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr = v4;
		ai->ai_addrlen = sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ai->ai_addr;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&in6->sin6_addr.s6_addr[12], &v4, 4);
		ai->ai_addrlen = sizeof *in6;
	}
	if (hints && (hints->ai_flags & AI_CANONNAME))
		ai->ai_canonname = strdup(node);
	return ai;
}

/* Whether a failed lookup deserves a placeholder: remote DNS on, a name (not a literal), a
 * numeric service that is an intercepted port, a stream socket of a family we can map. */
static int shim_placeholder_port(const char *node, const char *service, const struct addrinfo *hints)
{
	const struct config *cfg = eng_config();
	uint64_t port;

	if (!cfg->remote_dns || !node || !service || shim_is_numeric_host(node))
		return -1;
	if (num_parse_str(service, 65535, &port) < 0 || !config_port_intercepted(cfg, (uint16_t)port))
		return -1;
	if (hints && ((hints->ai_flags & AI_NUMERICHOST) ||
		      (hints->ai_socktype && hints->ai_socktype != SOCK_STREAM) ||
		      (hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET &&
		       hints->ai_family != AF_INET6)))
		return -1;
	return (int)port;
}

__attribute__((visibility("default"))) int getaddrinfo(const char *node, const char *service,
						       const struct addrinfo *hints, struct addrinfo **res)
{
	int rc = shim_real()->getaddrinfo(node, service, hints, res);
	int port;

	if (internal_on_engine_thread || !node)
		return rc;
	if (rc == 0) {
		if (!shim_is_numeric_host(node))
			shim_remember_all(node, *res);
		return rc;
	}
	if (rc != EAI_NONAME && rc != EAI_AGAIN && rc != EAI_FAIL && rc != EAI_NODATA)
		return rc;
	port = shim_placeholder_port(node, service, hints);
	if (port < 0)
		return rc;
	*res = shim_placeholder_ai(node, (uint16_t)port,
				   hints && hints->ai_family == AF_INET6 ? AF_INET6 : AF_INET, hints);
	if (!*res)
		return EAI_MEMORY;
	log_info("%s: not resolvable here; placeholder for the proxy to resolve", node);
	return 0;
}

static void shim_remember_hostent(const char *name, const struct hostent *h)
{
	if (!h || !name || shim_is_numeric_host(name))
		return;
	for (char **a = h->h_addr_list; *a; a++) {
		struct sockaddr_storage ss = { .ss_family = (sa_family_t)h->h_addrtype };
		if (h->h_addrtype == AF_INET)
			memcpy(&((struct sockaddr_in *)&ss)->sin_addr, *a, 4);
		else if (h->h_addrtype == AF_INET6)
			memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, *a, 16);
		else
			return;
		namemap_remember((struct sockaddr *)&ss, name);
	}
}

__attribute__((visibility("default"))) struct hostent *gethostbyname(const char *name)
{
	struct hostent *h = shim_real()->gethostbyname(name);

	if (!internal_on_engine_thread)
		shim_remember_hostent(name, h);
	return h;
}

__attribute__((visibility("default"))) int gethostbyname_r(const char *name, struct hostent *ret,
							   char *buf, size_t len,
							   struct hostent **result, int *h_errnop)
{
	int rc = shim_real()->gethostbyname_r(name, ret, buf, len, result, h_errnop);

	if (rc == 0 && !internal_on_engine_thread && result)
		shim_remember_hostent(name, *result);
	return rc;
}
