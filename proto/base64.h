/* Base64 (RFC 4648 4, the standard alphabet with padding) for proxy authentication: Basic
 * credentials (RFC 7617 2) and NTLM messages in Proxy-Authorization / Proxy-Authenticate
 * (MS-GRVHENC 4.6). Bounded by the caller's buffer; nothing allocates. */
#ifndef SSTPSHIM_BASE64_H
#define SSTPSHIM_BASE64_H

#include <stddef.h>

/* Buffer size base64_encode needs for n input bytes, including the terminating NUL. */
#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4 + 1)
/* Most bytes base64_decode can produce from n characters. */
#define BASE64_DECODED_MAX(n) ((n) / 4 * 3)

/* Encodes len bytes of in into out (cap bytes) as padded Base64 followed by a NUL; 0 and
 * *out_len the characters written (without the NUL), or -1 when cap is too small. */
int base64_encode(const void *in, size_t len, char *out, size_t cap, size_t *out_len);

/* Decodes exactly len characters: strict RFC 4648 (3.3, 3.5): the standard alphabet only, no
 * whitespace, length a multiple of 4, one or two '=' only at the end, unused bits zero. 0 and
 * *out_len the bytes written to out (cap bytes), or -1 when malformed or cap is too small. */
int base64_decode(const char *in, size_t len, void *out, size_t cap, size_t *out_len);

#endif
