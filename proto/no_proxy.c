/* NO_PROXY as curl reads it (lib/proxy.c proxy_check_noproxy, match_host, match_ip; curl's own
 * cases are in tests/unit/check_no_proxy.c). Comparisons are ASCII-only on purpose: the shim
 * runs inside programs whose locale may make strncasecmp() fold 'I' to a dotless i. */
#include "proto/no_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "common/caps.h"
#include "common/num.h"

enum np_type { NP_NAME, NP_IPV4, NP_IPV6 };

/* The host, classified once before the list is walked. */
struct np_host {
	enum np_type type;
	const char *name; /* NP_NAME: the name, len bytes, trailing dot removed */
	size_t len;
	unsigned char addr[16]; /* NP_IPV4: 4 bytes, NP_IPV6: 16 */
};

static bool np_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char np_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool np_equal_nocase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (np_lower(a[i]) != np_lower(b[i]))
			return false;
	return true;
}

/* 0, or -1 when host can match nothing (an unterminated or over-long bracketed address). */
static int np_host_classify(const char *host, struct np_host *h)
{
	size_t n = strlen(host);
	char tmp[CAP_NO_PROXY_ADDR];

	memset(h, 0, sizeof *h);
	if (host[0] == '[') { /* an IPv6 literal as it appears in a URL */
		if (n < 2 || host[n - 1] != ']' || n - 2 >= sizeof tmp)
			return -1;
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		if (inet_pton(AF_INET6, tmp, h->addr) != 1)
			return -1;
		h->type = NP_IPV6;
		return 0;
	}
	if (inet_pton(AF_INET, host, h->addr) == 1) {
		h->type = NP_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, host, h->addr) == 1) {
		h->type = NP_IPV6;
		return 0;
	}
	h->type = NP_NAME;
	h->name = host;
	h->len = host[n - 1] == '.' ? n - 1 : n; /* "example.com." is "example.com" */
	return 0;
}

/* curl match_host: the name itself, or a name below the entry on a dot boundary. */
static bool np_match_name(const char *tok, size_t tlen, const struct np_host *h)
{
	if (tlen && tok[tlen - 1] == '.')
		tlen--;
	if (tlen && tok[0] == '.') {
		tok++;
		tlen--;
	}
	if (tlen == 0)
		return false;
	if (tlen == h->len)
		return np_equal_nocase(tok, h->name, tlen);
	if (tlen < h->len)
		return h->name[h->len - tlen - 1] == '.' &&
		       np_equal_nocase(tok, h->name + (h->len - tlen), tlen);
	return false;
}

/* Whether the first bits of a and b agree. */
static bool np_prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[bytes] ^ b[bytes]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

/* curl match_ip, cidr4_match, cidr6_match: "addr" or "addr/bits"; bits 0 means all of them. */
static bool np_match_addr(const char *tok, size_t tlen, const struct np_host *h)
{
	char tmp[CAP_NO_PROXY_ADDR];
	unsigned char net[16];
	unsigned width = h->type == NP_IPV4 ? 32 : 128;
	const char *slash;
	size_t alen;
	uint64_t bits = 0;

	if (tlen >= sizeof tmp)
		return false;
	slash = memchr(tok, '/', tlen);
	alen = slash ? (size_t)(slash - tok) : tlen;
	if (slash && num_parse_u64(slash + 1, tlen - alen - 1, 128, &bits) != 0)
		return false;
	if (bits > width)
		return false;
	if (h->type == NP_IPV6 && alen >= 2 && tok[0] == '[' && tok[alen - 1] == ']') {
		tok++; /* beyond curl: "[::1]" written as in a URL */
		alen -= 2;
	}
	memcpy(tmp, tok, alen);
	tmp[alen] = '\0';
	if (inet_pton(h->type == NP_IPV4 ? AF_INET : AF_INET6, tmp, net) != 1)
		return false;
	return np_prefix_equal(h->addr, net, bits ? (unsigned)bits : width);
}

bool no_proxy_match(const char *list, const char *host, uint16_t port)
{
	struct np_host h;
	const char *p = list;

	(void)port; /* see the header: curl has no port syntax here */
	if (!list || !*list || !host || !*host)
		return false;
	if (strcmp(list, "*") == 0)
		return true;
	if (np_host_classify(host, &h) != 0)
		return false;
	while (*p) {
		const char *tok;
		size_t tlen;

		while (np_blank(*p))
			p++;
		tok = p;
		while (*p && !np_blank(*p) && *p != ',')
			p++;
		tlen = (size_t)(p - tok);
		if (tlen && (h.type == NP_NAME ? np_match_name(tok, tlen, &h)
					       : np_match_addr(tok, tlen, &h)))
			return true;
		while (np_blank(*p))
			p++;
		if (*p != ',') /* blanks do not separate entries: the list ends here */
			break;
		while (*p == ',')
			p++;
	}
	return false;
}

const char *no_proxy_list(const char *(*getenv_fn)(const char *name))
{
	const char *v = getenv_fn("no_proxy");

	return v ? v : getenv_fn("NO_PROXY");
}
