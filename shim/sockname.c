/* getpeername()/getsockname() on an intercepted socket answer as the TCP socket would. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "common/internal_fds.h"
#include "shim/real.h"
#include "shim/sock.h"

struct shim_namecall {
	int fd;
	struct sockaddr *addr;
	socklen_t *len;
};

/* Copies src truncated to the caller's buffer and reports the full length, as the kernel does. */
static int shim_name_put(struct shim_namecall *c, const void *src, socklen_t src_len)
{
	if (!c->len) {
		errno = EFAULT;
		return -1;
	}
	memcpy(c->addr, src, *c->len < src_len ? *c->len : src_len);
	*c->len = src_len;
	return 0;
}

static int shim_peer_cb(struct shim_sock *s, void *arg)
{
	if (atomic_load_explicit(&s->status->state, memory_order_acquire) != ENG_ESTABLISHED) {
		errno = ENOTCONN;
		return -1;
	}
	return shim_name_put(arg, &s->peer, s->peer_len);
}

__attribute__((visibility("default"))) int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct shim_namecall c = { fd, addr, len };
	int rc;

	if (internal_on_engine_thread || !shim_sock_is(fd))
		return shim_real()->getpeername(fd, addr, len);
	rc = shim_sock_with(fd, shim_peer_cb, &c, SHIM_NOT_OURS);
	return rc != SHIM_NOT_OURS ? rc : shim_real()->getpeername(fd, addr, len);
}

/* The engine's outbound address when it has one of the application's family, else the
 * unspecified address of that family: what an unbound-then-connected socket could report. */
static int shim_local_cb(struct shim_sock *s, void *arg)
{
	struct eng_status *st = s->status;
	struct shim_namecall *c = arg;
	struct sockaddr_storage any;

	if (s->native) /* the connected socket itself (shim/handoff.c) */
		return shim_real()->getsockname(c->fd, c->addr, c->len);
	if (atomic_load_explicit(&st->state, memory_order_acquire) == ENG_ESTABLISHED &&
	    st->local_len && st->local.ss_family == s->family)
		return shim_name_put(arg, &st->local, st->local_len);
	memset(&any, 0, sizeof any);
	any.ss_family = (sa_family_t)s->family;
	return shim_name_put(arg, &any,
			     s->family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
}

__attribute__((visibility("default"))) int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct shim_namecall c = { fd, addr, len };
	int rc;

	if (internal_on_engine_thread || !shim_sock_is(fd))
		return shim_real()->getsockname(fd, addr, len);
	rc = shim_sock_with(fd, shim_local_cb, &c, SHIM_NOT_OURS);
	return rc != SHIM_NOT_OURS ? rc : shim_real()->getsockname(fd, addr, len);
}
