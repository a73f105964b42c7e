/* SOCKS version 5 client messages (RFC 1928, RFC 1929; MS-GRVHENC 2.2.2.5, 3.9): writers for the
 * three requests a client sends and incremental, bounded parsers for the three replies. Pure
 * functions over bytes; nothing allocates. The CONNECT reply parser consumes exactly the reply,
 * never a byte of the tunnelled stream that may follow it in the same read. */
#ifndef SSTPSHIM_SOCKS5_H
#define SSTPSHIM_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proto/parse.h"

#define SOCKS5_VERSION 0x05		/* RFC 1928 3 */
#define SOCKS5_USERPASS_VERSION 0x01	/* RFC 1929 2 */

/* METHOD values (RFC 1928 3). */
#define SOCKS5_METHOD_NONE 0x00
#define SOCKS5_METHOD_GSSAPI 0x01
#define SOCKS5_METHOD_USERPASS 0x02
#define SOCKS5_METHOD_NO_ACCEPTABLE 0xFF

#define SOCKS5_CMD_CONNECT 0x01 /* RFC 1928 4 */

/* ATYP values (RFC 1928 4, 5). */
#define SOCKS5_ATYP_IPV4 0x01
#define SOCKS5_ATYP_DOMAIN 0x03
#define SOCKS5_ATYP_IPV6 0x04

/* Longest of each message: protocol sizes, not caps (one-byte length fields bound them). */
#define SOCKS5_GREETING_MAX 4			/* VER NMETHODS 00 02 */
#define SOCKS5_USERPASS_MAX (3 + 255 + 255)	/* VER ULEN UNAME PLEN PASSWD */
#define SOCKS5_CONNECT_MAX (4 + 1 + 255 + 2)	/* VER CMD RSV ATYP len name PORT */
#define SOCKS5_NAME_MAX 255			/* a DOMAINNAME, and UNAME / PASSWD */

/* Writers: each fills buf (cap bytes) and sets *len; 0, or -1 with nothing useful in buf. */

/* The version identifier / method selection message (RFC 1928 3): offers NO AUTHENTICATION
 * and, when userpass (a user is configured), USERNAME/PASSWORD: 05 01 00 or 05 02 00 02, the
 * two methods MS-GRVHENC 3.9.4.1.1 names. -1 when cap < 4. */
int socks5_write_greeting(bool userpass, char *buf, size_t cap, size_t *len);

/* The RFC 1929 2 request: 01 ULEN UNAME PLEN PASSWD. -1 when user is empty or either is longer
 * than 255 bytes (the one-byte lengths), or cap is too small. An empty password is sent with
 * PLEN 0, as curl does, although RFC 1929 says 1 to 255: a proxy that disagrees says so in its
 * reply. */
int socks5_write_userpass(const char *user, const char *password, char *buf, size_t cap,
			  size_t *len);

/* The CONNECT request (RFC 1928 4) for host:port. A name goes as DOMAINNAME (ATYP 03), which
 * MS-GRVHENC 3.9.5.1.2 asks for; an address literal ("192.0.2.1", "2001:db8::1", "[::1]") goes as
 * ATYP 01 or 04, as curl sends it, since proxies need not resolve a literal. -1 when host is
 * empty, longer than 255 bytes, holds a space or control character, or cap is too small. */
int socks5_write_connect_host(const char *host, uint16_t port, char *buf, size_t cap,
			      size_t *len);

/* The CONNECT request for an address (AF_INET: ATYP 01, AF_INET6: ATYP 04) and the port in sa.
 * -1 for another family or when cap is too small. */
int socks5_write_connect_addr(const struct sockaddr *sa, char *buf, size_t cap, size_t *len);

/* Parsers. Each is readied by its _init, fed whatever arrived, and reports in *consumed how many
 * bytes it took. PARSE_AGAIN: all len taken, feed more. PARSE_DONE: the reply is complete and
 * *consumed ends exactly at its last byte. PARSE_BAD: why (static text) says what was wrong;
 * *consumed includes the offending byte. Once not AGAIN the result is sticky (consumed 0) until
 * the next _init. No parser ever reports PARSE_TOO_LONG: every reply is bounded by its format. */

