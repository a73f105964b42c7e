/* proto/proxy_url: proxy URLs as curl accepts them (with and without scheme, port, credentials,
 * percent escapes, IPv6), malformed ones with their reasons, the redacted form, and which
 * environment variable decides for each use, through a fake environment. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proxy_url.h"

#include "unit.h"

struct ok_case {
	const char *text;
	enum proxy_scheme dflt;
	enum proxy_scheme scheme;
	const char *host;
	bool ipv6;
	unsigned port;
	const char *user; /* NULL: no user info */
	const char *password;
	const char *domain, *ntlm_user;
};

static struct proxy_url u;

static void check_ok(const struct ok_case *c)
{
	const char *why = NULL;

	ck_assert_msg(proxy_url_parse(c->text, c->dflt, &u, &why) == 0, "\"%s\": %s", c->text, why);
	ck_assert_msg(u.scheme == c->scheme, "\"%s\": scheme %s", c->text,
		      proxy_scheme_name(u.scheme));
	ck_assert_str_eq(u.host, c->host);
	ck_assert_int_eq(u.host_ipv6, c->ipv6);
	ck_assert_uint_eq(u.port, c->port);
	ck_assert_int_eq(u.has_user, c->user != NULL);
	ck_assert_int_eq(u.has_password, c->password != NULL);
	ck_assert_str_eq(u.user, c->user ? c->user : "");
	ck_assert_str_eq(u.password, c->password ? c->password : "");
	ck_assert_str_eq(u.ntlm_domain, c->domain ? c->domain : "");
	ck_assert_str_eq(u.ntlm_user, c->ntlm_user ? c->ntlm_user : (c->user ? c->user : ""));
}

/* Without credentials; with user and password (NULL: none given), the NTLM split defaulting
 * to no domain and the whole user. */
#define OK(text, dflt, scheme, host, v6, port) \
	{ text, dflt, scheme, host, v6, port, NULL, NULL, NULL, NULL }
#define OKU(text, scheme, host, v6, port, user, pw) \
	{ text, PROXY_HTTP, scheme, host, v6, port, user, pw, NULL, NULL }
#define OKD(text, user, pw, dom, nu) \
	{ text, PROXY_HTTP, PROXY_HTTP, "proxy", false, 1080, user, pw, dom, nu }

