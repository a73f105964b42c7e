/* What an intercepted socket tells the application about itself: peer and local names for IPv4,
 * IPv6 and IPv4-mapped destinations, socket options read back as set, its family, type and
 * protocol, and descriptor flags that survive connect(). */
#include "tests/probes/probe.h"

static int sockets_setup(int *baseline)
{
	int refused = probe_refused_port();
	struct probe_server *echo = probe_server_start(PROBE_ECHO);

	CHECK(echo->fds[1] >= 0, "this host has no ::1 to listen on");
	probe_settings_port(refused, echo->port);
	*baseline = probe_warm_up("127.0.0.1", refused);
	return refused;
}

/* getpeername() must give back exactly what was passed to connect(). */
static void names_check_peer(int fd, const char *ip, int port)
{
	struct sockaddr_storage want, got;
	socklen_t want_len = probe_addr(&want, ip, port), got_len = sizeof got;
	char a[96], b[96];

	memset(&got, 0, sizeof got);
	CHECK(getpeername(fd, (struct sockaddr *)&got, &got_len) == 0, "getpeername");
	CHECK(got_len == want_len && memcmp(&got, &want, want_len) == 0,
	      "getpeername gave %s (length %u); want %s", probe_addr_text(&got, a, sizeof a), got_len,
	      probe_addr_text(&want, b, sizeof b));
}

static void names_check_local(int fd, int family)
{
	struct sockaddr_storage got;
	socklen_t len = sizeof got;
	socklen_t want = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	char a[96];

	memset(&got, 0, sizeof got);
	CHECK(getsockname(fd, (struct sockaddr *)&got, &len) == 0, "getsockname");
	CHECK(got.ss_family == family && len == want, "getsockname gave %s (length %u); want family %d",
	      probe_addr_text(&got, a, sizeof a), len, family);
}

static int sockopt_int(int fd, int level, int name)
{
	int value = -1;
	socklen_t len = sizeof value;

	CHECK(getsockopt(fd, level, name, &value, &len) == 0, "getsockopt(%d, %d)", level, name);
	CHECK(len == sizeof value, "getsockopt(%d, %d) length %u", level, name, len);
	return value;
}

static void sockopt_set(int fd, int level, int name, int value)
{
	CHECK(setsockopt(fd, level, name, &value, sizeof value) == 0, "setsockopt(%d, %d, %d)", level, name,
	      value);
}

/* What the kernel says of a TCP socket of this family. */
static void names_check_identity(int fd, int family)
{
	int v = sockopt_int(fd, SOL_SOCKET, SO_DOMAIN);

	CHECK(v == family, "SO_DOMAIN %d; want %d", v, family);
	v = sockopt_int(fd, SOL_SOCKET, SO_TYPE);
	CHECK(v == SOCK_STREAM, "SO_TYPE %d; want SOCK_STREAM", v);
	v = sockopt_int(fd, SOL_SOCKET, SO_PROTOCOL);
	CHECK(v == IPPROTO_TCP, "SO_PROTOCOL %d; want IPPROTO_TCP", v);
}

static void names_run(int family, const char *ip)
{
	int baseline, port = sockets_setup(&baseline);
	int fd = probe_socket(family, 0);

	CHECK(probe_connect(fd, ip, port) == 0, "connect to %s port %d", ip, port);
	names_check_peer(fd, ip, port);
	names_check_local(fd, family);
	names_check_identity(fd, family);
	probe_echo(fd, 8192);
	probe_close(fd);
	probe_fd_expect(baseline);
}

static void scenario_names4(void)
{
	names_run(AF_INET, "127.0.0.1");
}

static void scenario_names6(void)
{
	names_run(AF_INET6, "::1");
}

static void scenario_names_mapped(void)
{
	names_run(AF_INET6, "::ffff:127.0.0.1");
}

/* An option set before connect() and others set after it all read back; SO_RCVBUF reads back
 * doubled on Linux (the kernel counts its overhead), so either is accepted. */
