#include "common/namemap.h"

#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "common/caps.h"

struct namemap_entry {
	unsigned char family; /* 0 when unused */
	unsigned char addr[16];
	char name[CAP_HOST_NAME + 1];
};

/* A ring: bounded memory, oldest overwritten first. Lookups scan the entries in use only: the
 * whole ring is over 250 KiB, and touching all of it on every connect() cost tens of
 * microseconds (and page faults on the first), where most programs store one name or none. */
static struct namemap_entry namemap_ring[CAP_NAMEMAP];
static unsigned namemap_next, namemap_used;
static unsigned namemap_next_placeholder = 1;
static pthread_mutex_t namemap_lock = PTHREAD_MUTEX_INITIALIZER;

/* The address bytes of addr and their length; 0 for families we do not map. */
static size_t namemap_key(const struct sockaddr *addr, const unsigned char **bytes)
{
	if (addr->sa_family == AF_INET) {
		*bytes = (const unsigned char *)&((const struct sockaddr_in *)addr)->sin_addr;
		return 4;
	}
	if (addr->sa_family == AF_INET6) {
		*bytes = (const unsigned char *)&((const struct sockaddr_in6 *)addr)->sin6_addr;
		return 16;
	}
	return 0;
}

static struct namemap_entry *namemap_find_addr(int family, const unsigned char *bytes, size_t len)
{
	for (unsigned i = 0; i < namemap_used; i++)
		if (namemap_ring[i].family == family && memcmp(namemap_ring[i].addr, bytes, len) == 0)
			return &namemap_ring[i];
	return NULL;
}

static void namemap_store(int family, const unsigned char *bytes, size_t len, const char *name)
{
	struct namemap_entry *e = namemap_find_addr(family, bytes, len);
	size_t n = strnlen(name, CAP_HOST_NAME);

	if (!e) {
		e = &namemap_ring[namemap_next];
		namemap_next = (namemap_next + 1) % CAP_NAMEMAP;
		if (namemap_used < CAP_NAMEMAP)
			namemap_used++;
	}
	e->family = (unsigned char)family;
	memcpy(e->addr, bytes, len);
	memcpy(e->name, name, n);
	e->name[n] = '\0';
}

void namemap_remember(const struct sockaddr *addr, const char *name)
{
	const unsigned char *bytes;
	size_t len = namemap_key(addr, &bytes);

	if (!len || !name || !*name)
		return;
	pthread_mutex_lock(&namemap_lock);
	namemap_store(addr->sa_family, bytes, len, name);
	pthread_mutex_unlock(&namemap_lock);
}

int namemap_lookup(const struct sockaddr *addr, char *name, size_t cap)
{
	const unsigned char *bytes;
	size_t len = namemap_key(addr, &bytes);
	struct namemap_entry *e;
	int rc = -1;

	if (!len || cap == 0)
		return -1;
	pthread_mutex_lock(&namemap_lock);
	e = namemap_find_addr(addr->sa_family, bytes, len);
	if (e && strlen(e->name) < cap) {
		memcpy(name, e->name, strlen(e->name) + 1);
		rc = 0;
	}
	pthread_mutex_unlock(&namemap_lock);
	return rc;
}

static int namemap_find_name(const char *name, struct in_addr *out)
{
	for (unsigned i = 0; i < namemap_used; i++) {
		const struct namemap_entry *e = &namemap_ring[i];
		if (e->family == AF_INET && e->addr[0] == NAMEMAP_PLACEHOLDER_NET &&
		    strcasecmp(e->name, name) == 0) {
			memcpy(out, e->addr, 4);
			return 0;
		}
	}
	return -1;
}

int namemap_placeholder(const char *name, struct in_addr *out)
{
	int rc = 0;

	pthread_mutex_lock(&namemap_lock);
	if (namemap_find_name(name, out) < 0) {
		if (namemap_next_placeholder >= (1u << 24) - 1) {
			rc = -1;
		} else {
			uint32_t a = (NAMEMAP_PLACEHOLDER_NET << 24) | namemap_next_placeholder++;
			out->s_addr = htonl(a);
			namemap_store(AF_INET, (const unsigned char *)&out->s_addr, 4, name);
		}
	}
	pthread_mutex_unlock(&namemap_lock);
	return rc;
}

bool namemap_is_placeholder(const struct sockaddr *addr)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

	if (addr->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr) >> 24) ==
		       NAMEMAP_PLACEHOLDER_NET;
	return addr->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) &&
	       in6->sin6_addr.s6_addr[12] == NAMEMAP_PLACEHOLDER_NET;
}
