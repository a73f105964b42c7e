/* The only door between the shim (application threads) and the engine (its own libevent thread).
 * Nothing here exposes libevent: the shim hands over a socketpair end and reads back a status. */
#ifndef SSTPSHIM_ENGINE_H
#define SSTPSHIM_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "common/caps.h"
#include "common/config.h"

enum eng_state { ENG_CONNECTING, ENG_ESTABLISHED, ENG_FAILED };

/* How a blocking connect() gets its connection (shim/handoff.c). The shim OFFERS to take a file
 * from the engine and waits on `state`, its fd still holding the application's own socket. When
 * the tunnel is decided the engine TAKES the offer; if established it hands over handoff_fd: its
 * connected socket itself when the stream is a plain socket with nothing buffered (no byte then
 * passes through the engine), else the far end of a new socketpair that it pumps. A wait cut short
 * (a signal, the time limit) withdraws the offer (back to NONE) if the engine has not taken it
 * yet, leaving engine_fd: the connection then goes on as a non-blocking connect()'s would. */
enum eng_handoff { ENG_HANDOFF_NONE, ENG_HANDOFF_OFFERED, ENG_HANDOFF_TAKEN };

/* One option the application set on its socket, replayed on the engine's outbound sockets. */
struct eng_sockopt {
	int level, name, value;
};

/* What the application thread and the engine share about one tunnel. Reference counted: the shim
 * holds one reference while the application's fd is open, the engine one while the tunnel lives.
 * Fields other than the atomics are written by the engine before it publishes `state` with release
 * order and read by the shim after an acquire load of `state`, except fill_len, app_sndbuf,
 * engine_fd and app_ino: written by the shim before it submits the tunnel or withdraws its offer,
 * read by the engine when it finds no offer to take. */
struct eng_status {
	atomic_int refs;
	atomic_int state;  /* enum eng_state; a blocking connect() waits on it (eng_status_wait) */
	atomic_int error;  /* errno once FAILED, for connect() and SO_ERROR */
	atomic_int handoff; /* enum eng_handoff */
	int handoff_fd;     /* the file handed over once ESTABLISHED with handoff TAKEN, else -1 */
	int handoff_native; /* handoff_fd is the connected socket itself, not a socketpair end */
	size_t fill_len;    /* bytes the shim wrote to keep the app end unwritable: discard them */
	int app_sndbuf;     /* SO_SNDBUF of the app end before the shim shrank it, 0 if not */
	int engine_fd;      /* the placeholder's engine end when the offer was withdrawn, else -1 */
	unsigned long app_ino; /* the placeholder's inode then */
	struct sockaddr_storage local; /* engine's outbound address once ESTABLISHED (or zeroed) */
	socklen_t local_len;
	char transport[16]; /* name of the transport that won */
	void *tunnel;       /* the engine's tunnel while it lives; touched by the engine thread only */
};

/* A new tunnel. The engine takes ownership of engine_fd and early_data. */
struct eng_request {
	int engine_fd;            /* the socketpair end the engine reads and writes; -1 while a
	                           * blocking connect() waits (struct eng_status: engine_fd) */
	int app_fd;               /* the application's fd number and the inode of its end, so a */
	unsigned long app_ino;    /* transport error can be turned into ECONNRESET (engine/app_end.c) */
	struct sockaddr_storage dest; /* destination as the application gave it */
	socklen_t dest_len;
	struct sockaddr_storage from; /* the local address it bound its socket to, when it chose */
	socklen_t from_len;           /* one (an interface); 0 when it did not */
	char host[CAP_HOST_NAME + 1]; /* the name the application resolved to dest, or "" */
	void *early_data;         /* TCP Fast Open payload to send first, or NULL */
	size_t early_len;
	struct eng_sockopt opts[CAP_SOCKOPTS];
	unsigned n_opts;
	struct eng_status *status; /* the engine's reference, already counted */
};

/* Settings of this process; valid after eng_config(). Read-only after the first call. */
const struct config *eng_config(void);

/* Queues a tunnel for the engine thread, starting the thread on first use. 0, or -1 with errno
 * (ENOMEM, EAGAIN) and nothing taken over. */
int eng_submit(struct eng_request *req);

/* Asks the engine to apply an option to the tunnel's outbound sockets from now on. Best effort. */
void eng_setsockopt(struct eng_status *st, int level, int name, int value);

/* Allocates a status in CONNECTING with two references (shim and engine). NULL on ENOMEM. */
struct eng_status *eng_status_new(void);

/* Waits until st is no longer CONNECTING, at most until deadline (CLOCK_MONOTONIC; NULL: no
 * limit). 0, or -1 with errno EINTR (a signal) or ETIMEDOUT. */
int eng_status_wait(struct eng_status *st, const struct timespec *deadline);

/* Wakes the connect() waiting on st; after the new state is published. */
void eng_status_wake(struct eng_status *st);

/* Drops one reference; frees on the last. NULL is a no-op. */
void eng_status_put(struct eng_status *st);

/* Called in a fork()ed child: the engine thread did not survive the fork, so the next tunnel
 * starts a new one, and the child closes its copies of the parent engine's descriptors. */
void eng_after_fork_child(void);

#endif
