/* connect() under the shim as an application sees it: success and failure, blocking and not,
 * timeouts, repeated connect(), TCP Fast Open, half-close, resets, and ports left alone.
 * Each scenario closes what it opened and checks that the descriptor count comes back. */
#include <sys/epoll.h>
#include <sys/time.h>

#include "tests/probes/probe.h"

/* Direct is refused; direct443 reaches the in-process echo server. Returns the refused port and
 * the descriptor count after a first tunnel. */
static int connect_echo_setup(int *baseline)
{
	int refused = probe_refused_port();
	int echo = probe_echo_server();

	probe_settings_port(refused, echo);
	*baseline = probe_warm_up("127.0.0.1", refused);
	return refused;
}

static void scenario_block(void)
{
	int baseline, port = connect_echo_setup(&baseline);
	int fd = probe_socket(AF_INET, 0);

	CHECK(probe_connect(fd, "127.0.0.1", port) == 0, "blocking connect through the shim");
	probe_echo(fd, 256 * 1024);
	CHECK(probe_connect(fd, "127.0.0.1", port) == -1 && errno == EISCONN, "second connect: want EISCONN");
	CHECK(probe_so_error(fd) == 0, "SO_ERROR after a successful connect");
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* A blocking connect() won by a transport whose stream is a plain socket (here direct443) ends with
 * that socket itself under the application's fd, as proxychains would leave it: the kernel lists a
 * TCP connection and TCP_INFO is its own, while getpeername() still names the destination asked
 * for, and an epoll registration made before connect() still reports it. A non-blocking connect()
 * keeps its socketpair end and the engine's pump. */
static void scenario_handoff(void)
{
	int baseline, port = connect_echo_setup(&baseline);
	int fd = probe_socket(AF_INET, 0), nb = probe_socket(AF_INET, SOCK_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd }, got;
	struct tcp_info info;
	struct sockaddr_in peer;
	socklen_t len = sizeof info, plen = sizeof peer;

	/* registered before connect(): the registration follows the fd to the handed-over socket */
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl ADD before connect");
	CHECK(probe_connect(fd, "127.0.0.1", port) == 0, "blocking connect through the shim");
	CHECK(epoll_wait(ep, &got, 1, PROBE_WAIT_MS) == 1 && got.data.fd == fd &&
	      (got.events & EPOLLOUT), "epoll does not report the connected fd writable");
	close(ep);
	CHECK(probe_kernel_family(fd) == AF_INET, "the kernel says fd %d is family %d, not TCP/IPv4", fd,
	      probe_kernel_family(fd));
	CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
	      info.tcpi_state == TCP_ESTABLISHED, "TCP_INFO state %u", info.tcpi_state);
	CHECK(getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && ntohs(peer.sin_port) == port,
	      "getpeername names port %u, not %d", ntohs(peer.sin_port), port);
	probe_echo(fd, 256 * 1024);
	CHECK(probe_connect(nb, "127.0.0.1", port) == -1 && errno == EINPROGRESS, "non-blocking connect");
	CHECK(probe_poll(nb, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "never writable");
	CHECK(probe_so_error(nb) == 0, "SO_ERROR");
	CHECK(probe_kernel_family(nb) == AF_UNIX, "the kernel says fd %d is family %d, not a socketpair",
	      nb, probe_kernel_family(nb));
	CHECK(fcntl(nb, F_SETFL, 0) == 0, "F_SETFL");
	probe_echo(nb, 256 * 1024);
	probe_close(fd);
	probe_close(nb);
	probe_fd_expect(baseline);
}

/* Every transport refused: direct and direct443 both hit bound, non-listening ports. */
static void scenario_refused(void)
{
	int refused = probe_refused_port(), alt = probe_refused_port();
	int baseline = -1;

	probe_settings_port(refused, alt);
	for (int round = 0; round < 2; round++) {
		int fd = probe_socket(AF_INET, 0);
		long long start = probe_now_ms();
		int rc = probe_connect(fd, "127.0.0.1", refused);
		CHECK(rc == -1 && errno == ECONNREFUSED, "connect returned %d; want -1/ECONNREFUSED", rc);
		CHECK(probe_now_ms() - start < PROBE_WAIT_MS, "refusal took %lld ms", probe_now_ms() - start);
		probe_close(fd);
		if (round == 0) /* the first attempt starts the engine */
			baseline = probe_fd_settle();
	}
	probe_fd_expect(baseline);
}

static void timeout_check_elapsed(long long start, const char *what)
{
	long long ms = probe_now_ms() - start;

	CHECK(ms >= 900, "%s: gave up after %lld ms with SSTPSHIM_CONNECT_TIMEOUT=1", what, ms);
	CHECK(ms < PROBE_WAIT_MS, "%s: took %lld ms with SSTPSHIM_CONNECT_TIMEOUT=1", what, ms);
}

/* direct is refused, direct443 goes to a listener whose accept queue is full (SYNs dropped). */
static void scenario_timeout(void)
{
	int refused = probe_refused_port(), full = probe_full_port();
	int fd, rc, baseline;
	long long start;

	probe_settings_port(refused, full);
	CHECK(setenv("SSTPSHIM_CONNECT_TIMEOUT", "1", 1) == 0, "setenv");

	fd = probe_socket(AF_INET, 0);
	start = probe_now_ms();
	rc = probe_connect(fd, "127.0.0.1", refused);
	CHECK(rc == -1 && errno == ETIMEDOUT, "blocking connect returned %d; want -1/ETIMEDOUT", rc);
	timeout_check_elapsed(start, "blocking connect");
	probe_close(fd);
	baseline = probe_fd_settle();

	fd = probe_socket(AF_INET, SOCK_NONBLOCK);
	start = probe_now_ms();
	rc = probe_connect(fd, "127.0.0.1", refused);
	CHECK(rc == -1 && errno == EINPROGRESS, "non-blocking connect returned %d; want EINPROGRESS", rc);
	CHECK(probe_poll(fd, POLLOUT, PROBE_WAIT_MS) != 0, "no wake-up after the connect timeout");
	timeout_check_elapsed(start, "non-blocking connect");
	rc = probe_so_error(fd);
	CHECK(rc == ETIMEDOUT, "SO_ERROR %d (%s); want ETIMEDOUT", rc, strerror(rc));
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* A connect that stays pending: direct goes to a full accept queue until the 0.5 s transport
 * timeout, then direct443 reaches the echo server. */
static void scenario_again(void)
{
	int refused = probe_refused_port(), full = probe_full_port(), echo = probe_echo_server();
	char ports[32];
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;

	snprintf(ports, sizeof ports, "%d,%d", refused, full);
	probe_settings(ports, echo);
	CHECK(setenv("SSTPSHIM_TRANSPORT_TIMEOUT", "0.5", 1) == 0, "setenv");
	int baseline = probe_warm_up("127.0.0.1", refused);

	int fd = probe_socket(AF_INET, SOCK_NONBLOCK);
	long long start = probe_now_ms();
	int rc = probe_connect(fd, "127.0.0.1", full);
	CHECK(rc == -1 && errno == EINPROGRESS, "connect returned %d; want -1/EINPROGRESS", rc);
	CHECK(!(probe_poll(fd, POLLOUT, 0) & POLLOUT), "writable while the connect is pending");
	rc = probe_connect(fd, "127.0.0.1", full);
	CHECK(rc == -1 && errno == EALREADY, "connect while pending returned %d; want -1/EALREADY", rc);
	rc = getpeername(fd, (struct sockaddr *)&peer, &len);
	CHECK(rc == -1 && errno == ENOTCONN, "getpeername while pending returned %d; want -1/ENOTCONN", rc);

	CHECK(probe_poll(fd, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "not writable after the transport timeout");
	CHECK(probe_now_ms() - start >= 400, "established after %lld ms, before direct timed out",
	      probe_now_ms() - start);
	CHECK(probe_so_error(fd) == 0, "SO_ERROR once established");
	/* Like the kernel: the first connect() after completion may report success, then EISCONN. */
	rc = probe_connect(fd, "127.0.0.1", full);
	CHECK(rc == 0 || errno == EISCONN, "connect once established returned %d; want 0 or EISCONN", rc);
	rc = probe_connect(fd, "127.0.0.1", full);
	CHECK(rc == -1 && errno == EISCONN, "connect again returned %d; want -1/EISCONN", rc);
	probe_echo(fd, 64 * 1024);
	probe_close(fd);
	probe_fd_expect(baseline);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A blocking connect() interrupted by a signal (a handler without SA_RESTART, the alarm() way of
 * bounding a connect) returns EINTR, and the connection goes on as a non-blocking one would: not
 * writable while pending, EALREADY, then writable once established, with no stray byte in the
 * stream. Same pending setup as scenario_again. */
static void scenario_interrupted(void)
{
	int refused = probe_refused_port(), full = probe_full_port(), echo = probe_echo_server();
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval alarm_in = { .it_value = { .tv_usec = 100000 } };
	char ports[32];

	snprintf(ports, sizeof ports, "%d,%d", refused, full);
	probe_settings(ports, echo);
	CHECK(setenv("SSTPSHIM_TRANSPORT_TIMEOUT", "0.5", 1) == 0, "setenv");
	int baseline = probe_warm_up("127.0.0.1", refused);

	CHECK(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	int fd = probe_socket(AF_INET, 0);
	long long start = probe_now_ms();
	CHECK(setitimer(ITIMER_REAL, &alarm_in, NULL) == 0, "setitimer");
	int rc = probe_connect(fd, "127.0.0.1", full);
	CHECK(rc == -1 && errno == EINTR, "interrupted connect returned %d (%s); want -1/EINTR", rc,
	      strerror(errno));
	CHECK(probe_now_ms() - start < 400, "EINTR after %lld ms", probe_now_ms() - start);
	CHECK(!(probe_poll(fd, POLLOUT, 0) & POLLOUT), "writable while the connect is pending");
	rc = probe_connect(fd, "127.0.0.1", full);
	CHECK(rc == -1 && errno == EALREADY, "connect while pending returned %d; want -1/EALREADY", rc);
	CHECK(probe_poll(fd, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "not writable after the transport timeout");
	CHECK(probe_now_ms() - start >= 400, "established after %lld ms, before direct timed out",
	      probe_now_ms() - start);
	CHECK(probe_so_error(fd) == 0, "SO_ERROR once established");
	probe_echo(fd, 64 * 1024);
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* SO_SNDTIMEO bounds a blocking connect() as the kernel does: when it runs out before the tunnel
 * is established, connect() returns EINPROGRESS and the connection goes on as a non-blocking one
 * (pending, then writable with SO_ERROR 0). The pending setup of scenario_again, with direct
 * given 2 s before direct443 is tried, far longer than the 200 ms of SO_SNDTIMEO. */
static void scenario_sndtimeo(void)
{
	int refused = probe_refused_port(), full = probe_full_port(), echo = probe_echo_server();
	struct timeval tv = { .tv_usec = 200000 };
	char ports[32];

	snprintf(ports, sizeof ports, "%d,%d", refused, full);
	probe_settings(ports, echo);
	CHECK(setenv("SSTPSHIM_TRANSPORT_TIMEOUT", "2", 1) == 0, "setenv");
	int baseline = probe_warm_up("127.0.0.1", refused);

	int fd = probe_socket(AF_INET, 0);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0, "SO_SNDTIMEO");
	long long start = probe_now_ms();
	int rc = probe_connect(fd, "127.0.0.1", full);
	long long ms = probe_now_ms() - start;
	CHECK(rc == -1 && errno == EINPROGRESS,
	      "connect with SO_SNDTIMEO 200 ms returned %d (%s) after %lld ms; want -1/EINPROGRESS", rc,
	      rc < 0 ? strerror(errno) : "-", ms);
	CHECK(ms >= 150 && ms < 1900, "connect gave up after %lld ms with SO_SNDTIMEO 200 ms", ms);
	CHECK(!(probe_poll(fd, POLLOUT, 0) & POLLOUT), "writable while the connect is pending");
	CHECK(probe_poll(fd, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "not writable after the transport timeout");
	CHECK(probe_so_error(fd) == 0, "SO_ERROR once established");
	probe_echo(fd, 64 * 1024);
	probe_close(fd);
	probe_fd_expect(baseline);
}

#define SOCKOPTS_TIMEO_MS 300
#define SOCKOPTS_RCVBUF (48 * 1024)

static void sockopts_set(int fd)
{
	struct timeval tv = { .tv_usec = SOCKOPTS_TIMEO_MS * 1000 };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int rcvbuf = SOCKOPTS_RCVBUF;

	CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
		      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0 &&
		      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == 0,
	      "setsockopt before connect");
}

/* Nothing comes (the echo server waits for bytes): recv() gives up after SO_RCVTIMEO. Were the
 * timeout lost, recv() would wait for ever: the alarm turns that into a failure. */
static void sockopts_check_timeout(int fd, const char *what)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	long long start, ms;
	ssize_t n;
	char c;

	CHECK(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	alarm(PROBE_WAIT_MS / 1000);
	start = probe_now_ms();
	n = recv(fd, &c, 1, 0);
	ms = probe_now_ms() - start;
	alarm(0);
	CHECK(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
	      "%s: recv returned %zd (%s) after %lld ms; want -1/EAGAIN after SO_RCVTIMEO %d ms",
	      what, n, n < 0 ? strerror(errno) : "-", ms, SOCKOPTS_TIMEO_MS);
	CHECK(ms >= SOCKOPTS_TIMEO_MS - 50, "%s: recv gave up after %lld ms, before SO_RCVTIMEO",
	      what, ms);
}

/* Socket options set before connect() hold on the fd the application ends with, as they would
 * without the shim: SO_RCVTIMEO bounds a recv() on the handed-over TCP socket and on a non-blocking
 * connect's socketpair end alike; on the TCP socket SO_LINGER and SO_RCVBUF read back as on a
 * socket that was never intercepted. */
static void scenario_sockopts(void)
{
	int baseline, port = connect_echo_setup(&baseline);
	int fd = probe_socket(AF_INET, 0), nb = probe_socket(AF_INET, SOCK_NONBLOCK);
	int plain = probe_socket(AF_INET, 0), want = 0, got = 0;
	struct linger lg = { 0, 0 };
	socklen_t len = sizeof want;

	sockopts_set(plain);
	CHECK(getsockopt(plain, SOL_SOCKET, SO_RCVBUF, &want, &len) == 0,
	      "SO_RCVBUF of a plain socket");
	probe_close(plain);
	sockopts_set(fd);
	CHECK(probe_connect(fd, "127.0.0.1", port) == 0, "blocking connect through the shim");
	CHECK(probe_kernel_family(fd) == AF_INET, "fd %d was not handed over (family %d)", fd,
	      probe_kernel_family(fd));
	sockopts_check_timeout(fd, "handed-over socket");
	len = sizeof lg;
	CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 1 &&
		      lg.l_linger == 0,
	      "SO_LINGER reads back {%d, %d}, not {1, 0}", lg.l_onoff, lg.l_linger);
	len = sizeof got;
	CHECK(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got == want,
	      "SO_RCVBUF reads back %d; a plain socket says %d", got, want);
	probe_echo(fd, 64 * 1024);

	sockopts_set(nb);
	CHECK(probe_connect(nb, "127.0.0.1", port) == -1 && errno == EINPROGRESS,
	      "non-blocking connect");
	CHECK(probe_poll(nb, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "never writable");
	CHECK(probe_so_error(nb) == 0, "SO_ERROR");
	CHECK(fcntl(nb, F_SETFL, 0) == 0, "F_SETFL");
	sockopts_check_timeout(nb, "socketpair end");
	probe_echo(nb, 64 * 1024);
	probe_close(fd);
	probe_close(nb);
	probe_fd_expect(baseline);
}

/* connect() of fd (non-blocking when nonblock) to port through the shim, then, once writable
 * with SO_ERROR 0, blocking, 16 KiB echoed. */
static void connect_and_echo(int fd, int port, bool nonblock)
{
	int rc = probe_connect(fd, "127.0.0.1", port);

	CHECK(rc == (nonblock ? -1 : 0) && (!nonblock || errno == EINPROGRESS),
	      "connect returned %d (%s)", rc, rc < 0 ? strerror(errno) : "-");
	CHECK(probe_poll(fd, POLLOUT, PROBE_WAIT_MS) & POLLOUT, "never writable");
	CHECK(probe_so_error(fd) == 0, "SO_ERROR");
	CHECK(fcntl(fd, F_SETFL, 0) == 0, "F_SETFL");
	probe_echo(fd, 16 * 1024);
}

/* A socket bound to a local address before connect() (an interface, as curl --interface binds
 * one): the connection reaches the server from that address and getsockname() says so, blocking
 * (the handed-over socket) and not (the engine's socket behind the socketpair). */
static void scenario_bound(void)
{
	int refused = probe_refused_port();
	struct probe_server *srv = probe_server_start(PROBE_ECHO);
	const uint32_t from = htonl(0x7f000002); /* 127.0.0.2 */

	probe_settings_port(refused, srv->port);
	int baseline = probe_warm_up("127.0.0.1", refused);
	for (int nonblock = 0; nonblock < 2; nonblock++) {
		int fd = probe_socket(AF_INET, nonblock ? SOCK_NONBLOCK : 0);
		struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr.s_addr = from };
		socklen_t len = sizeof local;

		CHECK(bind(fd, (struct sockaddr *)&local, sizeof local) == 0, "bind to 127.0.0.2");
		connect_and_echo(fd, refused, nonblock);
		uint32_t seen = atomic_load(&srv->last_peer4);
		CHECK(seen == from, "%s: the server saw the connection from %08x, not 127.0.0.2",
		      nonblock ? "non-blocking" : "blocking", ntohl(seen));
		memset(&local, 0, sizeof local);
		CHECK(getsockname(fd, (struct sockaddr *)&local, &len) == 0 &&
		      local.sin_addr.s_addr == from, "%s: getsockname says %08x, not 127.0.0.2",
		      nonblock ? "non-blocking" : "blocking", ntohl(local.sin_addr.s_addr));
		probe_close(fd);
	}
	probe_fd_expect(baseline);
}

/* Whether the kernel lists an established TCP connection to port whose type of service is tos
 * (`ss --tos`: the socket that sends to the server, whichever process or thread holds it). */
static bool tos_toward(int port, int tos)
{
	char cmd[128], line[512], want[16];
	bool seen = false;
	FILE *p;

	snprintf(cmd, sizeof cmd, "ss -tnH --tos state established 'dport = :%d' 2>&1", port);
	snprintf(want, sizeof want, "tos:%#x ", tos);
	p = popen(cmd, "r");
	CHECK(p != NULL, "popen ss");
	while (fgets(line, sizeof line, p))
		seen |= strstr(line, want) != NULL;
	CHECK(pclose(p) == 0, "ss failed");
	return seen;
}

/* A type of service set before connect() marks the connection's packets, as it would without the
 * shim: the socket that sends to the server carries it, the handed-over socket when blocking, the
 * engine's own socket behind the socketpair when not. */
static void scenario_tos(void)
{
	int refused = probe_refused_port();
	struct probe_server *srv = probe_server_start(PROBE_ECHO);
	const int tos = 0x28; /* DSCP AF11 */

	probe_settings_port(refused, srv->port);
	int baseline = probe_warm_up("127.0.0.1", refused);
	for (int nonblock = 0; nonblock < 2; nonblock++) {
		int fd = probe_socket(AF_INET, nonblock ? SOCK_NONBLOCK : 0);

		CHECK(setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) == 0, "IP_TOS");
		connect_and_echo(fd, refused, nonblock);
		CHECK(tos_toward(srv->port, tos), "%s: no connection to port %d with tos %#x",
		      nonblock ? "non-blocking" : "blocking", srv->port, tos);
		probe_close(fd);
	}
	probe_fd_expect(baseline);
}

/* sendto(MSG_FASTOPEN) on a fresh socket is connect() plus send(). */
static void scenario_fastopen(void)
{
	int baseline, port = connect_echo_setup(&baseline);
	int fd = probe_socket(AF_INET, 0);
	struct sockaddr_storage dest, peer;
	socklen_t len = probe_addr(&dest, "127.0.0.1", port), peer_len = sizeof peer;
	unsigned char out[3000], in[sizeof out];

	probe_fill(out, sizeof out);
	ssize_t n = sendto(fd, out, sizeof out, MSG_FASTOPEN, (struct sockaddr *)&dest, len);
	CHECK(n == (ssize_t)sizeof out, "sendto(MSG_FASTOPEN) returned %zd; want %zu", n, sizeof out);
	probe_pump(fd, NULL, 0, in, sizeof in);
	CHECK(memcmp(out, in, sizeof out) == 0, "echo of the Fast Open payload differs");
	CHECK(getpeername(fd, (struct sockaddr *)&peer, &peer_len) == 0, "getpeername after sendto");
	CHECK(((struct sockaddr_in *)&peer)->sin_port == htons((uint16_t)port), "peer port is not %d", port);
	probe_echo(fd, 4096);
	probe_close(fd);
	probe_fd_expect(baseline);
}

/* shutdown(SHUT_WR): the server sees EOF, its echo still arrives, then EOF reaches the app. */
static void scenario_shutdown(void)
{
	int refused = probe_refused_port();
	struct probe_server *srv = probe_server_start(PROBE_ECHO);
	size_t len = 128 * 1024;
	unsigned char *out = malloc(len), *in = malloc(len + 1);

	CHECK(out && in, "malloc");
	probe_settings_port(refused, srv->port);
	int baseline = probe_warm_up("127.0.0.1", refused);
	int eofs = atomic_load(&srv->eofs);
	int fd = probe_dial("127.0.0.1", refused);

	probe_fill(out, len);
	size_t got = probe_pump(fd, out, len, in, len / 2);
	CHECK(shutdown(fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	for (ssize_t r = 1; r > 0; got += (size_t)r) {
		CHECK(probe_poll(fd, POLLIN, PROBE_ECHO_WAIT_MS) != 0, "no data or EOF after %zu bytes", got);
		r = recv(fd, in + got, len + 1 - got, 0);
		CHECK(r >= 0, "recv after shutdown(SHUT_WR), %zu bytes in", got);
	}
	CHECK(got == len, "received %zu bytes before EOF; sent %zu", got, len);
	CHECK(memcmp(out, in, len) == 0, "echoed bytes differ");
	CHECK(atomic_load(&srv->eofs) == eofs + 1, "the echo server saw no EOF");
	probe_close(fd);
	free(out);
	free(in);
	probe_fd_expect(baseline);
}

/* The server resets the connection: the application's next read reports ECONNRESET. Twice: what
 * the engine opens once for its first reset is counted in the baseline. */
static void scenario_reset(void)
{
	int refused = probe_refused_port(), echo = probe_echo_server();
	struct probe_server *rst = probe_server_start(PROBE_RESET);
	char ports[32], buf[64];
	int baseline = -1;

	snprintf(ports, sizeof ports, "%d,%d", refused, rst->port);
	probe_settings(ports, echo);
	for (int round = 0; round < 2; round++) {
		int fd = probe_dial("127.0.0.1", rst->port); /* direct reaches the resetting server */
		CHECK(send(fd, "hello", 5, MSG_NOSIGNAL) == 5, "send");
		CHECK(probe_poll(fd, POLLIN, PROBE_WAIT_MS) != 0, "no wake-up after the server's reset");
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		CHECK(r == -1 && errno == ECONNRESET, "recv returned %zd; want -1/ECONNRESET", r);
		CHECK(atomic_load(&rst->accepted) == round + 1, "the resetting server saw %d connections",
		      atomic_load(&rst->accepted));
		probe_close(fd);
		if (round == 0)
			baseline = probe_fd_settle();
	}
	probe_fd_expect(baseline);
}

/* A port not in SSTPSHIM_PORTS: connect() makes a real TCP socket, untouched. */
static void scenario_passthrough(void)
{
	int plain = probe_echo_server(); /* before the baseline: its listeners stay open */
	int baseline, refused = connect_echo_setup(&baseline);
	int fd = probe_dial("127.0.0.1", plain);
	int domain = -1;
	struct tcp_info info;
	socklen_t len = sizeof domain;

	(void)refused;
	CHECK(probe_kernel_family(fd) == AF_INET, "the kernel says fd %d is family %d, not TCP/IPv4", fd,
	      probe_kernel_family(fd));
	CHECK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_INET, "SO_DOMAIN %d",
	      domain);
	len = sizeof info;
	CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0, "TCP_INFO");
	CHECK(info.tcpi_state == TCP_ESTABLISHED, "tcpi_state %u", info.tcpi_state);
	probe_echo(fd, 64 * 1024);
	probe_close(fd);
	probe_fd_expect(baseline);
}

int main(int argc, char **argv)
{
	static const struct probe_scenario list[] = {
		{ "block", scenario_block },       { "handoff", scenario_handoff },
		{ "refused", scenario_refused },
		{ "timeout", scenario_timeout },   { "again", scenario_again },
		{ "interrupted", scenario_interrupted }, { "sockopts", scenario_sockopts },
		{ "sndtimeo", scenario_sndtimeo }, { "bound", scenario_bound },
		{ "tos", scenario_tos },
		{ "fastopen", scenario_fastopen }, { "shutdown", scenario_shutdown },
		{ "reset", scenario_reset },       { "passthrough", scenario_passthrough },
	};

	return probe_main(argc, argv, list, PROBE_COUNT(list));
}
