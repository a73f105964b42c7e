/* Applications that close every descriptor they do not know of (daemons at startup, children
 * before exec): a close() loop, close_range() and closefrom(). The engine's own descriptors must
 * survive all of them: tunnels keep working and new ones can be made. */
#include "tests/probes/probe.h"

/* close() on every descriptor from 3 to 1023 that the probe does not own. */
static void closeall_loop(void)
{
	for (int fd = 3; fd < PROBE_FD_MAX; fd++)
		if (!probe_is_own(fd))
			close(fd);
}

static int closeall_setup(int *baseline)
{
	int refused = probe_refused_port();
	int echo = probe_echo_server();

	probe_settings_port(refused, echo);
	*baseline = probe_warm_up("127.0.0.1", refused);
	return refused;
}

/* In this process: a close() loop at startup (before any tunnel), then one with a tunnel open. */
static void scenario_loop(void)
{
	closeall_loop();
	int baseline, port = closeall_setup(&baseline);
	int kept = probe_dial("127.0.0.1", port);

	probe_echo(kept, 4096);
	closeall_loop();
	probe_echo(kept, 64 * 1024);
	int fresh = probe_dial("127.0.0.1", port);
	probe_echo(fresh, 64 * 1024);
	probe_close(fresh);
	probe_close(kept);
	probe_fd_expect(baseline);
}

/* A fork()ed child makes a tunnel (starting its own engine), closes everything in the given way,
 * and must still be able to make a new one; the parent's tunnel keeps working throughout. */
static void closeall_in_child(void (*close_all)(void), const char *how)
{
	int baseline, port = closeall_setup(&baseline);
	int parents = probe_dial("127.0.0.1", port);

	probe_echo(parents, 4096);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int first = probe_dial("127.0.0.1", port);
		probe_echo(first, 4096);
		close_all();
		int second = probe_dial("127.0.0.1", port);
		probe_echo(second, 64 * 1024);
		exit(0);
	}
	probe_reap(pid, how);
	probe_echo(parents, 64 * 1024);
	probe_close(parents);
	probe_fd_expect(baseline);
}

static void closeall_by_range(void)
{
	CHECK(close_range(3, ~0U, 0) == 0, "close_range(3, ~0U, 0)");
}

static void closeall_by_closefrom(void)
{
	closefrom(3);
}

static void scenario_loop_child(void)
{
	closeall_in_child(closeall_loop, "close() loop");
}

static void scenario_close_range_child(void)
{
	closeall_in_child(closeall_by_range, "close_range");
}

static void scenario_closefrom_child(void)
{
	closeall_in_child(closeall_by_closefrom, "closefrom");
}

int main(int argc, char **argv)
{
	static const struct probe_scenario list[] = {
		{ "loop", scenario_loop },
		{ "loop-child", scenario_loop_child },
		{ "close-range-child", scenario_close_range_child },
		{ "closefrom-child", scenario_closefrom_child },
	};

	return probe_main(argc, argv, list, PROBE_COUNT(list));
}
