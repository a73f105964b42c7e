/* Unit tests of common/config.c: the SSTPSHIM_* settings as a user writes them, and what happens
 * to a value the shim cannot use (the default stays, one warning names the variable). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"

#include "unit.h"

/* ---- config_parse_seconds ---- */

struct seconds_case {
	const char *text;
	unsigned max_ms;
	int rc;
	unsigned ms;
};

static const struct seconds_case seconds_cases[] = {
	{ "2", 3600000, 0, 2000 },
	{ "0.5", 3600000, 0, 500 },
	{ "0.25", 3600000, 0, 250 },
	{ "0.001", 3600000, 0, 1 },
	{ "1.5", 3600000, 0, 1500 },
	{ "10.05", 3600000, 0, 10050 },
	{ "007", 3600000, 0, 7000 },
	{ "3600", 3600000, 0, 3600000 },
	{ "3600.000", 3600000, 0, 3600000 },
	{ "3600.001", 3600000, -1, 0 },
	{ "3601", 3600000, -1, 0 },
	{ "1.4", 1500, 0, 1400 },
	{ "1.6", 1500, -1, 0 },
	{ "2", 1500, -1, 0 },
	{ "0", 3600000, -1, 0 },     /* a zero timeout would fail every connection */
	{ "0.0", 3600000, -1, 0 },
	{ "0.000", 3600000, -1, 0 },
	{ "0.0001", 3600000, -1, 0 }, /* more than three decimals */
	{ "1.2345", 3600000, -1, 0 },
	{ "", 3600000, -1, 0 },
	{ ".5", 3600000, -1, 0 },
	{ "1.", 3600000, -1, 0 },
	{ ".", 3600000, -1, 0 },
	{ "1.2.3", 3600000, -1, 0 },
	{ "-1", 3600000, -1, 0 },
	{ "+1", 3600000, -1, 0 },
	{ " 1", 3600000, -1, 0 },
	{ "1 ", 3600000, -1, 0 },
	{ "1s", 3600000, -1, 0 },
	{ "1e3", 3600000, -1, 0 },
	{ "0x10", 3600000, -1, 0 },
	{ "1.-5", 3600000, -1, 0 },
	{ "18446744073709551617", 3600000, -1, 0 }, /* wraps to 1 if unchecked */
	{ "4294967.297", UINT32_MAX, -1, 0 },       /* 2^32 + 1 ms */
};

START_TEST(seconds_table)
{
	const struct seconds_case *c = &seconds_cases[_i];
	unsigned ms = 4242;

	ck_assert_msg(config_parse_seconds(c->text, c->max_ms, &ms) == c->rc,
		      "\"%s\" (max %u ms): expected %s", c->text, c->max_ms,
		      c->rc == 0 ? "success" : "failure");
	ck_assert_uint_eq(ms, c->rc == 0 ? c->ms : 4242); /* a failure leaves the output alone */
}
END_TEST

/* ---- config_parse_ports ---- */

/* How many ports the bitmap holds. */
static unsigned ports_count(const uint8_t bitmap[65536 / 8])
{
	unsigned n = 0;

	for (unsigned i = 0; i < 65536 / 8; i++)
		n += (unsigned)__builtin_popcount(bitmap[i]);
	return n;
}

static int port_set(const uint8_t bitmap[65536 / 8], unsigned port)
{
	return (bitmap[port / 8] >> (port % 8)) & 1;
}

START_TEST(ports_valid)
{
	static uint8_t bitmap[65536 / 8];

	ck_assert_int_eq(config_parse_ports("2492", bitmap), 0);
	ck_assert_uint_eq(ports_count(bitmap), 1);
	ck_assert(port_set(bitmap, 2492));

	ck_assert_int_eq(config_parse_ports("1,443,8443,65535", bitmap), 0);
	ck_assert_uint_eq(ports_count(bitmap), 4);
	ck_assert(port_set(bitmap, 1) && port_set(bitmap, 443));
	ck_assert(port_set(bitmap, 8443) && port_set(bitmap, 65535));
	ck_assert(!port_set(bitmap, 2492)); /* the previous list is gone, not merged */

	ck_assert_int_eq(config_parse_ports("80,80", bitmap), 0);
	ck_assert_uint_eq(ports_count(bitmap), 1);
	ck_assert(port_set(bitmap, 80));
}
END_TEST

static const char *const bad_ports[] = {
	"", "0", "65536", "99999999999999999999", "80,", ",80", "80,,443", ",", "http", "80 ",
	" 80", "80, 443", "-1", "+80", "80;443", "0x50", "1.5",
};

