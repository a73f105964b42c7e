/* engine/socks5_handshake, driven over a bufferevent_pair whose far end plays the proxy: each
 * reply can be cut at every byte and the request bytes checked exactly (RFC 1928, RFC 1929,
 * MS-GRVHENC 2.2.2.5's example). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/socks5_handshake.h"

#include "unit.h"

#define BYTES(s) (s), (sizeof(s) - 1)

/* libevent 2.1 always defers a pair's callbacks: each write is delivered by the next loop turns,
 * which hs_settle() runs (no I/O is involved, so a few non-blocking turns drain everything). */

struct hs {
	struct event_base *base;
	struct bufferevent *client, *proxy; /* client: given to the handshake */
	struct socks5_handshake *h;
	int calls;
	struct bufferevent *got; /* what the callback got */
	int err;
	const char *why;
};

static void hs_cb(struct bufferevent *bev, int err, const char *why, void *arg)
{
	struct hs *s = arg;

	s->calls++;
	s->got = bev;
	s->err = err;
	s->why = why;
	s->h = NULL;
}

static void hs_settle(struct hs *s)
{
	for (int i = 0; i < 4; i++)
		event_base_loop(s->base, EVLOOP_NONBLOCK);
}

static void hs_open(struct hs *s)
{
	struct bufferevent *pair[2];

	memset(s, 0, sizeof *s);
	s->base = event_base_new();
	ck_assert_int_eq(bufferevent_pair_new(s->base, BEV_OPT_CLOSE_ON_FREE, pair), 0);
	s->client = pair[0];
	s->proxy = pair[1];
	bufferevent_enable(s->proxy, EV_READ | EV_WRITE);
}

/* Starts a handshake towards name (or 192.0.2.1 when NULL) port 2492, with user when given. */
static void hs_start(struct hs *s, const char *name, const char *user, const char *password)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(2492) };
	struct socks5_target to = { .name = name, .addr = (struct sockaddr *)&a, .port = 2492,
				    .user = user, .password = password };

	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	s->h = eng_socks5_start(s->client, &to, hs_cb, s);
	ck_assert_ptr_nonnull(s->h);
	hs_settle(s);
	ck_assert_int_eq(s->calls, 0);
}

static void hs_close(struct hs *s)
{
	eng_socks5_cancel(s->h); /* frees the client end when it has not reported */
	if (s->got)
		bufferevent_free(s->got);
	bufferevent_free(s->proxy);
	event_base_free(s->base);
}

/* What the client has sent so far must be exactly want; it is taken off. */
static void hs_expect_sent(struct hs *s, const char *want, size_t len)
{
	struct evbuffer *in = bufferevent_get_input(s->proxy);
	char buf[600];

	ck_assert_uint_eq(evbuffer_get_length(in), len);
	ck_assert_int_eq(evbuffer_remove(in, buf, sizeof buf), (int)len);
	ck_assert(memcmp(buf, want, len) == 0);
}

static void hs_reply(struct hs *s, const char *bytes, size_t len)
{
	bufferevent_write(s->proxy, bytes, len);
	hs_settle(s);
}

/* The proxy closes its end. */
static void hs_eof(struct hs *s)
{
	bufferevent_flush(s->proxy, EV_WRITE, BEV_FINISHED);
	hs_settle(s);
}

static void hs_expect_fail(struct hs *s, int err)
{
	ck_assert_int_eq(s->calls, 1);
	ck_assert_ptr_null(s->got);
	ck_assert_msg(s->err == err, "errno %d (%s), want %d", s->err, s->why, err);
	ck_assert_ptr_nonnull(s->why);
}

/* Succeeded, with exactly leftover in the stream's input. */
static void hs_expect_ok(struct hs *s, const char *leftover, size_t len)
{
	struct evbuffer *in;
	char buf[64];

	ck_assert_int_eq(s->calls, 1);
	ck_assert_int_eq(s->err, 0);
	ck_assert_ptr_eq(s->got, s->client);
	in = bufferevent_get_input(s->got);
	ck_assert_uint_eq(evbuffer_get_length(in), len);
	ck_assert_int_eq(evbuffer_copyout(in, buf, sizeof buf), (int)len);
	ck_assert(memcmp(buf, leftover, len) == 0);
}

/* The CONNECT request for 192.0.2.1:2492. */
static const char req_v4[] = "\x05\x01\x00\x01\xc0\x00\x02\x01\x09\xbc";

