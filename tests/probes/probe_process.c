/* Tunnels across the process's life: FD_CLOEXEC honoured at exec, tunnels inherited by fork()ed
 * children, new tunnels in children (the engine thread does not survive fork), and many threads
 * connecting at once. */
#include "tests/probes/probe.h"

#define PROCESS_THREADS 200

static int process_setup(int *baseline)
{
	int refused = probe_refused_port();
	int echo = probe_echo_server();

	probe_settings_port(refused, echo);
	if (baseline)
		*baseline = probe_warm_up("127.0.0.1", refused);
	return refused;
}

/* ---- FD_CLOEXEC across exec ---- */

/* The exec'd probe: `closed` must be gone, `open` must still carry the parent's tunnel, and nothing
 * else may have come through (in particular none of the parent engine's descriptors). */
static int process_exec_child(char **argv)
{
	int closed = atoi(argv[2]), open = atoi(argv[3]), want = atoi(argv[4]);
	int count = probe_fd_count();

	CHECK(fcntl(closed, F_GETFD) == -1 && errno == EBADF, "FD_CLOEXEC descriptor %d survived exec",
	      closed);
	if (count != want)
		probe_fd_dump();
	CHECK(count == want, "%d descriptors after exec; want %d (inherited ones plus %d; list above)", count,
	      want, open);
	CHECK(!(fcntl(open, F_GETFD) & FD_CLOEXEC), "descriptor %d has FD_CLOEXEC", open);
	probe_echo(open, 64 * 1024);
	return 0;
}

static void scenario_cloexec(void)
{
	int inherited = probe_fd_count(); /* what this process was given at exec */
	int baseline, port = process_setup(&baseline);
	int with = probe_socket(AF_INET, SOCK_CLOEXEC), without = probe_socket(AF_INET, 0);
	char a[16], b[16], n[16];

	CHECK(probe_connect(with, "127.0.0.1", port) == 0, "connect");
	CHECK(probe_connect(without, "127.0.0.1", port) == 0, "connect");
	snprintf(a, sizeof a, "%d", with);
	snprintf(b, sizeof b, "%d", without);
	snprintf(n, sizeof n, "%d", inherited + 1);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		execl("/proc/self/exe", "probe_process", "exec-child", a, b, n, (char *)NULL);
		CHECK(0, "exec /proc/self/exe");
	}
	probe_reap(pid, "exec'd child");
	probe_echo(with, 4096);
	probe_echo(without, 4096);
	probe_close(with);
	probe_close(without);
	probe_fd_expect(baseline);
}

/* ---- fork ---- */

/* In a child: a new tunnel, used and closed, leaves the descriptor count as it found it (after
 * the child's own first tunnel). */
static void process_child_tunnels(int port)
{
	int baseline = probe_warm_up("127.0.0.1", port);
	int fd = probe_dial("127.0.0.1", port);

	probe_echo(fd, 64 * 1024);
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* The child uses the tunnel it inherited while the parent waits, then one of its own. */
static void scenario_fork_inherit(void)
{
	int baseline, port = process_setup(&baseline);
	int fd = probe_dial("127.0.0.1", port);

	probe_echo(fd, 4096);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		probe_echo(fd, 64 * 1024);
		process_child_tunnels(port);
		probe_echo(fd, 4096);
		exit(0);
	}
	probe_reap(pid, "child using the inherited tunnel");
	probe_echo(fd, 64 * 1024); /* the child's exit closed its copy only */
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* Nothing connected before fork(): the child's first tunnel starts its engine, then the parent's. */
static void scenario_fork_fresh(void)
{
	int port = process_setup(NULL);
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		process_child_tunnels(port);
		exit(0);
	}
	probe_reap(pid, "child connecting first");
	process_child_tunnels(port);
}

/* The parent had a tunnel (and a running engine) before fork(): the child gets its own engine and
 * closes its copy of the parent's tunnel, which must keep working for the parent. */
static void scenario_fork_after_connect(void)
{
	int baseline, port = process_setup(&baseline);
	int fd = probe_dial("127.0.0.1", port);

	probe_echo(fd, 4096);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		probe_close(fd);
		process_child_tunnels(port);
		exit(0);
	}
	probe_reap(pid, "child connecting anew");
	probe_echo(fd, 64 * 1024);
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* ---- threads ---- */

static pthread_barrier_t process_start_line;
static atomic_int process_done;

static void *process_thread(void *arg)
{
	int port = *(int *)arg;

	pthread_barrier_wait(&process_start_line);
	int fd = probe_dial("127.0.0.1", port);
	probe_echo(fd, 4096);
	probe_close(fd);
	atomic_fetch_add(&process_done, 1);
	return NULL;
}

static void scenario_threads(void)
{
	static int port;
	int baseline;
	pthread_t tid[PROCESS_THREADS];
	pthread_attr_t attr;

	port = process_setup(&baseline);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	CHECK(pthread_barrier_init(&process_start_line, NULL, PROCESS_THREADS) == 0, "barrier");
	for (int i = 0; i < PROCESS_THREADS; i++)
		CHECK(pthread_create(&tid[i], &attr, process_thread, &port) == 0, "pthread_create %d", i);
	for (int i = 0; i < PROCESS_THREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_attr_destroy(&attr);
	CHECK(atomic_load(&process_done) == PROCESS_THREADS, "%d of %d threads done",
	      atomic_load(&process_done), PROCESS_THREADS);
	probe_fd_expect(baseline);
}

int main(int argc, char **argv)
{
	static const struct probe_scenario list[] = {
		{ "cloexec", scenario_cloexec },       { "fork-inherit", scenario_fork_inherit },
		{ "fork-fresh", scenario_fork_fresh }, { "fork-after-connect", scenario_fork_after_connect },
		{ "threads", scenario_threads },
	};

	if (argc == 5 && strcmp(argv[1], "exec-child") == 0)
		return process_exec_child(argv);
	return probe_main(argc, argv, list, PROBE_COUNT(list));
}