START_TEST(parse_forms)
{
	static const struct ok_case cases[] = {
		/* No scheme: http (curl's default type), port 1080 (curl's default for all but
		 * https). */
		OK("proxy:3128", PROXY_HTTP, PROXY_HTTP, "proxy", false, 3128),
		OK("proxy", PROXY_HTTP, PROXY_HTTP, "proxy", false, 1080),
		OK("proxy/", PROXY_HTTP, PROXY_HTTP, "proxy", false, 1080),
		OK("proxy:", PROXY_HTTP, PROXY_HTTP, "proxy", false, 1080),
		OK("10.0.0.1:8080", PROXY_HTTP, PROXY_HTTP, "10.0.0.1", false, 8080),
		OK("socks-gw:1080", PROXY_SOCKS5H, PROXY_SOCKS5H, "socks-gw", false, 1080),
		OK("http://proxy", PROXY_HTTP, PROXY_HTTP, "proxy", false, 1080),
		OK("HTTP://Proxy.Example.COM:8080/", PROXY_HTTP, PROXY_HTTP, "Proxy.Example.COM", false,
		   8080),
		OK("https://proxy", PROXY_HTTP, PROXY_HTTPS, "proxy", false, 443),
		OK("https://proxy:8443", PROXY_HTTP, PROXY_HTTPS, "proxy", false, 8443),
		OK("socks5://10.0.0.1", PROXY_HTTP, PROXY_SOCKS5, "10.0.0.1", false, 1080),
		OK("SOCKS5H://gw:9050", PROXY_HTTP, PROXY_SOCKS5H, "gw", false, 9050),
		OK("socks4://gw", PROXY_HTTP, PROXY_SOCKS4, "gw", false, 1080),
		OK("socks://gw", PROXY_HTTP, PROXY_SOCKS4, "gw", false, 1080),
		OK("socks4a://gw", PROXY_HTTP, PROXY_SOCKS4A, "gw", false, 1080),
		OK("http://proxy_1.corp-net.local:1", PROXY_HTTP, PROXY_HTTP, "proxy_1.corp-net.local",
		   false, 1),
		OK("http://proxy:65535", PROXY_HTTP, PROXY_HTTP, "proxy", false, 65535),
		OK("http://proxy:00080", PROXY_HTTP, PROXY_HTTP, "proxy", false, 80),
		/* IPv6 in brackets. */
		OK("socks5h://[::1]:9050", PROXY_HTTP, PROXY_SOCKS5H, "::1", true, 9050),
		OK("http://[2001:db8::1]", PROXY_HTTP, PROXY_HTTP, "2001:db8::1", true, 1080),
		OK("http://[2001:db8::1]:", PROXY_HTTP, PROXY_HTTP, "2001:db8::1", true, 1080),
		OK("[::ffff:10.0.0.1]:3128/", PROXY_HTTP, PROXY_HTTP, "::ffff:10.0.0.1", true, 3128),
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_ok(&cases[i]);
}
END_TEST

START_TEST(parse_credentials)
{
	static const struct ok_case cases[] = {
		OKU("http://user:pass@proxy:3128", PROXY_HTTP, "proxy", false, 3128, "user", "pass"),
		OKU("user:pass@proxy", PROXY_HTTP, "proxy", false, 1080, "user", "pass"),
		OKU("user@proxy", PROXY_HTTP, "proxy", false, 1080, "user", NULL),
		OKU("http://user:@proxy", PROXY_HTTP, "proxy", false, 1080, "user", ""),
		/* The first ':' splits; the rest is the password. */
		OKU("http://a:b:c@proxy", PROXY_HTTP, "proxy", false, 1080, "a", "b:c"),
		OKU("socks5h://u%C3%A9:pw@[::1]", PROXY_SOCKS5H, "::1", true, 1080, "u\xc3\xa9", "pw"),
		OKU("http://%7Euser+x@proxy", PROXY_HTTP, "proxy", false, 1080, "~user+x", NULL),
		/* Percent escapes, upper or lower case hex; the NTLM domain split out. */
		{ "http://DOMAIN%5Cuser:p%40ss%3aw%25rd@proxy:8080", PROXY_HTTP, PROXY_HTTP, "proxy",
		  false, 8080, "DOMAIN\\user", "p@ss:w%rd", "DOMAIN", "user" },
		OKD("http://DOMAIN\\user:pw@proxy", "DOMAIN\\user", "pw", "DOMAIN", "user"),
		OKD("http://dom%2Fuser@proxy", "dom/user", NULL, "dom", "user"),
		OKD("http://%5Cuser@proxy", "\\user", NULL, "", "user"),
		OKD("http://a%5Cb%5Cc@proxy", "a\\b\\c", NULL, "a", "b\\c"),
		OKD("http://a%5Cb%2Fc@proxy", "a\\b/c", NULL, "a", "b/c"),
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_ok(&cases[i]);
	ck_assert(u.has_user && !u.has_password);
}
END_TEST

/* text must fail with a reason containing want; the struct holds nothing afterwards. */
static void check_bad(const char *text, const char *want)
{
	const char *why = NULL;

	ck_assert_msg(proxy_url_parse(text, PROXY_HTTP, &u, &why) == -1, "\"%s\" parsed", text);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, want) != NULL, "\"%s\": \"%s\", want \"%s\"", text, why, want);
	ck_assert_msg(strstr(why, "secret") == NULL, "\"%s\": reason quotes the input", text);
	ck_assert(!u.has_user && u.user[0] == '\0' && u.password[0] == '\0' && u.host[0] == '\0');
}

