/* SOCKS5 client messages: RFC 1928 3, 4, 6 and RFC 1929 2, as MS-GRVHENC 3.9.4.1.1 and 3.9.5.1
 * use them. Replies are parsed one byte at a time so that a parser stops exactly at the end of
 * its message whatever the reads look like. */
#include "proto/socks5.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

int socks5_write_greeting(bool userpass, char *buf, size_t cap, size_t *len)
{
	unsigned char *b = (unsigned char *)buf;
	size_t n = 0;

	if (cap < SOCKS5_GREETING_MAX)
		return -1;
	b[n++] = SOCKS5_VERSION;
	b[n++] = userpass ? 2 : 1; /* NMETHODS */
	b[n++] = SOCKS5_METHOD_NONE;
	if (userpass)
		b[n++] = SOCKS5_METHOD_USERPASS;
	*len = n;
	return 0;
}

int socks5_write_userpass(const char *user, const char *password, char *buf, size_t cap,
			  size_t *len)
{
	unsigned char *b = (unsigned char *)buf;
	size_t ulen = strlen(user), plen = strlen(password);

	/* RFC 1929 2: ULEN and PLEN are one byte each. */
	if (ulen == 0 || ulen > SOCKS5_NAME_MAX || plen > SOCKS5_NAME_MAX)
		return -1;
	if (cap < 3 + ulen + plen)
		return -1;
	b[0] = SOCKS5_USERPASS_VERSION;
	b[1] = (unsigned char)ulen;
	memcpy(b + 2, user, ulen);
	b[2 + ulen] = (unsigned char)plen;
	memcpy(b + 3 + ulen, password, plen);
	*len = 3 + ulen + plen;
	return 0;
}

/* VER CMD RSV ATYP, the address bytes as given, DST.PORT. */
static int socks5_connect_put(unsigned char atyp, const void *addr, size_t alen, uint16_t port,
			      char *buf, size_t cap, size_t *len)
{
	unsigned char *b = (unsigned char *)buf;
	size_t n = 0;

	if (cap < 4 + (atyp == SOCKS5_ATYP_DOMAIN) + alen + 2)
		return -1;
	b[n++] = SOCKS5_VERSION;
	b[n++] = SOCKS5_CMD_CONNECT;
	b[n++] = 0x00; /* RSV */
	b[n++] = atyp;
	if (atyp == SOCKS5_ATYP_DOMAIN)
		b[n++] = (unsigned char)alen;
	memcpy(b + n, addr, alen);
	n += alen;
	b[n++] = (unsigned char)(port >> 8); /* network order, RFC 1928 4 */
	b[n++] = (unsigned char)port;
	*len = n;
	return 0;
}

/* An address literal in host (brackets allowed around IPv6) as ATYP and bytes; 0, or -1. */
static int socks5_literal(const char *host, size_t n, unsigned char *atyp, unsigned char out[16])
{
	char tmp[64];

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, host, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, out) == 1) {
		*atyp = SOCKS5_ATYP_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, out) == 1) {
		*atyp = SOCKS5_ATYP_IPV6;
		return 0;
	}
	return -1;
}

int socks5_write_connect_host(const char *host, uint16_t port, char *buf, size_t cap,
			      size_t *len)
{
	size_t n = strlen(host);
	unsigned char atyp, addr[16];

	if (n == 0 || n > SOCKS5_NAME_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c <= 0x20 || c == 0x7f)
			return -1;
	}
	if (socks5_literal(host, n, &atyp, addr) == 0)
		return socks5_connect_put(atyp, addr, atyp == SOCKS5_ATYP_IPV4 ? 4 : 16, port, buf,
					  cap, len);
	return socks5_connect_put(SOCKS5_ATYP_DOMAIN, host, n, port, buf, cap, len);
}

int socks5_write_connect_addr(const struct sockaddr *sa, char *buf, size_t cap, size_t *len)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return socks5_connect_put(SOCKS5_ATYP_IPV4, &in->sin_addr, 4, ntohs(in->sin_port),
					  buf, cap, len);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		return socks5_connect_put(SOCKS5_ATYP_IPV6, &in6->sin6_addr, 16,
					  ntohs(in6->sin6_port), buf, cap, len);
	}
	return -1;
}

/* Every parser's loop over its input: a result already reached stays (nothing consumed);
 * otherwise step takes one byte at a time, until it says anything but AGAIN, so the parser stops
 * exactly at the end of its message. rc is the parser's result field, p the parser step reads. */
static enum parse_rc socks5_feed(enum parse_rc *rc, enum parse_rc (*step)(void *p, unsigned char c),
				 void *p, const char *buf, size_t len, size_t *consumed)
{
	size_t i = 0;

	while (i < len && *rc == PARSE_AGAIN)
		*rc = step(p, (unsigned char)buf[i++]);
	*consumed = i;
	return *rc;
}

/* The first byte of a reply: AGAIN when it is the version ver, else BAD with *why set to bad. */
static enum parse_rc socks5_ver(const char **why, unsigned char c, unsigned char ver,
				const char *bad)
{
	if (c == ver)
		return PARSE_AGAIN;
	*why = bad;
	return PARSE_BAD;
}

void socks5_method_parser_init(struct socks5_method_parser *p, bool offered_userpass)
{
	memset(p, 0, sizeof *p);
	p->rc = PARSE_AGAIN;
	p->offered_userpass = offered_userpass;
}

/* 3.9.5.1.1: VER must be 5; FF means close; 00 and (if offered) 02 go on. */
static enum parse_rc socks5_method_byte(void *arg, unsigned char c)
{
	struct socks5_method_parser *p = arg;

