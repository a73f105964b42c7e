/* libFuzzer target for proto/http_msg and proto/base64. Built and run by `make fuzz`; by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_http_msg.c proto/http_msg.c proto/base64.c common/num.c -o fuzz_http_msg
 *   ./fuzz_http_msg -max_total_time=60 corpus/
 * The first input byte picks the kinds wanted and a split point; the rest is the stream. Checks:
 * the same result, consumption and head whether fed whole, split or byte by byte; a head never
 * consumes past its end and holds no control character; a parsed head written back with
 * http_out parses to the same head; whatever base64 accepts re-encodes to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/base64.h"
#include "proto/http_msg.h"

#include "tests/fuzz/fuzz_check.h"

static struct http_parser pa, pb, pc;

static enum parse_rc feed(struct http_parser *p, unsigned want, const uint8_t *d, size_t len,
			  size_t step, size_t *total)
{
	enum parse_rc rc = PARSE_AGAIN;
	size_t off = 0, c;

	http_parser_init(p, want);
	do {
		size_t n = len - off < step ? len - off : step;
		rc = http_parse(p, (const char *)d + off, n, &c);
		CHECK(c <= n);
		CHECK(rc != PARSE_AGAIN || c == n);
		off += c;
	} while (rc == PARSE_AGAIN && off < len);
	*total = off;
	return rc;
}

static void check_text(const char *s)
{
	for (; s && *s; s++)
		CHECK(((unsigned char)*s >= 0x20 || *s == '\t') && *s != 0x7f);
}

static bool same_head(const struct http_head *a, const struct http_head *b)
{
	const char *x, *y;

	if (a->kind != b->kind || a->minor != b->minor || a->status != b->status ||
	    http_head_count(a) != http_head_count(b))
		return false;
	x = http_head_method(a), y = http_head_method(b);
	if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
		return false;
	x = http_head_target(a), y = http_head_target(b);
	if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
		return false;
	x = http_head_reason(a), y = http_head_reason(b);
	if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
		return false;
	for (unsigned i = 0; i < http_head_count(a); i++)
		if (strcmp(http_head_name(a, i), http_head_name(b, i)) != 0 ||
		    strcmp(http_head_value(a, i), http_head_value(b, i)) != 0)
			return false;
	return true;
}

/* Writes h back and parses it again. */
static void check_rewrite(const struct http_head *h)
{
	static char buf[2 * CAP_HTTP_HEAD];
	struct http_out o;
	size_t len, c;

	http_out_init(&o, buf, sizeof(buf));
	if (h->kind == HTTP_REQUEST)
		http_out_request_line(&o, http_head_method(h), http_head_target(h), h->minor);
	else
		http_out_status_line(&o, h->minor, h->status, http_head_reason(h));
	for (unsigned i = 0; i < http_head_count(h); i++)
		http_out_header(&o, http_head_name(h, i), http_head_value(h, i));
	http_out_end(&o);
	CHECK(http_out_finish(&o, &len) == 0);
	if (len > CAP_HTTP_HEAD)
		return;
	http_parser_init(&pc, h->kind);
	CHECK(http_parse(&pc, buf, len, &c) == PARSE_DONE && c == len);
	CHECK(same_head(h, http_parser_head(&pc)));
}

/* Base64 after the first space of a value ("NTLM <token>"), or the whole value. */
static void check_base64(const char *v)
{
	static unsigned char dec[CAP_HTTP_HEAD];
	static char enc[CAP_HTTP_HEAD + 4];
	const char *sp = strchr(v, ' ');
	size_t n, m;

	v = sp ? sp + 1 : v;
	if (base64_decode(v, strlen(v), dec, sizeof(dec), &n) != 0)
		return;
	CHECK(base64_encode(dec, n, enc, sizeof(enc), &m) == 0);
	CHECK(m == strlen(v) && memcmp(enc, v, m) == 0);
}

static void check_head(const struct http_head *h)
{
	uint64_t cl;
	const char *v = NULL;
	unsigned n = 0;

	CHECK(h->kind == HTTP_REQUEST || h->kind == HTTP_RESPONSE);
	CHECK(h->major == 1 && h->minor <= 9);
	CHECK(h->kind == HTTP_REQUEST || (h->status >= 100 && h->status <= 999));
	CHECK(h->used <= CAP_HTTP_HEAD && http_head_count(h) <= CAP_HTTP_HEADERS);
	check_text(http_head_method(h));
	check_text(http_head_target(h));
	check_text(http_head_reason(h));
	for (unsigned i = 0; i < http_head_count(h); i++) {
		check_text(http_head_name(h, i));
		check_text(http_head_value(h, i));
		check_base64(http_head_value(h, i));
	}
	while ((v = http_head_next(h, "proxy-authenticate", v)) != NULL)
		n++;
	CHECK(n <= http_head_count(h));
	int rc = http_head_content_length(h, &cl);
	CHECK(rc == 0 || rc == -1 || rc == PARSE_BAD);
	CHECK(rc != 0 || cl <= INT64_MAX);
	(void)http_head_has_token(h, "Connection", "close");
	check_rewrite(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned want;
	size_t ta, tb, tc, step;
	enum parse_rc a, b, c;

	if (size < 1)
		return 0;
	want = (data[0] & 3) ? (data[0] & 3) : HTTP_REQUEST | HTTP_RESPONSE;
	step = 1 + (data[0] >> 2);
	data++, size--;

	a = feed(&pa, want, data, size, size ? size : 1, &ta);
	b = feed(&pb, want, data, size, step, &tb);
	CHECK(a == b && ta == tb);
	c = feed(&pb, want, data, size, 1, &tc);
	CHECK(a == c && ta == tc);
	CHECK(ta <= size);
	CHECK(ta <= CAP_HTTP_HEAD + 1);
	if (a == PARSE_AGAIN)
		CHECK(ta == size);
	if (a != PARSE_DONE)
		return 0;
	CHECK(ta <= CAP_HTTP_HEAD);
	CHECK(same_head(http_parser_head(&pa), http_parser_head(&pb)));
	check_head(http_parser_head(&pa));
	return 0;
}
