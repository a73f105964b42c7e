/* libFuzzer target for proto/http_chunked. Built and run by `make fuzz`. The first input byte
 * picks a split step and a body cap; the rest is the stream. Checks: the same result and the
 * same end whether fed whole, in steps or byte by byte; never more consumed than given, nor than
 * the cap; sticky once not AGAIN. */
#include <stdint.h>
#include <string.h>

#include "proto/http_chunked.h"

#include "tests/fuzz/fuzz_check.h"

static enum parse_rc feed(const char *d, size_t len, size_t step, uint64_t max, size_t *total)
{
	struct http_chunked c;
	enum parse_rc rc = PARSE_AGAIN;
	size_t off = 0, n;

	http_chunked_init(&c, max);
	while (rc == PARSE_AGAIN && off < len) {
		size_t piece = len - off < step ? len - off : step;
		rc = http_chunked_parse(&c, d + off, piece, &n);
		CHECK(n <= piece);
		CHECK(rc != PARSE_AGAIN || n == piece);
		off += n;
	}
	CHECK(c.total <= max);
	if (rc != PARSE_AGAIN) {
		CHECK(http_chunked_parse(&c, d, len, &n) == rc && n == 0);
	}
	*total = off;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data + 1;
	size_t len, ta, tb, tc, step;
	uint64_t max;
	enum parse_rc ra, rb, rc;

	if (size < 1)
		return 0;
	step = (data[0] & 15) + 1;
	max = data[0] & 16 ? 64 : 1u << 20;
	len = size - 1;
	ra = feed(d, len, len ? len : 1, max, &ta);
	rb = feed(d, len, step, max, &tb);
	rc = feed(d, len, 1, max, &tc);
	CHECK(ra == rb && rb == rc);
	CHECK(ta == tb && tb == tc);
	CHECK(ta <= max);
	return 0;
}