/* The method selection reply (RFC 1928 3): VER METHOD. */
struct socks5_method_parser {
	enum parse_rc rc;
	const char *why;	/* PARSE_BAD: static text for the log */
	bool offered_userpass;	/* whether our greeting offered 02 */
	uint8_t have;		/* bytes taken so far */
	uint8_t method;		/* PARSE_DONE: 00, 02 or FF */
};

/* offered_userpass: what socks5_write_greeting offered. */
void socks5_method_parser_init(struct socks5_method_parser *p, bool offered_userpass);
/* PARSE_DONE with method 00 or 02 (02 only if offered), or FF: the proxy accepts none of
 * ours (MS-GRVHENC 3.9.5.1.1: close; with no user configured this usually means the proxy wants
 * one). PARSE_BAD: VER is not 5, or a method we did not offer (01 GSSAPI, 02 without a user,
 * anything else). */
enum parse_rc socks5_parse_method(struct socks5_method_parser *p, const char *buf, size_t len,
				  size_t *consumed);

/* The username/password reply (RFC 1929 2): VER STATUS. */
struct socks5_auth_parser {
	enum parse_rc rc;
	const char *why;
	uint8_t have;
	uint8_t status; /* PARSE_DONE: 0 accepted; anything else rejected (RFC 1929 2) */
};

void socks5_auth_parser_init(struct socks5_auth_parser *p);
/* PARSE_DONE with status; PARSE_BAD when VER is not 01. */
enum parse_rc socks5_parse_auth(struct socks5_auth_parser *p, const char *buf, size_t len,
				size_t *consumed);

/* The CONNECT reply (RFC 1928 6): VER REP RSV ATYP BND.ADDR BND.PORT, where BND.ADDR is 4 bytes
 * (ATYP 01), 16 (04), or a length byte and that many bytes (03). */
struct socks5_connect_parser {
	enum parse_rc rc;
	const char *why;
	uint16_t have;		/* bytes taken so far */
	uint16_t need;		/* total length, once ATYP (and for 03 the length byte) is known */
	uint8_t rep;		/* REP; valid once have >= 2 */
	uint8_t atyp;		/* valid once have >= 4 */
	uint8_t bnd_len;	/* bytes in bnd_addr */
	uint16_t bnd_port;	/* host order; PARSE_DONE */
	uint8_t bnd_addr[SOCKS5_NAME_MAX + 1]; /* address bytes, or the name NUL-terminated */
};

void socks5_connect_parser_init(struct socks5_connect_parser *p);
/* PARSE_DONE once the whole reply is in, whatever REP says: rep 00 is success, anything else a
 * failure (MS-GRVHENC 3.9.5.1.3; see socks5_rep_errno). RSV is not checked (curl does not; some
 * proxies put garbage there). PARSE_BAD: VER is not 5, or ATYP is not 01, 03 or 04. */
enum parse_rc socks5_parse_connect(struct socks5_connect_parser *p, const char *buf, size_t len,
				   size_t *consumed);

/* REP of a reply cut short, for a proxy that answers a failure with VER REP and closes: the
 * code when at least two bytes arrived and VER was 5, else -1. */
int socks5_connect_partial_rep(const struct socks5_connect_parser *p);

/* What a failed CONNECT looks like to the application's connect() (the shim's errno):
 *   00 -> 0, 01 general SOCKS server failure -> ECONNREFUSED (the proxy spoke correctly and
 *   turned the request down; EPROTO would claim a protocol violation, and ECONNREFUSED is what
 *   a direct connect() can return), 02 not allowed by ruleset -> EACCES, 03 network unreachable
 *   -> ENETUNREACH, 04 host unreachable -> EHOSTUNREACH, 05 connection refused -> ECONNREFUSED,
 *   06 TTL expired -> ETIMEDOUT, 07 command not supported -> EOPNOTSUPP, 08 address type not
 *   supported -> EAFNOSUPPORT, anything else -> EPROTO. */
int socks5_rep_errno(unsigned rep);

/* RFC 1928 6's name for a REP ("connection refused"), or "unassigned reply code". Static. */
const char *socks5_rep_text(unsigned rep);

/* A name for a METHOD ("username/password", "no acceptable methods"). Static. */
const char *socks5_method_text(unsigned method);

#endif
