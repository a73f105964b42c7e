/* Each direction owns a pipe. When the pipe is empty, one splice() moves what the source socket
 * holds into it; the next moves the pipe's pages out to the destination socket. The source is
 * read again only once the pipe is empty: a destination that does not take everything stops its
 * source (backpressure), and an empty pipe makes EAGAIN from the source mean "no data", never
 * "pipe full". Bytes handed over in evbuffers go out first, with plain writes. */
#include "engine/splice_pump.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/caps.h"
#include "common/log.h"
#include "engine/app_end.h"
#include "engine/tunnel.h"

/* Bytes one pipe holds, so one splice() moves up to this much. Pipes count against the user's
 * pipe quota (fs.pipe-user-pages-soft, 64 MiB by default), which the application shares: past
 * it, every new pipe of that user, the application's own included, gets one page. 256 KiB (two
 * pipes, 512 KiB per tunnel) measured as fast as 1 MiB on loopback within the noise
 * (bench/README.md) and leaves room for 128 tunnels. */
#define SPLICE_PIPE_SIZE (256 * 1024)
/* Bytes one direction moves per wakeup before the loop serves other events. */
#define SPLICE_BUDGET (1024 * 1024)

struct splice_dir {
	struct splice_pump *pump;
	int src, dst;             /* the pump's sockets, not owned here */
	bool src_is_net;          /* which side to blame for an error */
	int pipe[2];              /* read end, write end */
	size_t pipe_size;         /* what it holds */
	size_t queued;            /* bytes in the pipe */
	struct evbuffer *head;    /* bytes for dst that go before the pipe's */
	struct event *rd, *wr;    /* src readable, dst writable */
	bool rd_on, wr_on;        /* whether they are added */
	bool eof;                 /* src will send nothing more */
	bool shut;                /* dst was told so */
};

struct splice_pump {
	struct tunnel *tunnel;
	int app_fd, net_fd;
	struct splice_dir up, down; /* application to network, network to application */
	bool over;                  /* tunnel_close() was called: move nothing more */
};

enum splice_io { SPLICE_IO_DONE, SPLICE_IO_AGAIN, SPLICE_IO_FAILED };

static void splice_pump_fail(struct splice_pump *p, bool net)
{
	log_debug("tunnel %u: %s side failed: %s", p->tunnel->id, net ? "network" : "application",
		  strerror(errno));
	p->over = true;
	/* The far end broke: the application must see a reset, not a clean end of stream. */
	if (net)
		app_end_reset(p->tunnel, p->app_fd);
	tunnel_close(p->tunnel);
}

static enum splice_io splice_io_result(ssize_t n)
{
	if (n >= 0)
		return SPLICE_IO_DONE;
	return errno == EAGAIN || errno == EINTR ? SPLICE_IO_AGAIN : SPLICE_IO_FAILED;
}

/* Writes the head, then the pipe, to dst. AGAIN as soon as dst takes less than offered. */
static enum splice_io splice_dir_flush(struct splice_dir *d)
{
	size_t len = evbuffer_get_length(d->head);
	ssize_t n;

	if (len > 0) {
		n = evbuffer_write(d->head, d->dst);
		if (n < 0 || (size_t)n < len)
			return n < 0 ? splice_io_result(n) : SPLICE_IO_AGAIN;
	}
	if (d->queued == 0)
		return SPLICE_IO_DONE;
	n = splice(d->pipe[0], NULL, d->dst, NULL, d->queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n < 0)
		return splice_io_result(n);
	d->queued -= (size_t)n;
	return d->queued ? SPLICE_IO_AGAIN : SPLICE_IO_DONE;
}

