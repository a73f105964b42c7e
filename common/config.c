#include "common/config.h"

#include <stdlib.h>
#include <string.h>

#include "common/num.h"

int config_parse_seconds(const char *text, unsigned max_ms, unsigned *out_ms)
{
	const char *dot = strchr(text, '.');
	size_t whole_len = dot ? (size_t)(dot - text) : strlen(text);
	uint64_t whole, frac = 0;

	if (num_parse_u64(text, whole_len, max_ms / 1000, &whole) < 0)
		return -1;
	if (dot) {
		size_t frac_len = strlen(dot + 1);
		if (frac_len == 0 || frac_len > 3 || num_parse_u64(dot + 1, frac_len, 999, &frac) < 0)
			return -1;
		for (size_t i = frac_len; i < 3; i++)
			frac *= 10;
	}
	if (whole * 1000 + frac == 0 || whole * 1000 + frac > max_ms)
		return -1;
	*out_ms = (unsigned)(whole * 1000 + frac);
	return 0;
}

/* Calls item(text, len, arg) for each comma-separated item; -1 as soon as one fails or is empty. */
static int config_list_each(const char *text, int (*item)(const char *, size_t, void *), void *arg)
{
	const char *p = text;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || item(p, len, arg) < 0)
			return -1;
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int config_port_add(const char *s, size_t len, void *arg)
{
	uint8_t *bitmap = arg;
	uint64_t port;

	if (num_parse_u64(s, len, 65535, &port) < 0 || port == 0)
		return -1;
	bitmap[port / 8] |= (uint8_t)(1u << (port % 8));
	return 0;
}

int config_parse_ports(const char *text, uint8_t bitmap[65536 / 8])
{
	memset(bitmap, 0, 65536 / 8);
	return config_list_each(text, config_port_add, bitmap);
}

/* The host part of text (brackets removed) and where the port starts, or NULL. */
static const char *config_host_end(const char *text, const char **host, size_t *len)
{
	const char *close;

	if (text[0] != '[') {
		const char *colon = strrchr(text, ':');
		if (colon && memchr(text, ':', (size_t)(colon - text)))
			return NULL; /* an IPv6 address needs brackets to carry a port */
		*host = text;
		*len = colon ? (size_t)(colon - text) : strlen(text);
		return text + *len;
	}
	close = strchr(text, ']');
	if (!close || (close[1] != '\0' && close[1] != ':'))
		return NULL;
	*host = text + 1;
	*len = (size_t)(close - text - 1);
	return close + 1;
}

int config_parse_hostport(const char *text, uint16_t default_port, bool allow_zero,
			  char host[CAP_HOST_NAME + 1], uint16_t *port)
{
	const char *h;
	size_t len;
	const char *rest = config_host_end(text, &h, &len);
	uint64_t p = default_port;

	if (!rest || len == 0 || len > CAP_HOST_NAME || memchr(h, ' ', len))
		return -1;
	if (*rest == ':' && num_parse_str(rest + 1, 65535, &p) < 0)
		return -1;
	if ((*rest != ':' && default_port == 0) || (p == 0 && !allow_zero))
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	*port = (uint16_t)p;
	return 0;
}

struct config_names {
	char (*names)[16];
	unsigned count;
};

static int config_name_add(const char *s, size_t len, void *arg)
{
	struct config_names *n = arg;

	if (len >= 16 || n->count >= CAP_CHAIN_LEN)
		return -1;
	memcpy(n->names[n->count], s, len);
	n->names[n->count][len] = '\0';
	n->count++;
	return 0;
}

int config_parse_transports(const char *text, char names[CAP_CHAIN_LEN][16], unsigned *count)
{
	struct config_names n = { names, 0 };

	if (config_list_each(text, config_name_add, &n) < 0)
		return -1;
	*count = n.count;
	return 0;
}

static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	config_port_add("2492", 4, cfg->ports);
	cfg->connect_timeout_ms = CONFIG_DEFAULT_CONNECT_TIMEOUT_MS;
	cfg->alt_port = CONFIG_DEFAULT_ALT_PORT;
	config_parse_transports(CONFIG_DEFAULT_TRANSPORTS, cfg->transports, &cfg->n_transports);
	cfg->log_level = LOG_OFF;
	cfg->http_port = CONFIG_DEFAULT_HTTP_PORT;
	cfg->longlived_limit = CONFIG_DEFAULT_LONGLIVED_LIMIT;
}

