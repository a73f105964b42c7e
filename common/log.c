#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/caps.h"

static const char *const log_names[] = { "off", "error", "warn", "info", "debug" };

static int log_threshold = LOG_OFF;
static int log_fd = -1;
static const char *log_ident = "sstpshim";

int log_level_parse(const char *text, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		if (strcasecmp(text, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

int log_open(enum log_level level, const char *path, const char *ident)
{
	int old = log_fd;

	log_threshold = (int)level;
	log_ident = ident;
	if (level == LOG_OFF) {
		log_fd = -1;
	} else if (path == NULL || *path == '\0') {
		log_fd = STDERR_FILENO;
	} else {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		log_fd = fd >= 0 ? fd : STDERR_FILENO;
		if (fd < 0)
			log_warn("cannot open log file %s (%s), logging to stderr", path, strerror(errno));
	}
	if (old > STDERR_FILENO && old != log_fd)
		close(old);
	return log_fd;
}

int log_enabled(enum log_level level)
{
	return level != LOG_OFF && (int)level <= log_threshold && log_fd >= 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[CAP_LOG_LINE];
	struct timeval tv;
	struct tm tm;
	size_t n;
	va_list ap;
	int saved = errno;

	if (!log_enabled(level))
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof line - n, ".%03ldZ %s[%d] %s: ", (long)tv.tv_usec / 1000,
			      log_ident, (int)getpid(), log_names[level]);
	va_start(ap, fmt);
	int body = vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	n = body < 0 ? n : n + (size_t)body;
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	/* One write per line, so lines from several threads and processes never interleave. */
	if (write(log_fd, line, n) < 0) {
		/* Nowhere left to report it; the host application must not notice. */
	}
	errno = saved;
}
