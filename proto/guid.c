#include "proto/guid.h"

#include "common/random.h"

/* 36 symbols; bytes at or above 252 (= 7 * 36) are drawn again so that each symbol is equally
 * likely. */
static const char guid_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
#define GUID_SYMBOLS 36u
#define GUID_UNBIASED (256u - 256u % GUID_SYMBOLS)

int guid_generate(char out[GUID_LEN + 1])
{
	unsigned char raw[64];
	size_t n = 0;

	while (n < GUID_LEN) {
		if (random_bytes(raw, sizeof raw) < 0)
			return -1;
		for (size_t i = 0; i < sizeof raw && n < GUID_LEN; i++)
			if (raw[i] < GUID_UNBIASED)
				out[n++] = guid_alphabet[raw[i] % GUID_SYMBOLS];
	}
	out[GUID_LEN] = '\0';
	return 0;
}

bool guid_valid(const char *s, size_t len)
{
	if (len < CAP_GUID_MIN || len > CAP_GUID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
		if (!alpha && !(c >= '0' && c <= '9'))
			return false;
	}
	return true;
}