/* The settings of the HTTP encapsulations (MS-GRVHENC 1.3.1: the relay listens on port 80). */
static void config_load_http(struct config *cfg, void (*warn)(const char *var, const char *why))
{
	const char *v;
	uint64_t n;

	if ((v = getenv("SSTPSHIM_HTTP_PORT"))) {
		if (num_parse_str(v, 65535, &n) == 0 && n > 0)
			cfg->http_port = (uint16_t)n;
		else
			warn("SSTPSHIM_HTTP_PORT", "expected a port 1-65535");
	}
	if ((v = getenv("SSTPSHIM_RELAY")) && *v &&
	    config_parse_hostport(v, 0, false, cfg->relay_host, &cfg->relay_port) < 0) {
		cfg->relay_host[0] = '\0';
		warn("SSTPSHIM_RELAY", "expected host:port");
	}
	if ((v = getenv("SSTPSHIM_LONGLIVED_LIMIT"))) {
		if (num_parse_str(v, CONFIG_DEFAULT_LONGLIVED_LIMIT, &n) == 0 && n >= 64)
			cfg->longlived_limit = n;
		else
			warn("SSTPSHIM_LONGLIVED_LIMIT", "expected octets between 64 and 2147479552");
	}
}

void config_load(struct config *cfg, void (*warn)(const char *var, const char *why))
{
	const char *v;
	uint64_t port;
	struct config scratch;

	config_defaults(cfg);
	if ((v = getenv("SSTPSHIM_LOG")) && log_level_parse(v, &cfg->log_level) < 0)
		warn("SSTPSHIM_LOG", "not one of off, error, warn, info, debug");
	if ((v = getenv("SSTPSHIM_LOG_FILE")) && *v) {
		cfg->log_file = v;
		if (!getenv("SSTPSHIM_LOG"))
			cfg->log_level = LOG_INFO;
	}
	if ((v = getenv("SSTPSHIM_PORTS"))) {
		if (config_parse_ports(v, scratch.ports) == 0)
			memcpy(cfg->ports, scratch.ports, sizeof cfg->ports);
		else
			warn("SSTPSHIM_PORTS", "expected a comma list of ports 1-65535");
	}
	if ((v = getenv("SSTPSHIM_CONNECT_TIMEOUT")) &&
	    config_parse_seconds(v, 3600 * 1000, &cfg->connect_timeout_ms) < 0)
		warn("SSTPSHIM_CONNECT_TIMEOUT", "expected seconds between 0.001 and 3600");
	if ((v = getenv("SSTPSHIM_TRANSPORT_TIMEOUT")) &&
	    config_parse_seconds(v, 3600 * 1000, &cfg->transport_timeout_ms) < 0)
		warn("SSTPSHIM_TRANSPORT_TIMEOUT", "expected seconds between 0.001 and 3600");
	if ((v = getenv("SSTPSHIM_ALT_PORT"))) {
		if (num_parse_str(v, 65535, &port) == 0 && port > 0)
			cfg->alt_port = (uint16_t)port;
		else
			warn("SSTPSHIM_ALT_PORT", "expected a port 1-65535");
	}
	if ((v = getenv("SSTPSHIM_REMOTE_DNS"))) {
		if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)
			cfg->remote_dns = v[0] == '1';
		else
			warn("SSTPSHIM_REMOTE_DNS", "expected 0 or 1");
	}
	config_load_http(cfg, warn);
	if ((v = getenv("SSTPSHIM_TRANSPORTS"))) {
		if (config_parse_transports(v, scratch.transports, &scratch.n_transports) == 0) {
			memcpy(cfg->transports, scratch.transports, sizeof cfg->transports);
			cfg->n_transports = scratch.n_transports;
		} else {
			warn("SSTPSHIM_TRANSPORTS", "expected a comma list of transport names");
		}
	}
}
