/* proto/poll_schedule: the back-off of MS-GRVHENC 3.5.2.3 with the spec's defaults (120,5,3),
 * reset when data flows, new parameters taken from a response, a holding relay's 0, and odd
 * parameters (no repetitions, a maximum below the minimum). */
#include <check.h>
#include <stdlib.h>

#include "proto/poll_schedule.h"

#include "unit.h"

static void expect(struct poll_schedule *s, const unsigned *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(poll_schedule_next(s) == want[i], "poll %zu: want %u", i, want[i]);
}

START_TEST(spec_defaults)
{
	static const unsigned want[] = { 5, 5, 5, 10, 10, 10, 20, 20, 20, 40, 40, 40,
					 80, 80, 80, 120, 120, 120, 120, 120, 120, 120 };
	struct poll_params p = { 120, 5, 3 };
	struct poll_schedule s;

	poll_schedule_init(&s, &p);
	expect(&s, want, sizeof want / sizeof *want);
}
END_TEST

START_TEST(reset_when_data_flows)
{
	static const unsigned want[] = { 5, 5, 5, 10 };
	struct poll_params p = { 120, 5, 3 };
	struct poll_schedule s;

	poll_schedule_init(&s, &p);
	for (int i = 0; i < 8; i++)
		poll_schedule_next(&s);
	poll_schedule_reset(&s);
	expect(&s, want, 4);
}
END_TEST

START_TEST(new_parameters)
{
	static const unsigned same[] = { 10 };
	static const unsigned fresh[] = { 2, 4, 8, 8 };
	struct poll_params p = { 120, 5, 3 }, q = { 8, 2, 1 };
	struct poll_schedule s;

	poll_schedule_init(&s, &p);
	for (int i = 0; i < 3; i++)
		poll_schedule_next(&s);
	poll_schedule_update(&s, &p); /* unchanged: the back-off goes on */
	expect(&s, same, 1);
	poll_schedule_update(&s, &q); /* changed: starts over with them */
	expect(&s, fresh, 4);
}
END_TEST

START_TEST(holding_relay_zero)
{
	static const unsigned want[] = { 0, 0, 0, 0, 0, 0, 0 };
	struct poll_params p = { 120, 0, 3 };
	struct poll_schedule s;

	poll_schedule_init(&s, &p);
	expect(&s, want, 7);
}
END_TEST

START_TEST(odd_parameters)
{
	static const unsigned none[] = { 5, 10, 20, 30, 30 };
	static const unsigned inverted[] = { 50, 50, 50 };
	struct poll_params p = { 30, 5, 0 }, q = { 10, 50, 1 };
	struct poll_schedule s;

	poll_schedule_init(&s, &p);
	expect(&s, none, 5);
	poll_schedule_init(&s, &q);
	expect(&s, inverted, 3);
}
END_TEST

int main(void)
{
	TCase *t;
	Suite *s = unit_suite("poll_schedule", "core", 0, &t);

	tcase_add_test(t, spec_defaults);
	tcase_add_test(t, reset_when_data_flows);
	tcase_add_test(t, new_parameters);
	tcase_add_test(t, holding_relay_zero);
	tcase_add_test(t, odd_parameters);
	return unit_run(s);
}
