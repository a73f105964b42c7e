#include "common/splice_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/caps.h"

/* Bytes one pipe holds, so one splice() moves up to this much. Pipes count against the user's
 * pipe quota (fs.pipe-user-pages-soft, 64 MiB by default), which the engine shares with the
 * application: past it, every new pipe of that user gets one page. 256 KiB measured as fast as
 * 1 MiB on loopback within the noise (bench/README.md); lent only while bytes are in flight,
 * they are seldom more than a few at once. */
#define SPLICE_PIPE_BYTES (256 * 1024)

/* Per thread: the engine thread and the relay's loop each have their own, and a fork child's
 * new engine thread starts with an empty one (the parent's pipes are closed in the child). */
static __thread struct {
	struct splice_pipe pipes[CAP_SPLICE_IDLE_PIPES];
	unsigned n;
	unsigned long users; /* directions between join and leave */
} splice_pipe_list;

void splice_pipe_join(void)
{
	splice_pipe_list.users++;
}

void splice_pipe_leave(void)
{
	if (splice_pipe_list.users > 0 && --splice_pipe_list.users > 0)
		return;
	while (splice_pipe_list.n > 0)
		splice_pipe_drop(&splice_pipe_list.pipes[--splice_pipe_list.n]);
}

int splice_pipe_take(struct splice_pipe *p)
{
	int fds[2], size;

	if (p->rd >= 0)
		return 0;
	if (splice_pipe_list.n > 0) {
		*p = splice_pipe_list.pipes[--splice_pipe_list.n];
		return 0;
	}
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	size = fcntl(fds[1], F_SETPIPE_SZ, SPLICE_PIPE_BYTES);
	if (size < 0) /* over the quota: the pipe keeps its smaller size */
		size = fcntl(fds[1], F_GETPIPE_SZ);
	*p = (struct splice_pipe){ .rd = fds[0],
				   .wr = fds[1],
				   .size = size > 0 ? (size_t)size : 4096 };
	return 0;
}

void splice_pipe_give(struct splice_pipe *p)
{
	if (p->rd < 0)
		return;
	if (splice_pipe_list.users > 0 && splice_pipe_list.n < CAP_SPLICE_IDLE_PIPES)
		splice_pipe_list.pipes[splice_pipe_list.n++] = *p;
	else
		splice_pipe_drop(p);
	*p = SPLICE_PIPE_NONE;
}

void splice_pipe_drop(struct splice_pipe *p)
{
	if (p->rd < 0)
		return;
	close(p->rd);
	close(p->wr);
	*p = SPLICE_PIPE_NONE;
}

unsigned splice_pipe_idle(void)
{
	return splice_pipe_list.n;
}
