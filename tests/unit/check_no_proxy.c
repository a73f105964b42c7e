/* proto/no_proxy: curl's own cases (tests/unit/unit1614.c, current form), then ours: "*", empty
 * lists, blanks, ports, brackets, CIDR edges, and which variable is read. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proto/no_proxy.h"

#include "unit.h"

struct np_case {
	const char *host;
	const char *list;
	bool match;
};

static void run(const struct np_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(no_proxy_match(c[i].list, c[i].host, 443) == c[i].match,
			      "host \"%s\" in \"%s\" should %smatch", c[i].host, c[i].list,
			      c[i].match ? "" : "not ");
}

#define RUN(cases) run(cases, sizeof(cases) / sizeof(cases[0]))

/* curl unit1614: its noproxy list, word for word. */
START_TEST(curl_unit1614)
{
	static const struct np_case cases[] = {
		{ "www.example.com", "localhost .example.com .example.de", false },
		{ "www.example.com", "localhost,.example.com,.example.de", true },
		{ "www.example.com.", "localhost,.example.com,.example.de", true },
		{ "example.com", "localhost,.example.com,.example.de", true },
		{ "example.com.", "localhost,.example.com,.example.de", true },
		{ "www.example.com", "localhost,.example.com.,.example.de", true },
		{ "www.example.com", "localhost,www.example.com.,.example.de", true },
		{ "example.com", "localhost,example.com,.example.de", true },
		{ "example.com.", "localhost,example.com,.example.de", true },
		{ "nexample.com", "localhost,example.com,.example.de", false },
		{ "www.example.com", "localhost,example.com,.example.de", true },
		{ "127.0.0.1", "127.0.0.1,localhost", true },
		{ "127.0.0.1", "127.0.0.1,localhost,", true },
		{ "127.0.0.1", "127.0.0.1/8,localhost,", true },
		{ "127.0.0.1", "127.0.0.1/28,localhost,", true },
		{ "127.0.0.1", "127.0.0.1/31,localhost,", true },
		{ "127.0.0.1", "localhost,127.0.0.1", true },
		{ "127.0.0.1",
		  "localhost,127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1."
		  "127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127."
		  "0.0.1.127.0.0.1.127.0.0." /* 128 bytes "address" */,
		  false },
		{ "127.0.0.1",
		  "localhost,127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1."
		  "127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127."
		  "0.0.1.127.0.0.1.127.0.0" /* 127 bytes "address" */,
		  false },
		{ "localhost", "localhost,127.0.0.1", true },
		{ "localhost", "127.0.0.1,localhost", true },
		{ "foobar", "barfoo", false },
		{ "foobar", "foobar", true },
		{ "192.168.0.1", "foobar", false },
		{ "192.168.0.1", "192.168.0.0/16", true },
		{ "192.168.0.1", "192.168.0.0/24", true },
		{ "192.168.0.1", "192.168.0.0/32", false },
		{ "192.168.0.1", "192.168.0.0", false },
		{ "192.168.1.1", "192.168.0.0/24", false },
		{ "192.168.1.1", "192.168.0.0/33", false },
		{ "192.168.1.1", "foo, bar, 192.168.0.0/24", false },
		{ "192.168.1.1", "foo, bar, 192.168.0.0/16", true },
		{ "[::1]", "foo, bar, 192.168.0.0/16", false },
		{ "[::1]", "foo, bar, ::1/64", true },
		{ "[::1]", "::1/64", true },
		{ "[::1]", "::1/96", true },
		{ "[::1]", "::1/129", false },
		{ "bar", "foo, bar, ::1/64", true },
		{ "BAr", "foo, bar, ::1/64", true },
		{ "BAr", "foo,,,,,              bar, ::1/64", true },
		{ "www.example.com", "foo, .example.com", true },
		{ "www.example.com", "www2.example.com, .example.net", false },
		{ "example.com", ".example.com, .example.net", true },
		{ "nonexample.com", ".example.com, .example.net", false },
	};
	RUN(cases);
}
END_TEST

