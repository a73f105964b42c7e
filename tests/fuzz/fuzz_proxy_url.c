/* libFuzzer target for proto/proxy_url and proto/no_proxy. Built and run by `make fuzz`; by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_proxy_url.c proto/proxy_url.c proto/no_proxy.c common/num.c \
 *     -o fuzz_proxy_url
 *   ./fuzz_proxy_url -max_total_time=60 corpus/
 * The input is a proxy URL, and, after a NUL, a NO_PROXY list and a host. Checks: a parsed URL
 * has a host and a port; written back (its redacted form, and with the user and password
 * percent-encoded byte by byte) it parses to the same proxy; a failure always has a reason and
 * leaves nothing behind; a plain name always matches itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/no_proxy.h"
#include "proto/proxy_url.h"

#include "tests/fuzz/fuzz_check.h"

static struct proxy_url u, v;
static char text[CAP_PROXY_URL + 2], again[4 * CAP_PROXY_URL];

static size_t escape(char *out, const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += (size_t)sprintf(out + n, "%%%02X", (unsigned char)*s);
	return n;
}

static void round_trip(void)
{
	const char *why;
	size_t n = 0;

	CHECK(proxy_url_redacted(&u, again, sizeof again) == 0);
	CHECK(proxy_url_parse(again, PROXY_HTTP, &v, &why) == 0);
	CHECK(v.scheme == u.scheme && v.port == u.port && strcmp(v.host, u.host) == 0);
	CHECK(v.has_user == u.has_user);
	if (!u.has_user)
		return;
	n += (size_t)sprintf(again, "%s://", proxy_scheme_name(u.scheme));
	n += escape(again + n, u.user);
	again[n++] = ':';
	n += escape(again + n, u.password);
	sprintf(again + n, "@%s%s%s:%u", u.host_ipv6 ? "[" : "", u.host, u.host_ipv6 ? "]" : "",
		u.port);
	if (strlen(again) > CAP_PROXY_URL)
		return;
	CHECK(proxy_url_parse(again, PROXY_HTTP, &v, &why) == 0);
	CHECK(strcmp(v.user, u.user) == 0 && strcmp(v.password, u.password) == 0);
	CHECK(strcmp(v.ntlm_domain, u.ntlm_domain) == 0 && strcmp(v.ntlm_user, u.ntlm_user) == 0);
}

static void self_match(const char *host)
{
	size_t n = strlen(host);

	if (n == 0 || host[0] == '.' || host[n - 1] == '.' || strstr(host, ".."))
		return;
	for (size_t i = 0; i < n; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') || host[i] == '.' || host[i] == '-'))
			return;
	CHECK(no_proxy_match(host, host, 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL, *list, *host;
	size_t n = size < CAP_PROXY_URL + 1 ? size : CAP_PROXY_URL + 1;
	static char rest[8192];
	size_t rn;

	memcpy(text, data, n);
	text[n] = '\0';
	if (proxy_url_parse(text, size & 1 ? PROXY_SOCKS5H : PROXY_HTTP, &u, &why) == 0) {
		CHECK(u.host[0] && u.port != 0);
		round_trip();
	} else {
		CHECK(why != NULL && !u.has_user && u.password[0] == '\0' && u.host[0] == '\0');
	}

	/* After the first NUL: "list\0host". */
	n = strnlen((const char *)data, size);
	rn = n < size ? size - n - 1 : 0;
	if (rn >= sizeof rest)
		rn = sizeof rest - 1;
	memcpy(rest, data + size - rn, rn);
	rest[rn] = '\0';
	list = rest;
	host = rest + strlen(rest) + (strlen(rest) < rn ? 1 : 0);
	(void)no_proxy_match(list, host, 443);
	CHECK(no_proxy_match("*", host, 1) == (host[0] != '\0'));
	self_match(host);
	self_match(list);
	return 0;
}
