/* Each direction borrows a pipe while it holds bytes (common/splice_pipe.h). When the pipe is
 * empty, one splice() moves what the source socket holds into it; the next moves the pipe's pages
 * out to the destination socket. The source is read again only once the pipe is empty: a
 * destination that does not take everything stops its source (backpressure), and an empty pipe
 * makes EAGAIN from the source mean "no data", never "pipe full". Bytes handed over in evbuffers
 * go out first, with plain writes.
 *
 * A direction with a budget (a content length) never asks its source for more than the budget
 * allows; once it is spent, anything but the source's end is a failure. When the network side is
 * two sockets, the one that only carries bytes up is watched too: it must bring nothing, not even
 * its end before ours (LongLived's POST session, MS-GRVHENC 3.1.5.1). */
#include "engine/splice_pump.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/caps.h"
#include "common/log.h"
#include "common/splice_pipe.h"
#include "common/splice_step.h"
#include "engine/app_end.h"
#include "engine/tunnel.h"

/* Bytes one direction moves per wakeup before the loop serves other events. */
#define SPLICE_BUDGET (1024 * 1024)

struct splice_dir {
	struct splice_pump *pump;
	int src, dst;             /* the pump's sockets, not owned here */
	bool src_is_net;          /* which side to blame for an error */
	struct splice_pipe pipe;  /* lent while bytes are in it */
	size_t queued;            /* bytes in the pipe */
	uint64_t budget;          /* bytes src may still bring */
	struct evbuffer *head;    /* bytes for dst that go before the pipe's */
	struct event *rd, *wr;    /* src readable, dst writable */
	bool rd_on, wr_on;        /* whether they are added */
	bool eof;                 /* src will send nothing more */
	bool shut;                /* dst was told so */
};

struct splice_pump {
	struct tunnel *tunnel;
	int app_fd, up_fd, down_fd; /* up_fd == down_fd when the network side is one socket */
	struct splice_dir up, down; /* application to network, network to application */
	struct event *guard;        /* up_fd readable, when it is not down_fd */
	struct event *idle;         /* down_fd silent for idle_ms, when set */
	unsigned idle_ms;
	struct timeval last_down;   /* when down_fd last brought bytes */
	bool over;                  /* tunnel_close() was called: move nothing more */
};

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

static enum splice_io splice_dir_flush(struct splice_dir *d)
{
	return splice_step_flush(d->head, d->pipe.rd, &d->queued, d->dst);
}

/* Reads src into the empty pipe; AGAIN when src has nothing, DONE with eof set at its end. */
static enum splice_io splice_dir_fill(struct splice_dir *d)
{
	enum splice_io rc;

	/* a spent budget only peeks for src's end: no pipe for that */
	if (d->budget > 0 && splice_pipe_take(&d->pipe) < 0) {
		log_warn("tunnel %u: no pipe to move bytes through: %s", d->pump->tunnel->id,
			 strerror(errno));
		return SPLICE_IO_FAILED;
	}
	rc = splice_step_fill(d->src, d->pipe.wr, d->pipe.size, &d->budget, &d->queued, &d->eof);

	if (rc == SPLICE_IO_FAILED && errno == EMSGSIZE) {
		log_debug("tunnel %u: more than the content length allows", d->pump->tunnel->id);
		errno = EMSGSIZE;
	}
	if (d->queued > 0 && d == &d->pump->down)
		event_base_gettimeofday_cached(d->pump->tunnel->base, &d->pump->last_down);
	return rc;
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
			/* Past the budget: the application must see a reset either way. (With no
			 * pipe for them, its bytes stay unread in the socketpair, and closing our
			 * end resets it.) */
			splice_pump_fail(d->pump, d->src_is_net || errno == EMSGSIZE);
			return;
		}
		if (rc == SPLICE_IO_AGAIN)
			break;
		moved += d->queued;
		drained = d->queued < d->pipe.size && d->budget > 0;
	}
	if (d->queued == 0)
		splice_pipe_give(&d->pipe);
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
	if (d->queued == 0)
		splice_pipe_give(&d->pipe);
	else
		splice_pipe_drop(&d->pipe);
	if (d->head)
		evbuffer_free(d->head);
}

