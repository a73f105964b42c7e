/* Unit tests of common/namemap.c: names remembered per address, the ring's bound, placeholders.
 * Each test runs in its own process (Check's fork mode), so each starts with an empty map. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/caps.h"
#include "common/namemap.h"

#include "unit.h"

/* 10.x.y.z for n, so that every n up to 2^24 is a distinct address. */
static struct sockaddr_in addr_of(unsigned n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(2492) };

	a.sin_addr.s_addr = htonl((10u << 24) | n);
	return a;
}

static void remember_n(unsigned n)
{
	struct sockaddr_in a = addr_of(n);
	char name[32];

	snprintf(name, sizeof name, "host%u.example", n);
	namemap_remember((struct sockaddr *)&a, name);
}

/* The name for n, or "" when none is known. */
static const char *lookup_n(unsigned n)
{
	static char name[CAP_HOST_NAME + 1];
	struct sockaddr_in a = addr_of(n);

	if (namemap_lookup((struct sockaddr *)&a, name, sizeof name) < 0)
		name[0] = '\0';
	return name;
}

START_TEST(unknown_address_has_no_name)
{
	ck_assert_str_eq(lookup_n(1), "");
}
END_TEST

START_TEST(newest_name_wins)
{
	struct sockaddr_in a = addr_of(7);
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6 };

	remember_n(7);
	ck_assert_str_eq(lookup_n(7), "host7.example");
	namemap_remember((struct sockaddr *)&a, "other.example");
	ck_assert_str_eq(lookup_n(7), "other.example");
	/* The same four bytes as an IPv6 address are another key. */
	inet_pton(AF_INET6, "::ffff:10.0.0.7", &mapped.sin6_addr);
	ck_assert_int_eq(namemap_lookup((struct sockaddr *)&mapped, (char[64]){ 0 }, 64), -1);
}
END_TEST

START_TEST(short_buffer_gets_nothing)
{
	struct sockaddr_in a = addr_of(3);
	char small[4] = "xyz";

	remember_n(3);
	ck_assert_int_eq(namemap_lookup((struct sockaddr *)&a, small, sizeof small), -1);
	ck_assert_str_eq(small, "xyz");
}
END_TEST

/* The map holds CAP_NAMEMAP names: one more pushes out the oldest, and only it. */
START_TEST(ring_forgets_the_oldest)
{
	for (unsigned n = 1; n <= CAP_NAMEMAP; n++)
		remember_n(n);
	ck_assert_str_eq(lookup_n(1), "host1.example");
	ck_assert_str_eq(lookup_n(CAP_NAMEMAP), "host1024.example");
	remember_n(CAP_NAMEMAP + 1);
	ck_assert_str_eq(lookup_n(1), "");
	ck_assert_str_eq(lookup_n(2), "host2.example");
	ck_assert_str_eq(lookup_n(CAP_NAMEMAP + 1), "host1025.example");
}
END_TEST

START_TEST(placeholders_are_stable_and_reserved)
{
	struct in_addr a, b, again;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char name[64];

	ck_assert_int_eq(namemap_placeholder("relay.internal", &a), 0);
	ck_assert_int_eq(namemap_placeholder("other.internal", &b), 0);
	ck_assert_int_eq(namemap_placeholder("RELAY.internal", &again), 0);
	ck_assert_uint_eq(a.s_addr, again.s_addr);
	ck_assert_uint_ne(a.s_addr, b.s_addr);
	sa.sin_addr = a;
	ck_assert(namemap_is_placeholder((struct sockaddr *)&sa));
	ck_assert_int_eq(namemap_lookup((struct sockaddr *)&sa, name, sizeof name), 0);
	ck_assert_str_eq(name, "relay.internal");
	sa = addr_of(1);
	ck_assert(!namemap_is_placeholder((struct sockaddr *)&sa));
}
END_TEST

static Suite *namemap_suite(void)
{
	TCase *tc;
	Suite *s = unit_suite("namemap", "map", 0, &tc);

	tcase_add_test(tc, unknown_address_has_no_name);
	tcase_add_test(tc, newest_name_wins);
	tcase_add_test(tc, short_buffer_gets_nothing);
	tcase_add_test(tc, ring_forgets_the_oldest);
	tcase_add_test(tc, placeholders_are_stable_and_reserved);
	return s;
}

int main(void)
{
	return unit_run(namemap_suite());
}
