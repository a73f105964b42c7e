/* What every unit test program shares: a suite of one test case, loop tests over a table, and
 * running the suite into the exit status that `make unit` stops on. */
#ifndef SSTPSHIM_UNIT_H
#define SSTPSHIM_UNIT_H

#include <check.h>
#include <stdlib.h>

/* A suite of one test case, tc_name, whose tests may each run timeout seconds (0: Check's
 * default); the caller adds the tests to *tc. */
static inline Suite *unit_suite(const char *name, const char *tc_name, double timeout, TCase **tc)
{
	Suite *s = suite_create(name);

	*tc = tcase_create(tc_name);
	if (timeout > 0)
		tcase_set_timeout(*tc, timeout);
	suite_add_tcase(s, *tc);
	return s;
}

/* Adds fn as a loop test run once per element of the array table, _i being its index. */
#define UNIT_ADD_TABLE(tc, fn, table)                                                              \
	tcase_add_loop_test((tc), fn, 0, (int)(sizeof(table) / sizeof((table)[0])))

/* Runs every test of s (the runner frees s); EXIT_FAILURE when any of them failed. */
static inline int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
