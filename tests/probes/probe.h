/* Helpers for the shim's behaviour probes. A probe is one program, run with the shim preloaded by a
 * tests/integration/t-shim-*.sh script, that takes a scenario name as argv[1], prints nothing and
 * exits 0 when every CHECK holds, and otherwise prints file:line, the message and errno and exits 1.
 *
 * The shim reads its settings at its first interception, so a probe first sets up its servers
 * (with the system calls themselves, so that no hook can run before the settings are chosen),
 * then calls setenv(SSTPSHIM_*), then connects. */
#ifndef SSTPSHIM_PROBE_H
#define SSTPSHIM_PROBE_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every probe includes the whole header and uses part of it. */
#define PROBE_FN static __attribute__((unused))

/* Bounds for waits that only a bug makes long. */
#define PROBE_WAIT_MS 5000
#define PROBE_ECHO_WAIT_MS 10000
/* Descriptors the probes track as their own (close sprees spare them). */
#define PROBE_FD_MAX 1024

/* ---- failing ---- */

__attribute__((noreturn, format(printf, 5, 6))) static void
probe_fail(const char *file, int line, const char *cond, int err, const char *fmt, ...)
{
	va_list ap;
	const char *name = strerrorname_np(err);

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " [check: %s; errno %d %s]\n", cond, err, name ? name : "?");
	_exit(1); /* not exit(): the engine thread may still be running; keep the status exact */
}

/* errno is reported as the condition left it, before the message's arguments are evaluated.
 * CHECK_AT lets a helper report its caller's line (the helpers below that take `file, line` have
 * a macro of the plain name that passes the caller's). */
#define CHECK_AT(file, line, cond, ...)                                                                      \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			int probe_errno_ = errno;                                                            \
			probe_fail(file, line, #cond, probe_errno_, __VA_ARGS__);                            \
		}                                                                                            \
	} while (0)
#define CHECK(cond, ...) CHECK_AT(__FILE__, __LINE__, cond, __VA_ARGS__)

PROBE_FN long long probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- descriptors the probe owns ---- */

static atomic_bool probe_own_fds[PROBE_FD_MAX] __attribute__((unused));

PROBE_FN void probe_own(int fd, bool own)
{
	if (fd >= 0 && fd < PROBE_FD_MAX)
		atomic_store(&probe_own_fds[fd], own);
}

PROBE_FN bool probe_is_own(int fd)
{
	return fd >= 0 && fd < PROBE_FD_MAX && atomic_load(&probe_own_fds[fd]);
}

/* Closes a descriptor the probe owns, checking that it was still open. */
PROBE_FN void probe_close_at(const char *file, int line, int fd)
{
	probe_own(fd, false);
	CHECK_AT(file, line, close(fd) == 0, "close(%d)", fd);
}
#define probe_close(fd) probe_close_at(__FILE__, __LINE__, (fd))

/* ---- addresses ---- */

/* Fills ss with ip:port; the family follows the text ("::1" is IPv6). */
PROBE_FN socklen_t probe_addr(struct sockaddr_storage *ss, const char *ip, int port)
{
	memset(ss, 0, sizeof *ss);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		CHECK(inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1, "bad address %s", ip);
		return sizeof *a6;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	CHECK(inet_pton(AF_INET, ip, &a4->sin_addr) == 1, "bad address %s", ip);
	return sizeof *a4;
}

/* "ip:port" of an address, for messages. */
PROBE_FN const char *probe_addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof ip);
		port = ntohs(a4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof ip);
		port = ntohs(a6->sin6_port);
	}
	snprintf(buf, size, "family %d %s port %d", ss->ss_family, ip, port);
	return buf;
}

/* ---- the probe's own sockets, set up before the shim's settings ---- */

/* A TCP socket bound to ip:port (0: any), listening when backlog >= 0. -1 with errno when the
 * address is taken or missing (callers retry or give up); the descriptor is the probe's own. */
PROBE_FN int probe_raw_bound(const char *ip, int port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(&ss, ip, port);
	int fd = (int)syscall(SYS_socket, ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0, "socket for %s", ip);
	if (syscall(SYS_bind, fd, &ss, len) < 0 || (backlog >= 0 && syscall(SYS_listen, fd, backlog) < 0)) {
		int err = errno;
		syscall(SYS_close, fd);
		errno = err;
		return -1;
	}
	probe_own(fd, true);
	return fd;
}

