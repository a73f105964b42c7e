/* A table of virtual connections by Virtual-Connection-GUID, the VirtualConnectionGUIDList of
 * each encapsulation the relay serves (MS-GRVHENC 3.2.1.1 LongLived, 3.4.1.1 KeepAlive, 3.6.1.1
 * Polling). Intrusive: a virtual connection embeds a struct vc_entry and owns it, the table only
 * links entries, so that adding never allocates and removing never frees. */
#ifndef SSTPSHIM_RELAY_VC_TABLE_H
#define SSTPSHIM_RELAY_VC_TABLE_H

#include <stddef.h>

#include "common/caps.h"

struct vc_entry {
	struct vc_entry *next; /* in its bucket */
	const char *guid;
};

struct vc_table {
	struct vc_entry *buckets[CAP_RELAY_BUCKETS];
};

/* The virtual connection (of type type, whose member is the entry) that holds entry e. */
#define VC_TABLE_OWNER(e, type, member) ((type *)(void *)((char *)(e) - offsetof(type, member)))

/* Links e under guid, a string that stays as it is while e is linked (usually its owner's). The
 * caller has checked that no entry has that GUID. */
void vc_table_add(struct vc_table *t, struct vc_entry *e, const char *guid);

/* The entry linked under guid, or NULL. */
struct vc_entry *vc_table_find(const struct vc_table *t, const char *guid);

/* Unlinks e; an entry that is not linked is left alone. */
void vc_table_remove(struct vc_table *t, struct vc_entry *e);

/* Calls fn on every entry; fn may remove the entry it was given, and free its owner (SIGTERM's
 * drain closes the virtual connections that are not established). */
void vc_table_each(struct vc_table *t, void (*fn)(struct vc_entry *e, void *arg), void *arg);

#endif
