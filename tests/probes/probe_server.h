/* The probes' in-process servers: included by probe.h after the helpers they use. */
#ifndef SSTPSHIM_PROBE_SERVER_H
#define SSTPSHIM_PROBE_SERVER_H

/* ---- in-process servers (accept() is never intercepted) ---- */

enum probe_server_kind {
	PROBE_ECHO,  /* echoes until EOF, then closes */
	PROBE_RESET, /* reads one chunk, then closes with SO_LINGER {1, 0}: a TCP reset */
};

struct probe_server {
	enum probe_server_kind kind;
	int port;
	int fds[2]; /* 127.0.0.1, ::1 (or -1) */
	atomic_int accepted;
	atomic_int eofs;     /* connections whose peer half-closed (read returned 0) */
	atomic_int finished; /* connections the server has closed */
	_Atomic uint32_t last_peer4; /* the IPv4 address the last connection came from */
};

struct probe_conn {
	struct probe_server *srv;
	int fd;
};

PROBE_FN void probe_conn_echo(struct probe_server *srv, int fd)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			atomic_fetch_add(&srv->eofs, 1);
		if (n <= 0)
			return;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
			if (w < 0)
				return;
			off += w;
		}
	}
}

PROBE_FN void probe_conn_reset(int fd)
{
	char buf[64];
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	if (read(fd, buf, sizeof buf) > 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
}

PROBE_FN void *probe_conn_thread(void *arg)
{
	struct probe_conn conn = *(struct probe_conn *)arg;

	free(arg);
	if (conn.srv->kind == PROBE_ECHO)
		probe_conn_echo(conn.srv, conn.fd);
	else
		probe_conn_reset(conn.fd);
	probe_own(conn.fd, false);
	close(conn.fd);
	atomic_fetch_add(&conn.srv->finished, 1);
	return NULL;
}

PROBE_FN void probe_thread_start(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t tid;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	CHECK(pthread_create(&tid, &attr, fn, arg) == 0, "pthread_create");
	pthread_attr_destroy(&attr);
}

PROBE_FN void *probe_accept_thread(void *arg)
{
	struct probe_server *srv = arg;
	struct pollfd pfd[2] = { { .fd = srv->fds[0], .events = POLLIN },
		                 { .fd = srv->fds[1], .events = POLLIN } };

	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			struct sockaddr_in peer;
			socklen_t plen = sizeof peer;
			int fd = accept4(pfd[i].fd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			if (peer.sin_family == AF_INET)
				atomic_store(&srv->last_peer4, peer.sin_addr.s_addr);
			probe_own(fd, true);
			atomic_fetch_add(&srv->accepted, 1);
			struct probe_conn *conn = malloc(sizeof *conn);
			CHECK(conn != NULL, "malloc");
			*conn = (struct probe_conn){ srv, fd };
			probe_thread_start(probe_conn_thread, conn);
		}
	}
	return NULL;
}

/* Starts a server on 127.0.0.1 and ::1 (same port, ephemeral); its threads live as long as the
 * probe. Returns the server; ->port is the port. */
PROBE_FN struct probe_server *probe_server_start(enum probe_server_kind kind)
{
	struct probe_server *srv = calloc(1, sizeof *srv);

	CHECK(srv != NULL, "calloc");
	srv->kind = kind;
	srv->port = probe_raw_dual(512, srv->fds);
	probe_thread_start(probe_accept_thread, srv);
	return srv;
}

/* The in-process echo server; returns its port. */
PROBE_FN int probe_echo_server(void)
{
	return probe_server_start(PROBE_ECHO)->port;
}

#endif
