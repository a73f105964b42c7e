/* Proxy settings as curl reads them: a proxy URL `[scheme://][user[:password]@]host[:port][/]`
 * (curl(1) --proxy and ENVIRONMENT), and the choice of environment variable for each kind of
 * transport. This is the client side of MS-GRVHENC 3.9.1.2 (ProxyServerHostName,
 * ProxyServerPort: "configuration information external to the protocol") and its HTTP
 * counterparts. Pure functions over strings and a caller-given environment; nothing allocates. */
#ifndef SSTPSHIM_PROXY_URL_H
#define SSTPSHIM_PROXY_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"

/* The schemes curl knows for proxies. Only http, socks5 and socks5h are usable here; the others
 * are recognised so that the log can say "not supported" rather than "malformed". */
enum proxy_scheme {
	PROXY_HTTP,	/* http://, and a URL without a scheme (curl's default); port 1080 */
	PROXY_HTTPS,	/* https://: TLS to the proxy itself; port 443; not supported */
	PROXY_SOCKS4,	/* socks4://, socks://; not supported */
	PROXY_SOCKS4A,	/* socks4a://; not supported */
	/* socks5://: names are resolved here. The application already resolved the one it
	 * connects to; the socks5 transport still sends that name (ATYP 03) when it knows it, as
	 * MS-GRVHENC 3.9.5.1.2 asks, and the address otherwise. */
	PROXY_SOCKS5,
	/* socks5h://: the proxy resolves names; also carries SSTPSHIM_REMOTE_DNS placeholders,
	 * which only a proxy that resolves names can reach. */
	PROXY_SOCKS5H,
};

/* The default port when the URL has none: 443 for https, 1080 for everything else, http
 * included (curl's CURL_DEFAULT_PROXY_PORT; "If the port number is not specified in the proxy
 * string, it is assumed to be 1080", curl(1) --proxy). */
#define PROXY_DEFAULT_PORT 1080
#define PROXY_DEFAULT_PORT_HTTPS 443

/* One parsed proxy URL. Holds credentials: pass it by pointer, proxy_url_wipe() it when done. */
struct proxy_url {
	enum proxy_scheme scheme;
	char host[CAP_HOST_NAME + 1];	/* a name or an address literal, without brackets */
	bool host_ipv6;			/* host is an IPv6 literal (brackets when written in a URL) */
	uint16_t port;			/* 1..65535; the default above when not given */
	bool has_user;			/* "user@" or "user:password@" was given */
	bool has_password;		/* a ':' followed the user (the password may still be empty) */
	char user[CAP_PROXY_CRED + 1];	/* percent-decoded, as given: "DOMAIN\user" stays whole */
	char password[CAP_PROXY_CRED + 1]; /* percent-decoded; "" when not given (as curl) */
	/* user split for NTLM at its first '\', else its first '/' (curl vauth/ntlm.c):
	 * "DOMAIN\user" -> "DOMAIN" and "user"; without a separator "" and the whole user. */
	char ntlm_domain[CAP_PROXY_CRED + 1];
	char ntlm_user[CAP_PROXY_CRED + 1];
};

/* Parses text; a URL without a scheme gets dflt (curl: CURLOPT_PROXYTYPE, http by default).
 * Schemes are case-insensitive. The user info is split at its first ':' and percent-decoded
 * ("DOMAIN%5Cuser" -> "DOMAIN\user"); the first '@' ends it, so an '@' in a password must be
 * written %40, as in curl. An IPv6 host goes in brackets. An empty port ("host:") means the
 * default, as in curl's URL parser. Only "/" may follow the authority.
 * 0 and *u filled; -1 with *why a short static text that never quotes the input (it may hold a
 * password) and *u wiped. Malformed: empty text, longer than CAP_PROXY_URL, a space or control
 * character anywhere, an unknown scheme, an empty user name, a bad percent escape or an escaped
 * NUL, user or password over CAP_PROXY_CRED bytes, an empty host, a host over CAP_HOST_NAME
 * bytes or with a character other than letters, digits, '-', '.', '_', an IPv6 address without
 * brackets or with a zone id, a port that is not 1..65535 in decimal, a path, query or fragment.
 * A recognised but unsupported scheme parses fine: see proxy_scheme_supported(). */