START_TEST(ports_invalid)
{
	static uint8_t bitmap[65536 / 8];

	ck_assert_msg(config_parse_ports(bad_ports[_i], bitmap) == -1, "\"%s\" was accepted",
		      bad_ports[_i]);
}
END_TEST

/* ---- config_parse_transports ---- */

START_TEST(transports_default_list)
{
	char names[CAP_CHAIN_LEN][16];
	unsigned count = 0;
	static const char *const want[] = { "direct",	 "direct443", "connect", "socks5",
					    "longlived", "keepalive", "polling" };

	ck_assert_int_eq(config_parse_transports(CONFIG_DEFAULT_TRANSPORTS, names, &count), 0);
	ck_assert_uint_eq(count, 7);
	for (unsigned i = 0; i < 7; i++)
		ck_assert_str_eq(names[i], want[i]);
}
END_TEST

START_TEST(transports_limits)
{
	char names[CAP_CHAIN_LEN][16];
	char list[CAP_CHAIN_LEN * 3 + 8] = "";
	unsigned count = 99;

	/* A name of 15 characters fits, 16 does not. */
	ck_assert_int_eq(config_parse_transports("abcdefghijklmno", names, &count), 0);
	ck_assert_uint_eq(count, 1);
	ck_assert_str_eq(names[0], "abcdefghijklmno");
	count = 99;
	ck_assert_int_eq(config_parse_transports("direct,abcdefghijklmnop", names, &count), -1);
	ck_assert_uint_eq(count, 99);

	/* CAP_CHAIN_LEN names fit, one more does not. */
	for (unsigned i = 0; i < CAP_CHAIN_LEN; i++)
		strcat(list, i ? ",t" : "t");
	ck_assert_int_eq(config_parse_transports(list, names, &count), 0);
	ck_assert_uint_eq(count, CAP_CHAIN_LEN);
	strcat(list, ",t");
	count = 99;
	ck_assert_int_eq(config_parse_transports(list, names, &count), -1);
	ck_assert_uint_eq(count, 99);
}
END_TEST

static const char *const bad_transports[] = { "", ",", "direct,", ",direct", "direct,,socks5" };

START_TEST(transports_invalid)
{
	char names[CAP_CHAIN_LEN][16];
	unsigned count = 99;

	ck_assert_msg(config_parse_transports(bad_transports[_i], names, &count) == -1,
		      "\"%s\" was accepted", bad_transports[_i]);
	ck_assert_uint_eq(count, 99);
}
END_TEST

/* ---- config_load ---- */

static const char *const config_vars[] = {
	"SSTPSHIM_PORTS",	    "SSTPSHIM_TRANSPORTS", "SSTPSHIM_ALT_PORT", "SSTPSHIM_CONNECT_TIMEOUT",
	"SSTPSHIM_TRANSPORT_TIMEOUT", "SSTPSHIM_LOG",	     "SSTPSHIM_LOG_FILE",
	"SSTPSHIM_HTTP_PORT",	    "SSTPSHIM_RELAY",	     "SSTPSHIM_LONGLIVED_LIMIT",
};
#define N_VARS (sizeof config_vars / sizeof config_vars[0])

/* What config_load reported through its warn callback. */
static struct {
	unsigned count;
	const char *var[16];
} warnings;

static void record_warning(const char *var, const char *why)
{
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(why[0] != '\0', "warning for %s without a reason", var);
	if (warnings.count < 16)
		warnings.var[warnings.count] = var;
	warnings.count++;
}

static unsigned warnings_for(const char *var)
{
	unsigned n = 0;

	for (unsigned i = 0; i < warnings.count && i < 16; i++)
		n += strcmp(warnings.var[i], var) == 0;
	return n;
}

static void env_clear(void)
{
	for (unsigned i = 0; i < N_VARS; i++)
		unsetenv(config_vars[i]);
	memset(&warnings, 0, sizeof warnings);
}

