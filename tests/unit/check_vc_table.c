/* relay/vc_table.c: entries found by GUID and only by theirs, among many that share buckets;
 * removed ones are gone and removing twice is harmless; walking the table while removing (and
 * freeing) the entry given, as SIGTERM's drain does. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "relay/vc_table.h"

#include "unit.h"

#define N 10000 /* more entries than buckets: every bucket holds a chain */

struct vc {
	char guid[CAP_GUID_MAX + 1];
	struct vc_entry link;
	bool odd;
};

static struct vc *vc_new(struct vc_table *t, unsigned i)
{
	struct vc *vc = calloc(1, sizeof *vc);

	ck_assert_ptr_nonnull(vc);
	snprintf(vc->guid, sizeof vc->guid, "{%08x-0000-4000-8000-%012u}", i * 2654435761u, i);
	vc->odd = i % 2;
	vc_table_add(t, &vc->link, vc->guid);
	return vc;
}

static struct vc *find(const struct vc_table *t, const char *guid)
{
	struct vc_entry *e = vc_table_find(t, guid);

	return e ? VC_TABLE_OWNER(e, struct vc, link) : NULL;
}

START_TEST(find_add_remove)
{
	static struct vc_table t;
	static struct vc *all[N];

	for (unsigned i = 0; i < N; i++)
		all[i] = vc_new(&t, i);
	for (unsigned i = 0; i < N; i++)
		ck_assert_ptr_eq(find(&t, all[i]->guid), all[i]);
	ck_assert_ptr_null(find(&t, "{00000000-0000-4000-8000-000000000000}x"));
	ck_assert_ptr_null(find(&t, ""));
	for (unsigned i = 0; i < N; i += 3) {
		vc_table_remove(&t, &all[i]->link);
		vc_table_remove(&t, &all[i]->link); /* harmless */
	}
	for (unsigned i = 0; i < N; i++)
		ck_assert_ptr_eq(find(&t, all[i]->guid), i % 3 ? all[i] : NULL);
	for (unsigned i = 0; i < N; i++) {
		vc_table_remove(&t, &all[i]->link);
		free(all[i]);
	}
	for (unsigned i = 0; i < CAP_RELAY_BUCKETS; i++)
		ck_assert_ptr_null(t.buckets[i]);
}
END_TEST

static void drop_odd(struct vc_entry *e, void *arg)
{
	struct vc_table *t = arg;
	struct vc *vc = VC_TABLE_OWNER(e, struct vc, link);

	if (!vc->odd)
		return;
	vc_table_remove(t, e);
	free(vc);
}

static void count(struct vc_entry *e, void *arg)
{
	ck_assert(!VC_TABLE_OWNER(e, struct vc, link)->odd);
	(*(unsigned *)arg)++;
}

START_TEST(each_may_free_the_entry_given)
{
	static struct vc_table t;
	static char even_guid[N / 2][CAP_GUID_MAX + 1];
	unsigned n = 0;

	for (unsigned i = 0; i < N; i++) {
		struct vc *vc = vc_new(&t, i);
		if (!vc->odd)
			snprintf(even_guid[i / 2], sizeof even_guid[0], "%s", vc->guid);
	}
	vc_table_each(&t, drop_odd, &t);
	vc_table_each(&t, count, &n);
	ck_assert_uint_eq(n, N / 2);
	for (unsigned i = 0; i < N / 2; i++) {
		struct vc *vc = find(&t, even_guid[i]);
		ck_assert_ptr_nonnull(vc);
		vc_table_remove(&t, &vc->link);
		free(vc);
	}
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("vc_table", "table", 0, &tc);

	tcase_add_test(tc, find_add_remove);
	tcase_add_test(tc, each_may_free_the_entry_given);
	return unit_run(s);
}
