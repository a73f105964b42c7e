/* libFuzzer target for proto/poll_msg and proto/poll_checksum (`make fuzz`). The first input
 * byte picks request or response and a split point; the rest is an entity body. Checks: the same
 * result and consumption whether fed whole, split or byte by byte; nothing is consumed past the
 * fields' final NUL; parsed fields written back parse to the same message; the checksum of the
 * data is the same fed in two pieces. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/poll_checksum.h"
#include "proto/poll_msg.h"

#include "tests/fuzz/fuzz_check.h"

static enum parse_rc feed(struct poll_msg_parser *p, bool response, const char *in, size_t len,
			  size_t step, size_t *total)
{
	enum parse_rc rc = PARSE_AGAIN;
	size_t at = 0, c;

	poll_msg_parser_init(p, response);
	while (rc == PARSE_AGAIN && at < len) {
		size_t n = len - at < step ? len - at : step;
		rc = poll_msg_parse(p, in + at, n, &c);
		CHECK(c <= n);
		CHECK(rc != PARSE_AGAIN || c == n);
		at += c;
	}
	*total = at;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct poll_msg_parser whole, split, bytes, again;
	const char *in = (const char *)data + 1;
	size_t len = size ? size - 1 : 0, tw, ts, tb, ta;
	bool response;
	char out[CAP_POLL_BODY];
	enum parse_rc rc;

	if (size == 0)
		return 0;
	response = data[0] & 1;
	rc = feed(&whole, response, in, len, len ? len : 1, &tw);
	CHECK(feed(&split, response, in, len, (data[0] >> 1) + 1, &ts) == rc && ts == tw);
	CHECK(feed(&bytes, response, in, len, 1, &tb) == rc && tb == tw);
	CHECK(rc == PARSE_AGAIN || rc == PARSE_DONE || whole.why);
	if (rc != PARSE_DONE)
		return 0;
	CHECK(tw > 0 && in[tw - 1] == '\0');
	size_t n = poll_msg_write(&whole.msg, out, sizeof out);
	CHECK(n > 0);
	CHECK(feed(&again, response, out, n, n, &ta) == PARSE_DONE && ta == n);
	CHECK(memcmp(&again.msg, &whole.msg, sizeof whole.msg) == 0);

	struct poll_checksum c = { 0 };
	size_t cut = (len - tw) / 2;
	poll_checksum_add(&c, in + tw, cut);
	poll_checksum_add(&c, in + tw + cut, len - tw - cut);
	CHECK(poll_checksum_value(&c) == poll_checksum_of(in + tw, len - tw));
	return 0;
}
