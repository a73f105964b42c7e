/* proto/http_chunked: a chunked body read to its end and no further, fed split at every byte
 * offset and byte by byte; refusals (not hex, overflow, a missing line end, a bare CR, a control
 * character); caps on a line and on the whole body, reported while more is still to come. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/caps.h"
#include "proto/http_chunked.h"

#include "unit.h"

/* A body as squid or nginx would chunk a page, an extension and a trailer field added, then the
 * next response on the same connection. */
static const char body[] = "1a;name=\"v\"\r\n"
			   "<html>407 authentication\r\n\r\n"
			   "5\r\n</htm\r\n"
			   "0002 \t;x\r\n"
			   "l>\r\n"
			   "000\r\n"
			   "Expires: 0\r\n"
			   "\r\n";
static const char next[] = "HTTP/1.1 200 OK\r\n";

/* Feeds in[0..len) in pieces of at most step, after a first piece of cut; the result, and in
 * *used where it ended. */
static enum parse_rc feed(const char *in, size_t len, size_t cut, size_t step, uint64_t max,
			  size_t *used)
{
	struct http_chunked c;
	enum parse_rc rc = PARSE_AGAIN;
	size_t off = 0, n;

	http_chunked_init(&c, max);
	while (rc == PARSE_AGAIN && off < len) {
		size_t piece = off < cut ? cut - off : step;
		if (piece > len - off)
			piece = len - off;
		rc = http_chunked_parse(&c, in + off, piece, &n);
		ck_assert_uint_le(n, piece);
		ck_assert(rc != PARSE_AGAIN || n == piece);
		off += n;
	}
	*used = off;
	return rc;
}

START_TEST(every_split_ends_at_the_last_chunk)
{
	char in[256];
	size_t blen = strlen(body), len, used;

	len = (size_t)snprintf(in, sizeof in, "%s%s", body, next);
	for (size_t cut = 0; cut <= len; cut++) {
		ck_assert_int_eq(feed(in, len, cut, len, 4096, &used), PARSE_DONE);
		ck_assert_msg(used == blen, "cut %zu: ended after %zu", cut, used);
	}
	ck_assert_int_eq(feed(in, len, 0, 1, 4096, &used), PARSE_DONE);
	ck_assert_uint_eq(used, blen);
	/* the shortest body, and bare LF line ends */
	ck_assert_int_eq(feed("0\r\n\r\nX", 6, 0, 1, 4096, &used), PARSE_DONE);
	ck_assert_uint_eq(used, 5);
	ck_assert_int_eq(feed("3\nabc\n0\n\nX", 10, 0, 1, 4096, &used), PARSE_DONE);
	ck_assert_uint_eq(used, 9);
	/* sticky once done */
	struct http_chunked c;
	http_chunked_init(&c, 100);
	ck_assert_int_eq(http_chunked_parse(&c, "0\r\n\r\n", 5, &used), PARSE_DONE);
	ck_assert_int_eq(http_chunked_parse(&c, "0\r\n\r\n", 5, &used), PARSE_DONE);
	ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(truncated_wants_more)
{
	size_t blen = strlen(body), used;

	for (size_t len = 0; len < blen; len++) {
		ck_assert_int_eq(feed(body, len, 0, 3, 4096, &used), PARSE_AGAIN);
		ck_assert_uint_eq(used, len);
	}
}
END_TEST

START_TEST(refusals)
{
	static const struct {
		const char *in;
		enum parse_rc rc;
	} t[] = {
		{ "x\r\n", PARSE_BAD },		  /* not hex */
		{ "\r\n", PARSE_BAD },		  /* no digit */
		{ ";a\r\n0\r\n\r\n", PARSE_BAD }, /* no digit before the extension */
		{ "-1\r\n", PARSE_BAD },
		{ "1x\r\n", PARSE_BAD },		/* junk after the size */
		{ "5 junk\r\n", PARSE_BAD },	/* whitespace leads only to ";" */
		{ "1 2\r\n", PARSE_BAD },
		{ "10000000000000000\r\n", PARSE_BAD }, /* over 64 bits */
		{ "3\r\nabcd\r\n", PARSE_BAD },		/* data longer than its size */
		{ "3\r\nabc\rx", PARSE_BAD },		/* a bare CR */
		{ "3\rx", PARSE_BAD },
		{ "3;a\x01\r\n", PARSE_BAD }, /* a control character */
		{ "0\r\nX: a\rb\r\n\r\n", PARSE_BAD },
		{ "0\r\nX: \x7f\r\n\r\n", PARSE_BAD },
		{ "0\r\n\rx", PARSE_BAD },
		{ "ffffffffffffffff\r\n",
		  PARSE_TOO_LONG },	      /* a size no cap holds, before its data */
		{ "65\r\n", PARSE_TOO_LONG }, /* 101 octets, over the cap of 100 */
	};
	size_t used;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		for (size_t cut = 0; cut <= strlen(t[i].in); cut++)
			ck_assert_msg(feed(t[i].in, strlen(t[i].in), cut, 1, 100, &used) == t[i].rc,
				      "%zu: <%s> cut %zu", i, t[i].in, cut);
}
END_TEST

/* A peer that never ends a line, or sends chunk after chunk: refused at the cap, without the
 * line end or the last chunk. */
START_TEST(caps_while_more_is_to_come)
{
	static char in[CAP_HTTP_CHUNK_LINE + 64];
	size_t used, len;

	memset(in, 'a', sizeof in);
	memcpy(in, "1;", 2); /* an extension that never ends */
	ck_assert_int_eq(feed(in, CAP_HTTP_CHUNK_LINE, 0, 512, 1u << 20, &used), PARSE_AGAIN);
	ck_assert_int_eq(feed(in, CAP_HTTP_CHUNK_LINE + 1, 0, 512, 1u << 20, &used),
			 PARSE_TOO_LONG);
	memcpy(in, "0\r\nX: ", 6); /* a trailer field that never ends */
	ck_assert_int_eq(feed(in, sizeof in, 0, 512, 1u << 20, &used), PARSE_TOO_LONG);
	/* 1-octet chunks for ever: 6 octets each, a body cap of 60 */
	len = 0;
	for (int i = 0; i < 10; i++)
		len += (size_t)snprintf(in + len, sizeof in - len, "1\r\nz\r\n");
	ck_assert_int_eq(feed(in, len, 0, 7, 60, &used), PARSE_AGAIN);
	ck_assert_int_eq(feed(in, len, 0, 7, 59, &used), PARSE_TOO_LONG);
	len += (size_t)snprintf(in + len, sizeof in - len, "0\r\n\r\n");
	ck_assert_int_eq(feed(in, len, 0, 7, 65, &used), PARSE_DONE);
	ck_assert_int_eq(feed(in, len, 0, 7, 64, &used), PARSE_TOO_LONG);
}
END_TEST

int main(void)
{
	TCase *t;
	Suite *s = unit_suite("http_chunked", "parse", 0, &t);

	tcase_add_test(t, every_split_ends_at_the_last_chunk);
	tcase_add_test(t, truncated_wants_more);
	tcase_add_test(t, refusals);
	tcase_add_test(t, caps_while_more_is_to_come);
	return unit_run(s);
}
