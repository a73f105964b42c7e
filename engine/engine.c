/* The engine thread: one libevent loop, started on the first tunnel, fed through a queue. */
#include "engine/engine.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <event2/event.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/internal_fds.h"
#include "common/log.h"
#include "engine/app_end.h"
#include "engine/tunnel.h"

enum eng_cmd_kind { ENG_CMD_TUNNEL, ENG_CMD_SOCKOPT };

struct eng_cmd {
	struct eng_cmd *next;
	enum eng_cmd_kind kind;
	struct eng_request req;     /* ENG_CMD_TUNNEL */
	struct eng_status *status;  /* ENG_CMD_SOCKOPT, with a reference */
	struct eng_sockopt opt;
};

static struct config eng_cfg;
static pthread_once_t eng_cfg_once = PTHREAD_ONCE_INIT;

static pthread_mutex_t eng_lock = PTHREAD_MUTEX_INITIALIZER;
static struct eng_cmd *eng_queue_head, *eng_queue_tail;
static int eng_wakeup_fd = -1; /* eventfd; -1 until the thread is started */

/* Settings warnings, kept until the log is open so that they reach it. */
static char eng_cfg_warnings[8][160];
static unsigned eng_cfg_nwarnings;

static void eng_cfg_warn(const char *var, const char *why)
{
	if (eng_cfg_nwarnings < 8)
		snprintf(eng_cfg_warnings[eng_cfg_nwarnings++], sizeof eng_cfg_warnings[0],
			 "ignoring %s=%s: %s", var, getenv(var), why);
}

static void eng_cfg_load(void)
{
	config_load(&eng_cfg, eng_cfg_warn);
	int fd = log_open(eng_cfg.log_level, eng_cfg.log_file, "sstpshim");
	if (fd > STDERR_FILENO)
		internal_fd_add(fd, false); /* the log survives close sprees and is shared with children */
	for (unsigned i = 0; i < eng_cfg_nwarnings; i++)
		log_warn("%s", eng_cfg_warnings[i]);
}

const struct config *eng_config(void)
{
	pthread_once(&eng_cfg_once, eng_cfg_load);
	return &eng_cfg;
}

struct eng_status *eng_status_new(void)
{
	struct eng_status *st = calloc(1, sizeof *st);

	if (!st)
		return NULL;
	atomic_init(&st->refs, 1);
	atomic_init(&st->state, ENG_CONNECTING);
	st->handoff_fd = -1;
	st->engine_fd = -1;
	return st;
}

int eng_status_wait(struct eng_status *st, const struct timespec *deadline)
{
	while (atomic_load_explicit(&st->state, memory_order_acquire) == ENG_CONNECTING) {
		/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so a spurious wakeup
		 * does not stretch the wait. EAGAIN: the state changed before we slept. */
		if (syscall(SYS_futex, &st->state, FUTEX_WAIT_BITSET_PRIVATE, ENG_CONNECTING, deadline,
			    NULL, FUTEX_BITSET_MATCH_ANY) < 0 &&
		    (errno == EINTR || errno == ETIMEDOUT))
			return -1;
	}
	return 0;
}

