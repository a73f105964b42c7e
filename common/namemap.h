/* Which host name the application resolved to which address, so that proxies can be given the
 * name (CONNECT host, SOCKS5 ATYP 03, Relay-Server-Name) rather than a bare address; and, with
 * SSTPSHIM_REMOTE_DNS=1, placeholder addresses for names only the proxy can resolve. */
#ifndef SSTPSHIM_NAMEMAP_H
#define SSTPSHIM_NAMEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Placeholders come from 240.0.0.0/8 (reserved, never routed): the proxychains proxy_dns idea. */
#define NAMEMAP_PLACEHOLDER_NET 240u

/* Records that name resolved to addr (AF_INET or AF_INET6; the port is ignored). The newest
 * name for an address wins; when full, the oldest entry goes. Thread-safe. */
void namemap_remember(const struct sockaddr *addr, const char *name);

/* Copies the name recorded for addr into name (cap bytes, NUL-terminated); 0, or -1 if none. */
int namemap_lookup(const struct sockaddr *addr, char *name, size_t cap);

/* An address in the placeholder range standing for name (the same name always gets the same
 * address while it is remembered); 0, or -1 when the range is exhausted. */
int namemap_placeholder(const char *name, struct in_addr *out);

/* Whether addr is a placeholder (only a proxy that resolves names can reach it). */
bool namemap_is_placeholder(const struct sockaddr *addr);

#endif
