/* sstp-relay: options, signals and the event loop. See relay/relay.h and README.md. */
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/num.h"
#include "relay/relay.h"

/* 3.2.2.1 and 3.2.2.2 recommend 90 seconds for both server timers. */
#define RELAY_ESTABLISH_MS 90000u
#define RELAY_RECEIVE_MS 90000u
/* A request head must be complete this long after the connection was accepted. */
#define RELAY_HEADER_MS 10000u
/* Polling: how long a poll with nothing to return is held (RFC 6202 2.2: below the idle
 * timeouts of what sits between client and relay: nginx's proxy_read_timeout is 60 s, many
 * corporate proxies and NATs drop idle connections after 30 to 60 s, squid's read_timeout is
 * 15 min), and how long a virtual connection lives without a request (above the 120 s
 * Max-Poll-Interval a spec client waits at most, 2.2.2.3.2.1.1.1). */
#define RELAY_POLL_HOLD_MS 25000u
#define RELAY_POLL_EXPIRE_MS 300000u

static const char relay_usage[] =
	"usage: sstp-relay [options]\n"
	"Terminates the HTTP LongLived encapsulation of SSTP (MS-GRVHENC) and raw tunnels, and\n"
	"carries every connection to one backend.\n"
	"  --listen ADDR[:PORT]         HTTP listener, repeatable (default 0.0.0.0:80)\n"
	"  --tunnel-listen ADDR:PORT    raw byte listener for direct443/connect, repeatable\n"
	"  --backend HOST:PORT          where connections go (default 127.0.0.1:2492)\n"
	"  --name FQDN                  refuse requests for another Relay-Server-Name\n"
	"  --max-connections N          client connections open at once (default 20000)\n"
	"  --establish-timeout SEC      ConnectionEstablishment timer (default 90, 0 = off)\n"
	"  --receive-timeout SEC        NetworkReceiveIO timer (default 90, 0 = off)\n"
	"  --header-timeout SEC         time allowed for a request head (default 10)\n"
	"  --poll-hold SEC              Polling: hold a poll with nothing to return (default 25,\n"
	"                               0 = answer at once as the spec does)\n"
	"  --poll-expire SEC            Polling: close a virtual connection without requests\n"
	"                               (default 300)\n"
	"  --log LEVEL                  off, error, warn, info (default), debug\n"
	"  --log-file PATH              log there instead of stderr (SIGHUP reopens it)\n"
	"  --help, --version\n";

enum { OPT_LISTEN = 256, OPT_TUNNEL, OPT_BACKEND, OPT_NAME, OPT_MAX, OPT_ESTABLISH, OPT_RECEIVE,
       OPT_HEADER, OPT_LOG, OPT_LOG_FILE, OPT_HELP, OPT_VERSION,
       OPT_POLL_HOLD, OPT_POLL_EXPIRE };

static const struct option relay_options[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "tunnel-listen", required_argument, NULL, OPT_TUNNEL },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "max-connections", required_argument, NULL, OPT_MAX },
	{ "establish-timeout", required_argument, NULL, OPT_ESTABLISH },
	{ "receive-timeout", required_argument, NULL, OPT_RECEIVE },
	{ "header-timeout", required_argument, NULL, OPT_HEADER },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "poll-hold", required_argument, NULL, OPT_POLL_HOLD },
	{ "poll-expire", required_argument, NULL, OPT_POLL_EXPIRE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int relay_bad(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "sstp-relay: --%s %s: %s\n", opt, arg, why);
	return -1;
}

