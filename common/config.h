/* The process-wide settings, read once from the environment (SSTPSHIM_*). */
#ifndef SSTPSHIM_CONFIG_H
#define SSTPSHIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/caps.h"
#include "common/log.h"

struct config {
	uint8_t ports[65536 / 8];        /* bitmap of intercepted destination ports */
	unsigned connect_timeout_ms;     /* SSTPSHIM_CONNECT_TIMEOUT: whole chain */
	unsigned transport_timeout_ms;   /* SSTPSHIM_TRANSPORT_TIMEOUT: one attempt, 0 = each default */
	uint16_t alt_port;               /* SSTPSHIM_ALT_PORT: "SSTP over the SSL port" */
	char transports[CAP_CHAIN_LEN][16]; /* SSTPSHIM_TRANSPORTS, names as given */
	unsigned n_transports;
	bool remote_dns;                 /* SSTPSHIM_REMOTE_DNS=1: placeholders for unresolvable names */
	uint16_t http_port;              /* SSTPSHIM_HTTP_PORT: the relay's port on the destination host */
	char relay_host[CAP_HOST_NAME + 1]; /* SSTPSHIM_RELAY=host:port, "" when unset */
	uint16_t relay_port;
	uint64_t longlived_limit;        /* SSTPSHIM_LONGLIVED_LIMIT: octets per LongLived session */
	enum log_level log_level;        /* SSTPSHIM_LOG */
	const char *log_file;            /* SSTPSHIM_LOG_FILE, NULL for stderr */
};

#define CONFIG_DEFAULT_PORT 2492
#define CONFIG_DEFAULT_CONNECT_TIMEOUT_MS 30000u
#define CONFIG_DEFAULT_ALT_PORT 443
#define CONFIG_DEFAULT_HTTP_PORT 80
/* 0x7ffff000, MS-GRVHENC 2.2.2.1.1.1.3 (proto/longlived.h LL_CONTENT_LENGTH); tests lower it. */
#define CONFIG_DEFAULT_LONGLIVED_LIMIT 2147479552ull
#define CONFIG_DEFAULT_TRANSPORTS "direct,direct443,connect,socks5,longlived,keepalive,polling"

/* Fills cfg from getenv. A malformed value keeps the default and is reported through warn(), one
 * line naming the variable, once logging is set up; nothing here can fail or exit. */
void config_load(struct config *cfg, void (*warn)(const char *var, const char *why));

/* Whether connections to this port are intercepted. */
static inline bool config_port_intercepted(const struct config *cfg, uint16_t port)
{
	return cfg->ports[port / 8] & (1u << (port % 8));
}

/* Parses a duration in seconds with up to three decimals ("2", "0.25") into milliseconds. */
int config_parse_seconds(const char *text, unsigned max_ms, unsigned *out_ms);

/* Parses a comma list of ports into the bitmap; -1 on any bad item (bitmap then unspecified). */
int config_parse_ports(const char *text, uint8_t bitmap[65536 / 8]);

/* Parses "host:port", "[v6 address]:port" or, when default_port is not 0, a host alone (which
 * then gets default_port). A port 0 is accepted only when allow_zero. -1 when malformed, the host
 * is empty or longer than CAP_HOST_NAME, or the port is not a number in range. */
int config_parse_hostport(const char *text, uint16_t default_port, bool allow_zero,
			  char host[CAP_HOST_NAME + 1], uint16_t *port);

/* Splits a comma list of transport names; -1 when empty, too long or a name is too long. */
int config_parse_transports(const char *text, char names[CAP_CHAIN_LEN][16], unsigned *count);

#endif
