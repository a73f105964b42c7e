/* One intercepted connection inside the engine: from the chain of attempts to the pump. */
#ifndef SSTPSHIM_TUNNEL_H
#define SSTPSHIM_TUNNEL_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "common/config.h"
#include "engine/engine.h"

struct event_base;
struct bufferevent;
struct evbuffer;
struct chain;
struct pump;

enum tunnel_state { TUNNEL_CONNECTING, TUNNEL_ESTABLISHED, TUNNEL_CLOSING };

struct tunnel {
	unsigned id;
	enum tunnel_state state;
	struct event_base *base;
	const struct config *cfg;
	int engine_fd;            /* our socketpair end */
	int app_fd;               /* its end, for engine/app_end.c */
	unsigned long app_ino;
	struct sockaddr_storage dest;
	socklen_t dest_len;
	struct sockaddr_storage from; /* where its connections leave from (engine/dial.c) */
	socklen_t from_len;           /* 0: wherever the kernel routes them */
	char host[CAP_HOST_NAME + 1]; /* the name the application resolved, or "" */
	char dest_text[64];       /* "address:port" for the log */
	struct evbuffer *early;   /* TCP Fast Open payload, sent first */
	struct eng_sockopt opts[CAP_SOCKOPTS];
	unsigned n_opts;
	struct eng_status *status;
	struct chain *chain;      /* while connecting */
	struct pump *pump;        /* once established */
	struct timespec started;
};

/* Creates the tunnel of req and starts its chain. Takes everything req owns; on failure the
 * application's connect() fails with the errno. */
void tunnel_start(struct event_base *base, const struct config *cfg, struct eng_request *req);

/* The chain found a transport: publish success, let the application write, start the pump. */
void tunnel_established(struct tunnel *t, struct bufferevent *stream, const char *transport);

/* The same with a stream of two sockets (engine/transport.h): takes its fds in every case. */
struct tp_split;
void tunnel_established_split(struct tunnel *t, struct tp_split *s, const char *transport);

/* The chain gave up: the application's connect() fails with err. */
void tunnel_failed(struct tunnel *t, int err);

/* The pump is done (both directions ended, or an error): release everything, after return. */
void tunnel_close(struct tunnel *t);

/* Applies one option now to the established stream's socket, and remembers it for later ones. */
void tunnel_setsockopt(struct tunnel *t, const struct eng_sockopt *opt);

/* Applies the options the application set to a socket the engine opened for t. */
void tunnel_apply_sockopts(const struct tunnel *t, int fd);

/* Milliseconds since the tunnel started. */
double tunnel_elapsed_ms(const struct tunnel *t);

#endif