static void assert_defaults_except(const struct config *cfg, const char *changed)
{
	if (strcmp(changed, "SSTPSHIM_PORTS") != 0) {
		ck_assert(config_port_intercepted(cfg, CONFIG_DEFAULT_PORT));
		ck_assert_uint_eq(ports_count(cfg->ports), 1);
	}
	if (strcmp(changed, "SSTPSHIM_TRANSPORTS") != 0) {
		ck_assert_uint_eq(cfg->n_transports, 7);
		ck_assert_str_eq(cfg->transports[0], "direct");
		ck_assert_str_eq(cfg->transports[6], "polling");
	}
	if (strcmp(changed, "SSTPSHIM_ALT_PORT") != 0)
		ck_assert_uint_eq(cfg->alt_port, CONFIG_DEFAULT_ALT_PORT);
	if (strcmp(changed, "SSTPSHIM_CONNECT_TIMEOUT") != 0)
		ck_assert_uint_eq(cfg->connect_timeout_ms, CONFIG_DEFAULT_CONNECT_TIMEOUT_MS);
	if (strcmp(changed, "SSTPSHIM_TRANSPORT_TIMEOUT") != 0)
		ck_assert_uint_eq(cfg->transport_timeout_ms, 0);
	if (strcmp(changed, "SSTPSHIM_HTTP_PORT") != 0)
		ck_assert_uint_eq(cfg->http_port, CONFIG_DEFAULT_HTTP_PORT);
	if (strcmp(changed, "SSTPSHIM_RELAY") != 0)
		ck_assert_str_eq(cfg->relay_host, "");
	if (strcmp(changed, "SSTPSHIM_LONGLIVED_LIMIT") != 0)
		ck_assert_uint_eq(cfg->longlived_limit, CONFIG_DEFAULT_LONGLIVED_LIMIT);
	if (strcmp(changed, "SSTPSHIM_LOG") != 0 && strcmp(changed, "SSTPSHIM_LOG_FILE") != 0) {
		ck_assert_int_eq(cfg->log_level, LOG_OFF);
		ck_assert_ptr_null(cfg->log_file);
	}
}

/* Sets var to value and loads, with the warnings recorded; every setting but var's must keep its
 * default (the caller checks var's). */
static void load_set(struct config *cfg, const char *var, const char *value)
{
	setenv(var, value, 1);
	config_load(cfg, record_warning);
	assert_defaults_except(cfg, var);
}

