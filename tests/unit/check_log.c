/* Unit tests of common/log.c: level names, the exact line format, the threshold, the length cap,
 * and silence when logging is off. Every test writes into its own temporary directory. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/caps.h"
#include "common/log.h"

#include "unit.h"

/* ---- log_level_parse ---- */

START_TEST(level_names)
{
	static const char *const names[] = { "off", "error", "warn", "info", "debug" };
	static const enum log_level levels[] = { LOG_OFF, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
	enum log_level level;

	for (unsigned i = 0; i < 5; i++) {
		level = (enum log_level)99;
		ck_assert_int_eq(log_level_parse(names[i], &level), 0);
		ck_assert_int_eq(level, levels[i]);
	}
}
END_TEST

static const char *const bad_levels[] = {
	"", "inf", "information", "warning", "err", " info", "info ", "debug2", "0", "3", "on",
};

START_TEST(level_bad_names)
{
	enum log_level level = (enum log_level)99;

	ck_assert_msg(log_level_parse(bad_levels[_i], &level) == -1, "\"%s\" was accepted",
		      bad_levels[_i]);
	ck_assert_int_eq(level, 99); /* a failure leaves the output alone */
}
END_TEST

/* ---- writing ---- */

static char tmp_dir[64];
static char log_path[128];
static char err_path[128];
static int saved_stderr = -1;

/* The directory lives as long as the test case and is removed by the runner itself, so that a
 * test that fails half way (its process ends at the failed assertion) leaves nothing behind. */
static void dir_create(void)
{
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/sstpshim-check-log.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
	snprintf(log_path, sizeof log_path, "%s/test.log", tmp_dir);
	snprintf(err_path, sizeof err_path, "%s/stderr", tmp_dir);
}

static void dir_remove(void)
{
	struct dirent *e;
	DIR *d = opendir(tmp_dir);

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	rmdir(tmp_dir);
}

static void stderr_restore(void)
{
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/* Each test starts without a log file and with logging off. */
static void test_setup(void)
{
	unlink(log_path);
	unlink(err_path);
}

static void test_teardown(void)
{
	log_open(LOG_OFF, NULL, "unit"); /* closes the log file */
	stderr_restore();
}

/* Sends this process's stderr into err_path until stderr_restore(). */
static void stderr_capture(void)
{
	int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* The whole file as a string; "" when it does not exist. */
static const char *file_text(const char *path)
{
	static char text[16 * 1024];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, text, sizeof text - 1);
		close(fd);
	}
	ck_assert_int_ge(n, 0);
	text[n] = '\0';
	return text;
}

static unsigned count_lines(const char *text)
{
	unsigned n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void assert_matches(const char *text, const char *pattern)
{
	regex_t re;

	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, text, 0, NULL, 0) == 0, "\"%s\" does not match %s", text,
		      pattern);
	regfree(&re);
}

START_TEST(line_format)
{
	char pattern[256];
	int fd = log_open(LOG_INFO, log_path, "unit");

	ck_assert_int_gt(fd, STDERR_FILENO);
	log_info("tunnel %s: established via %s in %.2f ms", "127.0.0.1:2492", "direct", 0.41);
	snprintf(pattern, sizeof pattern,
		 "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z unit\\[%d\\] "
		 "info: tunnel 127\\.0\\.0\\.1:2492: established via direct in 0\\.41 ms\n$",
		 (int)getpid());
	assert_matches(file_text(log_path), pattern);
}
END_TEST

START_TEST(level_words)
{
	const char *text;

	log_open(LOG_DEBUG, log_path, "unit");
	log_error("e");
	log_warn("w");
	log_info("i");
	log_debug("d");
	text = file_text(log_path);
	ck_assert_uint_eq(count_lines(text), 4);
	assert_matches(text, "^[^\n]* error: e\n[^\n]* warn: w\n[^\n]* info: i\n[^\n]* debug: d\n$");
}
END_TEST

START_TEST(threshold)
{
	log_open(LOG_WARN, log_path, "unit");
	ck_assert(!log_enabled(LOG_DEBUG));
	ck_assert(!log_enabled(LOG_INFO));
	ck_assert(log_enabled(LOG_WARN));
	ck_assert(log_enabled(LOG_ERROR));
	log_debug("below");
	log_info("below");
	log_warn("shown 1");
	log_error("shown 2");
	log_msg(LOG_OFF, "off is not a message level");
	assert_matches(file_text(log_path), "^[^\n]* warn: shown 1\n[^\n]* error: shown 2\n$");
}
END_TEST

/* The length of the line this process writes before the message. */
static size_t prefix_len(void)
{
	const char *text;

	log_info("m");
	text = file_text(log_path);
	ck_assert_uint_eq(count_lines(text), 1);
	return strlen(text) - 2;
}

/* Messages from a little below the cap to far above it: each comes out as one line, whole while
 * it fits, else cut to at most CAP_LOG_LINE bytes with its newline, but not much shorter. */
START_TEST(long_line_is_cut)
{
	static char big[3 * CAP_LOG_LINE];
	const char *text;
	size_t prefix, len, whole, lengths[16], n = 0;

	log_open(LOG_INFO, log_path, "unit");
	prefix = prefix_len();
	for (size_t l = CAP_LOG_LINE - prefix - 4; l <= CAP_LOG_LINE - prefix + 4; l++)
		lengths[n++] = l;
	lengths[n++] = sizeof big - 1;
	memset(big, 'x', sizeof big - 1);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(truncate(log_path, 0), 0);
		log_info("%.*s", (int)lengths[i], big);
		log_info("after");
		text = file_text(log_path);
		ck_assert_uint_eq(count_lines(text), 2);
		len = (size_t)(strchr(text, '\n') - text) + 1;
		whole = prefix + lengths[i] + 1;
		if (whole < CAP_LOG_LINE)
			ck_assert_uint_eq(len, whole);
		else
			ck_assert_msg(len <= CAP_LOG_LINE && len >= CAP_LOG_LINE - 2,
				      "a message of %zu bytes became a line of %zu", lengths[i], len);
		ck_assert_uint_eq(strspn(text + prefix, "x"), len - 1 - prefix);
		assert_matches(text + len, "^[^\n]* info: after\n$"); /* the next line is whole */
	}
}
END_TEST