/* curl unit1614's cidr4_match and cidr6_match cases, written as list entries ("net/bits"). */
START_TEST(curl_unit1614_cidr)
{
	static const struct np_case cases[] = {
		{ "192.160.0.1", "192.160.0.1/33", false },
		{ "192.160.0.1", "192.160.0.1/32", true },
		{ "192.160.0.1", "192.160.0.1/0", true },
		{ "192.160.0.1", "192.160.0.1/24", true },
		{ "192.160.0.1", "192.160.0.1/26", true },
		{ "192.160.0.1", "192.160.0.1/20", true },
		{ "192.160.0.1", "192.160.0.1/18", true },
		{ "192.160.0.1", "192.160.0.1/12", true },
		{ "192.160.0.1", "192.160.0.1/8", true },
		{ "192.160.0.1", "10.0.0.1/8", false },
		{ "192.160.0.1", "10.0.0.1/32", false },
		{ "192.160.0.1", "10.0.0.1/0", false },
		{ "::1", "::1/0", true },
		{ "::1", "::1/128", true },
		{ "::1", "0:0::1/128", true },
		{ "::1", "0:0::1/129", false },
		{ "fe80::ab47:4396:55c9:8474", "fe80::ab47:4396:55c9:8474/64", true },
	};
	RUN(cases);
}
END_TEST

START_TEST(star_and_empty)
{
	static const struct np_case cases[] = {
		{ "anything.example", "*", true },
		{ "10.1.2.3", "*", true },
		{ "[::1]", "*", true },
		/* Only a list that is exactly "*" means everything (curl strcmp). */
		{ "anything.example", "*,foo", false },
		{ "anything.example", "foo,*", false },
		{ "anything.example", " *", false },
		{ "anything.example", "", false },
		{ "anything.example", ",", false },
		{ "anything.example", " , ,, ", false },
		{ "anything.example", ".", false },
		{ "", "*", false },
		{ "", "foo", false },
	};
	RUN(cases);
	ck_assert(!no_proxy_match(NULL, "foo", 80));
	ck_assert(!no_proxy_match("foo", NULL, 80));
}
END_TEST

START_TEST(blanks_and_commas)
{
	static const struct np_case cases[] = {
		{ "b.example", "a.example, b.example", true },
		{ "b.example", "a.example ,b.example", true },
		{ "b.example", "\ta.example,\tb.example\t", true },
		{ "b.example", ",,,b.example,,,", true },
		/* Blanks alone end the list after the first entry (current curl). */
		{ "a.example", "a.example b.example", true },
		{ "b.example", "a.example b.example", false },
		{ "b.example", "a.example b.example,b.example", false },
	};
	RUN(cases);
}
END_TEST

START_TEST(suffixes)
{
	static const struct np_case cases[] = {
		{ "www.example.com", "example.com", true },
		{ "www.example.com", ".example.com", true },
		{ "example.com", ".example.com", true },
		{ "a.b.c.example.com", "example.com", true },
		{ "WWW.EXAMPLE.COM", "example.com", true },
		{ "www.example.com", "EXAMPLE.com", true },
		{ "wwwexample.com", "example.com", false },
		{ "example.com", "www.example.com", false },
		{ "example.co", "example.com", false },
		{ "example.com.evil", "example.com", false },
		{ "com", "example.com", false },
		{ "www.example.com", "com", true },
		{ "localhost", "LOCALHOST", true },
		{ "www.example.com", "*.example.com", false }, /* no wildcards in curl */
	};
	RUN(cases);
}
END_TEST

START_TEST(ports)
{
	/* curl has no port syntax: an entry with one never matches, whatever the port. */
	ck_assert(!no_proxy_match("relay.example:2492", "relay.example", 2492));
	ck_assert(!no_proxy_match("relay.example:2492", "relay.example", 443));
	ck_assert(!no_proxy_match("10.0.0.1:2492", "10.0.0.1", 2492));
	ck_assert(!no_proxy_match("[::1]:2492", "::1", 2492));
	/* The port of the destination does not matter to an entry without one. */
	ck_assert(no_proxy_match("relay.example", "relay.example", 2492));
	ck_assert(no_proxy_match("relay.example", "relay.example", 0));
	ck_assert(no_proxy_match("other:1, relay.example", "relay.example", 1));
}
END_TEST