START_TEST(parse_malformed)
{
	check_bad("", "empty");
	check_bad("http://", "empty host");
	check_bad("http://:3128", "empty host");
	check_bad("http://user:secret@", "empty host");
	check_bad("http://user:secret@:3128", "empty host");
	check_bad("ftp://proxy", "scheme");
	check_bad("socks6://proxy", "scheme");
	check_bad("htp://user:secret@proxy", "scheme");
	check_bad("http://@proxy", "empty user");
	check_bad("http://:secret@proxy", "empty user");
	check_bad("http://user:secret@proxy:0", "port");
	check_bad("http://user:secret@proxy:65536", "port");
	check_bad("http://proxy:-1", "port");
	check_bad("http://proxy:+80", "port");
	check_bad("http://proxy:12ab", "port");
	check_bad("http://proxy:3128:3128", "IPv6");
	check_bad("http://proxy:99999999999999999999999", "port");
	check_bad("http://[::1]:0", "port");
	check_bad("http://pro xy:3128", "space");
	check_bad("http://proxy:3128\n", "control");
	check_bad("\tproxy", "control");
	check_bad("http://user:sec ret@proxy", "space");
	check_bad("http://proxy\x7f", "control");
	check_bad("http://user:secret%@proxy", "percent");
	check_bad("http://user:secret%4@proxy", "percent");
	check_bad("http://user:secret%zz@proxy", "percent");
	check_bad("http://us%g0er:secret@proxy", "percent");
	check_bad("http://user:secret%00@proxy", "NUL");
	check_bad("http://::1:3128", "IPv6 address without brackets");
	check_bad("fe80::1", "IPv6 address without brackets");
	check_bad("http://[::1", "unterminated");
	check_bad("http://[::1]x", "junk");
	check_bad("http://[::1]]", "junk");
	check_bad("http://[fe80::1%25eth0]:3128", "zone");
	check_bad("http://[]", "IPv6");
	check_bad("http://[1.2.3.4]", "IPv6");
	check_bad("http://[::g]", "IPv6");
	check_bad("http://proxy/path", "path");
	check_bad("http://proxy:3128/x", "path");
	check_bad("http://proxy//", "path");
	check_bad("http://proxy?x", "query");
	check_bad("http://proxy#f", "fragment");
	check_bad("http://user:sec/ret@proxy", "path");
	check_bad("http://user:p@secret@proxy", "character"); /* first '@' ends the user info */
	check_bad("http://pr!xy", "character");
	check_bad("http://pr%78xy", "character");
	check_bad("http://proxy.\xe4\xbe\x8b", "character");
	check_bad("http://DOMAIN\\user:secret@proxy\\x", "character");
}
END_TEST

START_TEST(parse_caps)
{
	static char text[CAP_PROXY_URL + 64], part[CAP_PROXY_URL];
	const char *why;

	/* A host of CAP_HOST_NAME bytes, then one more. */
	memset(part, 'h', CAP_HOST_NAME);
	part[CAP_HOST_NAME] = '\0';
	snprintf(text, sizeof text, "http://%s:1", part);
	ck_assert_int_eq(proxy_url_parse(text, PROXY_HTTP, &u, &why), 0);
	ck_assert_uint_eq(strlen(u.host), CAP_HOST_NAME);
	snprintf(text, sizeof text, "http://%sh:1", part);
	check_bad(text, "host name too long");

	/* A user of CAP_PROXY_CRED bytes written as escapes (3 bytes each), then one more. */
	for (size_t i = 0; i < CAP_PROXY_CRED; i++)
		memcpy(part + 3 * i, "%41", 3);
	part[3 * CAP_PROXY_CRED] = '\0';
	snprintf(text, sizeof text, "http://%s:pw@proxy", part);
	ck_assert_int_eq(proxy_url_parse(text, PROXY_HTTP, &u, &why), 0);
	ck_assert_uint_eq(strlen(u.user), CAP_PROXY_CRED);
	snprintf(text, sizeof text, "http://%sA:pw@proxy", part);
	check_bad(text, "too long");
	snprintf(text, sizeof text, "http://user:%sA@proxy", part);
	check_bad(text, "too long");

	/* The whole text: CAP_PROXY_URL bytes parse, one more does not. The password is the
	 * CAP_PROXY_CRED escapes above; the user fills the rest. */
	{
		size_t ulen = CAP_PROXY_URL - 7 - 1 - 3 * CAP_PROXY_CRED - 7;
		char *user = malloc(ulen + 2);

		ck_assert_ptr_nonnull(user);
		memset(user, 'a', ulen + 1);
		user[ulen] = '\0';
		snprintf(text, sizeof text, "http://%s:%s@proxy/", user, part);
		ck_assert_uint_eq(strlen(text), CAP_PROXY_URL);
		ck_assert_int_eq(proxy_url_parse(text, PROXY_HTTP, &u, &why), 0);
		ck_assert_uint_eq(strlen(u.user), ulen);
		ck_assert_uint_eq(strlen(u.password), CAP_PROXY_CRED);
		user[ulen] = 'a';
		user[ulen + 1] = '\0';
		snprintf(text, sizeof text, "http://%s:%s@proxy/", user, part);
		check_bad(text, "proxy URL too long");
		free(user);
	}
}
END_TEST

