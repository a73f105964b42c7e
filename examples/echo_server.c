/* echo_server: a TCP echo server for trying sstpshim, and the far end of its tests.
 *
 *   echo_server [-l ADDR] [-p PORT]      (defaults 127.0.0.1 and 2492; port 0 = any free port)
 *
 * Serves many clients from one poll() loop. Every byte a client sends comes back; when the client
 * shuts down its write side, what it sent is still echoed in full before the server closes.
 * Once listening it prints exactly one line, "listening on ADDR:PORT" with the real port, so a
 * script can wait for that line instead of sleeping. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_BUFFER (64 * 1024)
#define ECHO_BACKLOG 128

/* One client. Its buffer holds bytes read but not yet echoed; while any are pending the server
 * stops reading from that client, so memory per client never exceeds one buffer. */
struct client {
	int fd;
	bool read_eof;  /* the client shut down its write side (or closed) */
	size_t len;     /* bytes in buf */
	size_t off;     /* bytes of buf already echoed */
	char buf[ECHO_BUFFER];
};

struct server {
	int listen_fd;
	bool accept_paused; /* out of descriptors: stop accepting until a client leaves */
	struct client **clients;
	size_t n_clients, cap_clients;
	struct pollfd *pfds;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: echo_server [-l ADDR] [-p PORT]\n"
		     "  -l ADDR  numeric address to listen on (default 127.0.0.1)\n"
		     "  -p PORT  port to listen on, 0 for any free one (default 2492)\n");
}

/* Strict port parser: digits only, 0-65535. */
static int parse_port(const char *text, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Writes "ADDR:PORT" (IPv6 in brackets) of a bound socket into buf. */
static int format_local_address(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv, sizeof serv,
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return -1;
	snprintf(buf, size, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
	return 0;
}

/* Binds and listens on addr:port; returns the listening fd or -1 after printing why. */
static int listen_on(const char *addr, unsigned port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char serv[8];
	int fd = -1, one = 1, rc;

	snprintf(serv, sizeof serv, "%u", port);
	rc = getaddrinfo(addr, serv, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "echo_server: %s: %s\n", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("echo_server: socket");
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, ECHO_BACKLOG) < 0) {
		fprintf(stderr, "echo_server: %s port %u: %s\n", addr, port, strerror(errno));
		close(fd);
		fd = -1;
	}
out:
	freeaddrinfo(res);
	return fd;
}

static int server_add_client(struct server *srv, int fd)
{
	struct client *c;

	if (srv->n_clients == srv->cap_clients) {
		size_t cap = srv->cap_clients ? srv->cap_clients * 2 : 16;
		struct client **clients = realloc(srv->clients, cap * sizeof *clients);
		struct pollfd *pfds = realloc(srv->pfds, (cap + 1) * sizeof *pfds);
		if (clients)
			srv->clients = clients;
		if (pfds)
			srv->pfds = pfds;
		if (!clients || !pfds)
			return -1;
		srv->cap_clients = cap;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	c->fd = fd;
	srv->clients[srv->n_clients++] = c;
	return 0;
}

/* Accepts every pending connection. Running out of descriptors pauses accepting rather than
 * spinning on a listener that stays readable. */
static void server_accept(struct server *srv)
{
	for (;;) {
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				fprintf(stderr, "echo_server: accept: %s\n", strerror(errno));
				srv->accept_paused = srv->n_clients > 0;
			}
			/* EAGAIN, EINTR, ECONNABORTED and the like: nothing more to take now. */
			return;
		}
		if (server_add_client(srv, fd) < 0) {
			fprintf(stderr, "echo_server: out of memory, dropping a client\n");
			close(fd);
			return;
		}
	}
}

/* Sends what is pending. 0 when all of it went or the socket is full, -1 when the client is gone. */
static int client_flush(struct client *c)
{
	while (c->off < c->len) {
		ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->off += (size_t)n;
	}
	c->off = c->len = 0;
	return 0;
}

/* Reads one buffer and echoes as much as the socket takes at once. -1 when the client is gone. */
static int client_pump(struct client *c)
{
	ssize_t n;

	if (c->len == 0 && !c->read_eof) {
		do
			n = recv(c->fd, c->buf, sizeof c->buf, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (n == 0)
			c->read_eof = true;
		if (n > 0)
			c->len = (size_t)n;
	}
	if (client_flush(c) < 0)
		return -1;
	/* Half-close honoured: everything received has been echoed, so now we close. */
	return c->read_eof && c->len == 0 ? -1 : 0;
}

static void server_drop_client(struct server *srv, size_t i)
{
	close(srv->clients[i]->fd);
	free(srv->clients[i]);
	srv->clients[i] = srv->clients[--srv->n_clients];
	srv->accept_paused = false;
}

/* Fills srv->pfds: slot 0 the listener, then one per client, in the order of srv->clients. */
static nfds_t server_poll_set(struct server *srv)
{
	srv->pfds[0] = (struct pollfd){ .fd = srv->accept_paused ? -1 : srv->listen_fd,
					.events = POLLIN };
	for (size_t i = 0; i < srv->n_clients; i++) {
		struct client *c = srv->clients[i];
		srv->pfds[i + 1] = (struct pollfd){ .fd = c->fd, .events = c->len ? POLLOUT : POLLIN };
	}
	return srv->n_clients + 1;
}

static int server_run(struct server *srv)
{
	for (;;) {
		nfds_t n = server_poll_set(srv);
		if (poll(srv->pfds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("echo_server: poll");
			return -1;
		}
		/* Walk backwards: dropping client i moves the last one into slot i. */
		for (size_t i = n - 1; i > 0; i--) {
			if (srv->pfds[i].revents && client_pump(srv->clients[i - 1]) < 0)
				server_drop_client(srv, i - 1);
		}
		if (srv->pfds[0].revents)
			server_accept(srv);
	}
}

int main(int argc, char **argv)
{
	struct server srv = { .listen_fd = -1 };
	const char *addr = "127.0.0.1";
	char where[NI_MAXHOST + NI_MAXSERV + 4];
	unsigned port = 2492;
	int opt;

	while ((opt = getopt(argc, argv, "l:p:")) != -1) {
		if (opt == 'l')
			addr = optarg;
		else if (opt != 'p' || parse_port(optarg, &port) < 0)
			break;
	}
	if (opt != -1 || optind != argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	srv.listen_fd = listen_on(addr, port);
	srv.pfds = malloc(sizeof *srv.pfds);
	if (srv.listen_fd < 0 || !srv.pfds || format_local_address(srv.listen_fd, where, sizeof where) < 0)
		return 1;
	printf("listening on %s\n", where);
	fflush(stdout);
	return server_run(&srv) < 0 ? 1 : 0;
}