START_TEST(addresses)
{
	static const struct np_case cases[] = {
		{ "10.1.2.3", "10.0.0.0/8", true },
		{ "11.1.2.3", "10.0.0.0/8", false },
		{ "10.1.2.3", "10.1.2.3", true },
		{ "10.1.2.3", "10.1.2.4", false },
		{ "10.1.2.3", "10.1.2.0/25", true },
		{ "10.1.2.200", "10.1.2.0/25", false },
		{ "10.1.2.3", "10.1.2.2/31", true },
		{ "10.1.2.3", "10.1.2.3/", false },
		{ "10.1.2.3", "10.1.2.3/x", false },
		{ "10.1.2.3", "10.1.2.3/8x", false },
		{ "10.1.2.3", "10.1.2.3/-8", false },
		{ "10.1.2.3", "10.1.2.3/+8", false },
		{ "10.1.2.3", "10.1.2.3/99999999999999999999", false },
		/* "/0" is the whole address in curl, not "everything". */
		{ "10.1.2.3", "0.0.0.0/0", false },
		{ "10.1.2.3", "10.0.0.0/08", true },
		/* Addresses are not names: no suffix matching, no resolution. */
		{ "10.1.2.3", "1.2.3", false },
		{ "10.1.2.3", "localhost", false },
		{ "localhost", "127.0.0.1", false },
		{ "10.1.2.3", "::ffff:10.1.2.3", false },
		/* IPv6, with and without brackets on either side. */
		{ "fe80::1", "fe80::/10", true },
		{ "febf::1", "fe80::/10", true },
		{ "fec0::1", "fe80::/10", false },
		{ "[fe80::1]", "fe80::/10", true },
		{ "fe80::1", "[fe80::]/10", true },
		{ "[fe80::1]", "[fe80::1]", true },
		{ "2001:db8::1", "2001:DB8:0:0::1", true },
		{ "2001:db8::1", "2001:db8::/32", true },
		{ "2001:db9::1", "2001:db8::/32", false },
		{ "2001:db8::1", "2001:db8::1/200", false },
		{ "2001:db8::1", "10.0.0.0/8", false },
		{ "[::1", "::1", false },
		{ "[]", "::1", false },
		{ "[not-an-address]", "not-an-address", false },
	};
	RUN(cases);
}
END_TEST

static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; fake_env && fake_env[i]; i += 2)
		if (strcmp(fake_env[i], name) == 0)
			return fake_env[i + 1];
	return NULL;
}

START_TEST(which_variable)
{
	static const char *const both[] = { "NO_PROXY", "upper", "no_proxy", "lower", NULL };
	static const char *const upper[] = { "NO_PROXY", "upper", NULL };
	static const char *const empty_lower[] = { "NO_PROXY", "upper", "no_proxy", "", NULL };
	static const char *const none[] = { "http_proxy", "p:3128", NULL };

	fake_env = both;
	ck_assert_str_eq(no_proxy_list(fake_getenv), "lower");
	fake_env = upper;
	ck_assert_str_eq(no_proxy_list(fake_getenv), "upper");
	fake_env = empty_lower; /* set, even empty, the lowercase one wins */
	ck_assert_str_eq(no_proxy_list(fake_getenv), "");
	fake_env = none;
	ck_assert_ptr_null(no_proxy_list(fake_getenv));
}
END_TEST

static Suite *no_proxy_suite(void)
{
	TCase *t;
	Suite *s = unit_suite("no_proxy", "match", 0, &t);

	tcase_add_test(t, curl_unit1614);
	tcase_add_test(t, curl_unit1614_cidr);
	tcase_add_test(t, star_and_empty);
	tcase_add_test(t, blanks_and_commas);
	tcase_add_test(t, suffixes);
	tcase_add_test(t, ports);
	tcase_add_test(t, addresses);
	tcase_add_test(t, which_variable);
	return s;
}

int main(void)
{
	return unit_run(no_proxy_suite());
}
