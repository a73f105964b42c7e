/* Proxy settings are read lazily and once: the environment of a program rarely changes after
 * start, and resolving a proxy's name blocks, which the engine thread can afford once. */
#include "engine/proxy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>

#include "common/log.h"
#include "engine/tunnel.h"
#include "proto/no_proxy.h"

#define PROXY_USES 3

struct eng_proxy_slot {
	bool loaded;
	bool found;
	const char *why; /* when !found */
	struct eng_proxy proxy;
};

static struct eng_proxy_slot eng_proxy_slots[PROXY_USES];

static const char *const eng_proxy_use_names[PROXY_USES] = {
	[PROXY_USE_CONNECT] = "CONNECT",
	[PROXY_USE_HTTP] = "HTTP",
	[PROXY_USE_SOCKS] = "SOCKS",
};

static int eng_proxy_resolve(struct eng_proxy *p)
{
	/* An address is taken as it is first: AI_ADDRCONFIG alone costs a netlink round trip, and
	 * the first name lookup of a process reads the NSS configuration, both on the first
	 * connect() (a millisecond on this machine), for a proxy that is nearly always an address. */
	struct addrinfo numeric = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	int rc;

	rc = getaddrinfo(p->url.host, NULL, &numeric, &res);
	if (rc == EAI_NONAME)
		rc = getaddrinfo(p->url.host, NULL, &hints, &res);
	if (rc != 0 || !res || res->ai_addrlen > sizeof p->addr) {
		log_warn("%s proxy %s (from %s): cannot resolve its name (%s)",
			 proxy_scheme_name(p->url.scheme), p->redacted, p->var,
			 rc ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	memcpy(&p->addr, res->ai_addr, res->ai_addrlen);
	p->addr_len = res->ai_addrlen;
	if (p->addr.ss_family == AF_INET)
		((struct sockaddr_in *)&p->addr)->sin_port = htons(p->url.port);
	else
		((struct sockaddr_in6 *)&p->addr)->sin6_port = htons(p->url.port);
	freeaddrinfo(res);
	p->resolved = true;
	return 0;
}

static void eng_proxy_load(struct eng_proxy_slot *s, enum proxy_use use)
{
	struct eng_proxy *p = &s->proxy;
	const char *why = NULL;

	s->loaded = true;
	switch (proxy_select(use, proxy_getenv, &p->url, &p->var, &why)) {
	case PROXY_SEL_NONE:
		s->why = "no proxy configured";
		return;
	case PROXY_SEL_BAD:
		log_warn("ignoring %s: %s", p->var, why);
		s->why = "the proxy setting is malformed";
		return;
	case PROXY_SEL_FOUND:
		break;
	}
	proxy_url_redacted(&p->url, p->redacted, sizeof p->redacted);
	if (eng_proxy_resolve(p) < 0) {
		s->why = "the proxy's name does not resolve";
		return;
	}
	log_info("%s proxy: %s (from %s)", eng_proxy_use_names[use], p->redacted, p->var);
	s->found = true;
}

/* NO_PROXY is matched against the name the application used when we know it, else the
 * address, as curl matches it against the URL's host. */
static bool eng_proxy_exempt(const struct tunnel *t)
{
	char text[INET6_ADDRSTRLEN];
	const char *host = t->host;
	uint16_t port;

	if (t->dest.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&t->dest;
		port = ntohs(in->sin_port);
		if (!*host)
			host = inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&t->dest;
		port = ntohs(in6->sin6_port);
		if (!*host)
			host = inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
	}
	return host && no_proxy_match(no_proxy_list(proxy_getenv), host, port);
}

const struct eng_proxy *eng_proxy_for(const struct tunnel *t, enum proxy_use use, const char **why)
{
	struct eng_proxy_slot *s = &eng_proxy_slots[use];

	if (!s->loaded)
		eng_proxy_load(s, use);
	if (!s->found) {
		*why = s->why;
		return NULL;
	}
	if (eng_proxy_exempt(t)) {
		*why = "NO_PROXY exempts the destination";
		return NULL;
	}
	return &s->proxy;
}

void eng_proxy_reset(void)
{
	for (unsigned i = 0; i < PROXY_USES; i++)
		proxy_url_wipe(&eng_proxy_slots[i].proxy.url);
	memset(eng_proxy_slots, 0, sizeof eng_proxy_slots);
}
