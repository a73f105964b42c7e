/* The client's Polling Encapsulation Timer (MS-GRVHENC 3.5.2.3, 2.2.2.3.2.1.1.3): how long to
 * wait before the next poll when neither side has data. The interval starts at Min-Poll-Interval,
 * is used Poll-Repetition times, then doubles, up to Max-Poll-Interval, where it stays; data in
 * either direction starts it over. Pure: no timers here, the caller arms one with the delay. */
#ifndef SSTPSHIM_POLL_SCHEDULE_H
#define SSTPSHIM_POLL_SCHEDULE_H

#include "proto/poll_msg.h"

struct poll_schedule {
	struct poll_params params; /* the last ones the server sent */
	unsigned interval_s;       /* the current poll interval */
	unsigned count;            /* polls made at interval_s */
};

/* Starts with params (the spec's defaults until a server sends its own). */
void poll_schedule_init(struct poll_schedule *s, const struct poll_params *params);

/* Takes the parameters of a response (3.5.2.3: refreshed on every response); when they changed,
 * the back-off starts over with them. */
void poll_schedule_update(struct poll_schedule *s, const struct poll_params *params);

/* Data flowed: the next wait is Min-Poll-Interval again, the repetitions start from 0. */
void poll_schedule_reset(struct poll_schedule *s);

/* The wait before the next poll, in seconds; counts that poll. */
unsigned poll_schedule_next(struct poll_schedule *s);

#endif