/* A message that just fits is written whole. */
START_TEST(line_below_cap_is_whole)
{
	static char msg[CAP_LOG_LINE];
	const char *text;
	size_t prefix;

	log_open(LOG_INFO, log_path, "unit");
	prefix = prefix_len();
	ck_assert_int_eq(truncate(log_path, 0), 0);
	/* prefix + message + newline = CAP_LOG_LINE - 1 bytes */
	memset(msg, 'y', CAP_LOG_LINE - 2 - prefix);
	log_info("%s", msg);
	text = file_text(log_path);
	ck_assert_uint_eq(strlen(text), CAP_LOG_LINE - 1);
	ck_assert_uint_eq(strspn(text + prefix, "y"), CAP_LOG_LINE - 2 - prefix);
	ck_assert_int_eq(text[CAP_LOG_LINE - 2], '\n');
}
END_TEST

START_TEST(off_writes_nothing)
{
	stderr_capture();
	ck_assert_int_eq(log_open(LOG_OFF, log_path, "unit"), -1);
	for (int level = LOG_OFF; level <= LOG_DEBUG; level++) {
		ck_assert(!log_enabled((enum log_level)level));
		log_msg((enum log_level)level, "nothing %d", level);
	}
	ck_assert_int_eq(access(log_path, F_OK), -1); /* not even created */
	ck_assert_str_eq(file_text(err_path), "");
}
END_TEST

/* Turning logging off after it was on stops the writing and closes the file. */
START_TEST(off_after_on)
{
	int fd = log_open(LOG_DEBUG, log_path, "unit");

	log_error("one");
	stderr_capture();
	ck_assert_int_eq(log_open(LOG_OFF, log_path, "unit"), -1);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1); /* no descriptor left behind */
	log_error("two");
	assert_matches(file_text(log_path), "^[^\n]* error: one\n$");
	ck_assert_str_eq(file_text(err_path), "");
}
END_TEST

START_TEST(reopen_closes_old_file)
{
	char other[128];
	int fd1 = log_open(LOG_INFO, log_path, "unit");
	int fd2;

	snprintf(other, sizeof other, "%s/b.log", tmp_dir);
	fd2 = log_open(LOG_INFO, other, "unit");
	ck_assert_int_gt(fd2, STDERR_FILENO);
	if (fd2 != fd1)
		ck_assert_int_eq(fcntl(fd1, F_GETFD), -1);
	log_info("to b");
	ck_assert_str_eq(file_text(log_path), "");
	assert_matches(file_text(other), " info: to b\n$");
}
END_TEST

START_TEST(stderr_by_default)
{
	stderr_capture();
	ck_assert_int_eq(log_open(LOG_INFO, NULL, "unit"), STDERR_FILENO);
	log_info("to stderr");
	assert_matches(file_text(err_path), "^[^\n]* unit\\[[0-9]+\\] info: to stderr\n$");
}
END_TEST

/* log.h: -1 when the file cannot be opened; stderr is used and a warning says why. */
START_TEST(unopenable_file)
{
	char missing[128];
	const char *text;

	snprintf(missing, sizeof missing, "%s/no/such/dir.log", tmp_dir);
	stderr_capture();
	ck_assert_int_eq(log_open(LOG_INFO, missing, "unit"), STDERR_FILENO);
	log_info("still here");
	text = file_text(err_path);
	ck_assert_uint_eq(count_lines(text), 2);
	ck_assert_ptr_nonnull(strstr(text, missing));
	assert_matches(text, "^[^\n]* warn: [^\n]*\n[^\n]* info: still here\n$");
}
END_TEST

/* The shim logs from inside libc calls whose errno the application reads next. */
START_TEST(errno_preserved)
{
	log_open(LOG_INFO, log_path, "unit");
	errno = EINPROGRESS;
	log_info("x");
	ck_assert_int_eq(errno, EINPROGRESS);
	errno = ECONNREFUSED;
	log_debug("below the threshold");
	ck_assert_int_eq(errno, ECONNREFUSED);
	/* A write that fails (ENOSPC) must not leak its errno either. */
	log_open(LOG_INFO, "/dev/full", "unit");
	errno = EAGAIN;
	log_info("nowhere to go");
	ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *names = tcase_create("names");
	TCase *write = tcase_create("write");

	tcase_add_test(names, level_names);
	UNIT_ADD_TABLE(names, level_bad_names, bad_levels);
	suite_add_tcase(s, names);

	tcase_add_unchecked_fixture(write, dir_create, dir_remove);
	tcase_add_checked_fixture(write, test_setup, test_teardown);
	tcase_add_test(write, line_format);
	tcase_add_test(write, level_words);
	tcase_add_test(write, threshold);
	tcase_add_test(write, long_line_is_cut);
	tcase_add_test(write, line_below_cap_is_whole);
	tcase_add_test(write, off_writes_nothing);
	tcase_add_test(write, off_after_on);
	tcase_add_test(write, reopen_closes_old_file);
	tcase_add_test(write, stderr_by_default);
	tcase_add_test(write, unopenable_file);
	tcase_add_test(write, errno_preserved);
	suite_add_tcase(s, write);
	return s;
}

int main(void)
{
	return unit_run(log_suite());
}
