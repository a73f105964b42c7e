#include "shim/intercept.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/internal_fds.h"
#include "common/log.h"
#include "common/namemap.h"
#include "shim/fork.h"
#include "shim/handoff.h"
#include "shim/real.h"
#include "shim/sockopt_carry.h"

static uint16_t shim_port_of(const struct sockaddr *addr)
{
	if (addr->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)addr)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
}

bool shim_wants(int fd, const struct sockaddr *addr, socklen_t len)
{
	int type;
	socklen_t tlen = sizeof type;

	if (!addr)
		return false;
	if (!(addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) &&
	    !(addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)))
		return false;
	if (!config_port_intercepted(eng_config(), shim_port_of(addr)))
		return false;
	/* Only now pay for a system call: most connect()s were decided by the port alone. */
	if (shim_real()->getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 || type != SOCK_STREAM)
		return false;
	return true;
}

/* Options the application may have set before connect(), replayed on the engine's sockets
 * (those equal to a fresh socket's are skipped there, engine/tunnel.c). The marks a network
 * reads (type of service, traffic class, priority) are carried only when set: their default, 0,
 * needs no replay. */
static const struct shim_carried {
	int level, name;
	int family;    /* only on sockets of this family; 0: any */
	bool when_set; /* only when not 0 */
} shim_carried_opts[] = {
	{ IPPROTO_TCP, TCP_NODELAY, 0, false },	 { SOL_SOCKET, SO_KEEPALIVE, 0, false },
	{ IPPROTO_TCP, TCP_KEEPIDLE, 0, false }, { IPPROTO_TCP, TCP_KEEPINTVL, 0, false },
	{ IPPROTO_TCP, TCP_KEEPCNT, 0, false },	 { SOL_SOCKET, SO_RCVBUF, 0, false },
	{ SOL_SOCKET, SO_SNDBUF, 0, false },	 { IPPROTO_IP, IP_TOS, AF_INET, true },
	{ IPPROTO_IPV6, IPV6_TCLASS, AF_INET6, true },
	{ SOL_SOCKET, SO_PRIORITY, 0, true },
};

static void shim_opts_capture(int fd, struct shim_sock *s)
{
	for (unsigned i = 0; i < sizeof shim_carried_opts / sizeof shim_carried_opts[0]; i++) {
		const struct shim_carried *c = &shim_carried_opts[i];
		int v;
		socklen_t l = sizeof v;
		if ((c->family && c->family != s->family) || s->n_opts == CAP_SOCKOPTS ||
		    shim_real()->getsockopt(fd, c->level, c->name, &v, &l) < 0 ||
		    (v == 0 && c->when_set))
			continue;
		s->opts[s->n_opts++] = (struct eng_sockopt){ c->level, c->name, v };
	}
}

/* Writes into the app end until it would block, so that poll() does not report it writable until
 * the engine drains these bytes, which it does only once the tunnel is established. The end's
 * send buffer is shrunk to the minimum first, so that a few KiB do it rather than a few hundred
 * (each connect() would otherwise copy them twice); the engine gives the size back
 * (*sndbuf, 0 when unknown) once established. Returns the number of bytes written. */
static size_t shim_fill(int app_end, int *sndbuf)
{
	static const char zeros[65536];
	socklen_t len = sizeof *sndbuf;
	size_t total = 0;
	ssize_t n;
	int one = 1;

	if (shim_real()->getsockopt(app_end, SOL_SOCKET, SO_SNDBUF, sndbuf, &len) < 0 ||
	    shim_real()->setsockopt(app_end, SOL_SOCKET, SO_SNDBUF, &one, sizeof one) < 0)
		*sndbuf = 0;
	while ((n = send(app_end, zeros, sizeof zeros, MSG_DONTWAIT | MSG_NOSIGNAL)) > 0)
		total += (size_t)n;
	return total;
}

/* Re-registers fd with the epoll instances that watched the old file: dup3 closed it, and epoll
 * forgets a closed file. */
