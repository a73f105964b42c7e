#include "shim/sock.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/caps.h"

#define PAGE_SLOTS 1024u
#define PAGES (CAP_FD_MAX / PAGE_SLOTS)

struct epoll_reg {
	int epfd; /* -1 when unused */
	struct epoll_event ev;
};

struct shim_slot {
	_Atomic(struct shim_sock *) sock;
	atomic_bool used; /* a record or a registration may exist: close() takes the lock only then */
	struct epoll_reg regs[CAP_EPOLL_REGS];
};

/* Two levels so that the table never moves: readers need no lock to find a slot. Pages are
 * allocated on first write and never freed. */
static _Atomic(struct shim_slot *) shim_pages[PAGES];
static pthread_mutex_t shim_table_mutex = PTHREAD_MUTEX_INITIALIZER;

static struct shim_slot *shim_slot_find(int fd)
{
	struct shim_slot *page;

	if (fd < 0 || (unsigned)fd >= CAP_FD_MAX)
		return NULL;
	page = atomic_load_explicit(&shim_pages[fd / PAGE_SLOTS], memory_order_acquire);
	return page ? &page[fd % PAGE_SLOTS] : NULL;
}

/* Finds or creates the slot; caller holds the table lock. NULL past the cap or on ENOMEM. */
static struct shim_slot *shim_slot_make(int fd)
{
	struct shim_slot *page;

	if (fd < 0 || (unsigned)fd >= CAP_FD_MAX)
		return NULL;
	page = atomic_load(&shim_pages[fd / PAGE_SLOTS]);
	if (!page) {
		page = calloc(PAGE_SLOTS, sizeof *page);
		if (!page)
			return NULL;
		for (unsigned i = 0; i < PAGE_SLOTS; i++)
			for (unsigned r = 0; r < CAP_EPOLL_REGS; r++)
				page[i].regs[r].epfd = -1;
		atomic_store_explicit(&shim_pages[fd / PAGE_SLOTS], page, memory_order_release);
	}
	return &page[fd % PAGE_SLOTS];
}

void shim_table_lock(void)
{
	pthread_mutex_lock(&shim_table_mutex);
}

void shim_table_unlock(void)
{
	pthread_mutex_unlock(&shim_table_mutex);
}

bool shim_sock_is(int fd)
{
	struct shim_slot *slot = shim_slot_find(fd);
	return slot && atomic_load_explicit(&slot->sock, memory_order_relaxed);
}

int shim_sock_with(int fd, int (*fn)(struct shim_sock *, void *), void *arg, int none)
{
	struct shim_slot *slot = shim_slot_find(fd);
	struct shim_sock *s;
	int rc = none;

	if (!slot || !atomic_load_explicit(&slot->sock, memory_order_relaxed))
		return none;
	pthread_mutex_lock(&shim_table_mutex);
	s = atomic_load(&slot->sock);
	if (s)
		rc = fn(s, arg);
	pthread_mutex_unlock(&shim_table_mutex);
	return rc;
}

void shim_sock_free(struct shim_sock *s)
{
	if (!s)
		return;
	eng_status_put(s->status);
	free(s);
}

void shim_sock_install(int fd, struct shim_sock *s)
{
	struct shim_slot *slot;
	struct shim_sock *old = NULL;

	pthread_mutex_lock(&shim_table_mutex);
	slot = shim_slot_make(fd);
	if (slot) {
		old = atomic_exchange(&slot->sock, s);
		atomic_store(&slot->used, true);
	}
	else
		old = s; /* past the cap: the tunnel works, only the bookkeeping is lost */
	pthread_mutex_unlock(&shim_table_mutex);
	shim_sock_free(old);
}

static struct shim_sock *shim_slot_clear(struct shim_slot *slot)
{
	for (unsigned r = 0; r < CAP_EPOLL_REGS; r++)
		slot->regs[r].epfd = -1;
	atomic_store(&slot->used, false);
	return atomic_exchange(&slot->sock, NULL);
}

void shim_fd_forget(int fd)
{
	struct shim_slot *slot = shim_slot_find(fd);
	struct shim_sock *old;

	if (!slot || !atomic_load_explicit(&slot->used, memory_order_relaxed))
		return;
	pthread_mutex_lock(&shim_table_mutex);
	old = shim_slot_clear(slot);
	pthread_mutex_unlock(&shim_table_mutex);
	shim_sock_free(old);
}

void shim_fd_forget_range(unsigned first, unsigned last)
{
	if (last >= CAP_FD_MAX)
		last = CAP_FD_MAX - 1;
	for (unsigned p = first / PAGE_SLOTS; p <= last / PAGE_SLOTS; p++) {
		if (!atomic_load(&shim_pages[p]))
			continue;
		unsigned lo = p == first / PAGE_SLOTS ? first : p * PAGE_SLOTS;
		unsigned hi = p == last / PAGE_SLOTS ? last : p * PAGE_SLOTS + PAGE_SLOTS - 1;
		for (unsigned fd = lo; fd <= hi; fd++)
			shim_fd_forget((int)fd);
	}
}

void shim_epoll_note(int epfd, int op, int fd, const struct epoll_event *ev)
{
	struct shim_slot *slot;
	struct epoll_reg *free_reg = NULL;

	pthread_mutex_lock(&shim_table_mutex);
	slot = op == EPOLL_CTL_ADD ? shim_slot_make(fd) : shim_slot_find(fd);
	for (unsigned r = 0; slot && r < CAP_EPOLL_REGS; r++) {
		struct epoll_reg *reg = &slot->regs[r];
		if (reg->epfd == epfd) {
			if (op == EPOLL_CTL_DEL)
				reg->epfd = -1;
			else if (ev)
				reg->ev = *ev;
			goto out;
		}
		if (reg->epfd < 0 && !free_reg)
			free_reg = reg;
	}
	if (op == EPOLL_CTL_ADD && free_reg && ev) {
		free_reg->epfd = epfd;
		free_reg->ev = *ev;
		atomic_store(&slot->used, true);
	}
out:
	pthread_mutex_unlock(&shim_table_mutex);
}

unsigned shim_epoll_regs(int fd, int *epfds, struct epoll_event *evs, unsigned max)
{
	struct shim_slot *slot = shim_slot_find(fd);
	unsigned n = 0;

	if (!slot)
		return 0;
	pthread_mutex_lock(&shim_table_mutex);
	for (unsigned r = 0; r < CAP_EPOLL_REGS && n < max; r++) {
		if (slot->regs[r].epfd >= 0) {
			epfds[n] = slot->regs[r].epfd;
			evs[n++] = slot->regs[r].ev;
		}
	}
	pthread_mutex_unlock(&shim_table_mutex);
	return n;
}
