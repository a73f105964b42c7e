/* Virtual-Connection-GUID and LongLived-Encapsulation-Request-ID (MS-GRVHENC 2.2.1.1.1,
 * 2.2.2.1.1.1.4): 39 characters of ALPHA / DIGIT, written lower case as every example is. */
#ifndef SSTPSHIM_GUID_H
#define SSTPSHIM_GUID_H

#include <stdbool.h>
#include <stddef.h>

#include "common/caps.h"

/* Characters of a GUID we generate: 39, as the ABNF says (2.2.1.1.1). */
#define GUID_LEN 39u

/* Writes a fresh random GUID (GUID_LEN characters from [a-z0-9]) and a NUL into out, from the
 * operating system's random source; 0, or -1 when that source fails. */
int guid_generate(char out[GUID_LEN + 1]);

/* Whether len bytes at s form a GUID we accept: CAP_GUID_MIN..CAP_GUID_MAX characters of ALPHA /
 * DIGIT (2.2.1.1.1; the spec's own examples are 37 to 40 long). */
bool guid_valid(const char *s, size_t len);

#endif
