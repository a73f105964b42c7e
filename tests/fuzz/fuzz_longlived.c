/* libFuzzer target for proto/longlived and proto/ll_uri (the relay's view of a request). Not
 * built by `make check`:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_longlived.c proto/longlived.c proto/ll_uri.c proto/guid.c \
 *     proto/http_msg.c common/num.c common/random.c -o fuzz_longlived
 *   ./fuzz_longlived -max_total_time=60 corpus/
 * The input is a request head and body as a client or proxy would send it. Checks: a head the
 * relay accepts names a valid GUID and a content length in range; the echo parser consumes
 * the same whether fed whole or byte by byte; a request-target that parses writes back (as a
 * relative URI) to one that parses to the same GUID and server name. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/guid.h"
#include "proto/longlived.h"

#include "tests/fuzz/fuzz_check.h"

static struct http_parser parser;

static void fuzz_echo(const uint8_t *d, size_t len)
{
	struct ll_echo a, b;
	size_t used_a = 0, used_b = 0, c = 0;
	enum parse_rc ra, rb = PARSE_AGAIN;

	ll_echo_init(&a);
	ll_echo_init(&b);
	ra = ll_echo_parse(&a, (const char *)d, len, &used_a);
	for (size_t i = 0; i < len && rb == PARSE_AGAIN; i++) {
		rb = ll_echo_parse(&b, (const char *)d + i, 1, &c);
		used_b += c;
	}
	CHECK(ra == rb && used_a == used_b && used_a <= len);
}

static void fuzz_rewrite(const struct ll_info *info)
{
	struct ll_request r = { .kind = LL_GET, .relay = "r", .server_name = info->target.server_name,
				.guid = info->target.guid, .content_length = info->content_length };
	char uri[CAP_LL_URI];
	struct ll_target again;
	const char *why;
	size_t len;

	CHECK(ll_uri_write(&r, uri, sizeof uri, &len) == 0);
	CHECK(ll_target_parse(uri, &again, &why) == LL_OK);
	CHECK(strcmp(again.guid, info->target.guid) == 0);
	CHECK(strcmp(again.server_name, info->target.server_name) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t len)
{
	struct ll_info info;
	const char *why = NULL;
	size_t used = 0;

	http_parser_init(&parser, HTTP_REQUEST);
	if (http_parse(&parser, (const char *)d, len, &used) != PARSE_DONE)
		return 0;
	fuzz_echo(d + used, len - used);
	if (ll_request_check(http_parser_head(&parser), &info, &why) != LL_OK) {
		CHECK(why != NULL);
		return 0;
	}
	CHECK(guid_valid(info.target.guid, strlen(info.target.guid)));
	CHECK(info.content_length >= 1 && info.content_length <= LL_CONTENT_LENGTH);
	fuzz_rewrite(&info);
	return 0;
}
