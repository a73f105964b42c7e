/* Settings the application's user got wrong must not hurt the application: each bad value falls
 * back to its default (or the valid part of a list is used), tunnels still work, and nothing is
 * printed. The t-shim script checks that stdout and stderr stay empty; that is also the check
 * that the shim is quiet by default. */
#include "tests/probes/probe.h"

#define SETTINGS_DEFAULT_PORT 2492

static void settings_set(const char *name, const char *value)
{
	CHECK(setenv(name, value, 1) == 0, "setenv %s", name);
}

/* One tunnel used and closed, then the same again, leaving the descriptor count as it was.
 * Returns that count. */
static int settings_tunnels_work(const char *ip, int port)
{
	int baseline = probe_warm_up(ip, port);
	int fd = probe_dial(ip, port);

	probe_echo(fd, 64 * 1024);
	probe_close(fd);
	probe_fd_expect(baseline);
	return baseline;
}

/* Nothing set but the ports: tunnels, a refusal (127.0.0.2: nothing listens there) and a
 * non-blocking tunnel, all silent. */
static void scenario_quiet(void)
{
	int refused = probe_refused_port(), echo = probe_echo_server();

	probe_settings_port(refused, echo);
	int baseline = settings_tunnels_work("127.0.0.1", refused);
	int fd = probe_socket(AF_INET, 0);
	CHECK(probe_connect(fd, "127.0.0.2", refused) == -1 && errno == ECONNREFUSED, "want -1/ECONNREFUSED");
	probe_close(fd);
	fd = probe_socket(AF_INET, SOCK_NONBLOCK);
	CHECK(probe_connect(fd, "127.0.0.1", refused) == -1 && errno == EINPROGRESS, "want -1/EINPROGRESS");
	CHECK(probe_poll(fd, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "never writable");
	CHECK(probe_so_error(fd) == 0, "SO_ERROR");
	probe_echo(fd, 4096);
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* SSTPSHIM_PORTS=abc: the default port, 2492, is intercepted, and only it. */
static void scenario_ports_abc(void)
{
	int other = probe_refused_port(), echo = probe_echo_server();

	probe_hold_port(SETTINGS_DEFAULT_PORT);
	probe_settings_port(SETTINGS_DEFAULT_PORT, echo);
	settings_set("SSTPSHIM_PORTS", "abc");
	settings_tunnels_work("127.0.0.1", SETTINGS_DEFAULT_PORT);
	int fd = probe_socket(AF_INET, 0);
	int rc = probe_connect(fd, "127.0.0.1", other);
	CHECK(rc == -1 && errno == ECONNREFUSED,
	      "connect to port %d (not intercepted) returned %d; want -1/ECONNREFUSED", other, rc);
	probe_close(fd);
}

static void scenario_timeout_negative(void)
{
	int refused = probe_refused_port(), echo = probe_echo_server();

	probe_settings_port(refused, echo);
	settings_set("SSTPSHIM_CONNECT_TIMEOUT", "-1");
	settings_tunnels_work("127.0.0.1", refused);
}

static void scenario_log_loud(void)
{
	int refused = probe_refused_port(), echo = probe_echo_server();

	probe_settings_port(refused, echo);
	settings_set("SSTPSHIM_LOG", "loud");
	settings_tunnels_work("127.0.0.1", refused);
}

/* "bogus,direct443": the valid part is the chain. Port `direct_port` is intercepted and has an echo
 * server of its own: had the default chain been used, direct would have won there. */
static void scenario_transports_bogus(void)
{
	int refused = probe_refused_port();
	struct probe_server *direct = probe_server_start(PROBE_ECHO), *alt = probe_server_start(PROBE_ECHO);
	char ports[32];

	snprintf(ports, sizeof ports, "%d,%d", refused, direct->port);
	probe_settings(ports, alt->port);
	settings_set("SSTPSHIM_TRANSPORTS", "bogus,direct443");
	settings_tunnels_work("127.0.0.1", direct->port);
	CHECK(atomic_load(&direct->accepted) == 0, "%d connections went direct",
	      atomic_load(&direct->accepted));
	CHECK(atomic_load(&alt->accepted) == 2, "%d connections reached the direct443 server; want 2",
	      atomic_load(&alt->accepted));
}

/* Every bad value at once. */
static void scenario_all_bad(void)
{
	int echo = probe_echo_server();

	probe_hold_port(SETTINGS_DEFAULT_PORT);
	probe_settings_port(SETTINGS_DEFAULT_PORT, echo);
	settings_set("SSTPSHIM_PORTS", "abc");
	settings_set("SSTPSHIM_CONNECT_TIMEOUT", "-1");
	settings_set("SSTPSHIM_TRANSPORT_TIMEOUT", "soon");
	settings_set("SSTPSHIM_LOG", "loud");
	settings_set("SSTPSHIM_TRANSPORTS", "bogus,direct443");
	settings_tunnels_work("127.0.0.1", SETTINGS_DEFAULT_PORT);
}

int main(int argc, char **argv)
{
	static const struct probe_scenario list[] = {
		{ "quiet", scenario_quiet },
		{ "ports-abc", scenario_ports_abc },
		{ "timeout-negative", scenario_timeout_negative },
		{ "log-loud", scenario_log_loud },
		{ "transports-bogus", scenario_transports_bogus },
		{ "all-bad", scenario_all_bad },
	};

	return probe_main(argc, argv, list, PROBE_COUNT(list));
}
