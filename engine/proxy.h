/* The proxies this process goes through, read once from the environment as curl reads it
 * (proto/proxy_url.h, proto/no_proxy.h), for the transports that need one. Engine thread only. */
#ifndef SSTPSHIM_ENGINE_PROXY_H
#define SSTPSHIM_ENGINE_PROXY_H

#include <stdbool.h>
#include <sys/socket.h>

#include "proto/proxy_url.h"

struct tunnel;

/* One configured proxy. Lives as long as the process; holds credentials (never log `url`). */
struct eng_proxy {
	struct proxy_url url;
	const char *var;                 /* the variable it came from, for the log */
	char redacted[CAP_HOST_NAME + 64]; /* the URL without credentials, safe to log */
	bool resolved;                   /* addr is valid (the name resolved when first needed) */
	struct sockaddr_storage addr;
	socklen_t addr_len;
};

/* The proxy for use when tunnelling t: NULL, with *why a static text for the log, when none is
 * configured, its setting is malformed, NO_PROXY exempts t's destination or its name does not
 * resolve. The settings are read, logged (once, credentials redacted) and resolved on the first
 * call for each use. */
const struct eng_proxy *eng_proxy_for(const struct tunnel *t, enum proxy_use use, const char **why);

/* Forgets what was read, so that the next call reads the environment again (tests). */
void eng_proxy_reset(void);

#endif
