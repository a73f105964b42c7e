#include "proto/base64.h"

#include <stdint.h>

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *in, size_t len, char *out, size_t cap, size_t *out_len)
{
	const unsigned char *s = in;
	size_t o = 0, i;

	/* Guard the size arithmetic before comparing it with cap. */
	if (len / 3 >= SIZE_MAX / 4 - 1 || cap < BASE64_ENCODED_SIZE(len))
		return -1;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < len ? (uint32_t)s[i + 1] << 8 : 0);
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}

/* The 6-bit value of an alphabet character, or -1 (also for '='). */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *in, size_t len, void *out, size_t cap, size_t *out_len)
{
	unsigned char *d = out;
	size_t pad = 0, n, o = 0;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > cap)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		size_t chars = i + 4 == len ? 4 - pad : 4;
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++) {
			int x = j < chars ? b64_value((unsigned char)in[i + j]) : 0;
			if (x < 0)
				return -1;
			v = v << 6 | (uint32_t)x;
		}
		/* 3.5: bits past the last byte must be zero, so each text has one decoding. */
		if ((pad == 1 && chars == 3 && (v & 0xff)) || (pad == 2 && chars == 2 && (v & 0xffff)))
			return -1;
		d[o++] = (unsigned char)(v >> 16);
		if (chars > 2)
			d[o++] = (unsigned char)(v >> 8);
		if (chars > 3)
			d[o++] = (unsigned char)v;
	}
	*out_len = o;
	return 0;
}