void eng_status_wake(struct eng_status *st)
{
	syscall(SYS_futex, &st->state, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void eng_status_put(struct eng_status *st)
{
	if (st && atomic_fetch_sub(&st->refs, 1) == 1) {
		/* A file handed over and never taken (the fd was closed meanwhile), or the end of a
		 * withdrawn offer that no tunnel adopted (the engine thread is gone, after fork). */
		int files[] = { st->handoff_fd, st->engine_fd };
		for (unsigned i = 0; i < 2; i++) {
			if (files[i] >= 0) {
				internal_fd_remove(files[i]);
				close(files[i]);
			}
		}
		free(st);
	}
}

/* Takes the whole queue; called on the engine thread when the eventfd fires. */
static void eng_queue_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event_base *base = arg;
	struct eng_cmd *cmd, *next;
	uint64_t count;

	if (read(fd, &count, sizeof count) < 0) {
		/* EAGAIN: another wakeup already consumed it; the queue is taken below anyway. */
	}
	pthread_mutex_lock(&eng_lock);
	cmd = eng_queue_head;
	eng_queue_head = eng_queue_tail = NULL;
	pthread_mutex_unlock(&eng_lock);
	for (; cmd; cmd = next) {
		next = cmd->next;
		if (cmd->kind == ENG_CMD_TUNNEL) {
			tunnel_start(base, &eng_cfg, &cmd->req);
		} else {
			if (cmd->status->tunnel)
				tunnel_setsockopt(cmd->status->tunnel, &cmd->opt);
			eng_status_put(cmd->status);
		}
		free(cmd);
	}
}

/* The application's EVENT_* variables (EVENT_NOEPOLL, EVENT_SHOW_METHOD...) are for its own
 * libevent, not the engine's; not reading them also spares the first connect() the checks
 * around them (about 70 us here). */
static struct event_base *eng_base_new(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base = NULL;

	if (!cfg)
		return NULL;
	if (event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV) == 0)
		base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

static void *eng_thread_main(void *arg)
{
	struct event_base *base;
	struct event *wakeup;
	int fd = (int)(intptr_t)arg;

	internal_on_engine_thread = 1;
	app_end_prepare();
	base = eng_base_new();
	wakeup = base ? event_new(base, fd, EV_READ | EV_PERSIST, eng_queue_cb, base) : NULL;
	if (!wakeup || event_add(wakeup, NULL) < 0) {
		log_error("engine: cannot start the event loop; intercepted connections will fail");
		return NULL;
	}
	log_debug("engine: started (libevent %s, %s)", event_get_version(), event_base_get_method(base));
	event_base_dispatch(base);
	return NULL;
}

/* Starts the thread with every signal blocked: the application's signals are for its own
 * threads, and a write to a closed socket must give EPIPE, never SIGPIPE. Caller holds eng_lock. */
static int eng_thread_start(void)
{
	pthread_t tid;
	pthread_attr_t attr;
	sigset_t all, old;
	int fd, rc;

	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -1;
	internal_fd_add(fd, true);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, eng_thread_main, (void *)(intptr_t)fd);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		internal_fd_remove(fd);
		close(fd);
		errno = rc;
		return -1;
	}
	eng_wakeup_fd = fd;
	return 0;
}

static int eng_enqueue(struct eng_cmd *cmd)
{
	uint64_t one = 1;

	pthread_mutex_lock(&eng_lock);
	if (eng_wakeup_fd < 0 && eng_thread_start() < 0) {
		int saved = errno;
		pthread_mutex_unlock(&eng_lock);
		log_error("engine: cannot start its thread: %s", strerror(saved));
		errno = EAGAIN;
		return -1;
	}
	if (eng_queue_tail)
		eng_queue_tail->next = cmd;
	else
		eng_queue_head = cmd;
	eng_queue_tail = cmd;
	if (write(eng_wakeup_fd, &one, sizeof one) < 0) {
		/* EAGAIN: the counter is already non-zero, so the engine will wake anyway. */
	}
	pthread_mutex_unlock(&eng_lock);
	return 0;
}

int eng_submit(struct eng_request *req)
{
	struct eng_cmd *cmd = calloc(1, sizeof *cmd);

	if (!cmd) {
		errno = ENOMEM;
		return -1;
	}
	cmd->kind = ENG_CMD_TUNNEL;
	cmd->req = *req;
	if (eng_enqueue(cmd) < 0) {
		free(cmd);
		return -1;
	}
	return 0;
}

void eng_setsockopt(struct eng_status *st, int level, int name, int value)
{
	struct eng_cmd *cmd = calloc(1, sizeof *cmd);

	if (!cmd)
		return;
	cmd->kind = ENG_CMD_SOCKOPT;
	cmd->status = st;
	cmd->opt = (struct eng_sockopt){ level, name, value };
	atomic_fetch_add(&st->refs, 1);
	if (eng_enqueue(cmd) < 0) {
		eng_status_put(st);
		free(cmd);
	}
}

void eng_after_fork_child(void)
{
	/* The parent's queue and loop belong to the parent; their memory is left alone (it may be
	 * mid-update) and only the descriptors are closed, so tunnels end when the parent ends them. */
	pthread_mutex_init(&eng_lock, NULL);
	eng_queue_head = eng_queue_tail = NULL;
	eng_wakeup_fd = -1;
	internal_fd_close_engine_owned(close);
}