int shim_swap(int fd, int new_file, bool tcp, int fd_flags, int fl_flags)
{
	int epfds[CAP_EPOLL_REGS];
	struct epoll_event evs[CAP_EPOLL_REGS];
	unsigned n = shim_epoll_regs(fd, epfds, evs, CAP_EPOLL_REGS);

	shim_sockopts_carry(fd, new_file, tcp);
	if (shim_real()->dup3(new_file, fd, (fd_flags & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0)
		return -1;
	shim_real()->close(new_file);
	if (!(fl_flags & O_NONBLOCK)) /* new files are non-blocking */
		fcntl(fd, F_SETFL, fl_flags);
	for (unsigned i = 0; i < n; i++)
		shim_real()->epoll_ctl(epfds[i], EPOLL_CTL_ADD, fd, &evs[i]);
	return 0;
}

static struct shim_sock *shim_sock_new(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct shim_sock *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->status = eng_status_new();
	if (!s->status) {
		free(s);
		return NULL;
	}
	memcpy(&s->peer, addr, len);
	s->peer_len = len;
	s->family = addr->sa_family;
	shim_opts_capture(fd, s);
	return s;
}

/* The address the application bound fd to, when it chose one (an interface, as curl --interface
 * does); a port alone, or nothing, is not carried: the engine's sockets get ports of their own. */
static void shim_bound_from(int fd, struct eng_request *req)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;
	const struct sockaddr_in *in = (const struct sockaddr_in *)&req->from;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&req->from;
	socklen_t len = sizeof req->from;

	req->from_len = 0;
	if (shim_real()->getsockname(fd, (struct sockaddr *)&req->from, &len) < 0)
		return;
	if ((req->from.ss_family == AF_INET && in->sin_addr.s_addr != htonl(INADDR_ANY)) ||
	    (req->from.ss_family == AF_INET6 && memcmp(&in6->sin6_addr, &any6, sizeof any6) != 0))
		req->from_len = len;
}

static int shim_request_fill(struct eng_request *req, int fd, const struct shim_sock *s,
			     const void *early, size_t early_len)
{
	memset(req, 0, sizeof *req);
	memcpy(&req->dest, &s->peer, s->peer_len);
	req->dest_len = s->peer_len;
	shim_bound_from(fd, req);
	if (namemap_lookup((const struct sockaddr *)&s->peer, req->host, sizeof req->host) < 0)
		req->host[0] = '\0';
	memcpy(req->opts, s->opts, sizeof req->opts);
	req->n_opts = s->n_opts;
	req->status = s->status;
	if (early_len) {
		req->early_data = malloc(early_len);
		if (!req->early_data)
			return -1;
		memcpy(req->early_data, early, early_len);
		req->early_len = early_len;
	}
	return 0;
}

int shim_placeholder(int fd, int fd_flags, int fl_flags, struct eng_status *st, int *engine_end,
		     unsigned long *ino)
{
	int sv[2];
	struct stat sb;

	if (shim_real()->socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return -1;
	internal_fd_add(sv[1], true);
	st->fill_len = shim_fill(sv[0], &st->app_sndbuf);
	*ino = fstat(sv[0], &sb) == 0 ? sb.st_ino : 0;
	if (shim_swap(fd, sv[0], false, fd_flags, fl_flags) < 0) {
		int saved = errno;
		shim_real()->close(sv[0]);
		internal_fd_remove(sv[1]);
		shim_real()->close(sv[1]);
		errno = saved;
		return -1;
	}
	*engine_end = sv[1];
	return 0;
}

/* Hands the prepared tunnel to the engine. A non-blocking connect() gets its placeholder now;
 * a blocking one keeps its own socket while it waits (shim/handoff.c). */
static int shim_start(int fd, struct shim_sock *s, struct eng_request *req, int fd_flags,
		      int fl_flags)
{
	req->app_fd = fd;
	req->engine_fd = -1;
	if (!(fl_flags & O_NONBLOCK))
		shim_handoff_offer(s->status);
	else if (shim_placeholder(fd, fd_flags, fl_flags, s->status, &req->engine_fd,
				  &req->app_ino) < 0)
		return -1;
	if (eng_submit(req) < 0) {
		int saved = errno;
		if (req->engine_fd >= 0) {
			internal_fd_remove(req->engine_fd);
			shim_real()->close(req->engine_fd);
		}
		errno = saved;
		return -1;
	}
	return 0;
}

int shim_intercept(int fd, const struct sockaddr *addr, socklen_t len, const void *early,
		   size_t early_len)
{
	int fd_flags = fcntl(fd, F_GETFD), fl_flags = fcntl(fd, F_GETFL);
	struct shim_sock *s;
	struct eng_request req;
	struct eng_status *st;
	int rc;

	if (fd_flags < 0 || fl_flags < 0)
		return -1;
	s = shim_sock_new(fd, addr, len);
	if (!s || shim_request_fill(&req, fd, s, early, early_len) < 0) {
		shim_sock_free(s);
		errno = ENOMEM;
		return -1;
	}
	shim_fork_setup();
	st = s->status;
	/* The engine's reference, handed over in req, and ours for the wait: another thread may
	 * close fd, and free its record, meanwhile. */
	atomic_fetch_add(&st->refs, 2);
	if (shim_start(fd, s, &req, fd_flags, fl_flags) < 0) {
		int saved = errno;
		free(req.early_data);
		eng_status_put(st);
		eng_status_put(st);
		shim_sock_free(s);
		log_warn("fd %d: cannot hand the connection to the engine: %s", fd, strerror(saved));
		errno = saved;
		return -1;
	}
	shim_sock_install(fd, s);
	if (fl_flags & O_NONBLOCK) {
		eng_status_put(st);
		errno = EINPROGRESS;
		return -1;
	}
	rc = shim_handoff_wait(fd, st, fd_flags, fl_flags);
	eng_status_put(st);
	return rc;
}

static int shim_again_cb(struct shim_sock *s, void *arg)
{
	int *err = arg;

	switch (atomic_load_explicit(&s->status->state, memory_order_acquire)) {
	case ENG_CONNECTING:
		*err = EALREADY;
		return -1;
	case ENG_ESTABLISHED:
		*err = EISCONN;
		return -1;
	default:
		*err = atomic_exchange(&s->status->error, 0);
		return *err ? -1 : 1;
	}
}

int shim_connect_again(int fd)
{
	int err = 0;
	int rc = shim_sock_with(fd, shim_again_cb, &err, 1);

	if (rc < 0)
		errno = err;
	return rc;
}
