/* One direction of a splice, src -> pipe -> dst, as the engine's pump (engine/splice_pump.c) and
 * the relay (relay/splice.c) run it: the bytes never enter the process, the pipe is emptied before
 * it is filled again, bytes in a buffer go before the pipe's, and src may bring at most a budget
 * (a content length) before its end. */
#ifndef SSTPSHIM_SPLICE_STEP_H
#define SSTPSHIM_SPLICE_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct evbuffer;

enum splice_io { SPLICE_IO_DONE, SPLICE_IO_AGAIN, SPLICE_IO_FAILED };

/* Writes head, then the *queued bytes of the pipe whose read end is pipe_rd, to dst. AGAIN as
 * soon as dst takes less than offered; FAILED with errno. */
enum splice_io splice_step_flush(struct evbuffer *head, int pipe_rd, size_t *queued, int dst);

/* Moves what src holds into the empty pipe whose write end is pipe_wr: at most pipe_size, and at
 * most *budget, which it lowers; *queued is what it moved. DONE with *eof set at src's end, AGAIN
 * when src holds nothing, FAILED with errno (EMSGSIZE: src brings more than its budget). */
enum splice_io splice_step_fill(int src, int pipe_wr, size_t pipe_size, uint64_t *budget,
				size_t *queued, bool *eof);

/* Adds ev (no timeout) or deletes it, remembering which in *on so that each is done once. */
void splice_event_set(struct event *ev, bool *on, bool want);

#endif