PROBE_FN int probe_raw_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	CHECK(syscall(SYS_getsockname, fd, &ss, &len) == 0, "getsockname(%d)", fd);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port); /* same offset in sockaddr_in6 */
}

/* Binds 127.0.0.1 and ::1 on one port number (tries a few ports: ::1's may be taken). fds[1] is -1
 * when the host has no ::1. Returns the port. */
PROBE_FN int probe_raw_dual(int backlog, int fds[2])
{
	for (int attempt = 0; attempt < 50; attempt++) {
		fds[0] = probe_raw_bound("127.0.0.1", 0, backlog);
		CHECK(fds[0] >= 0, "bind 127.0.0.1:0");
		int port = probe_raw_port(fds[0]);
		fds[1] = probe_raw_bound("::1", port, backlog);
		if (fds[1] >= 0 || errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)
			return port;
		probe_own(fds[0], false);
		syscall(SYS_close, fds[0]);
	}
	CHECK(0, "no port free on both 127.0.0.1 and ::1");
	return -1;
}

/* A port where connect() is refused, on 127.0.0.1 and ::1: bound, never listening, held open for
 * the life of the probe so nothing else takes it. */
PROBE_FN int probe_refused_port(void)
{
	int fds[2];

	return probe_raw_dual(-1, fds);
}

/* Holds a given port on 127.0.0.1 the same way (for the shim's default port, 2492). With
 * SO_REUSEADDR, so that probes run side by side can all hold it; a listener there still makes the
 * bind fail, and the probe with it. */
PROBE_FN void probe_hold_port(int port)
{
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(&ss, "127.0.0.1", port);
	int fd = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	CHECK(fd >= 0, "socket");
	CHECK(syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "SO_REUSEADDR");
	CHECK(syscall(SYS_bind, fd, &ss, len) == 0, "port %d is in use on 127.0.0.1", port);
	probe_own(fd, true);
}

/* A listener on 127.0.0.1 whose accept queue is full: listen(fd, 0) admits one connection that
 * nobody accepts; the kernel then drops further SYNs, so connect() there neither succeeds nor
 * fails until a timeout. Fillers connect with the system call, unseen by the shim. */
PROBE_FN int probe_full_port(void)
{
	int lfd = probe_raw_bound("127.0.0.1", 0, 0);
	int port;
	struct sockaddr_storage ss;
	socklen_t len;

	CHECK(lfd >= 0, "bind listener");
	port = probe_raw_port(lfd);
	len = probe_addr(&ss, "127.0.0.1", port);
	for (int i = 0; i < 2; i++) {
		int fd = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		CHECK(fd >= 0, "filler socket");
		CHECK(syscall(SYS_connect, fd, &ss, len) == 0 || errno == EINPROGRESS, "filler connect");
		probe_own(fd, true);
	}
	return port;
}

#include "tests/probes/probe_server.h"

/* ---- the shim's settings ---- */

PROBE_FN void probe_setenv_int(const char *name, int value)
{
	char text[16];

	snprintf(text, sizeof text, "%d", value);
	CHECK(setenv(name, text, 1) == 0, "setenv %s", name);
}

/* Intercepts `ports` (a comma list), sends direct443 to alt_port, and keeps the chain to the two
 * direct transports so that failures are quick and deterministic. Call before the first connect. */
PROBE_FN void probe_settings(const char *ports, int alt_port)
{
	CHECK(setenv("SSTPSHIM_PORTS", ports, 1) == 0, "setenv");
	probe_setenv_int("SSTPSHIM_ALT_PORT", alt_port);
	CHECK(setenv("SSTPSHIM_TRANSPORTS", "direct,direct443", 1) == 0, "setenv");
}

/* The same for one intercepted port. */
PROBE_FN void probe_settings_port(int port, int alt_port)
{
	char text[16];

	snprintf(text, sizeof text, "%d", port);
	probe_settings(text, alt_port);
}

/* ---- the application's side ---- */

PROBE_FN int probe_socket(int family, int flags)
{
	int fd = socket(family, SOCK_STREAM | flags, 0);

	CHECK(fd >= 0, "socket(%d)", family);
	probe_own(fd, true);
	return fd;
}

/* connect() to ip:port; returns what connect() returned, errno intact. */
PROBE_FN int probe_connect(int fd, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(&ss, ip, port);

	return connect(fd, (struct sockaddr *)&ss, len);
}

