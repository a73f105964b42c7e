/* Where the relay of the HTTP encapsulations is (LongLived, Polling). */
#ifndef SSTPSHIM_RELAY_WHERE_H
#define SSTPSHIM_RELAY_WHERE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct tunnel;

/* The destination's address as text, without port or brackets. */
void eng_dest_address(const struct tunnel *t, char *out, size_t cap);

/* "host[:port]" for Host and absolute URIs (2.2.1.2.7), brackets around IPv6 literals, no port
 * when it is 80. */
void eng_relay_authority(const char *host, uint16_t port, char *out, size_t cap);

/* SSTPSHIM_RELAY, else the intercepted host on SSTPSHIM_HTTP_PORT: fills the relay's authority
 * and, when resolve (not through a proxy), its address. 0, or -1 with errno. */
int eng_relay_where(const struct tunnel *t, bool resolve, char *authority, size_t cap,
		    struct sockaddr_storage *to, socklen_t *to_len);

#endif
