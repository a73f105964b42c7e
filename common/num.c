#include "common/num.h"

#include <string.h>

int num_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int num_parse_str(const char *s, uint64_t max, uint64_t *out)
{
	return num_parse_u64(s, strlen(s), max, out);
}
