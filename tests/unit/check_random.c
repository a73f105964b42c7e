/* common/random: random_bytes over a getrandom(2) that is interrupted, comes short or fails, and
 * the GUIDs drawn from it (proto/guid). The GUIDs' format and uniqueness over the real source
 * are checked in check_longlived.c. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/random.h"
#include "proto/guid.h"

#include "unit.h"

/* How the next getrandom calls behave: EINTR this many times first, then at most chunk bytes
 * a call (0: as asked) of the byte fill, or fail with err when set. */
static struct {
	unsigned eintr, calls;
	size_t chunk;
	int err;
	unsigned char fill;
} fake;

/* The executable's definition comes before libc's, so random.o calls this one. */
ssize_t getrandom(void *buf, size_t n, unsigned flags)
{
	fake.calls++;
	if (fake.eintr > 0) {
		fake.eintr--;
		errno = EINTR;
		return -1;
	}
	if (fake.err) {
		errno = fake.err;
		return -1;
	}
	if (fake.fill == 0)
		return syscall(SYS_getrandom, buf, n, flags);
	if (fake.chunk > 0 && n > fake.chunk)
		n = fake.chunk;
	memset(buf, fake.fill++, n);
	return (ssize_t)n;
}

START_TEST(short_reads_and_interruptions)
{
	unsigned char buf[20];

	memset(&fake, 0, sizeof fake);
	fake.eintr = 2;
	fake.chunk = 7;
	fake.fill = 'a';
	ck_assert_int_eq(random_bytes(buf, sizeof buf), 0);
	ck_assert_mem_eq(buf, "aaaaaaabbbbbbbcccccc", sizeof buf);
	ck_assert_uint_eq(fake.calls, 2 + 3);
	fake.calls = 0;
	ck_assert_int_eq(random_bytes(buf, 0), 0);
	ck_assert_uint_eq(fake.calls, 0);
}
END_TEST

START_TEST(failure_is_reported)
{
	char guid[GUID_LEN + 1];
	unsigned char buf[4];

	memset(&fake, 0, sizeof fake);
	fake.eintr = 1;
	fake.err = ENOSYS;
	errno = 0;
	ck_assert_int_eq(random_bytes(buf, sizeof buf), -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(guid_generate(guid), -1);
}
END_TEST

/* From the kernel: two GUIDs differ, and a draw larger than getrandom's 256-byte guarantee is
 * filled to its last byte (a 4 KiB run of zeros has probability 2^-32768). */
START_TEST(from_the_kernel)
{
	static unsigned char big[1 << 20];
	static const unsigned char zero[4096];
	char a[GUID_LEN + 1], b[GUID_LEN + 1];

	memset(&fake, 0, sizeof fake);
	ck_assert_int_eq(guid_generate(a), 0);
	ck_assert_int_eq(guid_generate(b), 0);
	ck_assert(guid_valid(a, strlen(a)));
	ck_assert_uint_eq(strlen(a), GUID_LEN);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(random_bytes(big, sizeof big), 0);
	ck_assert(memcmp(big + sizeof big - sizeof zero, zero, sizeof zero) != 0);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("random", "getrandom", 0, &tc);

	tcase_add_test(tc, short_reads_and_interruptions);
	tcase_add_test(tc, failure_is_reported);
	tcase_add_test(tc, from_the_kernel);
	return unit_run(s);
}