START_TEST(requests_exact)
{
	struct hs s;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(2492) };
	struct socks5_target to6 = { .addr = (struct sockaddr *)&a6 };

	/* No user: only 00 is offered (3.9.4.1.1); the address goes as ATYP 01. */
	hs_open(&s);
	hs_start(&s, NULL, NULL, NULL);
	hs_expect_sent(&s, BYTES("\x05\x01\x00"));
	hs_reply(&s, BYTES("\x05\x00"));
	ck_assert_int_eq(s.calls, 0);
	hs_expect_sent(&s, BYTES(req_v4));
	hs_close(&s);

	/* A user: 00 and 02; RFC 1929 request; the name as ATYP 03 (2.2.2.5's example). */
	hs_open(&s);
	hs_start(&s, "server.domain.net", "joe", "pw");
	hs_expect_sent(&s, BYTES("\x05\x02\x00\x02"));
	hs_reply(&s, BYTES("\x05\x02"));
	hs_expect_sent(&s, BYTES("\x01\x03joe\x02pw"));
	hs_reply(&s, BYTES("\x01\x00"));
	hs_expect_sent(&s, BYTES("\x05\x01\x00\x03\x11server.domain.net\x09\xbc"));
	ck_assert_int_eq(s.calls, 0);
	hs_close(&s);

	/* IPv6: ATYP 04. */
	hs_open(&s);
	inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
	s.h = eng_socks5_start(s.client, &to6, hs_cb, &s);
	ck_assert_ptr_nonnull(s.h);
	hs_settle(&s);
	hs_expect_sent(&s, BYTES("\x05\x01\x00"));
	hs_reply(&s, BYTES("\x05\x00"));
	hs_expect_sent(&s, BYTES("\x05\x01\x00\x04\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x09\xbc"));
	hs_close(&s);
}
END_TEST

/* Everything the proxy sends in one go (replies and the server's first bytes), cut at cut. */
static void run_split(const char *user, const char *script, size_t len, size_t cut,
		      const char *sent, size_t sent_len, const char *leftover, size_t left_len)
{
	struct hs s;

	hs_open(&s);
	hs_start(&s, NULL, user, user ? "pw" : NULL);
	hs_reply(&s, script, cut);
	hs_reply(&s, script + cut, len - cut);
	hs_expect_sent(&s, sent, sent_len);
	hs_expect_ok(&s, leftover, left_len);
	hs_close(&s);
}

static void run_all_splits(const char *user, const char *script, size_t len, const char *sent,
			   size_t sent_len, size_t left_len)
{
	struct hs s;

	for (size_t cut = 0; cut <= len; cut++)
		run_split(user, script, len, cut, sent, sent_len, script + len - left_len, left_len);
	/* One byte at a time: the handshake never finishes early nor late. */
	hs_open(&s);
	hs_start(&s, NULL, user, user ? "pw" : NULL);
	for (size_t i = 0; i < len - left_len; i++) {
		ck_assert_msg(s.calls == 0, "finished after %zu of %zu bytes", i, len - left_len);
		hs_reply(&s, script + i, 1);
	}
	ck_assert_int_eq(s.calls, 1);
	hs_reply(&s, script + len - left_len, left_len);
	hs_expect_ok(&s, script + len - left_len, left_len);
	hs_close(&s);
}

START_TEST(replies_split_at_every_byte)
{
	/* Method 00; reply with BND 10.150.2.110:1046 (2.2.2.5's example); then "SSTP". */
	static const char anon[] = "\x05\x00"
				   "\x05\x00\x00\x01\x0a\x96\x02\x6e\x04\x16"
				   "SSTP";
	static const char user[] = "\x05\x02"
				   "\x01\x00"
				   "\x05\x00\x00\x01\x0a\x96\x02\x6e\x04\x16"
				   "SSTP";

	run_all_splits(NULL, BYTES(anon),
		       BYTES("\x05\x01\x00" "\x05\x01\x00\x01\xc0\x00\x02\x01\x09\xbc"), 4);
	run_all_splits("joe", BYTES(user),
		       BYTES("\x05\x02\x00\x02" "\x01\x03joe\x02pw" "\x05\x01\x00\x01\xc0\x00\x02\x01\x09\xbc"),
		       4);
}
END_TEST

/* Every BND.ADDR type (RFC 1928 6) is skipped exactly, whatever follows it. */
START_TEST(every_bnd_addr_type)
{
	static const char v4[] = "\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38" "\x05" "app";
	static const char v6[] = "\x05\x00\x00\x04" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01" "\x04\x38"
				 "\x01" "app";
	static const char name[] = "\x05\x00\x00\x03\x09proxy.lan\x04\x38" "\x03" "app";
	static const char empty[] = "\x05\x00\x00\x03\x00\x04\x38" "\x00" "app";
	char longest[4 + 1 + 255 + 2 + 4];
	const struct {
		const char *reply;
		size_t len;
	} cases[] = { { BYTES(v4) }, { BYTES(v6) }, { BYTES(name) }, { BYTES(empty) },
		      { longest, sizeof longest } };

	memcpy(longest, "\x05\x00\x00\x03\xff", 5);
	memset(longest + 5, 'a', 255);
	memcpy(longest + 260, "\x04\x38\xff\xfe\xfd\x05", 6);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t reply_len = cases[i].len - 4; /* the last four bytes are the application's */
		for (size_t cut = 0; cut <= cases[i].len; cut++) {
			struct hs s;
			hs_open(&s);
			hs_start(&s, NULL, NULL, NULL);
			hs_expect_sent(&s, BYTES("\x05\x01\x00"));
			hs_reply(&s, BYTES("\x05\x00"));
			hs_expect_sent(&s, BYTES(req_v4));
			hs_reply(&s, cases[i].reply, cut);
			ck_assert_int_eq(s.calls, cut >= reply_len);
			hs_reply(&s, cases[i].reply + cut, cases[i].len - cut);
			hs_expect_ok(&s, cases[i].reply + reply_len, 4);
			hs_close(&s);
		}
	}
}
END_TEST

