/* The client side of a SOCKS5 handshake (RFC 1928, RFC 1929; MS-GRVHENC 3.9.4.1.1, 3.9.5.1) over a
 * stream already connected to the proxy: greeting, method, optional user/password, CONNECT,
 * reply. Separate from the transport (engine/tp_socks5.c) so that it can be driven over any
 * bufferevent, a bufferevent_pair in the unit tests included. */
#ifndef SSTPSHIM_ENGINE_SOCKS5_HANDSHAKE_H
#define SSTPSHIM_ENGINE_SOCKS5_HANDSHAKE_H

#include <stdint.h>
#include <sys/socket.h>

struct bufferevent;
struct socks5_handshake;

/* Where to go and as whom. Pointers are read during eng_socks5_start only. */
struct socks5_target {
	unsigned tunnel_id;   /* for the log */
	const char *name;     /* sent as DOMAINNAME (ATYP 03), or NULL to send addr */
	const struct sockaddr *addr; /* ATYP 01 / 04 when name is NULL; its port is DST.PORT */
	uint16_t port;        /* DST.PORT when name is given */
	const char *user;     /* NULL: offer only NO AUTHENTICATION */
	const char *password; /* with user; "" when none */
};

/* Called once. Success: err 0, why NULL, and bev is the stream (the caller owns it); bytes in its
 * input buffer arrived after the CONNECT reply and belong to the application. Failure: bev NULL,
 * err the errno for the application, why a static text for the log (never a credential). The
 * handshake has freed itself before the call. */
typedef void (*socks5_handshake_cb)(struct bufferevent *bev, int err, const char *why, void *arg);

/* Sends the greeting on bev (taken, also on failure) and runs the handshake from bev's callbacks,
 * reporting through cb, never from inside this call (as long as the proxy has not answered by
 * then). NULL with errno EINVAL when the target cannot be written (a user or password longer than
 * RFC 1929 allows, a name longer than 255 bytes), ENOMEM otherwise. */
struct socks5_handshake *eng_socks5_start(struct bufferevent *bev, const struct socks5_target *to,
					  socks5_handshake_cb cb, void *arg);

/* Abandons a handshake that has not reported, freeing its stream. NULL is a no-op. */
void eng_socks5_cancel(struct socks5_handshake *h);

#endif
