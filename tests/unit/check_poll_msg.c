/* proto/poll_msg and proto/poll_checksum against MS-GRVHENC 4.3's bodies: parsed whole, split at
 * every byte and one byte at a time, written back byte for byte; the checksum's worked example
 * and its behaviour beyond 32 bits and below zero; every malformed field refused. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/poll_checksum.h"
#include "proto/poll_msg.h"

#include "unit.h"

#define GUID_4_3 "m3u7m5ev6iz9hj6mx97s4kdrnk8khajvb3bwnba"
#define GUID_4_3B "a5s2fj8q55cxne2v4wr48ad9ciffsznzq9apczi"
#define URL_4_3 "grooveDNS://server01.relay.net"

/* Polling-Request-Entity-Body-1 (the probe): Content-Length 79. */
static const char body1[] = "1.2\0" URL_4_3 "\0" GUID_4_3 "\0" "0\0" "0";
/* Polling-Response-Entity-Body-4: fields, then seven bytes of data whose checksum is 62. */
static const char resp4[] = "1.2\0" URL_4_3 "\0" GUID_4_3B "\0" "38\0" "62\0" "120,5,3\0"
			    "\x10\x07\x00\x01\x00\x00";
#define BODY1_LEN (sizeof body1)         /* the final NUL is the array's own */
#define RESP4_LEN (sizeof resp4)         /* likewise, the last data byte is 00 */
#define RESP4_FIELDS (RESP4_LEN - 7)

START_TEST(spec_lengths)
{
	ck_assert_uint_eq(BODY1_LEN, 79);  /* Content-Length: 79 in 4.3 */
	ck_assert_uint_eq(RESP4_LEN, 96);  /* Content-Length: 96 in 4.3 */
}
END_TEST

START_TEST(checksum_spec_example)
{
	ck_assert_uint_eq(poll_checksum_of(resp4 + RESP4_FIELDS, 7), 62);
	ck_assert_uint_eq(poll_checksum_of("", 0), 0);
}
END_TEST

/* Bytes are signed: 0x80 counts -127, so the sum goes negative and is sent modulo 2^32. */
START_TEST(checksum_negative)
{
	ck_assert_uint_eq(poll_checksum_of("\x80", 1), (uint32_t)-127);
	ck_assert_uint_eq(poll_checksum_of("\xff\xff", 2), 0); /* (-1 + 1) * i */
}
END_TEST

/* A full body of 0x7f sums to 128 * n(n+1)/2 = 68721573888 for n = 32768: over 32 bits. */
START_TEST(checksum_beyond_32_bits)
{
	static char data[CAP_POLL_BODY];
	uint64_t n = sizeof data, exact = 128 * n * (n + 1) / 2;

	memset(data, 0x7f, sizeof data);
	ck_assert_uint_eq(exact, 68721573888ull);
	ck_assert_uint_eq(poll_checksum_of(data, sizeof data), (uint32_t)exact);
}
END_TEST

START_TEST(checksum_incremental)
{
	static unsigned char data[3000];
	uint32_t whole;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 131 + 7);
	whole = poll_checksum_of(data, sizeof data);
	for (size_t cut = 0; cut <= sizeof data; cut += 37) {
		struct poll_checksum c = { 0 };
		poll_checksum_add(&c, data, cut);
		poll_checksum_add(&c, data + cut, sizeof data - cut);
		ck_assert_uint_eq(poll_checksum_value(&c), whole);
	}
}
END_TEST

/* Feeds in[0..cut) then the rest; checks that parsing stops exactly after the fields. */
static enum parse_rc parse_split(struct poll_msg_parser *p, bool response, const char *in,
				 size_t len, size_t cut, size_t *total)
{
	size_t c = 0;
	enum parse_rc rc;

	poll_msg_parser_init(p, response);
	rc = poll_msg_parse(p, in, cut, &c);
	*total = c;
	if (rc != PARSE_AGAIN)
		return rc;
	ck_assert_uint_eq(c, cut);
	rc = poll_msg_parse(p, in + cut, len - cut, &c);
	*total += c;
	return rc;
}

