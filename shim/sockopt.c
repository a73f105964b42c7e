/* getsockopt()/setsockopt() on an intercepted socket: the application still believes it holds a
 * TCP socket, so TCP/IP-level options succeed (and reach the engine's outbound sockets), and
 * SO_ERROR reports the tunnel's outcome. Once the fd is the connected socket itself
 * (shim/handoff.c), they are the kernel's. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "common/internal_fds.h"
#include "shim/real.h"
#include "shim/sock.h"

struct shim_optcall {
	int fd, level, name;
	void *val;
	socklen_t *len;
	const void *cval;
	socklen_t clen;
};

static int shim_opt_put_int(struct shim_optcall *c, int v)
{
	if (!c->val || !c->len || *c->len < sizeof(int)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(c->val, &v, sizeof v);
	*c->len = sizeof v;
	return 0;
}

static int shim_ip_level(int level)
{
	return level == IPPROTO_TCP || level == IPPROTO_IP || level == IPPROTO_IPV6;
}

static int shim_get_cb(struct shim_sock *s, void *arg)
{
	struct shim_optcall *c = arg;

	if (s->native)
		return shim_real()->getsockopt(c->fd, c->level, c->name, c->val, c->len);
	if (c->level == SOL_SOCKET) {
		switch (c->name) {
		case SO_ERROR:
			if (atomic_load_explicit(&s->status->state, memory_order_acquire) == ENG_FAILED)
				return shim_opt_put_int(c, atomic_exchange(&s->status->error, 0));
			return shim_opt_put_int(c, 0);
		case SO_DOMAIN:
			return shim_opt_put_int(c, s->family);
		case SO_PROTOCOL:
			return shim_opt_put_int(c, IPPROTO_TCP);
		default:
			return shim_real()->getsockopt(c->fd, c->level, c->name, c->val, c->len);
		}
	}
	if (!shim_ip_level(c->level))
		return shim_real()->getsockopt(c->fd, c->level, c->name, c->val, c->len);
	for (unsigned i = s->n_opts; i-- > 0;)
		if (s->opts[i].level == c->level && s->opts[i].name == c->name)
			return shim_opt_put_int(c, s->opts[i].value);
	/* Never set: the kernel's default for a fresh TCP socket is zero for the options that
	 * applications read back; structures (TCP_INFO) come back zeroed rather than failing. */
	if (c->val && c->len)
		memset(c->val, 0, *c->len);
	return 0;
}

__attribute__((visibility("default"))) int getsockopt(int fd, int level, int name, void *val,
						       socklen_t *len)
{
	struct shim_optcall c = { fd, level, name, val, len, NULL, 0 };

	if (internal_on_engine_thread || !shim_sock_is(fd))
		return shim_real()->getsockopt(fd, level, name, val, len);
	int rc = shim_sock_with(fd, shim_get_cb, &c, SHIM_NOT_OURS);
	return rc != SHIM_NOT_OURS ? rc : shim_real()->getsockopt(fd, level, name, val, len);
}

static void shim_opt_remember(struct shim_sock *s, int level, int name, int value)
{
	for (unsigned i = 0; i < s->n_opts; i++) {
		if (s->opts[i].level == level && s->opts[i].name == name) {
			s->opts[i].value = value;
			return;
		}
	}
	if (s->n_opts < CAP_SOCKOPTS)
		s->opts[s->n_opts++] = (struct eng_sockopt){ level, name, value };
}

static int shim_set_cb(struct shim_sock *s, void *arg)
{
	struct shim_optcall *c = arg;
	int value = 0;

	if (s->native)
		return shim_real()->setsockopt(c->fd, c->level, c->name, c->cval, c->clen);
	if (c->cval && c->clen >= sizeof(int))
		memcpy(&value, c->cval, sizeof value);
	if (c->level == SOL_SOCKET) {
		if (shim_real()->setsockopt(c->fd, c->level, c->name, c->cval, c->clen) < 0)
			return -1;
		if (c->name == SO_KEEPALIVE || c->name == SO_PRIORITY || c->name == SO_MARK)
			eng_setsockopt(s->status, c->level, c->name, value);
		return 0;
	}
	if (!shim_ip_level(c->level))
		return shim_real()->setsockopt(c->fd, c->level, c->name, c->cval, c->clen);
	if (c->clen == sizeof(int)) {
		shim_opt_remember(s, c->level, c->name, value);
		eng_setsockopt(s->status, c->level, c->name, value);
	}
	return 0;
}

__attribute__((visibility("default"))) int setsockopt(int fd, int level, int name, const void *val,
						       socklen_t len)
{
	struct shim_optcall c = { fd, level, name, NULL, NULL, val, len };

	if (internal_on_engine_thread || !shim_sock_is(fd))
		return shim_real()->setsockopt(fd, level, name, val, len);
	int rc = shim_sock_with(fd, shim_set_cb, &c, SHIM_NOT_OURS);
	return rc != SHIM_NOT_OURS ? rc : shim_real()->setsockopt(fd, level, name, val, len);
}