/* Seconds with up to three decimals, or "0" for off when allow_off. */
static int relay_seconds(const char *opt, const char *arg, bool allow_off, unsigned *ms)
{
	if (allow_off && strcmp(arg, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (config_parse_seconds(arg, 86400u * 1000u, ms) < 0)
		return relay_bad(opt, arg, "expected seconds, up to 86400");
	return 0;
}

static int relay_add_addr(struct relay_addr *list, unsigned *n, const char *opt, const char *arg,
			  uint16_t default_port)
{
	if (*n >= CAP_RELAY_LISTENERS)
		return relay_bad(opt, arg, "too many listeners");
	return relay_addr_parse(arg, default_port, true, &list[(*n)++]);
}

/* 0 to run, 1 to exit successfully (--help, --version), -1 on a usage error. */
static int relay_parse_args(int argc, char **argv, struct relay_opts *o)
{
	const char *backend = "127.0.0.1:2492";
	uint64_t n;
	int c;

	while ((c = getopt_long(argc, argv, "", relay_options, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case OPT_LISTEN:
			rc = relay_add_addr(o->listen, &o->n_listen, "listen", optarg, 80);
			break;
		case OPT_TUNNEL:
			rc = relay_add_addr(o->tunnel, &o->n_tunnel, "tunnel-listen", optarg, 0);
			break;
		case OPT_BACKEND:
			backend = optarg;
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case OPT_MAX:
			if (num_parse_str(optarg, 1000000, &n) < 0 || n == 0)
				return relay_bad("max-connections", optarg, "expected 1..1000000");
			o->max_connections = (unsigned)n;
			break;
		case OPT_ESTABLISH:
			rc = relay_seconds("establish-timeout", optarg, true, &o->establish_ms);
			break;
		case OPT_RECEIVE:
			rc = relay_seconds("receive-timeout", optarg, true, &o->receive_ms);
			break;
		case OPT_HEADER:
			rc = relay_seconds("header-timeout", optarg, false, &o->header_ms);
			break;
		case OPT_POLL_HOLD:
			rc = relay_seconds("poll-hold", optarg, true, &o->poll_hold_ms);
			break;
		case OPT_POLL_EXPIRE:
			rc = relay_seconds("poll-expire", optarg, false, &o->poll_expire_ms);
			break;
		case OPT_LOG:
			if (log_level_parse(optarg, &o->log_level) < 0)
				return relay_bad("log", optarg, "expected off, error, warn, info, debug");
			break;
		case OPT_LOG_FILE:
			o->log_file = optarg;
			break;
		case OPT_HELP:
			fputs(relay_usage, stdout);
			return 1;
		case OPT_VERSION:
			puts("sstp-relay " RELAY_VERSION);
			return 1;
		default:
			fputs(relay_usage, stderr);
			return -1;
		}
		if (rc < 0)
			return -1;
	}
	if (optind < argc)
		return relay_bad("", argv[optind], "unexpected argument");
	if (o->n_listen == 0 && relay_addr_parse("0.0.0.0:80", 80, false, &o->listen[o->n_listen++]))
		return -1;
	return relay_addr_parse(backend, 0, false, &o->backend);
}

static void relay_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct relay *r = arg;

	if (sig == SIGHUP) {
		log_open(r->opts.log_level, r->opts.log_file, "sstp-relay");
		log_info("SIGHUP: log reopened");
		return;
	}
	if (r->draining) {
		log_info("second signal: exiting now with %u connections open", r->n_clients);
		event_base_loopexit(r->base, NULL);
		return;
	}
	log_info("signal %d: draining %u connections", (int)sig, r->n_clients);
	r->draining = true;
	relay_listen_close(r);
	relay_ll_drain(r);
	relay_ka_drain(r);
	relay_poll_drain(r);
	if (r->n_clients == 0)
		event_base_loopexit(r->base, NULL);
}

int main(int argc, char **argv)
{
	static struct relay r; /* the GUID table is large: not on the stack */
	struct event *sigs[3];
	const int signums[3] = { SIGTERM, SIGINT, SIGHUP };
	int rc;

	r.opts = (struct relay_opts){ .max_connections = CAP_RELAY_CONNECTIONS,
				      .establish_ms = RELAY_ESTABLISH_MS,
				      .receive_ms = RELAY_RECEIVE_MS,
				      .header_ms = RELAY_HEADER_MS,
				      .poll_hold_ms = RELAY_POLL_HOLD_MS,
				      .poll_expire_ms = RELAY_POLL_EXPIRE_MS,
				      .log_level = LOG_INFO };
	rc = relay_parse_args(argc, argv, &r.opts);
	if (rc != 0)
		return rc > 0 ? EXIT_SUCCESS : 2;
	signal(SIGPIPE, SIG_IGN);
	log_open(r.opts.log_level, r.opts.log_file, "sstp-relay");
	relay_fd_limit_raise(r.opts.max_connections);
	r.base = event_base_new();
	if (!r.base || relay_capacity_init(&r) < 0 || relay_listen_all(&r) < 0)
		return EXIT_FAILURE;
	for (unsigned i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(r.base, signums[i], relay_on_signal, &r);
		if (!sigs[i] || event_add(sigs[i], NULL) < 0)
			return EXIT_FAILURE;
	}
	log_info("backend %s%s%s", r.opts.backend.text, r.opts.name ? ", serving " : "",
		 r.opts.name ? r.opts.name : "");
	event_base_dispatch(r.base);
	for (unsigned i = 0; i < 3; i++)
		event_free(sigs[i]);
	relay_listen_close(&r);
	relay_capacity_free(&r);
	event_base_free(r.base);
	return EXIT_SUCCESS;
}