START_TEST(load_defaults)
{
	struct config cfg;

	config_load(&cfg, record_warning);
	assert_defaults_except(&cfg, "");
	ck_assert(config_port_intercepted(&cfg, 2492));
	ck_assert(!config_port_intercepted(&cfg, 443));
	ck_assert_uint_eq(cfg.connect_timeout_ms, 30000);
	ck_assert_uint_eq(cfg.alt_port, 443);
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

START_TEST(load_ports)
{
	struct config cfg;

	load_set(&cfg, "SSTPSHIM_PORTS", "443,8443");
	ck_assert(config_port_intercepted(&cfg, 443));
	ck_assert(config_port_intercepted(&cfg, 8443));
	ck_assert(!config_port_intercepted(&cfg, 2492)); /* the list replaces the default */
	ck_assert_uint_eq(ports_count(cfg.ports), 2);
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

START_TEST(load_transports)
{
	struct config cfg;

	load_set(&cfg, "SSTPSHIM_TRANSPORTS", "direct443,direct");
	ck_assert_uint_eq(cfg.n_transports, 2);
	ck_assert_str_eq(cfg.transports[0], "direct443");
	ck_assert_str_eq(cfg.transports[1], "direct");
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

START_TEST(load_alt_port)
{
	struct config cfg;

	load_set(&cfg, "SSTPSHIM_ALT_PORT", "8443");
	ck_assert_uint_eq(cfg.alt_port, 8443);
	load_set(&cfg, "SSTPSHIM_ALT_PORT", "65535");
	ck_assert_uint_eq(cfg.alt_port, 65535);
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

START_TEST(load_timeouts)
{
	struct config cfg;

	load_set(&cfg, "SSTPSHIM_CONNECT_TIMEOUT", "0.5");
	ck_assert_uint_eq(cfg.connect_timeout_ms, 500);
	env_clear();
	load_set(&cfg, "SSTPSHIM_TRANSPORT_TIMEOUT", "2");
	ck_assert_uint_eq(cfg.transport_timeout_ms, 2000);
	setenv("SSTPSHIM_CONNECT_TIMEOUT", "3600", 1);
	config_load(&cfg, record_warning);
	ck_assert_uint_eq(cfg.connect_timeout_ms, 3600000);
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

START_TEST(load_log)
{
	static const struct {
		const char *text;
		enum log_level level;
	} levels[] = { { "off", LOG_OFF },   { "error", LOG_ERROR }, { "warn", LOG_WARN },
		       { "info", LOG_INFO }, { "debug", LOG_DEBUG } };
	struct config cfg;

	for (unsigned i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		load_set(&cfg, "SSTPSHIM_LOG", levels[i].text);
		ck_assert_int_eq(cfg.log_level, levels[i].level);
		ck_assert_ptr_null(cfg.log_file); /* stderr */
	}
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

START_TEST(load_log_file)
{
	struct config cfg;

	/* The file alone implies info. */
	load_set(&cfg, "SSTPSHIM_LOG_FILE", "/tmp/sstpshim-unit.log");
	ck_assert_str_eq(cfg.log_file, "/tmp/sstpshim-unit.log");
	ck_assert_int_eq(cfg.log_level, LOG_INFO);

	/* An explicit level wins, including off. */
	setenv("SSTPSHIM_LOG", "debug", 1);
	config_load(&cfg, record_warning);
	ck_assert_int_eq(cfg.log_level, LOG_DEBUG);
	setenv("SSTPSHIM_LOG", "off", 1);
	config_load(&cfg, record_warning);
	ck_assert_int_eq(cfg.log_level, LOG_OFF);

	/* An empty file name is no file: stderr, and no level implied. */
	unsetenv("SSTPSHIM_LOG");
	setenv("SSTPSHIM_LOG_FILE", "", 1);
	config_load(&cfg, record_warning);
	ck_assert_ptr_null(cfg.log_file);
	ck_assert_int_eq(cfg.log_level, LOG_OFF);
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

/* A value the shim cannot use: the setting keeps its default, one warning names the variable. */
static const struct {
	const char *var;
	const char *value;
} malformed[] = {
	{ "SSTPSHIM_PORTS", "" },
	{ "SSTPSHIM_PORTS", "0" },
	{ "SSTPSHIM_PORTS", "65536" },
	{ "SSTPSHIM_PORTS", "443,,8443" },
	{ "SSTPSHIM_PORTS", "443,https" },
	{ "SSTPSHIM_PORTS", "443 8443" },
	{ "SSTPSHIM_TRANSPORTS", "" },
	{ "SSTPSHIM_TRANSPORTS", "direct," },
	{ "SSTPSHIM_TRANSPORTS", "direct,a-name-too-long-to-fit" },
	{ "SSTPSHIM_TRANSPORTS", "t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t" },
	{ "SSTPSHIM_ALT_PORT", "" },
	{ "SSTPSHIM_ALT_PORT", "0" },
	{ "SSTPSHIM_ALT_PORT", "65536" },
	{ "SSTPSHIM_ALT_PORT", "https" },
	{ "SSTPSHIM_ALT_PORT", "-443" },
	{ "SSTPSHIM_ALT_PORT", "443 " },
	{ "SSTPSHIM_CONNECT_TIMEOUT", "" },
	{ "SSTPSHIM_CONNECT_TIMEOUT", "0" },
	{ "SSTPSHIM_CONNECT_TIMEOUT", "-5" },
	{ "SSTPSHIM_CONNECT_TIMEOUT", "5s" },
	{ "SSTPSHIM_CONNECT_TIMEOUT", "3601" },
	{ "SSTPSHIM_CONNECT_TIMEOUT", "0.0001" },
	{ "SSTPSHIM_TRANSPORT_TIMEOUT", "abc" },
	{ "SSTPSHIM_TRANSPORT_TIMEOUT", "0" },
	{ "SSTPSHIM_TRANSPORT_TIMEOUT", "99999999999999999999" },
	{ "SSTPSHIM_LOG", "" },
	{ "SSTPSHIM_LOG", "verbose" },
	{ "SSTPSHIM_LOG", "info " },
	{ "SSTPSHIM_LOG", "3" },
	{ "SSTPSHIM_HTTP_PORT", "0" },
	{ "SSTPSHIM_HTTP_PORT", "http" },
	{ "SSTPSHIM_RELAY", "relay" },      /* the port is required */
	{ "SSTPSHIM_RELAY", "relay:0" },
	{ "SSTPSHIM_LONGLIVED_LIMIT", "2147479553" },
	{ "SSTPSHIM_LONGLIVED_LIMIT", "10" },
};

START_TEST(load_http_settings)
{
	struct config cfg;

	load_set(&cfg, "SSTPSHIM_HTTP_PORT", "8080");
	ck_assert_uint_eq(cfg.http_port, 8080);
	unsetenv("SSTPSHIM_HTTP_PORT");
	load_set(&cfg, "SSTPSHIM_RELAY", "relay.example.net:8000");
	ck_assert_str_eq(cfg.relay_host, "relay.example.net");
	ck_assert_uint_eq(cfg.relay_port, 8000);
	load_set(&cfg, "SSTPSHIM_RELAY", "[::1]:80");
	ck_assert_str_eq(cfg.relay_host, "::1");
	ck_assert_uint_eq(cfg.relay_port, 80);
	unsetenv("SSTPSHIM_RELAY");
	load_set(&cfg, "SSTPSHIM_LONGLIVED_LIMIT", "100000");
	ck_assert_uint_eq(cfg.longlived_limit, 100000);
	ck_assert_uint_eq(warnings.count, 0);
}
END_TEST

struct hostport_case {
	const char *text;
	uint16_t def;
	bool zero;
	int rc;
	const char *host;
	uint16_t port;
};

static const struct hostport_case hostport_cases[] = {
	{ "127.0.0.1:80", 0, false, 0, "127.0.0.1", 80 },
	{ "relay:65535", 0, false, 0, "relay", 65535 },
	{ "[::1]:8080", 0, false, 0, "::1", 8080 },
	{ "127.0.0.1:0", 0, true, 0, "127.0.0.1", 0 },
	{ "127.0.0.1", 80, false, 0, "127.0.0.1", 80 },
	{ "[::]", 80, false, 0, "::", 80 },
	{ "127.0.0.1:0", 0, false, -1, NULL, 0 },
	{ "127.0.0.1", 0, false, -1, NULL, 0 },
	{ "::1:80", 0, false, -1, NULL, 0 },   /* needs brackets */
	{ "[::1", 0, false, -1, NULL, 0 },
	{ "[::1]x", 0, false, -1, NULL, 0 },
	{ ":80", 0, false, -1, NULL, 0 },
	{ "[]:80", 0, false, -1, NULL, 0 },
	{ "h:", 0, false, -1, NULL, 0 },
	{ "h:65536", 0, false, -1, NULL, 0 },
	{ "h:-1", 0, false, -1, NULL, 0 },
	{ "h:8o", 0, false, -1, NULL, 0 },
	{ "a b:80", 0, false, -1, NULL, 0 },
	{ "", 80, false, -1, NULL, 0 },
};

START_TEST(hostport_table)
{
	const struct hostport_case *c = &hostport_cases[_i];
	char host[CAP_HOST_NAME + 1];
	uint16_t port = 4242;

	ck_assert_msg(config_parse_hostport(c->text, c->def, c->zero, host, &port) == c->rc, "%s",
		      c->text);
	if (c->rc == 0) {
		ck_assert_str_eq(host, c->host);
		ck_assert_uint_eq(port, c->port);
	}
}
END_TEST

START_TEST(load_malformed_keeps_default)
{
	struct config cfg;

	setenv(malformed[_i].var, malformed[_i].value, 1);
	config_load(&cfg, record_warning);
	assert_defaults_except(&cfg, "");
	ck_assert_msg(warnings.count == 1 && warnings_for(malformed[_i].var) == 1,
		      "%s=\"%s\": %u warnings, %u for the variable", malformed[_i].var,
		      malformed[_i].value, warnings.count, warnings_for(malformed[_i].var));
}
END_TEST

START_TEST(load_all_malformed_warns_once_each)
{
	struct config cfg;

	for (unsigned i = 0; i < N_VARS; i++)
		if (strcmp(config_vars[i], "SSTPSHIM_LOG_FILE") != 0)
			setenv(config_vars[i], ",,", 1); /* malformed for every one */
	config_load(&cfg, record_warning);
	assert_defaults_except(&cfg, "");
	ck_assert_uint_eq(warnings.count, N_VARS - 1);
	for (unsigned i = 0; i < N_VARS; i++)
		if (strcmp(config_vars[i], "SSTPSHIM_LOG_FILE") != 0)
			ck_assert_msg(warnings_for(config_vars[i]) == 1, "%s", config_vars[i]);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *parse = tcase_create("parse");
	TCase *load = tcase_create("load");

	UNIT_ADD_TABLE(parse, seconds_table, seconds_cases);
	tcase_add_test(parse, ports_valid);
	UNIT_ADD_TABLE(parse, ports_invalid, bad_ports);
	tcase_add_test(parse, transports_default_list);
	tcase_add_test(parse, transports_limits);
	UNIT_ADD_TABLE(parse, transports_invalid, bad_transports);
	UNIT_ADD_TABLE(parse, hostport_table, hostport_cases);
	suite_add_tcase(s, parse);

	tcase_add_checked_fixture(load, env_clear, NULL);
	tcase_add_test(load, load_defaults);
	tcase_add_test(load, load_ports);
	tcase_add_test(load, load_transports);
	tcase_add_test(load, load_alt_port);
	tcase_add_test(load, load_timeouts);
	tcase_add_test(load, load_log);
	tcase_add_test(load, load_log_file);
	tcase_add_test(load, load_http_settings);
	UNIT_ADD_TABLE(load, load_malformed_keeps_default, malformed);
	tcase_add_test(load, load_all_malformed_warns_once_each);
	suite_add_tcase(s, load);
	return s;
}

int main(void)
{
	return unit_run(config_suite());
}
