/* What every unit test program shares: running its suite and turning the result into the exit
 * status that `make unit` stops on. */
#ifndef SSTPSHIM_UNIT_H
#define SSTPSHIM_UNIT_H

#include <check.h>
#include <stdlib.h>

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
