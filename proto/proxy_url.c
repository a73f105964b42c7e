/* Proxy URLs and proxy environment variables as curl reads them (lib/proxy.c parse_proxy and
 * proxy_detect_proxy, lib/urlapi.c). Stricter than curl where curl would silently guess: a bad
 * percent escape or a path is an error here, since a mistyped proxy is better logged than used. */
#include "proto/proxy_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/num.h"

static const struct {
	const char *name;
	enum proxy_scheme scheme;
} pu_schemes[] = {
	{ "http", PROXY_HTTP },	      { "https", PROXY_HTTPS },	    { "socks4", PROXY_SOCKS4 },
	{ "socks", PROXY_SOCKS4 },    { "socks4a", PROXY_SOCKS4A }, { "socks5", PROXY_SOCKS5 },
	{ "socks5h", PROXY_SOCKS5H },
};

#define PU_NSCHEMES (sizeof pu_schemes / sizeof pu_schemes[0])

static char pu_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool pu_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool pu_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int pu_hex(char c)
{
	if (pu_digit(c))
		return c - '0';
	c = pu_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "scheme://" at *p (RFC 3986 3.1 characters before "://"): advances *p past it and sets *s;
 * without one, *s = dflt. -1 for a scheme curl does not know as a proxy. */
static int pu_scheme(const char **p, enum proxy_scheme dflt, enum proxy_scheme *s, const char **why)
{
	const char *t = *p;
	size_t n = 0;

	while (pu_alpha(t[n]) || (n > 0 && (pu_digit(t[n]) || t[n] == '+' || t[n] == '-' ||
					    t[n] == '.')))
		n++;
	if (n == 0 || strncmp(t + n, "://", 3) != 0) {
		*s = dflt;
		return 0;
	}
	for (size_t i = 0; i < PU_NSCHEMES; i++) {
		const char *name = pu_schemes[i].name;
		size_t k = 0;

		while (k < n && name[k] && name[k] == pu_lower(t[k]))
			k++;
		if (k == n && name[k] == '\0') {
			*s = pu_schemes[i].scheme;
			*p = t + n + 3;
			return 0;
		}
	}
	*why = "unsupported proxy scheme";
	return -1;
}

/* Percent-decodes n bytes into out (room for cap bytes and a NUL). */
static int pu_decode(const char *s, size_t n, char *out, size_t cap, const char **why)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi = n - i >= 3 ? pu_hex(s[i + 1]) : -1;
			int lo = n - i >= 3 ? pu_hex(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*why = "bad percent escape in the user name or password";
				return -1;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (c == 0) {
				*why = "NUL in the user name or password";
				return -1;
			}
		}
		if (o >= cap) {
			*why = "user name or password too long";
			return -1;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* "user[:password]", n bytes, into u, with the NTLM split of the user. */
static int pu_userinfo(struct proxy_url *u, const char *s, size_t n, const char **why)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon ? (size_t)(colon - s) : n;
	const char *sep;

	if (ulen == 0) {
		*why = "empty user name";
		return -1;
	}
	if (pu_decode(s, ulen, u->user, CAP_PROXY_CRED, why) != 0)
		return -1;
	if (colon && pu_decode(colon + 1, n - ulen - 1, u->password, CAP_PROXY_CRED, why) != 0)
		return -1;
	u->has_user = true;
	u->has_password = colon != NULL;
	sep = strchr(u->user, '\\');
	if (!sep)
		sep = strchr(u->user, '/');
	if (sep) {
		memcpy(u->ntlm_domain, u->user, (size_t)(sep - u->user));
		u->ntlm_domain[sep - u->user] = '\0';
		memcpy(u->ntlm_user, sep + 1, strlen(sep + 1) + 1);
	} else {
		memcpy(u->ntlm_user, u->user, strlen(u->user) + 1);
	}
	return 0;
}

/* "[v6]" at s (n bytes, n >= 1): into u->host; *rest points after ']'. */
static int pu_host_ipv6(struct proxy_url *u, const char *s, size_t n, const char **rest,
			const char **why)
{
	const char *close = memchr(s, ']', n);
	size_t hlen = close ? (size_t)(close - s - 1) : 0;
	unsigned char bin[16];

	if (!close) {
		*why = "unterminated IPv6 address";
		return -1;
	}
	if (memchr(s + 1, '%', hlen)) {
		*why = "IPv6 zone ids are not supported";
		return -1;
	}
	if (hlen == 0 || hlen > INET6_ADDRSTRLEN) {
		*why = "bad IPv6 address";
		return -1;
	}
	memcpy(u->host, s + 1, hlen);
	u->host[hlen] = '\0';
	if (inet_pton(AF_INET6, u->host, bin) != 1) {
		*why = "bad IPv6 address";
		return -1;
	}
	u->host_ipv6 = true;
	*rest = close + 1;
	return 0;
}

/* A name or IPv4 address, hlen bytes: letters, digits, '-', '.', '_'. */
static int pu_host_name(struct proxy_url *u, const char *s, size_t hlen, const char **why)
{
	if (hlen == 0) {
		*why = "empty host";
		return -1;
	}
	if (hlen > CAP_HOST_NAME) {
		*why = "host name too long";
		return -1;
	}
	for (size_t i = 0; i < hlen; i++) {
		if (!pu_alpha(s[i]) && !pu_digit(s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_') {
			*why = "bad character in the host name";
			return -1;
		}
	}
	memcpy(u->host, s, hlen);
	u->host[hlen] = '\0';
	return 0;
}

/* "host[:port]" or "[v6][:port]", n bytes. */
static int pu_hostport(struct proxy_url *u, const char *s, size_t n, const char **why)
{
	const char *rest;
	uint64_t port;

	if (n > 0 && s[0] == '[') {
		if (pu_host_ipv6(u, s, n, &rest, why) != 0)
			return -1;
		if (rest < s + n && *rest != ':') {
			*why = "junk after the IPv6 address";
			return -1;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		size_t hlen = colon ? (size_t)(colon - s) : n;

		if (colon && memchr(colon + 1, ':', n - hlen - 1)) {
			*why = "IPv6 address without brackets";
			return -1;
		}
		if (pu_host_name(u, s, hlen, why) != 0)
			return -1;
		rest = s + hlen;
	}
	if (rest + 1 >= s + n) /* no port, or "host:" (RFC 3986 3.2.3 allows it empty) */
		return 0;
	if (num_parse_u64(rest + 1, (size_t)(s + n - rest - 1), 65535, &port) != 0 || port == 0) {
		*why = "bad port";
		return -1;
	}
	u->port = (uint16_t)port;
	return 0;
}

/* Everything after the scheme. */
static int pu_authority(struct proxy_url *u, const char *p, const char **why)
{
	size_t alen = strcspn(p, "/?#");
	const char *at = memchr(p, '@', alen);

	if (p[alen] != '\0' && strcmp(p + alen, "/") != 0) {
		*why = "path, query or fragment after the host";
		return -1;
	}
	if (at) {
		if (pu_userinfo(u, p, (size_t)(at - p), why) != 0)
			return -1;
		alen -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	return pu_hostport(u, p, alen, why);
}

int proxy_url_parse(const char *text, enum proxy_scheme dflt, struct proxy_url *u,
		    const char **why)
{
	size_t n = text ? strnlen(text, CAP_PROXY_URL + 1) : 0;
	const char *p = text;

	proxy_url_wipe(u);
	if (n == 0) {
		*why = "empty";
		return -1;
	}
	if (n > CAP_PROXY_URL) {
		*why = "proxy URL too long";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c <= 0x20 || c == 0x7f) {
			*why = "space or control character in the proxy URL";
			return -1;
		}
	}
	if (pu_scheme(&p, dflt, &u->scheme, why) != 0 || pu_authority(u, p, why) != 0) {
		proxy_url_wipe(u);
		return -1;
	}
	if (u->port == 0)
		u->port = u->scheme == PROXY_HTTPS ? PROXY_DEFAULT_PORT_HTTPS : PROXY_DEFAULT_PORT;
	return 0;
}

const char *proxy_scheme_name(enum proxy_scheme s)
{
	switch (s) {
	case PROXY_HTTP:
		return "http";
	case PROXY_HTTPS:
		return "https";
	case PROXY_SOCKS4:
		return "socks4";
	case PROXY_SOCKS4A:
		return "socks4a";
	case PROXY_SOCKS5:
		return "socks5";
	case PROXY_SOCKS5H:
		return "socks5h";
	}
	return "?";
}

bool proxy_scheme_is_socks(enum proxy_scheme s)
{
	return s == PROXY_SOCKS4 || s == PROXY_SOCKS4A || s == PROXY_SOCKS5 || s == PROXY_SOCKS5H;
}

bool proxy_scheme_supported(enum proxy_scheme s)
{
	return s == PROXY_HTTP || s == PROXY_SOCKS5 || s == PROXY_SOCKS5H;
}

int proxy_url_redacted(const struct proxy_url *u, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s://%s%s%s%s:%u", proxy_scheme_name(u->scheme),
			 u->has_user ? "***@" : "", u->host_ipv6 ? "[" : "", u->host,
			 u->host_ipv6 ? "]" : "", (unsigned)u->port);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void proxy_url_wipe(struct proxy_url *u)
{
	explicit_bzero(u, sizeof *u);
}

const char *proxy_getenv(const char *name)
{
	return getenv(name);
}

/* One variable a selection reads. general: decides only when set, non-empty and of the use's
 * family; unless: a variable whose being set (to anything) means this one is not read. */
struct pu_var {
	const char *name;
	bool general;
	const char *unless;
};

#define PU_VARS_MAX 6

static const struct pu_var pu_vars[][PU_VARS_MAX] = {
	[PROXY_USE_CONNECT] = { { "SSTPSHIM_HTTP_PROXY", false, NULL },
				{ "https_proxy", false, NULL },
				{ "HTTPS_PROXY", false, NULL },
				{ "http_proxy", false, NULL },
				{ "all_proxy", true, NULL },
				{ "ALL_PROXY", true, "all_proxy" } },
	[PROXY_USE_HTTP] = { { "SSTPSHIM_HTTP_PROXY", false, NULL },
			     { "http_proxy", false, NULL },
			     { "https_proxy", false, NULL },
			     { "HTTPS_PROXY", false, NULL },
			     { "all_proxy", true, NULL },
			     { "ALL_PROXY", true, "all_proxy" } },
	[PROXY_USE_SOCKS] = { { "SSTPSHIM_SOCKS_PROXY", false, NULL },
			      { "all_proxy", true, NULL },
			      { "ALL_PROXY", true, "all_proxy" },
			      { "socks_proxy", true, NULL } },
};

/* Why a parsed URL cannot serve use, or NULL when it can. */
static const char *pu_unusable(enum proxy_use use, enum proxy_scheme s)
{
	if (use == PROXY_USE_SOCKS && !proxy_scheme_is_socks(s))
		return "an HTTP proxy where a SOCKS proxy is needed";
	if (use != PROXY_USE_SOCKS && proxy_scheme_is_socks(s))
		return "a SOCKS proxy where an HTTP proxy is needed";
	if (s == PROXY_HTTPS)
		return "https:// proxies (TLS to the proxy) are not supported";
	if (s == PROXY_SOCKS4 || s == PROXY_SOCKS4A)
		return "SOCKS4 is not supported, only socks5:// and socks5h://";
	return NULL;
}

/* One variable's value: FOUND, BAD, or NONE to go on to the next variable. */
static enum proxy_sel pu_consider(enum proxy_use use, const struct pu_var *v, const char *val,
				  struct proxy_url *u, const char **why)
{
	enum proxy_scheme dflt = strcmp(v->name, "SSTPSHIM_SOCKS_PROXY") == 0 ? PROXY_SOCKS5H
									      : PROXY_HTTP;
	const char *unusable;

	if (proxy_url_parse(val, dflt, u, why) != 0)
		return PROXY_SEL_BAD;
	if (v->general && proxy_scheme_is_socks(u->scheme) != (use == PROXY_USE_SOCKS)) {
		proxy_url_wipe(u);
		return PROXY_SEL_NONE; /* the other family's: not for this use */
	}
	unusable = pu_unusable(use, u->scheme);
	if (unusable) {
		proxy_url_wipe(u);
		*why = unusable;
		return PROXY_SEL_BAD;
	}
	return PROXY_SEL_FOUND;
}

enum proxy_sel proxy_select(enum proxy_use use, proxy_getenv_fn env, struct proxy_url *u,
			    const char **var, const char **why)
{
	*var = NULL;
	*why = NULL;
	proxy_url_wipe(u);
	for (size_t i = 0; i < PU_VARS_MAX && pu_vars[use][i].name; i++) {
		const struct pu_var *v = &pu_vars[use][i];
		const char *val = env(v->name);
		enum proxy_sel sel;

		if (!val || (v->unless && env(v->unless)))
			continue;
		if (v->general && !*val)
			continue;
		*var = v->name;
		if (!*val) {
			*why = "set and empty: no proxy";
			return PROXY_SEL_NONE;
		}
		sel = pu_consider(use, v, val, u, why);
		if (sel != PROXY_SEL_NONE)
			return sel;
		*var = NULL;
	}
	return PROXY_SEL_NONE;
}