/* A blocking socket of the address's family, connected to ip:port, or the probe fails. */
PROBE_FN int probe_dial_at(const char *file, int line, const char *ip, int port)
{
	int fd = probe_socket(strchr(ip, ':') ? AF_INET6 : AF_INET, 0);

	CHECK_AT(file, line, probe_connect(fd, ip, port) == 0, "connect to %s port %d", ip, port);
	return fd;
}
#define probe_dial(ip, port) probe_dial_at(__FILE__, __LINE__, (ip), (port))

/* poll() one descriptor; the revents, 0 on timeout. */
PROBE_FN short probe_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	CHECK(rc >= 0, "poll(%d)", fd);
	return rc == 0 ? 0 : pfd.revents;
}

PROBE_FN int probe_so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof err;

	CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0, "getsockopt SO_ERROR on %d", fd);
	return err;
}

/* Bytes no other round trip sends, so that crossed tunnels would show. */
PROBE_FN void probe_fill(unsigned char *buf, size_t len)
{
	static atomic_uint seed = 1;
	uint32_t x = atomic_fetch_add(&seed, 0x9e3779b9u) | 1u;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

/* Sends and receives at the same time until sent == len and received == want (both limited by
 * the deadline); works on blocking and non-blocking descriptors. */
PROBE_FN size_t probe_pump_at(const char *file, int line, int fd, const unsigned char *out, size_t len,
                              unsigned char *in, size_t want)
{
	size_t sent = 0, got = 0;
	long long deadline = probe_now_ms() + PROBE_ECHO_WAIT_MS;

	while (sent < len || got < want) {
		short ev = (short)(POLLIN | (sent < len ? POLLOUT : 0));
		long long left = deadline - probe_now_ms();
		CHECK_AT(file, line, left > 0, "echo on fd %d stalled: sent %zu of %zu, received %zu of %zu",
		         fd, sent, len, got, want);
		short rev = probe_poll(fd, ev, (int)left);
		if (rev & POLLOUT) {
			ssize_t w = send(fd, out + sent, len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			CHECK_AT(file, line, w > 0 || errno == EAGAIN, "send on fd %d after %zu bytes", fd,
			         sent);
			sent += w > 0 ? (size_t)w : 0;
		}
		if (rev & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(fd, in + got, want - got, MSG_DONTWAIT);
			CHECK_AT(file, line, r > 0 || (r < 0 && errno == EAGAIN),
			         "recv on fd %d after %zu of %zu bytes returned %zd", fd, got, want, r);
			got += r > 0 ? (size_t)r : 0;
		}
	}
	return got;
}
#define probe_pump(fd, out, len, in, want) probe_pump_at(__FILE__, __LINE__, (fd), (out), (len), (in), (want))

/* One round trip of len bytes through an echo server; the bytes must come back intact. */
PROBE_FN void probe_echo_at(const char *file, int line, int fd, size_t len)
{
	unsigned char *out = malloc(len), *in = malloc(len);

	CHECK(out && in, "malloc");
	probe_fill(out, len);
	probe_pump_at(file, line, fd, out, len, in, len);
	CHECK_AT(file, line, memcmp(out, in, len) == 0, "echoed bytes on fd %d differ from those sent", fd);
	free(out);
	free(in);
}
#define probe_echo(fd, len) probe_echo_at(__FILE__, __LINE__, (fd), (len))

/* ---- child processes ---- */

/* Waits (with a deadline) for a child to exit 0; a child that hangs is killed and fails the probe.
 * The child's own messages, if any, are already on stderr. */
PROBE_FN void probe_reap_at(const char *file, int line, pid_t pid, const char *what)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0;

	CHECK(pidfd >= 0, "pidfd_open");
	if (!(probe_poll(pidfd, POLLIN, 3 * PROBE_ECHO_WAIT_MS) & POLLIN))
		kill(pid, SIGKILL);
	close(pidfd);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK_AT(file, line, WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child status %#x", what,
	         status);
}
#define probe_reap(pid, what) probe_reap_at(__FILE__, __LINE__, (pid), (what))

/* ---- descriptors of the process ---- */

/* Open descriptors of this process (the directory's own excluded). */
PROBE_FN int probe_fd_count(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	CHECK(dir != NULL, "opendir /proc/self/fd");
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(dir))
			n++;
	closedir(dir);
	return n;
}

