#include "relay/vc_table.h"

_Static_assert((CAP_RELAY_BUCKETS & (CAP_RELAY_BUCKETS - 1)) == 0,
	       "the hash is masked: CAP_RELAY_BUCKETS must be a power of two");

#include <stdint.h>
#include <string.h>

/* The bucket of guid: FNV-1a, since GUIDs are random any spread of their bytes will do. */
static size_t vc_table_slot(const char *guid)
{
	uint32_t h = 2166136261u;

	for (; *guid; guid++)
		h = (h ^ (unsigned char)*guid) * 16777619u;
	return h & (CAP_RELAY_BUCKETS - 1);
}

void vc_table_add(struct vc_table *t, struct vc_entry *e, const char *guid)
{
	struct vc_entry **bucket = &t->buckets[vc_table_slot(guid)];

	e->guid = guid;
	e->next = *bucket;
	*bucket = e;
}

struct vc_entry *vc_table_find(const struct vc_table *t, const char *guid)
{
	struct vc_entry *e = t->buckets[vc_table_slot(guid)];

	while (e && strcmp(e->guid, guid) != 0)
		e = e->next;
	return e;
}

void vc_table_remove(struct vc_table *t, struct vc_entry *e)
{
	struct vc_entry **p;

	if (!e->guid)
		return;
	for (p = &t->buckets[vc_table_slot(e->guid)]; *p && *p != e; p = &(*p)->next)
		;
	if (*p)
		*p = e->next;
	e->next = NULL;
	e->guid = NULL;
}

void vc_table_each(struct vc_table *t, void (*fn)(struct vc_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < CAP_RELAY_BUCKETS; i++) {
		struct vc_entry *e = t->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			fn(e, arg);
		}
	}
}
