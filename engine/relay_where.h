/* Where the sstp-relay of a tunnel is, for the HTTP encapsulations (longlived, keepalive,
 * polling): SSTPSHIM_RELAY, else the intercepted host on SSTPSHIM_HTTP_PORT; and the names the
 * requests carry. Engine thread only. */
#ifndef SSTPSHIM_RELAY_WHERE_H
#define SSTPSHIM_RELAY_WHERE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct tunnel;

/* The destination's address as text, without port or brackets. */
void eng_dest_address(const struct tunnel *t, char *out, size_t cap);

/* Relay-Server-Name (2.2.1.1.2): the name the application asked for, else its address. */
void eng_server_name(const struct tunnel *t, char *out, size_t cap);

/* Fills the relay's "host[:port]" (Host, and the absolute URI's authority, 2.2.1.2.7) and, when
 * resolve (not through a proxy), its address. 0, or -1 with errno when the name does not
 * resolve. */
int eng_relay_where(const struct tunnel *t, bool resolve, char *authority, size_t cap,
		    struct sockaddr_storage *to, socklen_t *to_len);

/* The `usable` slot of the HTTP encapsulations: through a proxy the relay's name is the proxy's
 * to resolve; with SSTPSHIM_RELAY it is ours; otherwise the destination's address must be a real
 * one. */
bool eng_relay_usable(const struct tunnel *t, const char **why);

#endif
