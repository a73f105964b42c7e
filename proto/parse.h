/* The result of every incremental protocol parser in proto/ (STYLE: Parsers). A parser is fed
 * whatever bytes have arrived, reports how many it consumed, and answers one of these. */
#ifndef SSTPSHIM_PARSE_H
#define SSTPSHIM_PARSE_H

enum parse_rc {
	PARSE_DONE,	/* a complete message; consumed says where it ended */
	PARSE_AGAIN,	/* everything given was consumed; feed more */
	PARSE_BAD,	/* malformed: the peer is not speaking the protocol */
	PARSE_TOO_LONG, /* a size cap was reached before the message ended */
};

/* A static name for logs ("done", "again", "bad", "too long"). */
static inline const char *parse_rc_name(enum parse_rc rc)
{
	switch (rc) {
	case PARSE_DONE:
		return "done";
	case PARSE_AGAIN:
		return "again";
	case PARSE_BAD:
		return "bad";
	case PARSE_TOO_LONG:
		return "too long";
	}
	return "?";
}

#endif