static void scenario_options(void)
{
	int baseline, port = sockets_setup(&baseline);
	int fd = probe_socket(AF_INET, 0);

	sockopt_set(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	CHECK(probe_connect(fd, "127.0.0.1", port) == 0, "connect");
	CHECK(sockopt_int(fd, IPPROTO_TCP, TCP_NODELAY) == 1,
	      "TCP_NODELAY set before connect() reads back not 1");
	sockopt_set(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	CHECK(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE) == 1, "SO_KEEPALIVE reads back not 1");
	sockopt_set(fd, IPPROTO_TCP, TCP_NODELAY, 0);
	CHECK(sockopt_int(fd, IPPROTO_TCP, TCP_NODELAY) == 0, "TCP_NODELAY cleared reads back not 0");
	sockopt_set(fd, SOL_SOCKET, SO_KEEPALIVE, 0);
	CHECK(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE) == 0, "SO_KEEPALIVE cleared reads back not 0");
	sockopt_set(fd, SOL_SOCKET, SO_RCVBUF, 65536);
	int rcvbuf = sockopt_int(fd, SOL_SOCKET, SO_RCVBUF);
	CHECK(rcvbuf == 65536 || rcvbuf == 2 * 65536, "SO_RCVBUF set to 65536 reads back %d", rcvbuf);
	names_check_identity(fd, AF_INET);
	probe_echo(fd, 8192);
	probe_close(fd);
	probe_fd_expect(baseline);
}

static void flags_check(int fd, bool nonblock, bool cloexec, const char *how)
{
	int fl = fcntl(fd, F_GETFL), fd_flags = fcntl(fd, F_GETFD);

	CHECK(fl >= 0 && fd_flags >= 0, "fcntl");
	CHECK(!!(fl & O_NONBLOCK) == nonblock, "%s: O_NONBLOCK is %s after connect", how,
	      fl & O_NONBLOCK ? "set" : "clear");
	CHECK(!!(fd_flags & FD_CLOEXEC) == cloexec, "%s: FD_CLOEXEC is %s after connect", how,
	      fd_flags & FD_CLOEXEC ? "set" : "clear");
	CHECK((fl & O_ACCMODE) == O_RDWR, "%s: access mode %#x", how, fl & O_ACCMODE);
}

/* A connected socket with the given flags, through the tunnel. */
static int flags_connect(int port, bool nonblock, bool cloexec, bool by_fcntl)
{
	int fd = probe_socket(AF_INET,
	                      by_fcntl ? 0 : (nonblock ? SOCK_NONBLOCK : 0) | (cloexec ? SOCK_CLOEXEC : 0));

	if (by_fcntl && nonblock)
		CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0, "F_SETFL");
	if (by_fcntl && cloexec)
		CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD");
	int rc = probe_connect(fd, "127.0.0.1", port);
	if (nonblock) {
		CHECK(rc == -1 && errno == EINPROGRESS, "non-blocking connect returned %d", rc);
		CHECK(probe_poll(fd, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "never writable");
		CHECK(probe_so_error(fd) == 0, "SO_ERROR");
	} else {
		CHECK(rc == 0, "blocking connect");
	}
	return fd;
}

static void scenario_flags(void)
{
	int baseline, port = sockets_setup(&baseline);

	for (int i = 0; i < 8; i++) {
		bool nonblock = i & 1, cloexec = i & 2, by_fcntl = i & 4;
		char how[64];
		snprintf(how, sizeof how, "%s%s by %s", nonblock ? "O_NONBLOCK " : "",
		         cloexec ? "FD_CLOEXEC " : "", by_fcntl ? "fcntl" : "socket()");
		int fd = flags_connect(port, nonblock, cloexec, by_fcntl);
		flags_check(fd, nonblock, cloexec, how);
		probe_echo(fd, 4096);
		probe_close(fd);
	}
	probe_fd_expect(baseline);
}

int main(int argc, char **argv)
{
	static const struct probe_scenario list[] = {
		{ "names4", scenario_names4 },
		{ "names6", scenario_names6 },
		{ "names-mapped", scenario_names_mapped },
		{ "options", scenario_options },
		{ "flags", scenario_flags },
	};

	return probe_main(argc, argv, list, PROBE_COUNT(list));
}