START_TEST(request_every_split)
{
	struct poll_msg_parser p;
	size_t total;

	for (size_t cut = 0; cut <= BODY1_LEN; cut++) {
		ck_assert_int_eq(parse_split(&p, false, body1, BODY1_LEN, cut, &total), PARSE_DONE);
		ck_assert_uint_eq(total, BODY1_LEN);
		ck_assert_uint_eq(p.total, BODY1_LEN);
		ck_assert_str_eq(p.msg.version, "1.2");
		ck_assert_str_eq(p.msg.relay_name, "server01.relay.net");
		ck_assert_str_eq(p.msg.guid, GUID_4_3);
		ck_assert_uint_eq(p.msg.seq, 0);
		ck_assert_uint_eq(p.msg.checksum, 0);
		ck_assert(!p.msg.has_params);
	}
}
END_TEST

START_TEST(response_every_split_data_left)
{
	struct poll_msg_parser p;
	size_t total;

	for (size_t cut = 0; cut <= RESP4_LEN; cut++) {
		ck_assert_int_eq(parse_split(&p, true, resp4, RESP4_LEN, cut, &total), PARSE_DONE);
		ck_assert_uint_eq(total, RESP4_FIELDS); /* the data is the caller's */
		ck_assert_uint_eq(p.msg.seq, 38);
		ck_assert_uint_eq(p.msg.checksum, 62);
		ck_assert(p.msg.has_params);
		ck_assert_uint_eq(p.msg.params.max_interval_s, 120);
		ck_assert_uint_eq(p.msg.params.min_interval_s, 5);
		ck_assert_uint_eq(p.msg.params.repetitions, 3);
	}
}
END_TEST

START_TEST(one_byte_at_a_time_and_sticky)
{
	struct poll_msg_parser p;
	enum parse_rc rc = PARSE_AGAIN;
	size_t c, i;

	poll_msg_parser_init(&p, true);
	for (i = 0; i < RESP4_LEN && rc == PARSE_AGAIN; i++)
		rc = poll_msg_parse(&p, resp4 + i, 1, &c);
	ck_assert_int_eq(rc, PARSE_DONE);
	ck_assert_uint_eq(i, RESP4_FIELDS);
	c = 99;
	ck_assert_int_eq(poll_msg_parse(&p, "x", 1, &c), PARSE_DONE);
	ck_assert_uint_eq(c, 0);
}
END_TEST

START_TEST(write_spec_bodies)
{
	struct poll_msg m = { .version = "1.2", .relay_name = "server01.relay.net",
			      .guid = GUID_4_3, .seq = 0, .checksum = 0 };
	char out[256];

	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), BODY1_LEN);
	ck_assert_mem_eq(out, body1, BODY1_LEN);
	ck_assert_uint_eq(poll_msg_write(&m, out, BODY1_LEN - 1), 0); /* one byte short */

	memcpy(m.guid, GUID_4_3B, sizeof GUID_4_3B);
	m.seq = 38;
	m.checksum = poll_checksum_of(resp4 + RESP4_FIELDS, 7);
	m.has_params = true;
	m.params = (struct poll_params){ POLL_DEFAULT_MAX_INTERVAL, POLL_DEFAULT_MIN_INTERVAL,
					 POLL_DEFAULT_REPETITIONS };
	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), RESP4_FIELDS);
	ck_assert_mem_eq(out, resp4, RESP4_FIELDS);
}
END_TEST

START_TEST(write_refuses_bad_fields)
{
	struct poll_msg m = { .version = "1.2", .relay_name = "relay", .guid = "abc" };
	char out[256];

	ck_assert_uint_gt(poll_msg_write(&m, out, sizeof out), 0);
	strcpy(m.guid, "a-b");
	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), 0);
	strcpy(m.guid, "abc");
	strcpy(m.relay_name, "");
	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), 0);
	strcpy(m.relay_name, "a b");
	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), 0);
	strcpy(m.relay_name, "relay");
	strcpy(m.version, "1");
	ck_assert_uint_eq(poll_msg_write(&m, out, sizeof out), 0);
}
END_TEST

