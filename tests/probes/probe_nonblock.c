/* Non-blocking connect() under the shim, watched with poll, select and epoll (registered after
 * connect(), and before it as nginx does, level- and edge-triggered): not writable while pending,
 * writable once established with SO_ERROR 0, and on failure a wake-up with SO_ERROR ECONNREFUSED.
 *
 * The pending connect goes to a port whose accept queue is full, so `direct` hangs until the
 * 0.5 s transport timeout and `direct443` then reaches the echo server: the pending state lasts
 * long enough to be seen. The failing one goes to 127.0.0.2, where nothing listens. */
#include <sys/epoll.h>
#include <sys/select.h>

#include "tests/probes/probe.h"

enum { READY_IN = 1, READY_OUT = 2, READY_ERR = 4 };

struct waiter {
	const char *name;
	int epfd;        /* epoll variants */
	uint32_t events; /* epoll interest */
	bool before;     /* epoll_ctl(ADD) before connect() */
};

static const uint64_t waiter_tag = 0x5eed0000cafeULL;

static void waiter_register(struct waiter *w, int fd)
{
	struct epoll_event ev = { .events = w->events, .data.u64 = waiter_tag + (uint64_t)fd };

	CHECK(epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == 0, "%s: epoll_ctl ADD fd %d", w->name, fd);
}

static unsigned waiter_wait_epoll(struct waiter *w, int fd, int timeout_ms)
{
	struct epoll_event ev[4];
	unsigned ready = 0;
	int n = epoll_wait(w->epfd, ev, 4, timeout_ms);

	CHECK(n >= 0 || errno == EINTR, "%s: epoll_wait", w->name);
	for (int i = 0; i < n; i++) {
		CHECK(ev[i].data.u64 == waiter_tag + (uint64_t)fd, "%s: event data %#llx, registered %#llx",
		      w->name, (unsigned long long)ev[i].data.u64,
		      (unsigned long long)(waiter_tag + (uint64_t)fd));
		ready |= (ev[i].events & EPOLLIN ? READY_IN : 0) | (ev[i].events & EPOLLOUT ? READY_OUT : 0) |
		         (ev[i].events & (EPOLLERR | EPOLLHUP) ? READY_ERR : 0);
	}
	return ready;
}

static unsigned waiter_wait_select(int fd, unsigned want, int timeout_ms)
{
	fd_set r, w, e;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	if (want & READY_IN)
		FD_SET(fd, &r);
	if (want & READY_OUT)
		FD_SET(fd, &w);
	FD_SET(fd, &e);
	int n = select(fd + 1, &r, &w, &e, &tv);
	CHECK(n >= 0 || errno == EINTR, "select");
	if (n <= 0)
		return 0;
	return (FD_ISSET(fd, &r) ? READY_IN : 0) | (FD_ISSET(fd, &w) ? READY_OUT : 0) |
	       (FD_ISSET(fd, &e) ? READY_ERR : 0);
}

/* What the mechanism reports within timeout_ms, as READY_* bits (0: nothing). */
static unsigned waiter_wait(struct waiter *w, int fd, unsigned want, int timeout_ms)
{
	if (w->epfd >= 0)
		return waiter_wait_epoll(w, fd, timeout_ms);
	if (strcmp(w->name, "select") == 0)
		return waiter_wait_select(fd, want, timeout_ms);
	short rev = probe_poll(fd, (short)((want & READY_IN ? POLLIN : 0) | (want & READY_OUT ? POLLOUT : 0)),
	                       timeout_ms);
	return (rev & POLLIN ? READY_IN : 0) | (rev & POLLOUT ? READY_OUT : 0) |
	       (rev & (POLLERR | POLLHUP) ? READY_ERR : 0);
}

/* Waits up to 5 s for any of `want` (or an error); returns what was reported last. */
static unsigned waiter_wait_for(struct waiter *w, int fd, unsigned want)
{
	long long deadline = probe_now_ms() + PROBE_WAIT_MS;
	unsigned ready = 0;

	while (!(ready & (want | READY_ERR)) && probe_now_ms() < deadline)
		ready = waiter_wait(w, fd, want, (int)(deadline - probe_now_ms()));
	return ready;
}

/* socket(), registration and connect() in the order the variant uses; the connect must be pending. */
static int waiter_start(struct waiter *w, const char *ip, int port)
{
	int fd = probe_socket(AF_INET, SOCK_NONBLOCK);

	if (w->before)
		waiter_register(w, fd);
	int rc = probe_connect(fd, ip, port);
	CHECK(rc == -1 && errno == EINPROGRESS, "%s: connect to %s returned %d; want -1/EINPROGRESS", w->name,
	      ip, rc);
	if (w->epfd >= 0 && !w->before)
		waiter_register(w, fd);
	return fd;
}

