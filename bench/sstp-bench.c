/* sstp-bench: loopback TCP measurements of what sstpshim costs an application.
 *
 *   sstp-bench server [-p PORT]                           (port 0 = any free port, the default)
 *   sstp-bench throughput -p PORT [-m MiB] [--dir up|down] (default 256 MiB, up)
 *   sstp-bench rtt -p PORT [-n COUNT] [-s SIZE]            (default 2000 round trips of 64 bytes)
 *   (--nonblock: throughput and rtt connect() as event-driven programs do, non-blocking)
 *   sstp-bench connect -p PORT [-n COUNT]                  (default 1000 connections)
 *   sstp-bench exec [-n COUNT]                             (default 1000 runs of /bin/true)
 *
 * The server prints "listening on 127.0.0.1:PORT" once it accepts connections, so a script can
 * wait for that line. Each connection starts with one command line from the client:
 *   "sink N"    the server reads N bytes, then answers with N as 8 bytes, big-endian (the ack);
 *   "source N"  the server sends N bytes, then closes;
 *   "echo"      the server sends back every byte until the client closes.
 * A connection that closes before sending a command (the connect benchmark) is simply dropped.
 *
 * The clients print one line each, MB meaning 10^6 bytes and times in microseconds:
 *   "throughput MB/s V", "rtt_us median V p99 V", "connect_us median V mean V",
 *   "exec_us median V mean V".
 * Any error makes the client exit with status 1; the server reports a failed connection on
 * stderr and goes on serving the others. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_BULK_BUFFER (256u * 1024u) /* bytes per read()/write() of bulk transfers */
#define BENCH_COMMAND_MAX 64             /* longest command line, newline included */
#define BENCH_ACK_LEN 8
#define BENCH_BACKLOG 4096 /* the connect benchmark opens connections faster than threads start */
#define BENCH_RTT_WARMUP 50 /* round trips run, not counted, before rtt starts timing */
#define BENCH_MAX_MIB (1024u * 1024u)
#define BENCH_MAX_COUNT 10000000u
#define BENCH_MAX_SIZE (16u * 1024u * 1024u)

enum bench_dir { DIR_UP, DIR_DOWN };

struct bench_opts {
	uint64_t port;
	uint64_t mib;   /* throughput: MiB to transfer */
	enum bench_dir dir;
	uint64_t count; /* rtt: round trips; connect: connections; exec: programs run */
	uint64_t size;  /* rtt: bytes per message */
	bool nonblock;  /* throughput, rtt: connect() non-blocking */
};

static void usage(FILE *out)
{
	fprintf(out, "usage: sstp-bench server [-p PORT]\n"
		     "       sstp-bench throughput -p PORT [-m MiB] [--dir up|down] [--nonblock]\n"
		     "       sstp-bench rtt -p PORT [-n COUNT] [-s SIZE] [--nonblock]\n"
		     "       sstp-bench connect -p PORT [-n COUNT]\n"
		     "       sstp-bench exec [-n COUNT]\n"
		     "All connections go to 127.0.0.1. up: client sends (server sinks); down: server "
		     "sends.\n");
}

/* Prints "sstp-bench: WHAT: reason" and returns -1. errno 0 means the peer closed too early. */
static int bench_error(const char *what)
{
	fprintf(stderr, "sstp-bench: %s: %s\n", what,
		errno ? strerror(errno) : "connection closed before the expected bytes");
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Strict decimal: digits only, within [min, max]. */
static int parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*text == '\0')
		return -1;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads at most len bytes; returns the count, 0 at end of stream (errno 0), or -1. */
static ssize_t recv_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = 0;
	return n;
}

/* Reads exactly len bytes; -1 on error or when the stream ends first (errno 0). */
static int recv_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = recv_some(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one command line a byte at a time, so no byte after the newline is taken from the data
 * that follows it. Returns the length without the newline, or -1 (errno 0 at a clean EOF). */
static ssize_t recv_line(int fd, char *buf, size_t cap)
{
	for (size_t len = 0; len < cap; len++) {
		if (recv_some(fd, buf + len, 1) <= 0)
			return -1;
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return (ssize_t)len;
		}
	}
	errno = EMSGSIZE;
	return -1;
}

