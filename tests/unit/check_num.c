/* Unit tests of common/num.c: the strict decimal parser every setting and length goes through. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/num.h"

#include "unit.h"

/* One input: the first len bytes of text (len -1: the whole string), the maximum, and whether it
 * must parse (then to value). */
struct num_case {
	const char *text;
	int len;
	uint64_t max;
	int rc;
	uint64_t value;
};

static const struct num_case num_cases[] = {
	{ "0", -1, 10, 0, 0 },
	{ "7", -1, 10, 0, 7 },
	{ "65535", -1, 65535, 0, 65535 },
	{ "65536", -1, 65535, -1, 0 },
	{ "000123", -1, 1000, 0, 123 }, /* leading zeros are digits, not octal */
	{ "18446744073709551615", -1, UINT64_MAX, 0, UINT64_MAX },
	{ "18446744073709551616", -1, UINT64_MAX, -1, 0 },   /* max + 1 wraps to 0 if unchecked */
	{ "99999999999999999999", -1, UINT64_MAX, -1, 0 },   /* wraps to a value below max */
	{ "184467440737095516150", -1, UINT64_MAX, -1, 0 },  /* one digit too many */
	{ "1000", -1, 999, -1, 0 },
	{ "999", -1, 999, 0, 999 },
	{ "0", -1, 0, 0, 0 },
	{ "1", -1, 0, -1, 0 },  /* a single digit above max */
	{ "7", -1, 5, -1, 0 },
	{ "9", -1, 8, -1, 0 },
	{ "5", -1, 5, 0, 5 },
	{ "", -1, 10, -1, 0 },
	{ "-1", -1, 10, -1, 0 },
	{ "+1", -1, 10, -1, 0 },
	{ " 1", -1, 10, -1, 0 },
	{ "1 ", -1, 10, -1, 0 },
	{ "1\n", -1, 10, -1, 0 },
	{ "0x10", -1, 100, -1, 0 },
	{ "1e3", -1, 10000, -1, 0 },
	{ "1.5", -1, 10, -1, 0 },
	{ "12a", -1, 1000, -1, 0 },
	{ "/", -1, 10, -1, 0 },  /* the characters either side of '0'..'9' */
	{ ":", -1, 10, -1, 0 },
	{ "\xb1", -1, 10, -1, 0 }, /* a byte above 127 must not become a digit through sign games */
	{ "123456", 3, 1000, 0, 123 }, /* only len bytes count */
	{ "12,34", 2, 100, 0, 12 },
	{ "12,34", 3, 100, -1, 0 },
	{ "5", 0, 10, -1, 0 }, /* empty by length */
};

START_TEST(parse_u64_table)
{
	const struct num_case *c = &num_cases[_i];
	size_t len = c->len < 0 ? strlen(c->text) : (size_t)c->len;
	uint64_t out = 424242;

	ck_assert_msg(num_parse_u64(c->text, len, c->max, &out) == c->rc,
		      "\"%.*s\" with max %llu: expected %s", (int)len, c->text,
		      (unsigned long long)c->max, c->rc == 0 ? "success" : "failure");
	if (c->rc == 0)
		ck_assert_uint_eq(out, c->value);
	else
		ck_assert_uint_eq(out, 424242); /* a failure leaves the output alone */
}
END_TEST

/* num_parse_str must agree with num_parse_u64 over the whole string. */
START_TEST(parse_str_table)
{
	const struct num_case *c = &num_cases[_i];
	uint64_t a = 1, b = 1;

	if (c->len >= 0)
		return; /* length-limited cases have no string form */
	ck_assert_int_eq(num_parse_str(c->text, c->max, &a), c->rc);
	ck_assert_int_eq(num_parse_u64(c->text, strlen(c->text), c->max, &b), c->rc);
	ck_assert_uint_eq(a, b);
}
END_TEST

/* Every maximum from 0 to 200 against every value from 0 to 300: accepted exactly up to max. */
START_TEST(parse_every_small_max)
{
	for (uint64_t max = 0; max <= 200; max++) {
		for (unsigned v = 0; v <= 300; v++) {
			char text[8];
			uint64_t out = 0;
			int len = snprintf(text, sizeof text, "%u", v);
			int rc = num_parse_u64(text, (size_t)len, max, &out);
			ck_assert_msg(rc == (v <= max ? 0 : -1), "\"%s\" with max %llu returned %d",
				      text, (unsigned long long)max, rc);
			if (rc == 0)
				ck_assert_uint_eq(out, v);
		}
	}
}
END_TEST

/* A digit string inside a larger buffer: the parser must not read past len. */
START_TEST(parse_stops_at_len)
{
	char *buf = malloc(4);
	uint64_t out = 0;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "4321", 4); /* no terminator: a read past len is a sanitizer error */
	ck_assert_int_eq(num_parse_u64(buf, 4, 10000, &out), 0);
	ck_assert_uint_eq(out, 4321);
	ck_assert_int_eq(num_parse_u64(buf, 2, 10000, &out), 0);
	ck_assert_uint_eq(out, 43);
	free(buf);
}
END_TEST

static Suite *num_suite(void)
{
	TCase *tc;
	Suite *s = unit_suite("num", "parse", 0, &tc);

	UNIT_ADD_TABLE(tc, parse_u64_table, num_cases);
	UNIT_ADD_TABLE(tc, parse_str_table, num_cases);
	tcase_add_test(tc, parse_every_small_max);
	tcase_add_test(tc, parse_stops_at_len);
	return s;
}

int main(void)
{
	return unit_run(num_suite());
}
