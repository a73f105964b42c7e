/* Where the sstp-relay of a tunnel is, and how the HTTP encapsulations name it (MS-GRVHENC
 * 2.2.1.1.2 Relay-Server-Name, 2.2.1.2.7 Host): shared by the transports that reach it. Engine
 * thread only. */
#ifndef SSTPSHIM_ENGINE_RELAY_ADDR_H
#define SSTPSHIM_ENGINE_RELAY_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct tunnel;

/* Where the relay is: SSTPSHIM_RELAY, else the intercepted host on SSTPSHIM_HTTP_PORT. Fills
 * its authority ("host[:port]", IPv6 bracketed) and, when resolve is set or the relay is the
 * intercepted host, its address. 0, or -1 with errno EHOSTUNREACH. */
int eng_relay_where(const struct tunnel *t, bool resolve, char *authority, size_t cap,
		    struct sockaddr_storage *to, socklen_t *to_len);

/* Relay-Server-Name: the name the application asked for, else the destination's address. */
void eng_relay_server_name(const struct tunnel *t, char *out, size_t cap);

#endif
