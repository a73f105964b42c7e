/* client_blocking: an ordinary blocking TCP client that knows nothing of sstpshim.
 *
 *   client_blocking [-h HOST] [-p PORT] [-n COUNT] [--stdio]
 *
 * By default it connects to 127.0.0.1:2492, sends COUNT small messages to an echo server one at a
 * time, checks that each comes back unchanged and prints the median round trip:
 *   round trip: median 0.052 ms over 10 messages
 * With --stdio it copies stdin to the socket and the socket to stdout at the same time, shuts down
 * its write side at the end of stdin and exits once the server has closed; piping a file through
 * an echo server this way must give the same bytes back.
 *
 * Exit status: 0 success, 1 an exchange failed (short, wrong or reset echo), 2 no connection. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define COPY_BUFFER (64 * 1024)
#define MESSAGE_MAX 128
#define COUNT_MAX 1000000

struct options {
	const char *host;
	const char *port;
	unsigned count;
	bool stdio;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: client_blocking [-h HOST] [-p PORT] [-n COUNT] [--stdio]\n"
		     "  -h HOST   server name or address (default 127.0.0.1)\n"
		     "  -p PORT   server port (default 2492)\n"
		     "  -n COUNT  messages to exchange (default 10)\n"
		     "  --stdio   copy stdin to the server and the server to stdout\n");
}

/* Strict decimal parser: digits only, 1..max. */
static int parse_number(const char *text, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* 0 with opts filled, 1 when help was asked for, -1 on a bad command line. */
static int parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option longopts[] = { { "stdio", no_argument, NULL, 'S' },
						  { "help", no_argument, NULL, 'H' },
						  { NULL, 0, NULL, 0 } };
	unsigned port;
	int opt;

	*opts = (struct options){ .host = "127.0.0.1", .port = "2492", .count = 10 };
	while ((opt = getopt_long(argc, argv, "h:p:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			opts->host = optarg;
			break;
		case 'p':
			if (parse_number(optarg, 65535, &port) < 0)
				return -1;
			opts->port = optarg;
			break;
		case 'n':
			if (parse_number(optarg, COUNT_MAX, &opts->count) < 0)
				return -1;
			break;
		case 'S':
			opts->stdio = true;
			break;
		case 'H':
			return 1;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* Connects to the first address of host:port that accepts. The fd, or -1 after saying why. */
static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int fd = -1, rc, err = ECONNREFUSED;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "getaddrinfo: %s: %s\n", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "connect: %s\n", strerror(err));
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes. -1 with errno, or with errno 0 when the peer closed first. */
static int read_exactly(int fd, char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = recv(fd, buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *values, unsigned n)
{
	qsort(values, n, sizeof *values, compare_doubles);
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Sends message i and checks its echo; stores the round trip in *ms. */
static int exchange_one(int fd, unsigned i, unsigned count, double *ms)
{
	char out[MESSAGE_MAX], in[MESSAGE_MAX];
	int len = snprintf(out, sizeof out, "message %u of %u from pid %d\n", i + 1, count, (int)getpid());
	double start = now_ms();

	if (send(fd, out, (size_t)len, MSG_NOSIGNAL) != len) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		return -1;
	}
	if (read_exactly(fd, in, (size_t)len) < 0) {
		fprintf(stderr, "recv: %s\n", errno ? strerror(errno) : "server closed the connection");
		return -1;
	}
	*ms = now_ms() - start;
	if (memcmp(in, out, (size_t)len) != 0) {
		fprintf(stderr, "echo of message %u differs from what was sent\n", i + 1);
		return -1;
	}
	return 0;
}

/* The default mode. Ends with a half-close and waits for the server's EOF, so both sides close
 * cleanly. */
static int run_messages(int fd, unsigned count)
{
	double *times = calloc(count, sizeof *times);
	char rest[256];
	ssize_t n;
	int rc = -1;

	if (!times) {
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	for (unsigned i = 0; i < count; i++) {
		if (exchange_one(fd, i, count, &times[i]) < 0)
			goto out;
	}
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, rest, sizeof rest, 0)) < 0 && errno == EINTR)
		;
	if (n != 0) {
		fprintf(stderr, "after the last echo: %s\n", n < 0 ? strerror(errno) : "unexpected bytes");
		goto out;
	}
	printf("round trip: median %.3f ms over %u messages\n", median(times, count), count);
	rc = 0;
out:
	free(times);
	return rc;
}

struct uploader {
	int fd;
	int rc;             /* 0 once stdin was sent in full and the write side shut down */
	bool done;          /* set under lock when the thread finished */
	bool on_stdin;      /* set under lock while it waits for input */
	pthread_mutex_t lock;
};

/* Thread: stdin -> socket, then half-close so the server knows the input is complete. */
static void *upload_stdin(void *arg)
{
	struct uploader *up = arg;
	char *buf = malloc(COPY_BUFFER);
	ssize_t n = -1;
	int rc = -1;

	for (;;) {
		pthread_mutex_lock(&up->lock);
		up->on_stdin = true;
		pthread_mutex_unlock(&up->lock);
		n = buf ? read(STDIN_FILENO, buf, COPY_BUFFER) : 0;
		pthread_mutex_lock(&up->lock);
		up->on_stdin = false;
		pthread_mutex_unlock(&up->lock);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("stdin");
			goto out;
		}
		if (write_all(up->fd, buf, (size_t)n) < 0) {
			perror("write to socket");
			goto out;
		}
	}
	if (buf && shutdown(up->fd, SHUT_WR) == 0)
		rc = 0;
out:
	free(buf);
	pthread_mutex_lock(&up->lock);
	up->rc = rc;
	up->done = true;
	pthread_mutex_unlock(&up->lock);
	return NULL;
}

/* Socket -> stdout until the server closes. */
static int download_stdout(int fd)
{
	char *buf = malloc(COPY_BUFFER);
	ssize_t n;
	int rc = -1;

	while (buf && (n = read(fd, buf, COPY_BUFFER)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("read from socket");
			goto out;
		}
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			perror("stdout");
			goto out;
		}
	}
	rc = buf ? 0 : -1;
out:
	free(buf);
	return rc;
}

/* --stdio. Success is the server's EOF after an intact download; an upload that failed before
 * then is an error. One still writing is waited for: its write fails at once if the connection
 * broke (the error goes to whichever call asks first, so the read may have seen a plain end).
 * One waiting for stdin (the server closed first) is not waited for. */
static int run_stdio(int fd)
{
	struct uploader up = { .fd = fd, .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t thread;
	bool failed;

	if (pthread_create(&thread, NULL, upload_stdin, &up) != 0) {
		fprintf(stderr, "cannot start the upload thread\n");
		return -1;
	}
	if (download_stdout(fd) < 0)
		return -1;
	pthread_mutex_lock(&up.lock);
	bool wait = up.done || !up.on_stdin;
	pthread_mutex_unlock(&up.lock);
	if (!wait)
		return 0;
	pthread_join(thread, NULL);
	failed = up.rc < 0;
	return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct options opts;
	int fd, rc = parse_options(argc, argv, &opts);

	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	/* A reset peer must show up as EPIPE from write(), not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	fd = connect_to(opts.host, opts.port);
	if (fd < 0)
		return 2;
	rc = opts.stdio ? run_stdio(fd) : run_messages(fd, opts.count);
	close(fd);
	return rc < 0 ? 1 : 0;
}
