#include "shim/real.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

static struct shim_real shim_real_fns;
static pthread_once_t shim_real_once = PTHREAD_ONCE_INIT;

static int shim_real_missing(void)
{
	errno = ENOSYS;
	return -1;
}

static void *shim_real_lookup(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);
	return fn ? fn : (void *)shim_real_missing;
}

static void shim_real_resolve(void)
{
	struct shim_real *r = &shim_real_fns;

#define RESOLVE(f) *(void **)&r->f = shim_real_lookup(#f)
	RESOLVE(connect);
	RESOLVE(close);
	RESOLVE(close_range);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(getpeername);
	RESOLVE(getsockname);
	RESOLVE(getsockopt);
	RESOLVE(setsockopt);
	RESOLVE(sendto);
	RESOLVE(sendmsg);
	RESOLVE(epoll_ctl);
	RESOLVE(socket);
	RESOLVE(socketpair);
	RESOLVE(epoll_create);
	RESOLVE(epoll_create1);
	RESOLVE(eventfd);
	RESOLVE(pipe);
	RESOLVE(pipe2);
	RESOLVE(getaddrinfo);
	RESOLVE(gethostbyname);
	RESOLVE(gethostbyname_r);
#undef RESOLVE
}

const struct shim_real *shim_real(void)
{
	pthread_once(&shim_real_once, shim_real_resolve);
	return &shim_real_fns;
}
