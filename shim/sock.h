/* The shim's record of each intercepted socket, found by the application's fd number. */
#ifndef SSTPSHIM_SOCK_H
#define SSTPSHIM_SOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "engine/engine.h"

struct shim_sock {
	struct eng_status *status;        /* shared with the engine; our reference */
	struct sockaddr_storage peer;     /* the destination the application asked for */
	socklen_t peer_len;
	int family;                       /* AF_INET or AF_INET6, as the application created it */
	struct eng_sockopt opts[CAP_SOCKOPTS]; /* TCP/IP-level options the application set */
	unsigned n_opts;
	bool native;                      /* fd is the engine's connected socket now (shim/handoff.c) */
};

/* What shim_sock_with() returns for an fd that is not intercepted (or no longer). */
#define SHIM_NOT_OURS (-0x7fffffff - 1)

/* Runs fn(sock, arg) with the record of fd, if fd is intercepted, under the table lock so the
 * record cannot be freed meanwhile; returns fn's result, or `none` when fd is not intercepted.
 * The check before taking the lock is one atomic load, so unrelated fds cost nearly nothing. */
int shim_sock_with(int fd, int (*fn)(struct shim_sock *, void *), void *arg, int none);

/* Whether fd is an intercepted socket (a hint: it may change right after). */
bool shim_sock_is(int fd);

/* Installs a record for fd, replacing and freeing any previous one. Takes ownership of s. */
void shim_sock_install(int fd, struct shim_sock *s);

/* Forgets everything about fd: its record and its epoll registrations (fd is being closed). */
void shim_fd_forget(int fd);

/* Forgets every fd in [first, last] (close_range). */
void shim_fd_forget_range(unsigned first, unsigned last);

void shim_sock_free(struct shim_sock *s);

/* epoll registrations, remembered so that replacing fd's file description at connect() time can
 * re-register it where the application had (the nginx pattern: epoll_ctl ADD before connect). */
void shim_epoll_note(int epfd, int op, int fd, const struct epoll_event *ev);

/* Copies fd's registrations into regs (at most max); returns how many, with their epoll fds. */
unsigned shim_epoll_regs(int fd, int *epfds, struct epoll_event *evs, unsigned max);

/* Locks taken around fork() so the child sees a consistent table. */
void shim_table_lock(void);
void shim_table_unlock(void);

#endif
