#include "proto/auth_basic.h"

#include <stdbool.h>
#include <string.h>

#include "proto/base64.h"

#define BASIC_PREFIX "Basic "
/* Longest user ":" password we encode; plenty for any real account. */
#define BASIC_MAX_PAIR 1024

static bool basic_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int auth_basic_credentials(const char *user, const char *password, char *out, size_t cap,
			   size_t *len)
{
	char pair[BASIC_MAX_PAIR];
	size_t ulen = strlen(user), plen = strlen(password), n;
	const size_t pfx = sizeof BASIC_PREFIX - 1;
	int rc = -1;

	/* RFC 7617 2: a user-id containing a colon cannot be told apart from the password. */
	if (strchr(user, ':') != NULL || basic_has_ctl(user) || basic_has_ctl(password))
		return -1;
	if (ulen >= sizeof pair || plen >= sizeof pair - ulen - 1 || cap < pfx)
		return -1;
	memcpy(pair, user, ulen);
	pair[ulen] = ':';
	memcpy(pair + ulen + 1, password, plen);
	if (base64_encode(pair, ulen + 1 + plen, out + pfx, cap - pfx, &n) == 0) {
		memcpy(out, BASIC_PREFIX, pfx);
		*len = pfx + n;
		rc = 0;
	}
	explicit_bzero(pair, sizeof pair);
	return rc;
}
