/* The Basic scheme (RFC 7617): credentials for Proxy-Authorization / Authorization. */
#ifndef SSTPSHIM_AUTH_BASIC_H
#define SSTPSHIM_AUTH_BASIC_H

#include <stddef.h>

/* Writes "Basic " base64(user ":" password) and a NUL into out (cap bytes, NUL included); 0 and
 * *len the characters without the NUL. The bytes are sent as given (UTF-8 is what RFC 7617 2.1
 * charset="UTF-8" asks for). -1 when out is too small, or the user contains ':' or either
 * contains a control character (RFC 7617 2). */
int auth_basic_credentials(const char *user, const char *password, char *out, size_t cap,
			   size_t *len);

#endif