	if (p->have++ == 0)
		return socks5_ver(&p->why, c, SOCKS5_VERSION, "method reply: VER is not 5");
	p->method = c;
	if (c == SOCKS5_METHOD_NONE || c == SOCKS5_METHOD_NO_ACCEPTABLE)
		return PARSE_DONE;
	if (c == SOCKS5_METHOD_USERPASS && p->offered_userpass)
		return PARSE_DONE;
	p->why = c == SOCKS5_METHOD_USERPASS ? "proxy chose username/password, which was not offered"
					     : "proxy chose a method that was not offered";
	return PARSE_BAD;
}

enum parse_rc socks5_parse_method(struct socks5_method_parser *p, const char *buf, size_t len,
				  size_t *consumed)
{
	return socks5_feed(&p->rc, socks5_method_byte, p, buf, len, consumed);
}

void socks5_auth_parser_init(struct socks5_auth_parser *p)
{
	memset(p, 0, sizeof *p);
	p->rc = PARSE_AGAIN;
}

/* RFC 1929 2: VER must be 1; STATUS X'00' is success, anything else failure. */
static enum parse_rc socks5_auth_byte(void *arg, unsigned char c)
{
	struct socks5_auth_parser *p = arg;

	if (p->have++ == 0)
		return socks5_ver(&p->why, c, SOCKS5_USERPASS_VERSION,
				  "username/password reply: VER is not 1");
	p->status = c;
	return PARSE_DONE;
}

enum parse_rc socks5_parse_auth(struct socks5_auth_parser *p, const char *buf, size_t len,
				size_t *consumed)
{
	return socks5_feed(&p->rc, socks5_auth_byte, p, buf, len, consumed);
}

void socks5_connect_parser_init(struct socks5_connect_parser *p)
{
	memset(p, 0, sizeof *p);
	p->rc = PARSE_AGAIN;
}

/* The fixed head VER REP RSV ATYP, then for ATYP 03 the length byte: sets need. */
static enum parse_rc socks5_connect_head(struct socks5_connect_parser *p, unsigned char c)
{
	switch (p->have) {
	case 0:
		if (socks5_ver(&p->why, c, SOCKS5_VERSION, "CONNECT reply: VER is not 5") ==
		    PARSE_BAD)
			return PARSE_BAD;
		break;
	case 1:
		p->rep = c;
		break;
	case 2:
		break; /* RSV */
	case 3:
		p->atyp = c;
		if (c == SOCKS5_ATYP_IPV4)
			p->need = 4 + 4 + 2;
		else if (c == SOCKS5_ATYP_IPV6)
			p->need = 4 + 16 + 2;
		else if (c == SOCKS5_ATYP_DOMAIN)
			p->need = 0; /* known after the length byte */
		else {
			p->why = "CONNECT reply: unknown ATYP";
			return PARSE_BAD;
		}
		break;
	default: /* 4, ATYP 03: the name's length */
		p->need = (uint16_t)(4 + 1 + c + 2);
		break;
	}
	p->have++;
	return PARSE_AGAIN;
}

/* One byte of BND.ADDR or BND.PORT; DONE with the last byte of BND.PORT. */
static enum parse_rc socks5_connect_tail(struct socks5_connect_parser *p, unsigned char c)
{
	uint16_t port_at = (uint16_t)(p->need - 2);

	if (p->have < port_at)
		p->bnd_addr[p->bnd_len++] = c;
	else
		p->bnd_port = (uint16_t)(p->bnd_port << 8 | c);
	p->have++;
	if (p->have < p->need)
		return PARSE_AGAIN;
	if (p->atyp == SOCKS5_ATYP_DOMAIN)
		p->bnd_addr[p->bnd_len] = '\0';
	return PARSE_DONE;
}

static enum parse_rc socks5_connect_byte(void *arg, unsigned char c)
{
	struct socks5_connect_parser *p = arg;

	return p->need == 0 ? socks5_connect_head(p, c) : socks5_connect_tail(p, c);
}

enum parse_rc socks5_parse_connect(struct socks5_connect_parser *p, const char *buf, size_t len,
				   size_t *consumed)
{
	return socks5_feed(&p->rc, socks5_connect_byte, p, buf, len, consumed);
}

int socks5_connect_partial_rep(const struct socks5_connect_parser *p)
{
	if (p->have < 2) /* have counts only bytes that passed, so VER was 5 */
		return -1;
	return p->rep;
}

int socks5_rep_errno(unsigned rep)
{
	switch (rep) {
	case 0x00:
		return 0;
	case 0x01:
		return ECONNREFUSED;
	case 0x02:
		return EACCES;
	case 0x03:
		return ENETUNREACH;
	case 0x04:
		return EHOSTUNREACH;
	case 0x05:
		return ECONNREFUSED;
	case 0x06:
		return ETIMEDOUT;
	case 0x07:
		return EOPNOTSUPP;
	case 0x08:
		return EAFNOSUPPORT;
	}
	return EPROTO;
}

const char *socks5_rep_text(unsigned rep)
{
	static const char *const text[] = {
		"succeeded",
		"general SOCKS server failure",
		"connection not allowed by ruleset",
		"network unreachable",
		"host unreachable",
		"connection refused",
		"TTL expired",
		"command not supported",
		"address type not supported",
	};

	if (rep < sizeof text / sizeof text[0])
		return text[rep];
	return "unassigned reply code";
}

const char *socks5_method_text(unsigned method)
{
	switch (method) {
	case SOCKS5_METHOD_NONE:
		return "no authentication required";
	case SOCKS5_METHOD_GSSAPI:
		return "GSSAPI";
	case SOCKS5_METHOD_USERPASS:
		return "username/password";
	case SOCKS5_METHOD_NO_ACCEPTABLE:
		return "no acceptable methods";
	}
	return "unassigned method";
}