/* Prints every open descriptor and what it is, to explain a failed count. */
PROBE_FN void probe_fd_dump(void)
{
	for (int fd = 0; fd < PROBE_FD_MAX; fd++) {
		char path[64], target[256];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		fprintf(stderr, "  fd %d -> %s%s\n", fd, target, probe_is_own(fd) ? " (probe's own)" : "");
	}
}

/* The count once it has held still for 200 ms (within 5 s). Tunnels close in the engine thread,
 * after the application's close() returned, and nothing the application can see tells when the
 * engine is done: this is the baseline that later counts must return to. */
PROBE_FN int probe_fd_settle(void)
{
	long long deadline = probe_now_ms() + PROBE_WAIT_MS, since = probe_now_ms();
	int count = probe_fd_count();

	while (probe_now_ms() - since < 200 && probe_now_ms() < deadline) {
		struct timespec tick = { 0, 10 * 1000 * 1000 };
		nanosleep(&tick, NULL);
		int now = probe_fd_count();
		if (now != count) {
			count = now;
			since = probe_now_ms();
		}
	}
	return count;
}

/* Waits (up to 5 s) for the descriptor count to come back to baseline: no descriptor leaked. */
PROBE_FN void probe_fd_expect_at(const char *file, int line, int baseline)
{
	long long deadline = probe_now_ms() + PROBE_WAIT_MS;
	int count;

	while ((count = probe_fd_count()) != baseline && probe_now_ms() < deadline) {
		struct timespec tick = { 0, 10 * 1000 * 1000 };
		nanosleep(&tick, NULL);
	}
	if (count != baseline)
		probe_fd_dump();
	CHECK_AT(file, line, count == baseline, "%d descriptors open, %d before the scenario (list above)",
	         count, baseline);
}
#define probe_fd_expect(baseline) probe_fd_expect_at(__FILE__, __LINE__, (baseline))

/* One tunnel through ip:port and back, closed; then the settled count, which includes whatever
 * the engine keeps for its life. */
PROBE_FN int probe_warm_up_at(const char *file, int line, const char *ip, int port)
{
	int fd = probe_dial_at(file, line, ip, port);

	probe_echo_at(file, line, fd, 1024);
	probe_close_at(file, line, fd);
	return probe_fd_settle();
}
#define probe_warm_up(ip, port) probe_warm_up_at(__FILE__, __LINE__, (ip), (port))

/* Whether the kernel's object behind fd is a TCP/IPv4, TCP/IPv6 or Unix socket: its inode is
 * looked up in /proc/self/net/{tcp,tcp6,unix}. AF_UNSPEC when found in none. */
PROBE_FN int probe_inode_in(const char *table, const char *inode, int column)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(table, "re");

	CHECK(f != NULL, "open %s", table);
	while (!found && fgets(line, sizeof line, f)) {
		char *save = NULL, *tok = strtok_r(line, " \n", &save);
		for (int i = 0; tok && i < column; i++)
			tok = strtok_r(NULL, " \n", &save);
		found = tok && strcmp(tok, inode) == 0;
	}
	fclose(f);
	return found;
}

PROBE_FN int probe_kernel_family(int fd)
{
	char path[64], target[64], inode[32];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof target - 1);
	CHECK(n > 0, "readlink %s", path);
	target[n] = '\0';
	CHECK(strncmp(target, "socket:[", 8) == 0, "fd %d is %s, not a socket", fd, target);
	snprintf(inode, sizeof inode, "%.*s", (int)(n - 9), target + 8);
	if (probe_inode_in("/proc/self/net/tcp", inode, 9))
		return AF_INET;
	if (probe_inode_in("/proc/self/net/tcp6", inode, 9))
		return AF_INET6;
	if (probe_inode_in("/proc/self/net/unix", inode, 6))
		return AF_UNIX;
	return AF_UNSPEC;
}

/* ---- scenarios ---- */

struct probe_scenario {
	const char *name;
	void (*run)(void);
};

/* Runs the scenario named by argv[1]; exit status 0 when it returns (its checks exit 1). */
PROBE_FN int probe_main(int argc, char **argv, const struct probe_scenario *list, size_t n)
{
	if (argc >= 2)
		for (size_t i = 0; i < n; i++)
			if (strcmp(argv[1], list[i].name) == 0) {
				list[i].run();
				return 0;
			}
	fprintf(stderr, "usage: %s SCENARIO; scenarios:", argv[0]);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", list[i].name);
	fprintf(stderr, "\n");
	return 2;
}

#define PROBE_COUNT(list) (sizeof(list) / sizeof((list)[0]))

#endif