int proxy_url_parse(const char *text, enum proxy_scheme dflt, struct proxy_url *u,
		    const char **why);

/* "http", "https", "socks4", "socks4a", "socks5", "socks5h". Static. */
const char *proxy_scheme_name(enum proxy_scheme s);
/* Whether the scheme is one of the SOCKS versions. */
bool proxy_scheme_is_socks(enum proxy_scheme s);
/* Whether a transport here can use it: http, socks5, socks5h. */
bool proxy_scheme_supported(enum proxy_scheme s);

/* The URL for a log line with the user info shown as "***": the scheme, "://", "***@" when a
 * user was given, the host (IPv6 in brackets), ':' and the port, always written. 0, or -1 when
 * cap is too small (buf then holds a truncated, still credential-free string). */
int proxy_url_redacted(const struct proxy_url *u, char *buf, size_t cap);

/* Overwrites the whole struct, credentials included, in a way the compiler cannot drop. */
void proxy_url_wipe(struct proxy_url *u);

/* An environment: returns the value of name, or NULL when unset. Tests pass a fake one. */
typedef const char *(*proxy_getenv_fn)(const char *name);

/* The process environment (getenv). */
const char *proxy_getenv(const char *name);

/* What the proxy is for. */
enum proxy_use {
	PROXY_USE_CONNECT,	/* an HTTP proxy to send CONNECT to (the connect transport) */
	PROXY_USE_HTTP,		/* an HTTP proxy for the HTTP encapsulations (plain HTTP requests) */
	PROXY_USE_SOCKS,	/* a SOCKS5 proxy (the socks5 transport) */
};

enum proxy_sel {
	PROXY_SEL_NONE,		/* no proxy for this use */
	PROXY_SEL_FOUND,	/* *u holds a usable proxy */
	PROXY_SEL_BAD,		/* the variable that decides holds a malformed or unusable URL */
};

/* Picks the proxy for a use from the environment, walking these variables in order:
 *   CONNECT: SSTPSHIM_HTTP_PROXY, https_proxy, HTTPS_PROXY, http_proxy, all_proxy*, ALL_PROXY*
 *   HTTP:    SSTPSHIM_HTTP_PROXY, http_proxy, https_proxy, HTTPS_PROXY, all_proxy*, ALL_PROXY*
 *   SOCKS:   SSTPSHIM_SOCKS_PROXY, all_proxy*, ALL_PROXY*, socks_proxy*
 * The first variable that is set decides, as in curl: empty means no proxy (curl's way to turn
 * one off), anything else must parse, be of the use's family (http/https for the first two,
 * socks* for SOCKS) and be supported, else PROXY_SEL_BAD. The starred, general-purpose ones
 * instead only decide when set, non-empty and of the use's family (all_proxy=socks5h://... is
 * for SOCKS and leaves the HTTP uses alone); malformed they are PROXY_SEL_BAD. ALL_PROXY is
 * read only when all_proxy is unset (curl: lowercase first).
 * Uppercase HTTP_PROXY is never read, as in curl: a CGI program gets the request header
 * "Proxy:" as HTTP_PROXY, so it is attacker-controlled ("httpoxy", CVE-2016-5385).
 * Without a scheme, SSTPSHIM_SOCKS_PROXY means socks5h (MS-GRVHENC 3.9.5.1.2: the client SHOULD
 * send a DOMAINNAME) and every other variable means http (curl).
 * NO_PROXY is not applied here: check no_proxy_match(no_proxy_list(env), host, port) before
 * using the result; curl applies it to every proxy, explicitly configured ones included.
 * *var is the deciding variable's name (static; NULL when none was set); *why is set for
 * PROXY_SEL_BAD and for an empty deciding variable (else NULL). Neither quotes the value. */
enum proxy_sel proxy_select(enum proxy_use use, proxy_getenv_fn env, struct proxy_url *u,
			    const char **var, const char **why);

#endif
