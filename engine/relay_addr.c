/* The relay's authority and address from the settings and the intercepted destination. */
#include "engine/relay_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "engine/tunnel.h"

/* The destination's address as text, without port or brackets. */
static void eng_relay_dest_address(const struct tunnel *t, char *out, size_t cap)
{
	if (t->dest.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->dest)->sin_addr, out, cap);
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&t->dest)->sin6_addr, out,
			  (socklen_t)cap);
}

/* "host[:port]" for Host and the absolute URI (2.2.1.2.7), brackets around IPv6 literals. */
static void eng_relay_authority(const char *host, uint16_t port, char *out, size_t cap)
{
	bool v6 = strchr(host, ':') != NULL;

	if (port == 80)
		snprintf(out, cap, "%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
	else
		snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

int eng_relay_where(const struct tunnel *t, bool resolve, char *authority, size_t cap,
		    struct sockaddr_storage *to, socklen_t *to_len)
{
	const struct config *cfg = t->cfg;
	char addr[INET6_ADDRSTRLEN] = "";
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char port[8];

	if (!cfg->relay_host[0]) {
		eng_relay_dest_address(t, addr, sizeof addr);
		eng_relay_authority(t->host[0] ? t->host : addr, cfg->http_port, authority, cap);
		memcpy(to, &t->dest, t->dest_len);
		*to_len = t->dest_len;
		if (to->ss_family == AF_INET)
			((struct sockaddr_in *)to)->sin_port = htons(cfg->http_port);
		else
			((struct sockaddr_in6 *)to)->sin6_port = htons(cfg->http_port);
		return 0;
	}
	eng_relay_authority(cfg->relay_host, cfg->relay_port, authority, cap);
	if (!resolve)
		return 0;
	snprintf(port, sizeof port, "%u", cfg->relay_port);
	if (getaddrinfo(cfg->relay_host, port, &hints, &res) != 0 || !res ||
	    res->ai_addrlen > sizeof *to) {
		if (res)
			freeaddrinfo(res);
		errno = EHOSTUNREACH;
		return -1;
	}
	memcpy(to, res->ai_addr, res->ai_addrlen);
	*to_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void eng_relay_server_name(const struct tunnel *t, char *out, size_t cap)
{
	if (t->host[0]) /* the name the application asked for (2.2.1.1.2) */
		snprintf(out, cap, "%s", t->host);
	else
		eng_relay_dest_address(t, out, cap);
}