static void waiter_stop(struct waiter *w, int fd)
{
	if (w->epfd >= 0)
		CHECK(epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL) == 0, "%s: epoll_ctl DEL", w->name);
	probe_close(fd);
}

/* A small echo where the reply's arrival is seen through the mechanism (an edge, for EPOLLET). */
static void waiter_echo(struct waiter *w, int fd)
{
	unsigned char out[1500], in[sizeof out];
	size_t got = 0;

	probe_fill(out, sizeof out);
	CHECK(send(fd, out, sizeof out, MSG_NOSIGNAL) == (ssize_t)sizeof out, "%s: send", w->name);
	while (got < sizeof in) {
		unsigned ready = waiter_wait_for(w, fd, READY_IN);
		CHECK(ready & READY_IN, "%s: no readable event for the echo (%zu bytes in; got %#x)", w->name,
		      got, ready);
		ssize_t r;
		while ((r = recv(fd, in + got, sizeof in - got, MSG_DONTWAIT)) > 0)
			got += (size_t)r;
		CHECK(r < 0 && errno == EAGAIN, "%s: recv returned %zd after %zu bytes", w->name, r, got);
	}
	CHECK(memcmp(out, in, sizeof out) == 0, "%s: echoed bytes differ", w->name);
}

static void waiter_success(struct waiter *w, int full_port)
{
	long long start = probe_now_ms();
	int fd = waiter_start(w, "127.0.0.1", full_port);
	unsigned ready = waiter_wait(w, fd, READY_OUT, 0);

	CHECK(!(ready & (READY_OUT | READY_ERR)), "%s: reported %#x while the connect is pending", w->name,
	      ready);
	ready = waiter_wait_for(w, fd, READY_OUT);
	CHECK(ready & READY_OUT, "%s: not writable within %d ms (reported %#x)", w->name, PROBE_WAIT_MS,
	      ready);
	CHECK(probe_now_ms() - start >= 400, "%s: writable after %lld ms, before direct timed out", w->name,
	      probe_now_ms() - start);
	int err = probe_so_error(fd);
	CHECK(err == 0, "%s: SO_ERROR %d (%s) once writable", w->name, err, strerror(err));
	waiter_echo(w, fd);
	waiter_stop(w, fd);
}

static void waiter_failure(struct waiter *w, int refused_port)
{
	int fd = waiter_start(w, "127.0.0.2", refused_port);
	unsigned ready = waiter_wait_for(w, fd, READY_OUT);

	CHECK(ready & (READY_OUT | READY_ERR), "%s: no wake-up within %d ms after a refusal", w->name,
	      PROBE_WAIT_MS);
	int err = probe_so_error(fd);
	CHECK(err == ECONNREFUSED, "%s: SO_ERROR %d (%s); want ECONNREFUSED", w->name, err, strerror(err));
	waiter_stop(w, fd);
}

static void waiter_run(struct waiter *w)
{
	int refused = probe_refused_port(), full = probe_full_port(), echo = probe_echo_server();
	char ports[32];

	snprintf(ports, sizeof ports, "%d,%d", refused, full);
	probe_settings(ports, echo);
	CHECK(setenv("SSTPSHIM_TRANSPORT_TIMEOUT", "0.5", 1) == 0, "setenv");
	int baseline = probe_warm_up("127.0.0.1", refused);
	if (w->events) {
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		CHECK(w->epfd >= 0, "epoll_create1");
		baseline++;
	}
	waiter_success(w, full);
	waiter_failure(w, refused);
	probe_fd_expect(baseline);
}

static void scenario_poll(void)
{
	waiter_run(&(struct waiter){ .name = "poll", .epfd = -1 });
}

static void scenario_select(void)
{
	waiter_run(&(struct waiter){ .name = "select", .epfd = -1 });
}

static void scenario_epoll(void)
{
	waiter_run(&(struct waiter){ .name = "epoll", .epfd = -1, .events = EPOLLIN | EPOLLOUT });
}

static void scenario_epoll_before_lt(void)
{
	waiter_run(&(struct waiter){
	        .name = "epoll-before-lt", .epfd = -1, .events = EPOLLIN | EPOLLOUT, .before = true });
}

/* nginx's registration: edge-triggered, before connect(). */
static void scenario_epoll_before_et(void)
{
	waiter_run(&(struct waiter){ .name = "epoll-before-et",
	                             .epfd = -1,
	                             .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
	                             .before = true });
}

int main(int argc, char **argv)
{
	static const struct probe_scenario list[] = {
		{ "poll", scenario_poll },
		{ "select", scenario_select },
		{ "epoll", scenario_epoll },
		{ "epoll-before-lt", scenario_epoll_before_lt },
		{ "epoll-before-et", scenario_epoll_before_et },
	};

	return probe_main(argc, argv, list, PROBE_COUNT(list));
}