static void fill_pattern(char *buf, size_t len)
{
	uint32_t x = 2463534242u; /* xorshift: bytes that no layer could compress or special-case */

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)x;
	}
}

static struct sockaddr_in loopback_addr(uint64_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

/* Completes a non-blocking connect() the way event-driven programs do (poll for writable, then
 * SO_ERROR) and makes the socket blocking again. 0, or -1 with errno. */
static int connect_finish(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof err;

	if (errno != EINPROGRESS)
		return -1;
	if (poll(&p, 1, 60000) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
}

/* A TCP connection to 127.0.0.1:port, blocking once connected; TCP_NODELAY is set before connect()
 * so that a shim carrying the connection sees it too. nonblock: connect() as event-driven
 * programs do; sstpshim then keeps its socketpair and pumps, where a blocking connect() gets the
 * connected socket itself. Returns the fd or -1 after printing why. */
static int connect_loopback(uint64_t port, bool nodelay, bool nonblock)
{
	struct sockaddr_in sin = loopback_addr(port);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return bench_error("socket");
	if (nodelay && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
		bench_error("setsockopt TCP_NODELAY");
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0 && (!nonblock || connect_finish(fd) < 0)) {
		bench_error("connect");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int send_command(int fd, const char *verb, uint64_t n)
{
	char line[BENCH_COMMAND_MAX];
	int len = snprintf(line, sizeof line, "%s %llu\n", verb, (unsigned long long)n);

	if (send_all(fd, line, (size_t)len) < 0)
		return bench_error("sending the command");
	return 0;
}

/* ---- server ---- */

static int serve_sink(int fd, char *buf, uint64_t n)
{
	uint64_t ack = htobe64(n);

	for (uint64_t left = n; left > 0;) {
		size_t want = left < BENCH_BULK_BUFFER ? (size_t)left : BENCH_BULK_BUFFER;
		ssize_t got = recv_some(fd, buf, want);
		if (got <= 0)
			return bench_error("server sink: receiving");
		left -= (uint64_t)got;
	}
	if (send_all(fd, &ack, sizeof ack) < 0)
		return bench_error("server sink: sending the ack");
	return 0;
}

static int serve_source(int fd, char *buf, uint64_t n)
{
	for (uint64_t left = n; left > 0;) {
		size_t chunk = left < BENCH_BULK_BUFFER ? (size_t)left : BENCH_BULK_BUFFER;
		if (send_all(fd, buf, chunk) < 0)
			return bench_error("server source: sending");
		left -= chunk;
	}
	return 0;
}

static int serve_echo(int fd, char *buf)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	for (;;) {
		ssize_t got = recv_some(fd, buf, BENCH_BULK_BUFFER);
		if (got == 0)
			return 0;
		if (got < 0 || send_all(fd, buf, (size_t)got) < 0)
			return bench_error("server echo");
	}
}

/* Runs one command line; -1 after printing why. */
static int serve_command(int fd, const char *line)
{
	uint64_t n = 0;
	int rc = -1;
	char *buf = malloc(BENCH_BULK_BUFFER);

	if (!buf)
		return bench_error("server: allocating a buffer");
	fill_pattern(buf, BENCH_BULK_BUFFER);
	if (strncmp(line, "sink ", 5) == 0 && parse_u64(line + 5, 0, UINT64_MAX, &n) == 0)
		rc = serve_sink(fd, buf, n);
	else if (strncmp(line, "source ", 7) == 0 && parse_u64(line + 7, 0, UINT64_MAX, &n) == 0)
		rc = serve_source(fd, buf, n);
	else if (strcmp(line, "echo") == 0)
		rc = serve_echo(fd, buf);
	else
		fprintf(stderr, "sstp-bench: server: unknown command \"%s\"\n", line);
	free(buf);
	return rc;
}

static void *serve_connection(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char line[BENCH_COMMAND_MAX];

	if (recv_line(fd, line, sizeof line) >= 0)
		serve_command(fd, line);
	else if (errno != 0 && errno != ECONNRESET)
		bench_error("server: reading the command");
	/* errno 0 or ECONNRESET: a connection opened and closed without a command, as `connect` does */
	close(fd);
	return NULL;
}

/* Listens on 127.0.0.1:port (0 = any); returns the fd and the bound port, or -1. */
static int listen_loopback(uint64_t port, unsigned *bound)
{
	struct sockaddr_in sin = loopback_addr(port);
	socklen_t len = sizeof sin;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return bench_error("server: socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(fd, BENCH_BACKLOG) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		bench_error("server: listening on 127.0.0.1");
		close(fd);
		return -1;
	}
	*bound = ntohs(sin.sin_port);
	return fd;
}

/* Whether the client closed without sending anything, as every `connect` client does. Those
 * are dropped at once: starting a thread for each would let the accept queue grow during a
 * connect run, until it overflows and a SYN waits a second for its retransmission. */
static bool already_closed(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static int cmd_server(const struct bench_opts *o)
{
	unsigned bound = 0;
	pthread_attr_t attr;
	int lfd = listen_loopback(o->port, &bound);

	if (lfd < 0)
		return -1;
	printf("listening on 127.0.0.1:%u\n", bound);
	fflush(stdout);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		pthread_t tid;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0)
			return bench_error("server: accept");
		if (already_closed(fd)) {
			close(fd);
			continue;
		}
		errno = pthread_create(&tid, &attr, serve_connection, (void *)(intptr_t)fd);
		if (errno != 0) {
			bench_error("server: starting a connection thread");
			close(fd);
		}
	}
}

/* ---- clients ---- */

/* Bytes per microsecond equals MB (10^6 bytes) per second. */
static double mb_per_s(uint64_t bytes, uint64_t ns)
{
	return (double)bytes * 1000.0 / (double)ns;
}

/* up: timed from the first byte written to the ack's arrival. */
static int throughput_up(int fd, char *buf, uint64_t n, double *mbs)
{
	uint64_t ack, start;

	if (send_command(fd, "sink", n) < 0)
		return -1;
	start = now_ns();
	for (uint64_t left = n; left > 0;) {
		size_t chunk = left < BENCH_BULK_BUFFER ? (size_t)left : BENCH_BULK_BUFFER;
		if (send_all(fd, buf, chunk) < 0)
			return bench_error("sending");
		left -= chunk;
	}
	if (recv_full(fd, &ack, sizeof ack) < 0)
		return bench_error("receiving the ack");
	if (be64toh(ack) != n) {
		fprintf(stderr, "sstp-bench: the server acknowledged %llu bytes, not %llu\n",
			(unsigned long long)be64toh(ack), (unsigned long long)n);
		return -1;
	}
	*mbs = mb_per_s(n, now_ns() - start);
	return 0;
}

/* down: timed from the arrival of the first bytes to the last; the first read is not counted,
 * since it may have waited for the server to start. Exactly n bytes, then end of stream. */
static int throughput_down(int fd, char *buf, uint64_t n, double *mbs)
{
	uint64_t got = 0, first = 0, start = 0, elapsed;

	if (send_command(fd, "source", n) < 0)
		return -1;
	while (got < n) {
		ssize_t r = recv_some(fd, buf, BENCH_BULK_BUFFER);
		if (r <= 0)
			return bench_error("receiving");
		if (got == 0) {
			start = now_ns();
			first = (uint64_t)r;
		}
		got += (uint64_t)r;
	}
	elapsed = now_ns() - start;
	if (got != n || recv_some(fd, buf, 1) != 0) {
		fprintf(stderr, "sstp-bench: the server sent more than the %llu bytes asked for\n",
			(unsigned long long)n);
		return -1;
	}
	if (got == first || elapsed == 0) {
		fprintf(stderr, "sstp-bench: transfer too short to time, use a larger -m\n");
		return -1;
	}
	*mbs = mb_per_s(got - first, elapsed);
	return 0;
}

static int cmd_throughput(const struct bench_opts *o)
{
	double mbs = 0;
	int rc = -1;
	int fd = -1;
	char *buf = malloc(BENCH_BULK_BUFFER);

	if (!buf) {
		bench_error("allocating a buffer");
		goto out;
	}
	fill_pattern(buf, BENCH_BULK_BUFFER);
	fd = connect_loopback(o->port, false, o->nonblock);
	if (fd < 0)
		goto out;
	if (o->dir == DIR_UP)
		rc = throughput_up(fd, buf, o->mib * 1024 * 1024, &mbs);
	else
		rc = throughput_down(fd, buf, o->mib * 1024 * 1024, &mbs);
	if (rc == 0)
		printf("throughput MB/s %.1f\n", mbs);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts the samples (nanoseconds) and returns the median in microseconds. */
static double median_us(uint64_t *ns, size_t n)
{
	qsort(ns, n, sizeof *ns, compare_u64);
	if (n % 2)
		return (double)ns[n / 2] / 1000.0;
	return ((double)ns[n / 2 - 1] + (double)ns[n / 2]) / 2000.0;
}

/* One message out and the same bytes back; the first byte changes every time so that a stale
 * reply can never pass for a fresh one. */
static int rtt_once(int fd, char *out, char *in, size_t size, unsigned i)
{
	out[0] = (char)i;
	if (send_all(fd, out, size) < 0)
		return bench_error("sending");
	if (recv_full(fd, in, size) < 0)
		return bench_error("receiving the echo");
	if (memcmp(out, in, size) != 0) {
		fprintf(stderr, "sstp-bench: the echo differs from what was sent\n");
		return -1;
	}
	return 0;
}

static int rtt_measure(int fd, const struct bench_opts *o, char *out, char *in, uint64_t *ns)
{
	static const char cmd[] = "echo\n";

	if (send_all(fd, cmd, sizeof cmd - 1) < 0)
		return bench_error("sending the command");
	for (unsigned i = 0; i < BENCH_RTT_WARMUP; i++)
		if (rtt_once(fd, out, in, o->size, i) < 0)
			return -1;
	for (uint64_t i = 0; i < o->count; i++) {
		uint64_t start = now_ns();
		if (rtt_once(fd, out, in, o->size, (unsigned)i) < 0)
			return -1;
		ns[i] = now_ns() - start;
	}
	return 0;
}

static int cmd_rtt(const struct bench_opts *o)
{
	size_t p99 = (o->count * 99 + 99) / 100 - 1; /* ceil(0.99 n) - 1, in sorted order */
	double median;
	int rc = -1, fd = -1;
	uint64_t *ns = calloc(o->count, sizeof *ns);
	char *out = malloc(o->size), *in = malloc(o->size);

	if (!ns || !out || !in) {
		bench_error("allocating buffers");
		goto out;
	}
	fill_pattern(out, o->size);
	fd = connect_loopback(o->port, true, o->nonblock);
	if (fd < 0 || rtt_measure(fd, o, out, in, ns) < 0)
		goto out;
	median = median_us(ns, o->count);
	printf("rtt_us median %.1f p99 %.1f\n", median, (double)ns[p99] / 1000.0);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(ns);
	free(out);
	free(in);
	return rc;
}

/* Times socket() + connect() + close(), the calls an interposed library adds work to. */
static int connect_once(const struct bench_opts *o, uint64_t *ns)
{
	struct sockaddr_in sin = loopback_addr(o->port);
	uint64_t start = now_ns();
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return bench_error("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
		bench_error("connect");
		close(fd);
		return -1;
	}
	close(fd);
	*ns = now_ns() - start;
	return 0;
}

/* Runs once() o->count times, each timed alone, and prints "LABEL median M mean A" (us). */
static int time_runs(const struct bench_opts *o, int (*once)(const struct bench_opts *, uint64_t *),
		     const char *label)
{
	int rc = -1;
	double sum = 0, median;
	uint64_t *ns = calloc(o->count, sizeof *ns);

	if (!ns)
		return bench_error("allocating samples");
	for (uint64_t i = 0; i < o->count; i++) {
		if (once(o, &ns[i]) < 0)
			goto out;
		sum += (double)ns[i];
	}
	median = median_us(ns, o->count);
	printf("%s median %.2f mean %.2f\n", label, median, sum / (double)o->count / 1000.0);
	rc = 0;
out:
	free(ns);
	return rc;
}

/* Times posix_spawn() of /bin/true to its exit: what starting a process costs, LD_PRELOAD and
 * all, since the child inherits the environment. */
static int exec_once(const struct bench_opts *o, uint64_t *ns)
{
	static char *const argv[] = { "true", NULL };
	extern char **environ;
	uint64_t start = now_ns();
	pid_t pid;
	int status, err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);

	if (err != 0) {
		errno = err;
		return bench_error("posix_spawn /bin/true");
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return bench_error("waitpid");
	*ns = now_ns() - start;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "sstp-bench: /bin/true did not exit with status 0\n");
		return -1;
	}
	return 0;
}

/* ---- command line ---- */

static int parse_option(int c, const char *arg, struct bench_opts *o)
{
	switch (c) {
	case 'p':
		return parse_u64(arg, 0, 65535, &o->port);
	case 'm':
		return parse_u64(arg, 1, BENCH_MAX_MIB, &o->mib);
	case 'n':
		return parse_u64(arg, 1, BENCH_MAX_COUNT, &o->count);
	case 's':
		return parse_u64(arg, 1, BENCH_MAX_SIZE, &o->size);
	case 'b':
		o->nonblock = true;
		return 0;
	case 'd':
		if (strcmp(arg, "up") == 0 || strcmp(arg, "down") == 0) {
			o->dir = arg[0] == 'u' ? DIR_UP : DIR_DOWN;
			return 0;
		}
		return -1;
	}
	return -1;
}

/* Options that each subcommand accepts; --dir is turned into 'd' and allowed for throughput only,
 * --nonblock into 'b'. */
static const char *subcommand_options(const char *cmd)
{
	if (strcmp(cmd, "server") == 0)
		return "p:";
	if (strcmp(cmd, "throughput") == 0)
		return "p:m:d:b";
	if (strcmp(cmd, "rtt") == 0)
		return "p:n:s:b";
	if (strcmp(cmd, "connect") == 0)
		return "p:n:";
	if (strcmp(cmd, "exec") == 0)
		return "n:";
	return NULL;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = { { "dir", required_argument, NULL, 'd' },
						  { "nonblock", no_argument, NULL, 'b' },
						  { NULL, 0, NULL, 0 } };
	const char *optstring = subcommand_options(argv[0]);
	bool have_port = false;
	int c;

	if (!optstring)
		return -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c == '?' || !strchr(optstring, c) || parse_option(c, optarg, o) < 0) {
			if (c != '?')
				fprintf(stderr, "sstp-bench: bad value for -%c: %s\n", c, optarg);
			return -1;
		}
		have_port |= c == 'p';
	}
	if (optind != argc)
		return -1;
	if (strcmp(argv[0], "server") != 0 && strcmp(argv[0], "exec") != 0 &&
	    (!have_port || o->port == 0)) {
		fprintf(stderr, "sstp-bench: %s needs -p PORT (1-65535)\n", argv[0]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .port = 0, .mib = 256, .dir = DIR_UP, .count = 0, .size = 64 };
	int rc;

	if (argc < 2 || parse_args(argc - 1, argv + 1, &o) < 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (o.count == 0)
		o.count = strcmp(argv[1], "rtt") == 0 ? 2000 : 1000;
	if (strcmp(argv[1], "server") == 0)
		rc = cmd_server(&o);
	else if (strcmp(argv[1], "throughput") == 0)
		rc = cmd_throughput(&o);
	else if (strcmp(argv[1], "rtt") == 0)
		rc = cmd_rtt(&o);
	else if (strcmp(argv[1], "exec") == 0)
		rc = time_runs(&o, exec_once, "exec_us");
	else
		rc = time_runs(&o, connect_once, "connect_us");
	return rc == 0 ? 0 : 1;
}
