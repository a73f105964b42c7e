/* The libc functions the shim interposes, resolved to the next definition (libc's). The shim's
 * own code calls these, never the hooked names, so it never re-enters itself. */
#ifndef SSTPSHIM_REAL_H
#define SSTPSHIM_REAL_H

#include <netdb.h>
#include <sys/epoll.h>
#include <sys/socket.h>

struct shim_real {
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*close)(int);
	int (*close_range)(unsigned, unsigned, int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*socket)(int, int, int);
	int (*socketpair)(int, int, int, int[2]);
	int (*epoll_create)(int);
	int (*epoll_create1)(int);
	int (*eventfd)(unsigned, int);
	int (*pipe)(int[2]);
	int (*pipe2)(int[2], int);
	int (*getaddrinfo)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
	struct hostent *(*gethostbyname)(const char *);
	int (*gethostbyname_r)(const char *, struct hostent *, char *, size_t, struct hostent **, int *);
};

/* Resolved on first use; every pointer is valid (a missing symbol falls back to a stub that
 * fails with ENOSYS rather than crashing the host application). */
const struct shim_real *shim_real(void);

#endif
