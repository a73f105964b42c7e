/* The virtual connection fields that open every Polling entity body (MS-GRVHENC 2.2.2.3.1.3.1
 * and 2.2.2.3.2.1.1), written by the client and the relay and parsed by both:
 *   request:  "1.2" NUL "grooveDNS://" name NUL GUID NUL seq NUL checksum NUL [data]
 *   response: the same fields, then "max,min,repetitions" NUL [data]
 * Pure functions over bytes; the HTTP head around them is proto/http_msg's job. */
#ifndef SSTPSHIM_POLL_MSG_H
#define SSTPSHIM_POLL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "proto/parse.h"

/* 2.2.2.3.1.3.1.1: "MUST be set to 1.2". */
#define POLL_VERSION "1.2"
/* 2.2.2.3.1.3.1.4 */
#define POLL_URL_SCHEME "grooveDNS://"

/* 2.2.2.3.2.1.1.1-3: the defaults a relay that follows the spec advertises. */
#define POLL_DEFAULT_MAX_INTERVAL 120
#define POLL_DEFAULT_MIN_INTERVAL 5
#define POLL_DEFAULT_REPETITIONS 3
/* Largest interval (s) or repetition count we accept from a peer: one day. */
#define POLL_PARAM_MAX 86400u
/* Largest sequence number we accept: more than a polling connection can live through. */
#define POLL_SEQ_MAX UINT32_MAX

/* The poll parameters of a response (2.2.2.3.2.1.1). */
struct poll_params {
	unsigned max_interval_s;
	unsigned min_interval_s;
	unsigned repetitions;
};

struct poll_msg {
	char version[CAP_POLL_FIELD + 1];         /* as sent; "1.2" from anyone who follows 2.2.2.3 */
	char relay_name[CAP_HOST_NAME + 1];       /* Relay-Server-Name, without the scheme */
	char guid[CAP_POLL_GUID + 1];
	uint64_t seq;
	uint32_t checksum;                        /* modulo 2^32 (proto/poll_checksum.h) */
	bool has_params;                          /* a response: params below are set */
	struct poll_params params;
};

/* Writes m (its params when m->has_params) to out. Returns the bytes written, or 0 when cap is
 * too small or a field cannot be written as the syntax requires (empty, too long, or holding a
 * NUL or a byte the parser would refuse). */
size_t poll_msg_write(const struct poll_msg *m, char *out, size_t cap);

struct poll_msg_parser {
	struct poll_msg msg;  /* the result once DONE */
	bool response;        /* expect the poll parameters field */
	unsigned field;       /* index of the field being read */
	char buf[CAP_HOST_NAME + sizeof POLL_URL_SCHEME]; /* its bytes so far */
	size_t len;
	size_t total;         /* bytes consumed so far, for the caller's Content-Length check */
	enum parse_rc rc;
	const char *why;      /* static text once BAD or TOO_LONG */
};

/* Starts a parse of a request's fields (response false) or a response's (true). */
void poll_msg_parser_init(struct poll_msg_parser *p, bool response);

/* Consumes bytes up to and including the NUL that ends the last field, and no further: what
 * follows is Application-Data. DONE with p->msg filled; AGAIN when all of len was consumed;
 * BAD (a non-digit sequence number, a version that is not DIGITS "." DIGITS, a URL without the
 * grooveDNS scheme, a GUID with a byte other than letters and digits, an empty field...) or
 * TOO_LONG (a field over its cap), with p->why. The checksum may be any integer, signed and of
 * any length up to CAP_POLL_FIELD digits; it is kept modulo 2^32. Once not AGAIN, it returns the
 * same answer and consumes nothing. */
enum parse_rc poll_msg_parse(struct poll_msg_parser *p, const char *buf, size_t len,
			     size_t *consumed);

#endif
