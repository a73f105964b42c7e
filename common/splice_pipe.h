/* The pipe a splice direction moves its bytes through (common/splice_step.h), lent to it only while
 * it holds bytes. A tunnel or virtual connection with nothing in flight, which is most of them most
 * of the time, then holds no pipe: no descriptors, nothing counted against the user's pipe quota.
 * Pipes given back empty wait in a short list of the calling thread's for the next direction that
 * needs one, so a busy direction takes and gives back the same pipe without a system call; when
 * the thread's last direction ends, they are closed too. */
#ifndef SSTPSHIM_SPLICE_PIPE_H
#define SSTPSHIM_SPLICE_PIPE_H

#include <stddef.h>

struct splice_pipe {
	int rd, wr;  /* read and write ends, -1 when none is lent */
	size_t size; /* bytes it holds at most */
};

#define SPLICE_PIPE_NONE ((struct splice_pipe){ .rd = -1, .wr = -1, .size = 0 })

/* A direction begins: until its splice_pipe_leave(), pipes given back may wait in the list. */
void splice_pipe_join(void);

/* A direction ends: the last one closes the pipes waiting in the list. */
void splice_pipe_leave(void);

/* Lends p a pipe when it has none: one from the thread's list, or a new one. 0, or -1 with errno
 * (EMFILE, ENFILE: no descriptor for it). */
int splice_pipe_take(struct splice_pipe *p);

/* Gives p's pipe, which must be empty, back to the thread's list (or closes it when the list is
 * full); p then has none. Does nothing when p has none. */
void splice_pipe_give(struct splice_pipe *p);

/* Closes p's pipe, with whatever it holds; p then has none. Does nothing when p has none. */
void splice_pipe_drop(struct splice_pipe *p);

/* Pipes waiting in the calling thread's list. */
unsigned splice_pipe_idle(void);

#endif
