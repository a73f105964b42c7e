/* libFuzzer target for proto/keepalive's reader (ka_reader_feed): the bytes of one kept-alive
 * connection, KeepAlive messages framed by Content-Length and a proxy's 401/407 pages framed as
 * HTTP frames them (Content-Length, chunked, or the connection's end). Built and run by `make
 * fuzz`. The first input byte picks requests or responses and a split; the rest is the stream.
 * Checks: the same steps (heads with their status, body octets per message, ends, the failure)
 * whether fed whole, split or byte by byte; nothing consumed past what was given; a body never
 * longer than its Content-Length, a page never longer than CAP_PROXY_AUTH_BODY; every step but
 * AGAIN makes progress or changes state, so the loop ends. */
#include <stdint.h>
#include <string.h>

#include "common/caps.h"
#include "proto/keepalive.h"

#include "tests/fuzz/fuzz_check.h"

enum { LOG_MAX = 4096 };

struct run {
	uint64_t log[LOG_MAX]; /* step << 56 | detail (status for a head, octets for a body) */
	unsigned n;
	uint64_t body;	   /* octets of the current body so far */
	uint64_t body_max; /* what the current body may hold */
	bool bad;
};

static void record(struct run *r, enum ka_step step, uint64_t detail)
{
	if (r->n < LOG_MAX)
		r->log[r->n++] = (uint64_t)step << 56 | (detail & 0xffffffffffffffull);
}

/* After a head: the octets its body may hold. */
static uint64_t body_max(const struct ka_reader *k)
{
	const struct http_head *h = ka_reader_head(k);
	uint64_t cl = 0;

	if (h->kind == HTTP_RESPONSE && (h->status == 401 || h->status == 407))
		return CAP_PROXY_AUTH_BODY;
	CHECK(http_head_content_length(h, &cl) == 0);
	CHECK(cl <= KA_CHUNK_MAX);
	CHECK(ka_reader_body_left(k) == cl);
	return cl;
}

/* Feeds buf[0..len) as far as the reader goes; false once it failed. */
static bool feed(struct ka_reader *k, struct run *r, const char *buf, size_t len)
{
	size_t off = 0, c;
	const char *why = NULL;

	for (unsigned guard = 0; guard < 4 * 65536; guard++) {
		enum ka_step s = ka_reader_feed(k, buf + off, len - off, &c, &why);
		CHECK(c <= len - off);
		off += c;
		switch (s) {
		case KA_STEP_AGAIN:
			CHECK(off == len);
			return true;
		case KA_STEP_HEAD:
			r->body = 0;
			r->body_max = body_max(k);
			record(r, s, (uint64_t)ka_reader_head(k)->status);
			break;
		case KA_STEP_BODY:
			CHECK(c > 0);
			r->body += c;
			CHECK(r->body <= r->body_max);
			break;
		case KA_STEP_END:
			record(r, KA_STEP_BODY, r->body);
			record(r, s, 0);
			r->body = 0;
			break;
		case KA_STEP_BAD:
			CHECK(why != NULL);
			record(r, s, 0);
			r->bad = true;
			return false;
		}
	}
	CHECK(!"the reader stopped making progress");
	return false;
}

static void run(struct run *r, unsigned want, const uint8_t *d, size_t len, size_t step)
{
	static struct ka_reader k;

	memset(r, 0, sizeof *r);
	ka_reader_init(&k, want);
	for (size_t off = 0; off < len;) {
		size_t n = len - off < step ? len - off : step;
		if (!feed(&k, r, (const char *)d + off, n))
			return;
		off += n;
	}
	feed(&k, r, "", 0); /* collects a pending end */
	record(r, KA_STEP_BODY, r->body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run a, b, c;
	unsigned want;
	size_t step;

	if (size < 1)
		return 0;
	want = (data[0] & 1) ? HTTP_REQUEST : HTTP_RESPONSE;
	step = 1 + (data[0] >> 1);
	data++, size--;
	run(&a, want, data, size, size ? size : 1);
	run(&b, want, data, size, step);
	run(&c, want, data, size, 1);
	CHECK(a.n == b.n && a.n == c.n && a.bad == b.bad && a.bad == c.bad);
	CHECK(memcmp(a.log, b.log, a.n * sizeof a.log[0]) == 0);
	CHECK(memcmp(a.log, c.log, a.n * sizeof a.log[0]) == 0);
	return 0;
}