START_TEST(scheme_predicates)
{
	ck_assert(proxy_scheme_supported(PROXY_HTTP));
	ck_assert(proxy_scheme_supported(PROXY_SOCKS5));
	ck_assert(proxy_scheme_supported(PROXY_SOCKS5H));
	ck_assert(!proxy_scheme_supported(PROXY_HTTPS));
	ck_assert(!proxy_scheme_supported(PROXY_SOCKS4));
	ck_assert(!proxy_scheme_supported(PROXY_SOCKS4A));
	ck_assert(!proxy_scheme_is_socks(PROXY_HTTP) && !proxy_scheme_is_socks(PROXY_HTTPS));
	ck_assert(proxy_scheme_is_socks(PROXY_SOCKS4) && proxy_scheme_is_socks(PROXY_SOCKS5H));
	ck_assert_str_eq(proxy_scheme_name(PROXY_SOCKS4A), "socks4a");
	ck_assert_str_eq(proxy_scheme_name(PROXY_HTTPS), "https");
}
END_TEST

START_TEST(redacted)
{
	char buf[128];
	const char *why;

	ck_assert_int_eq(proxy_url_parse("http://user:secret@proxy:3128", PROXY_HTTP, &u, &why), 0);
	ck_assert_int_eq(proxy_url_redacted(&u, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "http://***@proxy:3128");
	ck_assert_int_eq(proxy_url_redacted(&u, buf, 10), -1);
	ck_assert(strstr(buf, "secret") == NULL && strstr(buf, "user") == NULL);

	ck_assert_int_eq(proxy_url_parse("DOM%5Cjoe@proxy", PROXY_HTTP, &u, &why), 0);
	ck_assert_int_eq(proxy_url_redacted(&u, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "http://***@proxy:1080");

	ck_assert_int_eq(proxy_url_parse("socks5h://[::1]:9050", PROXY_HTTP, &u, &why), 0);
	ck_assert_int_eq(proxy_url_redacted(&u, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "socks5h://[::1]:9050");

	ck_assert_int_eq(proxy_url_parse("proxy", PROXY_HTTP, &u, &why), 0);
	ck_assert_int_eq(proxy_url_redacted(&u, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "http://proxy:1080");

	proxy_url_wipe(&u);
	ck_assert(u.host[0] == '\0' && u.port == 0);
}
END_TEST

/* A fake environment: name, value pairs, NULL-terminated. */
static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; fake_env[i]; i += 2)
		if (strcmp(fake_env[i], name) == 0)
			return fake_env[i + 1];
	return NULL;
}

/* Selects for use in env; checks the result, the deciding variable and, when found, the host. */
static void sel(const char *const *env, enum proxy_use use, enum proxy_sel want,
		const char *want_var, const char *want_host)
{
	const char *var = "unset", *why = "unset";
	enum proxy_sel got;

	fake_env = env;
	got = proxy_select(use, fake_getenv, &u, &var, &why);
	ck_assert_msg(got == want, "use %d: %d, want %d (%s: %s)", (int)use, (int)got, (int)want,
		      var ? var : "-", why ? why : "-");
	if (want_var)
		ck_assert_str_eq(var, want_var);
	else
		ck_assert_ptr_null(var);
	if (got == PROXY_SEL_FOUND) {
		ck_assert_str_eq(u.host, want_host);
		ck_assert_ptr_null(why);
	} else {
		ck_assert(u.host[0] == '\0' && u.password[0] == '\0');
	}
	if (got == PROXY_SEL_BAD)
		ck_assert(why && strstr(why, "secret") == NULL);
}

START_TEST(select_empty_env)
{
	static const char *const env[] = { "PATH", "/bin", NULL };

	sel(env, PROXY_USE_CONNECT, PROXY_SEL_NONE, NULL, NULL);
	sel(env, PROXY_USE_HTTP, PROXY_SEL_NONE, NULL, NULL);
	sel(env, PROXY_USE_SOCKS, PROXY_SEL_NONE, NULL, NULL);
}
END_TEST

START_TEST(select_http_order)
{
	static const char *const all[] = { "SSTPSHIM_HTTP_PROXY", "ours:1", "https_proxy", "hs:2",
					   "HTTPS_PROXY", "HS:2", "http_proxy", "h:3",
					   "all_proxy", "all:4", NULL };
	static const char *const curl[] = { "https_proxy", "hs:2", "HTTPS_PROXY", "HS:2",
					    "http_proxy", "h:3", NULL };
	static const char *const upper[] = { "HTTPS_PROXY", "HS:2", "http_proxy", "h:3", NULL };
	static const char *const only_https[] = { "HTTPS_PROXY", "HS:2", NULL };
	static const char *const only_http[] = { "http_proxy", "h:3", NULL };
	static const char *const only_all[] = { "ALL_PROXY", "ALL:4", NULL };

	sel(all, PROXY_USE_CONNECT, PROXY_SEL_FOUND, "SSTPSHIM_HTTP_PROXY", "ours");
	sel(all, PROXY_USE_HTTP, PROXY_SEL_FOUND, "SSTPSHIM_HTTP_PROXY", "ours");
	ck_assert_uint_eq(u.port, 1);
	/* CONNECT carries TLS-like traffic: https_proxy first; the encapsulations are plain HTTP:
	 * http_proxy first. */
	sel(curl, PROXY_USE_CONNECT, PROXY_SEL_FOUND, "https_proxy", "hs");
	sel(curl, PROXY_USE_HTTP, PROXY_SEL_FOUND, "http_proxy", "h");
	sel(upper, PROXY_USE_CONNECT, PROXY_SEL_FOUND, "HTTPS_PROXY", "HS");
	sel(only_https, PROXY_USE_HTTP, PROXY_SEL_FOUND, "HTTPS_PROXY", "HS");
	sel(only_http, PROXY_USE_CONNECT, PROXY_SEL_FOUND, "http_proxy", "h");
	sel(only_all, PROXY_USE_CONNECT, PROXY_SEL_FOUND, "ALL_PROXY", "ALL");
	sel(only_all, PROXY_USE_HTTP, PROXY_SEL_FOUND, "ALL_PROXY", "ALL");
	sel(only_all, PROXY_USE_SOCKS, PROXY_SEL_NONE, NULL, NULL);
}
END_TEST

START_TEST(select_ignores_uppercase_http_proxy)
{
	/* httpoxy: a CGI program's HTTP_PROXY comes from the request's "Proxy:" header. */
	static const char *const env[] = { "HTTP_PROXY", "evil:1", NULL };
	static const char *const both[] = { "HTTP_PROXY", "evil:1", "http_proxy", "good:2", NULL };

	sel(env, PROXY_USE_CONNECT, PROXY_SEL_NONE, NULL, NULL);
	sel(env, PROXY_USE_HTTP, PROXY_SEL_NONE, NULL, NULL);
	sel(both, PROXY_USE_HTTP, PROXY_SEL_FOUND, "http_proxy", "good");
}
END_TEST

START_TEST(select_empty_turns_off)
{
	static const char *const env[] = { "https_proxy", "", "http_proxy", "h:3", NULL };
	static const char *const ours[] = { "SSTPSHIM_SOCKS_PROXY", "", "all_proxy", "socks5://s",
					    NULL };
	static const char *const general[] = { "all_proxy", "", "ALL_PROXY", "socks5://S", NULL };
	const char *var, *why;

	sel(env, PROXY_USE_CONNECT, PROXY_SEL_NONE, "https_proxy", NULL);
	fake_env = env;
	ck_assert_int_eq(proxy_select(PROXY_USE_CONNECT, fake_getenv, &u, &var, &why),
			 PROXY_SEL_NONE);
	ck_assert_ptr_nonnull(why);
	sel(env, PROXY_USE_HTTP, PROXY_SEL_FOUND, "http_proxy", "h");
	sel(ours, PROXY_USE_SOCKS, PROXY_SEL_NONE, "SSTPSHIM_SOCKS_PROXY", NULL);
	/* An empty all_proxy is set, so ALL_PROXY is not read (curl: lowercase first). */
	sel(general, PROXY_USE_SOCKS, PROXY_SEL_NONE, NULL, NULL);
}
END_TEST

START_TEST(select_socks)
{
	static const char *const ours[] = { "SSTPSHIM_SOCKS_PROXY", "gw:9050", "all_proxy",
					    "socks5://other", NULL };
	static const char *const ours_socks5[] = { "SSTPSHIM_SOCKS_PROXY", "socks5://gw", NULL };
	static const char *const all[] = { "all_proxy", "socks5h://s:1081", "ALL_PROXY",
					   "socks5://S", "socks_proxy", "socks5://x", NULL };
	static const char *const upper[] = { "ALL_PROXY", "socks5://S", "socks_proxy",
					     "socks5://x", NULL };
	static const char *const http_all[] = { "all_proxy", "http://p:3128", "ALL_PROXY",
						"socks5://S", NULL };
	static const char *const socks_proxy[] = { "all_proxy", "http://p:3128", "socks_proxy",
						   "socks5://x:1", NULL };

	sel(ours, PROXY_USE_SOCKS, PROXY_SEL_FOUND, "SSTPSHIM_SOCKS_PROXY", "gw");
	ck_assert_int_eq(u.scheme, PROXY_SOCKS5H); /* no scheme: the proxy resolves (3.9.5.1.2) */
	ck_assert_uint_eq(u.port, 9050);
	sel(ours_socks5, PROXY_USE_SOCKS, PROXY_SEL_FOUND, "SSTPSHIM_SOCKS_PROXY", "gw");
	ck_assert_int_eq(u.scheme, PROXY_SOCKS5);
	ck_assert_uint_eq(u.port, 1080);
	sel(all, PROXY_USE_SOCKS, PROXY_SEL_FOUND, "all_proxy", "s");
	ck_assert_int_eq(u.scheme, PROXY_SOCKS5H);
	/* A SOCKS all_proxy is not an HTTP proxy: the HTTP uses have none. */
	sel(all, PROXY_USE_CONNECT, PROXY_SEL_NONE, NULL, NULL);
	sel(all, PROXY_USE_HTTP, PROXY_SEL_NONE, NULL, NULL);
	sel(upper, PROXY_USE_SOCKS, PROXY_SEL_FOUND, "ALL_PROXY", "S");
	/* all_proxy is set (to an HTTP proxy), so ALL_PROXY is not read. */
	sel(http_all, PROXY_USE_SOCKS, PROXY_SEL_NONE, NULL, NULL);
	sel(http_all, PROXY_USE_CONNECT, PROXY_SEL_FOUND, "all_proxy", "p");
	sel(socks_proxy, PROXY_USE_SOCKS, PROXY_SEL_FOUND, "socks_proxy", "x");
}
END_TEST

START_TEST(select_bad)
{
	static const char *const tls[] = { "https_proxy", "https://p", NULL };
	static const char *const socks_for_http[] = { "https_proxy", "socks5h://p", NULL };
	static const char *const ours_socks_http[] = { "SSTPSHIM_HTTP_PROXY", "socks5://p", NULL };
	static const char *const ours_http_socks[] = { "SSTPSHIM_SOCKS_PROXY", "http://p", NULL };
	static const char *const malformed[] = { "https_proxy", "http://u:secret@p:x",
						 "http_proxy", "fine:1", NULL };
	static const char *const all_garbage[] = { "all_proxy", "a b", NULL };
	static const char *const socks4[] = { "all_proxy", "socks4://p", NULL };
	static const char *const gnome[] = { "socks_proxy", "socks://p:1080/", NULL };
	static const char *const tls_all[] = { "all_proxy", "https://p", NULL };

	sel(tls, PROXY_USE_CONNECT, PROXY_SEL_BAD, "https_proxy", NULL);
	sel(socks_for_http, PROXY_USE_CONNECT, PROXY_SEL_BAD, "https_proxy", NULL);
	sel(ours_socks_http, PROXY_USE_HTTP, PROXY_SEL_BAD, "SSTPSHIM_HTTP_PROXY", NULL);
	sel(ours_http_socks, PROXY_USE_SOCKS, PROXY_SEL_BAD, "SSTPSHIM_SOCKS_PROXY", NULL);
	/* The deciding variable is malformed: no fallback to the next one. */
	sel(malformed, PROXY_USE_CONNECT, PROXY_SEL_BAD, "https_proxy", NULL);
	sel(malformed, PROXY_USE_HTTP, PROXY_SEL_FOUND, "http_proxy", "fine");
	sel(all_garbage, PROXY_USE_CONNECT, PROXY_SEL_BAD, "all_proxy", NULL);
	sel(all_garbage, PROXY_USE_SOCKS, PROXY_SEL_BAD, "all_proxy", NULL);
	/* SOCKS4 (socks:// is SOCKS4 to curl) is recognised and reported. */
	sel(socks4, PROXY_USE_SOCKS, PROXY_SEL_BAD, "all_proxy", NULL);
	sel(socks4, PROXY_USE_CONNECT, PROXY_SEL_NONE, NULL, NULL);
	sel(gnome, PROXY_USE_SOCKS, PROXY_SEL_BAD, "socks_proxy", NULL);
	sel(tls_all, PROXY_USE_HTTP, PROXY_SEL_BAD, "all_proxy", NULL);
	sel(tls_all, PROXY_USE_SOCKS, PROXY_SEL_NONE, NULL, NULL);
}
END_TEST

START_TEST(real_environment)
{
	ck_assert_int_eq(setenv("SSTPSHIM_TEST_PROXY_URL", "v", 1), 0);
	ck_assert_str_eq(proxy_getenv("SSTPSHIM_TEST_PROXY_URL"), "v");
	unsetenv("SSTPSHIM_TEST_PROXY_URL");
	ck_assert_ptr_null(proxy_getenv("SSTPSHIM_TEST_PROXY_URL"));
}
END_TEST

static Suite *proxy_url_suite(void)
{
	Suite *s = suite_create("proxy_url");
	TCase *t = tcase_create("parse");

	tcase_add_test(t, parse_forms);
	tcase_add_test(t, parse_credentials);
	tcase_add_test(t, parse_malformed);
	tcase_add_test(t, parse_caps);
	tcase_add_test(t, scheme_predicates);
	tcase_add_test(t, redacted);
	suite_add_tcase(s, t);

	t = tcase_create("select");
	tcase_add_test(t, select_empty_env);
	tcase_add_test(t, select_http_order);
	tcase_add_test(t, select_ignores_uppercase_http_proxy);
	tcase_add_test(t, select_empty_turns_off);
	tcase_add_test(t, select_socks);
	tcase_add_test(t, select_bad);
	tcase_add_test(t, real_environment);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(proxy_url_suite());
}
