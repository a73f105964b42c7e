/* Strict number parsing: the only way the project turns text into numbers (STYLE: no sscanf). */
#ifndef SSTPSHIM_NUM_H
#define SSTPSHIM_NUM_H
#include <stddef.h>
#include <stdint.h>

/* Parses exactly len bytes of decimal digits into *out; 0, or -1 when empty, not all digits, or
 * above max. No sign, no spaces, no leading '+'. */
int num_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/* Same over a NUL-terminated string. */
int num_parse_str(const char *s, uint64_t max, uint64_t *out);

#endif
