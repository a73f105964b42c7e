#include "proto/poll_schedule.h"

#include <string.h>

void poll_schedule_init(struct poll_schedule *s, const struct poll_params *params)
{
	s->params = *params;
	poll_schedule_reset(s);
}

void poll_schedule_update(struct poll_schedule *s, const struct poll_params *params)
{
	if (memcmp(&s->params, params, sizeof *params) != 0)
		poll_schedule_init(s, params);
}

void poll_schedule_reset(struct poll_schedule *s)
{
	s->interval_s = s->params.min_interval_s;
	s->count = 0;
}

unsigned poll_schedule_next(struct poll_schedule *s)
{
	unsigned now = s->interval_s;
	/* A maximum below the minimum would shrink the interval: the minimum wins. */
	unsigned ceiling = s->params.max_interval_s > s->params.min_interval_s
				   ? s->params.max_interval_s
				   : s->params.min_interval_s;

	if (++s->count >= s->params.repetitions) {
		/* 2.2.2.3.2.1.1.3 "doubled, up to Max-Poll-Interval"; 3.5.2.3's "until it exceeds"
		 * would wait longer than the maximum the server allows (2.2.2.3.2.1.1.1). */
		s->interval_s = now > ceiling / 2 ? ceiling : now * 2;
		s->count = 0;
	}
	return now;
}