/* Reads src into the empty pipe; AGAIN when src has nothing, DONE with eof set at its end. */
static enum splice_io splice_dir_fill(struct splice_dir *d)
{
	ssize_t n = splice(d->src, NULL, d->pipe[1], NULL, d->pipe_size,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

	if (n < 0)
		return splice_io_result(n);
	if (n == 0)
		d->eof = true;
	d->queued = (size_t)n;
	return SPLICE_IO_DONE;
}

static void splice_event_set(struct event *ev, bool *on, bool want)
{
	if (*on == want)
		return;
	*on = want;
	if (want)
		event_add(ev, NULL);
	else
		event_del(ev);
}

/* Waits for dst while bytes are pending, else for src until its end. */
static void splice_dir_watch(struct splice_dir *d)
{
	bool pending = d->queued > 0 || evbuffer_get_length(d->head) > 0;

	splice_event_set(d->wr, &d->wr_on, pending);
	splice_event_set(d->rd, &d->rd_on, !pending && !d->eof);
}

static void splice_pump_maybe_done(struct splice_pump *p)
{
	if (p->up.shut && p->down.shut) {
		p->over = true;
		tunnel_close(p->tunnel);
	}
}

/* Moves what can be moved now, then waits for whichever socket stopped it. */
static void splice_dir_step(struct splice_dir *d)
{
	size_t moved = 0;
	bool drained = false; /* src gave less than a pipeful: most likely it is empty now */
	enum splice_io rc;

	for (;;) {
		rc = splice_dir_flush(d);
		if (rc == SPLICE_IO_FAILED) {
			splice_pump_fail(d->pump, !d->src_is_net);
			return;
		}
		/* Asking a drained src again would cost a system call per message; if bytes did
		 * remain, src is still readable and the loop calls us back. */
		if (rc == SPLICE_IO_AGAIN || d->eof || drained || moved >= SPLICE_BUDGET)
			break;
		rc = splice_dir_fill(d);
		if (rc == SPLICE_IO_FAILED) {
			splice_pump_fail(d->pump, d->src_is_net);
			return;
		}
		if (rc == SPLICE_IO_AGAIN)
			break;
		moved += d->queued;
		drained = d->queued < d->pipe_size;
	}
	splice_dir_watch(d);
	if (d->eof && !d->wr_on && !d->shut) {
		/* A socket gets a FIN; the application's end reads as ended. */
		shutdown(d->dst, SHUT_WR);
		d->shut = true;
		splice_pump_maybe_done(d->pump);
	}
}

static void splice_dir_cb(evutil_socket_t fd, short what, void *arg)
{
	struct splice_dir *d = arg;

	if (!d->pump->over)
		splice_dir_step(d);
}

static void splice_dir_release(struct splice_dir *d)
{
	if (d->rd)
		event_free(d->rd);
	if (d->wr)
		event_free(d->wr);
	if (d->pipe[0] >= 0)
		close(d->pipe[0]);
	if (d->pipe[1] >= 0)
		close(d->pipe[1]);
	if (d->head)
		evbuffer_free(d->head);
}

static int splice_dir_init(struct splice_pump *p, struct splice_dir *d, int src, int dst,
			   bool src_is_net)
{
	struct event_base *base = p->tunnel->base;
	int size;

	d->pump = p;
	d->src = src;
	d->dst = dst;
	d->src_is_net = src_is_net;
	if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	size = fcntl(d->pipe[1], F_SETPIPE_SZ, SPLICE_PIPE_SIZE);
	if (size < 0)
		size = fcntl(d->pipe[1], F_GETPIPE_SZ);
	d->pipe_size = size > 0 ? (size_t)size : 4096;
	d->head = evbuffer_new();
	d->rd = event_new(base, src, EV_READ | EV_PERSIST, splice_dir_cb, d);
	d->wr = event_new(base, dst, EV_WRITE | EV_PERSIST, splice_dir_cb, d);
	if (!d->head || !d->rd || !d->wr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

struct splice_pump *splice_pump_start(struct tunnel *t, int app_fd, int net_fd,
				      struct evbuffer *to_net, struct evbuffer *to_app)
{
	struct splice_pump *p = calloc(1, sizeof *p);
	int saved;

	if (!p)
		return NULL;
	p->tunnel = t;
	p->app_fd = app_fd;
	p->net_fd = net_fd;
	p->up.pipe[0] = p->up.pipe[1] = p->down.pipe[0] = p->down.pipe[1] = -1;
	if (splice_dir_init(p, &p->up, app_fd, net_fd, false) < 0 ||
	    splice_dir_init(p, &p->down, net_fd, app_fd, true) < 0 ||
	    evbuffer_add_buffer(p->up.head, to_net) < 0 ||
	    evbuffer_add_buffer(p->down.head, to_app) < 0) {
		saved = errno;
		splice_dir_release(&p->up);
		splice_dir_release(&p->down);
		free(p);
		errno = saved;
		return NULL;
	}
	splice_dir_watch(&p->up);
	splice_dir_watch(&p->down);
	log_debug("tunnel %u: splicing between fds %d and %d", t->id, app_fd, net_fd);
	return p;
}

void splice_pump_free(struct splice_pump *p)
{
	if (!p)
		return;
	splice_dir_release(&p->up);
	splice_dir_release(&p->down);
	close(p->app_fd);
	close(p->net_fd);
	free(p);
}