/* Any integer equal modulo 2^32, of any sign and up to the field cap, is the same checksum. */
START_TEST(checksum_field_modulo)
{
	static const char *const same_as_62[] = { "62", "4294967358", "-4294967234",
						  "000062", "18446744073709551678" };
	for (unsigned i = 0; i < sizeof same_as_62 / sizeof same_as_62[0]; i++) {
		char in[128];
		size_t n = 0, c;
		struct poll_msg_parser p;

		memcpy(in, "1.2\0grooveDNS://r\0g\0" "1\0", 22);
		n = 22;
		memcpy(in + n, same_as_62[i], strlen(same_as_62[i]) + 1);
		n += strlen(same_as_62[i]) + 1;
		poll_msg_parser_init(&p, false);
		ck_assert_int_eq(poll_msg_parse(&p, in, n, &c), PARSE_DONE);
		ck_assert_msg(p.msg.checksum == 62, "%s gave %u", same_as_62[i], p.msg.checksum);
	}
}
END_TEST

struct bad_case {
	const char *in;
	size_t len;
	bool response;
	enum parse_rc rc;
};

#define BAD(s, resp, rc) { s, sizeof s - 1, resp, rc }

START_TEST(malformed_fields)
{
	static const struct bad_case cases[] = {
		BAD("12\0", false, PARSE_BAD),
		BAD(".2\0", false, PARSE_BAD),
		BAD("1.\0", false, PARSE_BAD),
		BAD("1.2.3\0", false, PARSE_BAD),
		BAD("\0", false, PARSE_BAD),
		BAD("1.2\0http://r\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://a b\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g-1\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0-1\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "12a\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "4294967296\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0-\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0" "1-\0", false, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0" "0\0" "120,5\0", true, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0" "0\0" "120,5,3,4\0", true, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0" "0\0" "a,b,c\0", true, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0" "0\0" "120,,3\0", true, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0g\0" "1\0" "0\0" "86401,5,3\0", true, PARSE_BAD),
		BAD("1.2\0grooveDNS://r\0"
		    "g0000000000000000000000000000000000000000000000000000000000000000\0",
		    false, PARSE_TOO_LONG),
		BAD("1.2\0grooveDNS://r\0g\0" "0000000000000000000000000000000000000000000000001",
		    false, PARSE_TOO_LONG),
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct poll_msg_parser p;
		size_t c;

		poll_msg_parser_init(&p, cases[i].response);
		ck_assert_msg(poll_msg_parse(&p, cases[i].in, cases[i].len, &c) == cases[i].rc,
			      "case %u", i);
		ck_assert_ptr_nonnull(p.why);
	}
}
END_TEST

/* An endless field never ends in a NUL: the cap stops it however it is fed. */
START_TEST(endless_field)
{
	static char junk[4096];
	struct poll_msg_parser p;
	enum parse_rc rc = PARSE_AGAIN;
	size_t c, fed = 0;

	memset(junk, '7', sizeof junk);
	poll_msg_parser_init(&p, false);
	rc = poll_msg_parse(&p, "1.2\0grooveDNS://r\0g\0", 20, &c);
	while (rc == PARSE_AGAIN && fed < 1 << 20) {
		rc = poll_msg_parse(&p, junk, sizeof junk, &c);
		fed += c;
	}
	ck_assert_int_eq(rc, PARSE_TOO_LONG);
	ck_assert_uint_le(fed, CAP_POLL_FIELD + 1);
}
END_TEST

static Suite *poll_msg_suite(void)
{
	TCase *t;
	Suite *s = unit_suite("poll_msg", "core", 0, &t);

	tcase_add_test(t, spec_lengths);
	tcase_add_test(t, checksum_spec_example);
	tcase_add_test(t, checksum_negative);
	tcase_add_test(t, checksum_beyond_32_bits);
	tcase_add_test(t, checksum_incremental);
	tcase_add_test(t, request_every_split);
	tcase_add_test(t, response_every_split_data_left);
	tcase_add_test(t, one_byte_at_a_time_and_sticky);
	tcase_add_test(t, write_spec_bodies);
	tcase_add_test(t, write_refuses_bad_fields);
	tcase_add_test(t, checksum_field_modulo);
	tcase_add_test(t, malformed_fields);
	tcase_add_test(t, endless_field);
	return s;
}

int main(void)
{
	return unit_run(poll_msg_suite());
}
