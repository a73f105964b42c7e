/* The one assertion of the fuzz targets: a failed check aborts, which libFuzzer reports with the
 * input that caused it. */
#ifndef SSTPSHIM_FUZZ_CHECK_H
#define SSTPSHIM_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                        \
	do {                                                                            \
		if (!(c)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			abort();                                                        \
		}                                                                       \
	} while (0)

#endif
