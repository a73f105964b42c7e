/* Logging for the shim, the engine and the relay: quiet unless asked, one line per call. */
#ifndef SSTPSHIM_LOG_H
#define SSTPSHIM_LOG_H

enum log_level { LOG_OFF, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Parses "off|error|warn|info|debug"; -1 when the text is none of them. */
int log_level_parse(const char *text, enum log_level *out);

/* Sets the threshold and destination (path NULL: stderr). Returns the file descriptor written to,
 * so the caller can protect it: the file, or STDERR_FILENO when there is no path or the file
 * cannot be opened (a warning then says why), or -1 when logging is off. Safe to call again
 * (SIGHUP reopens). */
int log_open(enum log_level level, const char *path, const char *ident);

/* Whether a message at this level would be written; lets callers skip building expensive text. */
int log_enabled(enum log_level level);

/* Writes one line, cut at CAP_LOG_LINE. Never writes a credential: callers pass none. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
