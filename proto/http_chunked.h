/* A body in the chunked transfer coding (RFC 7230 4.1), read through to its end and dropped: the
 * page of a proxy's 401/407 that comes chunked, whose end is where the next response starts.
 * Incremental and bounded: each line (a chunk size with its extensions, a trailer field) up to
 * CAP_HTTP_CHUNK_LINE, the whole body, framing included, up to the caller's cap; no chunk size is
 * trusted beyond that cap. Pure functions over bytes; nothing allocates. */
#ifndef SSTPSHIM_HTTP_CHUNKED_H
#define SSTPSHIM_HTTP_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/parse.h"

enum http_chunked_state {
	HTTP_CHUNK_SIZE,    /* hex digits of a chunk-size */
	HTTP_CHUNK_BWS,	    /* whitespace after them: only more of it, ";" or the line end */
	HTTP_CHUNK_EXT,	    /* chunk-ext, up to the line end */
	HTTP_CHUNK_SIZE_LF, /* the LF after the size line's CR */
	HTTP_CHUNK_DATA,    /* chunk-data */
	HTTP_CHUNK_DATA_CR, /* the CRLF after chunk-data */
	HTTP_CHUNK_DATA_LF,
	HTTP_CHUNK_TRAILER,  /* the start of a trailer line, or of the final blank line */
	HTTP_CHUNK_FIELD,    /* within a trailer field line */
	HTTP_CHUNK_FIELD_LF, /* the LF after a trailer line's CR */
	HTTP_CHUNK_END_LF,   /* the LF of the final blank line */
	HTTP_CHUNK_DONE,
};

struct http_chunked {
	enum http_chunked_state state;
	enum parse_rc rc; /* PARSE_AGAIN until done or failed; then sticky */
	bool digits;	  /* the size line has a digit */
	uint64_t size;	  /* the chunk-size read so far, then the chunk-data still to come */
	uint64_t total;	  /* octets consumed so far */
	uint64_t max;	  /* the cap on total */
	uint32_t line;	  /* octets of the current line */
};

/* Readies c for one body of at most max octets, framing included. */
void http_chunked_init(struct http_chunked *c, uint64_t max);

/* Feeds len bytes. PARSE_DONE: the body ended (last-chunk, trailer, blank line) within buf,
 * after *consumed bytes; what follows is the next message's. PARSE_AGAIN: all len consumed, feed
 * more. PARSE_BAD: a chunk-size that is not hex or overflows 64 bits, a missing line end after
 * chunk-data, a bare CR, a control character in a line. PARSE_TOO_LONG: a line over
 * CAP_HTTP_CHUNK_LINE, or the body over max (reported as soon as passed). Sticky once not AGAIN
 * (consumed 0), until http_chunked_init. Bare LF line ends are accepted, as proto/http_msg does. */
enum parse_rc http_chunked_parse(struct http_chunked *c, const char *buf, size_t len,
				 size_t *consumed);

#endif