static int splice_dir_init(struct splice_pump *p, struct splice_dir *d, int src, int dst,
			   bool src_is_net)
{
	struct event_base *base = p->tunnel->base;

	d->pump = p;
	d->src = src;
	d->dst = dst;
	d->src_is_net = src_is_net;
	d->head = evbuffer_new();
	d->rd = event_new(base, src, EV_READ | EV_PERSIST, splice_dir_cb, d);
	d->wr = event_new(base, dst, EV_WRITE | EV_PERSIST, splice_dir_cb, d);
	if (!d->head || !d->rd || !d->wr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* up_fd, when it only carries bytes up, brought something: its end after ours is the peer's
 * orderly close; anything else fails the network side. */
static void splice_guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct splice_pump *p = arg;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (p->over || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	if (n == 0 && p->up.eof) {
		event_del(p->guard);
		return;
	}
	if (n >= 0)
		errno = n ? EPROTO : ECONNRESET;
	log_debug("tunnel %u: the sending socket %s", p->tunnel->id,
		  n > 0 ? "brought bytes" : "closed first");
	splice_pump_fail(p, true);
}

/* Checks the idle time of down_fd; re-arms for the rest of it, or fails the network side. */
static void splice_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct splice_pump *p = arg;
	struct timeval now, since, left, limit = { p->idle_ms / 1000, (p->idle_ms % 1000) * 1000 };

	if (p->over || p->down.eof)
		return;
	event_base_gettimeofday_cached(p->tunnel->base, &now);
	timersub(&now, &p->last_down, &since);
	if (timercmp(&since, &limit, <)) {
		timersub(&limit, &since, &left);
		event_add(p->idle, &left);
		return;
	}
	log_debug("tunnel %u: nothing received for %u ms", p->tunnel->id, p->idle_ms);
	errno = ETIMEDOUT;
	splice_pump_fail(p, true);
}

/* The events only a network side of two sockets, or with an idle limit, needs. */
static int splice_pump_watch_net(struct splice_pump *p)
{
	struct event_base *base = p->tunnel->base;
	struct timeval tv = { p->idle_ms / 1000, (p->idle_ms % 1000) * 1000 };

	if (p->up_fd != p->down_fd) {
		p->guard = event_new(base, p->up_fd, EV_READ | EV_PERSIST, splice_guard_cb, p);
		if (!p->guard || event_add(p->guard, NULL) < 0)
			return -1;
	}
	if (p->idle_ms) {
		p->idle = evtimer_new(base, splice_idle_cb, p);
		event_base_gettimeofday_cached(base, &p->last_down);
		if (!p->idle || event_add(p->idle, &tv) < 0)
			return -1;
	}
	return 0;
}

static void splice_pump_release(struct splice_pump *p)
{
	splice_dir_release(&p->up);
	splice_dir_release(&p->down);
	splice_pipe_leave();
	if (p->guard)
		event_free(p->guard);
	if (p->idle)
		event_free(p->idle);
}

/* Whether a budget can pay for the bytes handed over; takes them from it. */
static bool splice_budget_take(uint64_t *budget, struct evbuffer *buf)
{
	size_t len = buf ? evbuffer_get_length(buf) : 0;

	if (*budget < len)
		return false;
	*budget -= len;
	return true;
}

static int splice_take_head(struct evbuffer *head, struct evbuffer *from)
{
	return from ? evbuffer_add_buffer(head, from) : 0;
}

struct splice_pump *splice_pump_start(struct tunnel *t, int app_fd, const struct tp_split *net,
				      struct evbuffer *to_net, struct evbuffer *to_app)
{
	struct splice_pump *p = calloc(1, sizeof *p);
	int saved = ENOMEM;

	if (!p)
		return NULL;
	splice_pipe_join();
	p->tunnel = t;
	p->app_fd = app_fd;
	p->up_fd = net->up_fd;
	p->down_fd = net->down_fd;
	p->idle_ms = net->down_idle_ms;
	p->up.budget = net->up_budget;
	p->down.budget = net->down_budget;
	p->up.pipe = p->down.pipe = SPLICE_PIPE_NONE;
	if (!splice_budget_take(&p->up.budget, to_net) ||
	    !splice_budget_take(&p->down.budget, to_app)) {
		errno = EMSGSIZE;
		goto fail;
	}
	if (splice_dir_init(p, &p->up, app_fd, p->up_fd, false) < 0 ||
	    splice_dir_init(p, &p->down, p->down_fd, app_fd, true) < 0 ||
	    splice_pump_watch_net(p) < 0 || splice_take_head(p->up.head, to_net) < 0 ||
	    splice_take_head(p->down.head, to_app) < 0)
		goto fail;
	splice_dir_watch(&p->up);
	splice_dir_watch(&p->down);
	if (p->up_fd == p->down_fd)
		log_debug("tunnel %u: splicing between fds %d and %d", t->id, app_fd, p->up_fd);
	else
		log_debug("tunnel %u: splicing between fds %d and %d up, %d down", t->id, app_fd,
			  p->up_fd, p->down_fd);
	return p;
fail:
	saved = errno ? errno : ENOMEM;
	splice_pump_release(p);
	free(p);
	errno = saved;
	return NULL;
}

void splice_pump_free(struct splice_pump *p)
{
	if (!p)
		return;
	splice_pump_release(p);
	close(p->app_fd);
	close(p->up_fd);
	if (p->down_fd != p->up_fd)
		close(p->down_fd);
	free(p);
}
