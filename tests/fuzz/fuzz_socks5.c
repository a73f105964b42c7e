/* libFuzzer target for the reply parsers of proto/socks5. Built and run by `make fuzz`; by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_socks5.c proto/socks5.c -o fuzz_socks5
 *   ./fuzz_socks5 -max_total_time=60 corpus/
 * The first input byte picks the parser and a split point; the rest is the stream. Checks: the
 * same result and consumption whether fed whole, split or byte by byte; nothing past the end
 * of a reply is consumed (a CONNECT reply is exactly as long as its ATYP says). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/socks5.h"

#include "tests/fuzz/fuzz_check.h"

union parser {
	struct socks5_method_parser m;
	struct socks5_auth_parser a;
	struct socks5_connect_parser c;
};

static void init(union parser *p, unsigned kind)
{
	if (kind == 0)
		socks5_method_parser_init(&p->m, false);
	else if (kind == 1)
		socks5_method_parser_init(&p->m, true);
	else if (kind == 2)
		socks5_auth_parser_init(&p->a);
	else
		socks5_connect_parser_init(&p->c);
}

static enum parse_rc parse(union parser *p, unsigned kind, const char *b, size_t n, size_t *c)
{
	if (kind <= 1)
		return socks5_parse_method(&p->m, b, n, c);
	if (kind == 2)
		return socks5_parse_auth(&p->a, b, n, c);
	return socks5_parse_connect(&p->c, b, n, c);
}

/* Feeds d in pieces of step bytes (0: whole) until a result other than AGAIN. */
static enum parse_rc feed(union parser *p, unsigned kind, const char *d, size_t len, size_t step,
			  size_t *total)
{
	enum parse_rc rc = PARSE_AGAIN;
	size_t off = 0;

	init(p, kind);
	*total = 0;
	while (rc == PARSE_AGAIN && off < len) {
		size_t n = step && len - off > step ? step : len - off, c = 0;
		rc = parse(p, kind, d + off, n, &c);
		CHECK(c <= n);
		CHECK(rc != PARSE_AGAIN || c == n);
		*total += c;
		off += n;
	}
	return rc;
}

static union parser pa, pb, pc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned kind, split;
	const char *d = (const char *)data + 1;
	size_t len, ta, tb, tc, c;
	enum parse_rc ra, rb, rc;

	if (size < 1)
		return 0;
	kind = data[0] & 3;
	split = data[0] >> 2;
	len = size - 1;
	ra = feed(&pa, kind, d, len, 0, &ta);
	rb = feed(&pb, kind, d, len, split ? split : 1, &tb);
	rc = feed(&pc, kind, d, len, 1, &tc);
	CHECK(ra == rb && rb == rc);
	CHECK(ta == tb && tb == tc);
	CHECK(ra != PARSE_TOO_LONG);
	if (ra != PARSE_AGAIN) {
		CHECK(parse(&pa, kind, d, len, &c) == ra && c == 0);
	}
	if (kind <= 2 && ra == PARSE_DONE)
		CHECK(ta == 2);
	if (kind == 3 && ra == PARSE_DONE) {
		const struct socks5_connect_parser *p = &pa.c;
		size_t want = p->atyp == SOCKS5_ATYP_IPV4   ? 10
			      : p->atyp == SOCKS5_ATYP_IPV6 ? 22
							    : 7 + (uint8_t)d[4];
		CHECK(ta == want && p->bnd_len == want - 6 - (p->atyp == SOCKS5_ATYP_DOMAIN));
		CHECK(memcmp(&pa.c, &pc.c, sizeof pa.c) == 0);
	}
	if (ra == PARSE_BAD)
		CHECK((kind <= 1 ? pa.m.why : kind == 2 ? pa.a.why : pa.c.why) != NULL);
	return 0;
}