/* REP (RFC 1928 6) as the application's errno; also when the proxy sends VER REP and closes. */
START_TEST(reply_codes_map_to_errno)
{
	static const int want[] = { 0, ECONNREFUSED, EACCES, ENETUNREACH, EHOSTUNREACH,
				    ECONNREFUSED, ETIMEDOUT, EOPNOTSUPP, EAFNOSUPPORT, EPROTO };

	for (unsigned rep = 1; rep <= 9; rep++) {
		for (int partial = 0; partial <= 1; partial++) {
			char reply[] = "\x05\x00\x00\x01\0\0\0\0\0\0";
			struct hs s;
			reply[1] = (char)rep;
			hs_open(&s);
			hs_start(&s, NULL, NULL, NULL);
			hs_reply(&s, BYTES("\x05\x00"));
			hs_reply(&s, reply, partial ? 2 : sizeof reply - 1);
			if (partial)
				hs_eof(&s);
			hs_expect_fail(&s, want[rep]);
			ck_assert_str_eq(s.why, rep == 5 ? "SOCKS5 CONNECT failed: connection refused"
							 : s.why);
			hs_close(&s);
		}
	}
}
END_TEST

static void run_fail(const char *user, const char *script, size_t len, bool eof, int err)
{
	struct hs s;

	hs_open(&s);
	hs_start(&s, NULL, user, user ? "wrong" : NULL);
	hs_reply(&s, script, len);
	if (eof)
		hs_eof(&s);
	hs_expect_fail(&s, err);
	hs_close(&s);
}

START_TEST(bad_replies_fail_cleanly)
{
	run_fail(NULL, BYTES("\x04\x00"), false, EPROTO);          /* not SOCKS5 */
	run_fail(NULL, BYTES("\x05\x01"), false, EPROTO);          /* GSSAPI: not offered */
	run_fail(NULL, BYTES("\x05\x02"), false, EPROTO);          /* 02 without a user */
	run_fail(NULL, BYTES("\x05\xff"), false, EACCES);          /* wants a user */
	run_fail("joe", BYTES("\x05\xff"), false, EACCES);         /* none of ours */
	run_fail("joe", BYTES("\x05\x02\x01\x01"), false, EACCES); /* RFC 1929: rejected */
	run_fail("joe", BYTES("\x05\x02\x05\x00"), false, EPROTO); /* auth VER */
	run_fail(NULL, BYTES("\x05\x00\x05\x00\x00\x05"), false, EPROTO); /* ATYP 05 */
	run_fail(NULL, BYTES("\x05\x00\x04\x00\x00\x01"), false, EPROTO); /* reply VER */
}
END_TEST

START_TEST(early_close_fails_cleanly)
{
	run_fail(NULL, "", 0, true, ECONNRESET);                        /* after the greeting */
	run_fail(NULL, BYTES("\x05"), true, ECONNRESET);                /* mid method */
	run_fail("joe", BYTES("\x05\x02"), true, ECONNRESET);           /* during auth */
	run_fail("joe", BYTES("\x05\x02\x01"), true, ECONNRESET);       /* mid auth reply */
	run_fail(NULL, BYTES("\x05\x00"), true, ECONNRESET);            /* after CONNECT */
	run_fail(NULL, BYTES("\x05\x00\x05"), true, ECONNRESET);        /* one byte of reply */
	run_fail(NULL, BYTES("\x05\x00\x05\x00\x00\x01\x7f"), true, ECONNRESET); /* REP 00, cut */
}
END_TEST

START_TEST(unwritable_targets_refused_at_start)
{
	struct hs s;
	char big[300];
	struct socks5_target to = { .name = "x", .port = 1, .user = big, .password = "" };

	memset(big, 'u', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	hs_open(&s);
	errno = 0;
	ck_assert_ptr_null(eng_socks5_start(s.client, &to, hs_cb, &s)); /* takes the client end */
	ck_assert_int_eq(errno, EINVAL);
	bufferevent_free(s.proxy);
	event_base_free(s.base);
}
END_TEST

int main(void)
{
	TCase *tc;
	Suite *s = unit_suite("socks5_handshake", "handshake", 0, &tc);

	tcase_add_test(tc, requests_exact);
	tcase_add_test(tc, replies_split_at_every_byte);
	tcase_add_test(tc, every_bnd_addr_type);
	tcase_add_test(tc, reply_codes_map_to_errno);
	tcase_add_test(tc, bad_replies_fail_cleanly);
	tcase_add_test(tc, early_close_fails_cleanly);
	tcase_add_test(tc, unwritable_targets_refused_at_start);
	return unit_run(s);
}
