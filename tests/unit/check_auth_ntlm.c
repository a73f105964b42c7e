/* proto/auth_ntlm against MS-NLMP 4.2.4 (NTLMv2 authentication) and the messages of
 * MS-GRVHENC 4.6; malformed CHALLENGE messages from exact-size heap copies, so that any read
 * past the end shows under AddressSanitizer (make asan). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/auth_ntlm.h"
#include "proto/base64.h"

#include "unit.h"
#include "unit_grvhenc.h"

/* MS-NLMP 4.2.4.3: the CHALLENGE message (flags 0xe28a8233, ServerChallenge 0123456789abcdef,
 * TargetName "Server", TargetInfo NbDomainName "Domain", NbComputerName "Server"). */
static const char spec_challenge_hex[] =
	"4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef"
	"00000000000000002400240044000000060070170000000f5300650072007600"
	"6500720002000c0044006f006d00610069006e0001000c005300650072007600"
	"6500720000000000";

/* MS-NLMP 4.2.4.3: the AUTHENTICATE message (user "User", domain "Domain", workstation
 * "COMPUTER", password "Password", ClientChallenge aa.., time 0, flags 0xe2888235, VERSION
 * 05 01 28 0a 00 00 00 0f, EncryptedRandomSessionKey c5da...). */
static const char spec_authenticate_hex[] =
	"4e544c4d5353500003000000180018006c00000054005400840000000c000c00"
	"480000000800080054000000100010005c00000010001000d8000000358288e2"
	"0501280a0000000f44006f006d00610069006e00550073006500720043004f00"
	"4d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaa"
	"aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000"
	"00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00"
	"01000c005300650072007600650072000000000000000000c5dad2544fc97990"
	"94ce1ce90bc9d03e";

static const uint8_t spec_version[8] = { 0x05, 0x01, 0x28, 0x0a, 0x00, 0x00, 0x00, 0x0f };
static const uint8_t spec_session_key[16] = { 0xc5, 0xda, 0xd2, 0x54, 0x4f, 0xc9, 0x79, 0x90,
					      0x94, 0xce, 0x1c, 0xe9, 0x0b, 0xc9, 0xd0, 0x3e };

/* MS-GRVHENC 4.6, type 1 and type 2 as printed there, after repairing the transcription: the
 * printed text has "TLRM" for "TlRM" and a dozen doubled, dropped or case-flipped characters;
 * the repaired messages are the ones whose stated lengths and offsets agree with their bytes
 * (type 2: TargetName "SPIRIT1B" at 0x38, TargetInfo 0x54 bytes at 0x48, 156 bytes in all). */
static const char grvhenc_type1[] =
	"TlRMTVNTUAABAAAAt7II4gkACQAxAAAACQAJACgAAAAFASgKAAAAD0xBQlNNT0tFMldPUktHUk9VUA==";
static const char grvhenc_type2[] = GRVHENC_TYPE2;

static unsigned nibble(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	ck_assert(c >= 'a' && c <= 'f');
	return (unsigned)(c - 'a' + 10);
}

static const char grvhenc_type2_printed[] =
	"TLRMTVNTUAAACAAAEEAAQADgAAAA1goriluCDYHcYI/sAAAAAAAAAAAFQAVABIAAAABQLODgAAAA9TAFaASQBSAEkA"
	"VAAxAEIAAgAQAFMAUABJAFIAsQBUEAQgABABAAUwBQAEkAUgBJAFQAMQBCAAQAEABzAHAAaQByAGkAdAAxAGIAAwAQ"
	"AHMAcABpAHIAaQB0ADEAYgAAAAAA";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	ck_assert_uint_le(n, cap);
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
	return n;
}

/* Parses len bytes of msg from an exact-size heap copy. */
static int parse_exact(const uint8_t *msg, size_t len, struct ntlm_challenge *ch)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, msg, len);
	rc = ntlm_challenge_parse(copy, len, ch);
	free(copy);
	return rc;
}

static struct ntlm_auth_input spec_input(void)
{
	struct ntlm_auth_input in = {
		.user = "User",
		.domain = "Domain",
		.password = "Password",
		.workstation = "COMPUTER",
		.client_challenge = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa },
		.time = 0,
	};
	return in;
}

static void spec_challenge(struct ntlm_challenge *ch)
{
	uint8_t msg[256];
	size_t n = unhex(spec_challenge_hex, msg, sizeof msg);

	ck_assert_int_eq(parse_exact(msg, n, ch), 0);
}

/* The security buffer at field: its bytes in msg. */
static const uint8_t *field(const uint8_t *msg, size_t at, size_t *len)
{
	*len = (size_t)(msg[at] | msg[at + 1] << 8);
	return msg + (msg[at + 4] | msg[at + 5] << 8 | msg[at + 6] << 16 | (size_t)msg[at + 7] << 24);
}

START_TEST(ntowfv2_vector)
{
	static const uint8_t want[16] = { 0x0c, 0x86, 0x8a, 0x40, 0x3b, 0xfd, 0x7a, 0x93,
					  0xa3, 0x00, 0x1e, 0xf2, 0x2e, 0xf0, 0x2e, 0x3f };
	uint8_t key[16], again[16];

	/* MS-NLMP 4.2.4.1.1 */
	ck_assert_int_eq(ntlm_ntowfv2("User", "Domain", "Password", key), 0);
	ck_assert_mem_eq(key, want, 16);
	/* the user name is uppercased, the domain is not */
	ck_assert_int_eq(ntlm_ntowfv2("uSER", "Domain", "Password", again), 0);
	ck_assert_mem_eq(again, want, 16);
	ck_assert_int_eq(ntlm_ntowfv2("User", "DOMAIN", "Password", again), 0);
	ck_assert_mem_ne(again, want, 16);
	ck_assert_int_eq(ntlm_ntowfv2("J\xc3\xbcrgen", "D", "p", key), 0);
	ck_assert_int_eq(ntlm_ntowfv2("J\xc3\x9crgen", "D", "p", again), 0);
	ck_assert_mem_eq(key, again, 16);
	/* malformed UTF-8: overlong, surrogate, truncated, beyond U+10FFFF */
	ck_assert_int_eq(ntlm_ntowfv2("\xc0\xaf", "", "p", key), -1);
	ck_assert_int_eq(ntlm_ntowfv2("u", "\xed\xa0\x80", "p", key), -1);
	ck_assert_int_eq(ntlm_ntowfv2("u", "", "p\xe2\x82", key), -1);
	ck_assert_int_eq(ntlm_ntowfv2("u", "", "\xf4\x90\x80\x80", key), -1);
}
END_TEST

START_TEST(spec_challenge_parsed)
{
	struct ntlm_challenge ch;
	static const uint8_t sc[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	uint8_t msg[256];
	size_t n = unhex(spec_challenge_hex, msg, sizeof msg);

	spec_challenge(&ch);
	ck_assert_uint_eq(ch.flags, 0xe28a8233u);
	ck_assert_mem_eq(ch.server_challenge, sc, 8);
	ck_assert(!ch.has_timestamp);
	ck_assert_uint_eq(ch.target_info_len, 36);
	ck_assert_mem_eq(ch.target_info, msg + 0x44, 36);
	ck_assert_uint_eq(n, 0x44 + 36);
}
END_TEST

/* MS-NLMP 4.2.4.2.1 (LMv2), 4.2.4.2.2 (NTProofStr and temp) and the whole 4.2.4.3 message. */
START_TEST(spec_authenticate)
{
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();
	uint8_t want[512], out[1024];
	size_t wlen = unhex(spec_authenticate_hex, want, sizeof want), len = 0, flen;
	const uint8_t *f;
	static const uint8_t lmv2[24] = { 0x86, 0xc3, 0x50, 0x97, 0xac, 0x9c, 0xec, 0x10,
					  0x25, 0x54, 0x76, 0x4a, 0x57, 0xcc, 0xcc, 0x19,
					  0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
	static const uint8_t proof[16] = { 0x68, 0xcd, 0x0a, 0xb8, 0x51, 0xe5, 0x1c, 0x96,
					   0xaa, 0xbc, 0x92, 0x7b, 0xeb, 0xef, 0x6a, 0x1c };

	spec_challenge(&ch);
	in.flags = 0xe2888235u;
	in.version = spec_version;
	in.session_key = spec_session_key;
	in.session_key_len = sizeof spec_session_key;
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	f = field(out, 12, &flen);
	ck_assert_uint_eq(flen, 24);
	ck_assert_mem_eq(f, lmv2, 24);
	f = field(out, 20, &flen);
	ck_assert_uint_eq(flen, 84);
	ck_assert_mem_eq(f, proof, 16);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(out, want, wlen);

	/* "DOMAIN\user" gives the same message */
	in.user = "Domain\\User";
	in.domain = NULL;
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(out, want, wlen);
}
END_TEST

/* What we send by default: no VERSION, no key, flags ours and the server's; the LM and NT
 * responses and names are the vector's, at offsets 16 bytes earlier. */
START_TEST(default_authenticate)
{
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();
	uint8_t want[512], out[1024], raw[1024];
	size_t wlen = unhex(spec_authenticate_hex, want, sizeof want), len, rlen, flen;
	const uint8_t *f;
	char text[2048];
	size_t tlen;

	spec_challenge(&ch);
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	ck_assert_uint_eq(len, wlen - 8 - 16);
	ck_assert_mem_eq(out, want, 12);
	ck_assert_uint_eq(out[60] | out[61] << 8 | out[62] << 16 | (uint32_t)out[63] << 24,
			  0xa0888201u);
	ck_assert_mem_eq(out + 64, want + 72, wlen - 72 - 16);
	f = field(out, 52, &flen);
	ck_assert_uint_eq(flen, 0);
	ck_assert_ptr_eq(f, out + len);

	/* the field value carries the same bytes */
	ck_assert_int_eq(ntlm_authenticate_credentials(&ch, &in, text, sizeof text, &tlen), 0);
	ck_assert_uint_eq(tlen, strlen(text));
	ck_assert_int_eq(strncmp(text, "NTLM TlRMTVNTUAADAAAA", 21), 0);
	ck_assert_int_eq(base64_decode(text + 5, tlen - 5, raw, sizeof raw, &rlen), 0);
	ck_assert_uint_eq(rlen, len);
	ck_assert_mem_eq(raw, out, len);

	/* every buffer too small is refused */
	for (size_t cap = 0; cap < len; cap++)
		ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, cap, &rlen), -1);
	for (size_t cap = 0; cap <= tlen; cap++)
		ck_assert_int_eq(ntlm_authenticate_credentials(&ch, &in, text, cap, &rlen), -1);
}
END_TEST

/* A server timestamp (MsvAvTimestamp) goes into temp instead of the caller's time, and the LM
 * response becomes Z(24) (MS-NLMP 3.1.5.1.2). NTProofStr computed independently with the
 * 4.2.4.1.1 key. */
START_TEST(server_timestamp)
{
	static const char ti_hex[] = "02000c0044006f006d00610069006e0001000c005300650072007600650072"
				     "0007000800800bc8fd00d4d20100000000";
	static const uint8_t proof[16] = { 0x66, 0x98, 0xe8, 0x66, 0x82, 0x31, 0x04, 0x1b,
					   0x34, 0x02, 0x56, 0x43, 0x67, 0xf1, 0xeb, 0x69 };
	static const uint8_t zero[24];
	uint8_t msg[256], out[1024];
	size_t n = unhex(spec_challenge_hex, msg, sizeof msg), tilen, len, flen;
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();
	const uint8_t *f;

	/* replace the TargetInfo with one carrying a timestamp */
	tilen = unhex(ti_hex, msg + 0x44, sizeof msg - 0x44);
	msg[40] = msg[42] = (uint8_t)tilen;
	n = 0x44 + tilen;
	ck_assert_int_eq(parse_exact(msg, n, &ch), 0);
	ck_assert(ch.has_timestamp);
	ck_assert_uint_eq(ch.timestamp, 0x01d2d400fdc80b80ull);
	in.time = 12345;
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	f = field(out, 12, &flen);
	ck_assert_mem_eq(f, zero, 24);
	f = field(out, 20, &flen);
	ck_assert_uint_eq(flen, 16 + 28 + tilen + 4);
	ck_assert_mem_eq(f, proof, 16);
	ck_assert_mem_eq(f + 16 + 8, msg + 0x44 + 36, 8);
}
END_TEST

/* Without a server timestamp the caller's FILETIME is used, little-endian (the value is
 * Tue, 23 May 2017 20:13:07 UTC); without TargetInfo, temp still holds an MsvAvEOL. */
START_TEST(client_time_no_target_info)
{
	static const uint8_t ft[8] = { 0x80, 0x0b, 0xc8, 0xfd, 0x00, 0xd4, 0xd2, 0x01 };
	static const uint8_t tail[8] = { 0 };
	uint8_t msg[256], out[1024];
	size_t n, len, flen;
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();
	const uint8_t *f;

	n = unhex(spec_challenge_hex, msg, sizeof msg);
	msg[22] &= (uint8_t) ~(NTLM_NEGOTIATE_TARGET_INFO >> 16); /* flag off: TargetInfo ignored */
	ck_assert_int_eq(parse_exact(msg, n, &ch), 0);
	ck_assert_uint_eq(ch.target_info_len, 0);
	in.time = 131400439870000000ull;
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	f = field(out, 20, &flen);
	ck_assert_uint_eq(flen, 16 + 28 + 4 + 4);
	ck_assert_mem_eq(f + 16 + 8, ft, 8);
	ck_assert_mem_eq(f + 16 + 28, tail, 8);
	f = field(out, 12, &flen);
	ck_assert_mem_eq(f + 16, in.client_challenge, 8);
}
END_TEST

START_TEST(names_in_utf16)
{
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();
	uint8_t out[1024];
	size_t len, flen;
	const uint8_t *f;
	char big[400];

	spec_challenge(&ch);
	in.user = "CORP\\J\xc3\xbcrgen\xf0\x9f\x98\x80"; /* Jürgen + U+1F600 */
	in.domain = NULL;
	in.workstation = NULL;
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	f = field(out, 28, &flen);
	ck_assert_uint_eq(flen, 8);
	ck_assert_mem_eq(f, "C\0O\0R\0P\0", 8);
	f = field(out, 36, &flen);
	ck_assert_uint_eq(flen, 16);
	ck_assert_mem_eq(f, "J\0\xfc\0r\0g\0e\0n\0\x3d\xd8\x00\xde", 16);
	f = field(out, 44, &flen);
	ck_assert_uint_eq(flen, 0);
	/* invalid UTF-8 and oversized names are refused */
	in.user = "a\xff";
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), -1);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	in.user = big;
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), -1);
	in.user = "u";
	in.session_key = spec_session_key;
	in.session_key_len = 17;
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), -1);
}
END_TEST

START_TEST(negotiate_message)
{
	static const uint8_t want[32] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0,
					  0x05, 0x82, 0x08, 0xa0, 0, 0, 0, 0, 0x20, 0, 0, 0,
					  0, 0, 0, 0, 0x20, 0, 0, 0 };
	uint8_t msg[64], ex[64];
	char text[64];
	size_t len, n;
	uint32_t flags, exflags, common;

	ck_assert_int_eq(ntlm_negotiate(msg, sizeof msg, &len), 0);
	ck_assert_uint_eq(len, 32);
	ck_assert_mem_eq(msg, want, 32);
	ck_assert_int_eq(ntlm_negotiate(msg, 31, &len), -1);
	ck_assert_int_eq(ntlm_negotiate_credentials(text, sizeof text, &len), 0);
	ck_assert_str_eq(text, "NTLM TlRMTVNTUAABAAAABYIIoAAAAAAgAAAAAAAAACAAAAA=");
	ck_assert_int_eq(ntlm_negotiate_credentials(text, len, &n), -1);

	/* MS-GRVHENC 4.6's client (Windows XP) asks for everything we ask for, and supplies OEM
	 * domain and workstation, which we leave out. */
	ck_assert_int_eq(base64_decode(grvhenc_type1, strlen(grvhenc_type1), ex, sizeof ex, &n), 0);
	ck_assert_uint_eq(n, 58);
	ck_assert_mem_eq(ex, want, 12);
	flags = NTLM_CLIENT_FLAGS;
	exflags = ex[12] | ex[13] << 8 | ex[14] << 16 | (uint32_t)ex[15] << 24;
	common = flags;
	ck_assert_uint_eq(flags & NTLM_NEGOTIATE_TARGET_INFO, 0);
	ck_assert_uint_eq(exflags & common, common);
	ck_assert_mem_eq(ex + 40, "LABSMOKE2WORKGROUP", 18);
}
END_TEST

/* MS-GRVHENC 4.6's CHALLENGE from ISA Server. */
START_TEST(grvhenc_challenge)
{
	static const uint8_t sc[8] = { 0x96, 0xe0, 0x83, 0x60, 0x77, 0x18, 0x23, 0xfb };
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();
	uint8_t out[1024];
	size_t len, flen;

	ck_assert_int_eq(ntlm_challenge_from_token(grvhenc_type2, &ch), 0);
	ck_assert_uint_eq(ch.flags, 0xe28a8235u);
	ck_assert_mem_eq(ch.server_challenge, sc, 8);
	ck_assert_uint_eq(ch.target_info_len, 0x54);
	ck_assert(!ch.has_timestamp);
	ck_assert_mem_eq(ch.target_info, "\x02\x00\x10\x00S\0P\0I\0R\0I\0T\0" "1\0B\0", 20);
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	field(out, 20, &flen);
	ck_assert_uint_eq(flen, 16 + 28 + 0x54 + 4);

	/* the text as printed does not decode to a CHALLENGE */
	ck_assert_int_eq(ntlm_challenge_from_token(grvhenc_type2_printed, &ch), -1);
	ck_assert_int_eq(ntlm_challenge_from_token("", &ch), -1);
	ck_assert_int_eq(ntlm_challenge_from_token("TlRM TVNT", &ch), -1);
}
END_TEST

/* Every proper prefix of a valid message is refused. */
START_TEST(truncated)
{
	uint8_t msg[256];
	size_t n = unhex(spec_challenge_hex, msg, sizeof msg);
	struct ntlm_challenge ch;

	for (size_t cut = 0; cut < n; cut++)
		ck_assert_msg(parse_exact(msg, cut, &ch) == -1, "prefix %zu accepted", cut);
	ck_assert_int_eq(parse_exact(msg, n, &ch), 0);
}
END_TEST

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Each case patches the spec message; every one must be refused. */
START_TEST(malformed)
{
	uint8_t base[256], msg[CAP_NTLM_MSG + 64];
	size_t n = unhex(spec_challenge_hex, base, sizeof base), len;
	struct ntlm_challenge ch;

	for (int k = 0; k < 19; k++) {
		memset(msg, 0, sizeof msg);
		memcpy(msg, base, n);
		len = n;
		switch (k) {
		case 0: msg[0] = 'n'; break; /* signature */
		case 1: msg[8] = 3; break; /* message type */
		case 2: msg[20] &= (uint8_t)~NTLM_NEGOTIATE_UNICODE; break;
		case 3: /* TargetNameFields are not read, so not checked (squid_fake_challenge) */
		case 4:
		case 5: continue;
		case 6: put32(msg + 44, 0xfffffff0u); msg[40] = 0x20; break; /* offset + len wraps */
		case 7: put32(msg + 44, (uint32_t)n); break; /* TargetInfo just past the end */
		case 8: msg[40] = msg[41] = 0xff; break; /* TargetInfo length */
		case 9: put32(msg + 44, 40); break; /* TargetInfo inside the header */
		case 10: msg[0x44 + 2] = 0xff; break; /* AV length past TargetInfo */
		case 11: msg[40] = 32; break; /* TargetInfo cut before its MsvAvEOL */
		case 12: msg[40] = 34; break; /* cut inside the EOL header */
		case 13: msg[n - 2] = 1; break; /* EOL with a value length */
		case 14: /* MsvAvTimestamp of 4 bytes */
			memcpy(msg + 0x44 + 32, "\x07\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12);
			msg[40] = 44, len = 0x44 + 44; break;
		case 15: len = CAP_NTLM_MSG + 1; break; /* over the cap */
		case 16: msg[40] = 0; msg[41] = 0x08; /* TargetInfo of 2048 bytes, past the end */ break;
		case 17: len = 47; break; /* TargetInfo flag without its fields */
		case 18: /* a TargetInfo larger than CAP_NTLM_TARGET_INFO, well-formed */
			msg[0x44] = 1, msg[0x44 + 1] = 0;
			msg[0x44 + 2] = (uint8_t)(CAP_NTLM_TARGET_INFO & 0xff);
			msg[0x44 + 3] = (uint8_t)(CAP_NTLM_TARGET_INFO >> 8);
			memset(msg + 0x44 + 4, 'x', CAP_NTLM_TARGET_INFO);
			memset(msg + 0x44 + 4 + CAP_NTLM_TARGET_INFO, 0, 4);
			len = 0x44 + CAP_NTLM_TARGET_INFO + 8;
			msg[40] = msg[42] = (uint8_t)((CAP_NTLM_TARGET_INFO + 8) & 0xff);
			msg[41] = msg[43] = (uint8_t)((CAP_NTLM_TARGET_INFO + 8) >> 8);
			break;
		}
		ck_assert_msg(parse_exact(msg, len, &ch) == -1, "case %d accepted", k);
	}
}
END_TEST

/* squid's ntlm_fake_auth (squid 5.7): a 40-byte CHALLENGE without TargetInfo whose TargetName
 * offset is uninitialised (0xaaaaaaae). Nothing reads TargetName, so it is accepted, as curl
 * accepts it; so are other bad TargetName fields. */
START_TEST(squid_fake_challenge)
{
	static const char squid_hex[] = "4e544c4d535350000200000009000900aeaaaaaa078208a23bfce3ec797d"
					"25db0000000000003a00574f524b47524f5550";
	static const uint8_t sc[8] = { 0x3b, 0xfc, 0xe3, 0xec, 0x79, 0x7d, 0x25, 0xdb };
	uint8_t msg[64], out[4096];
	size_t n = unhex(squid_hex, msg, sizeof msg), len;
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();

	ck_assert_uint_eq(n, 49);
	ck_assert_int_eq(parse_exact(msg, n, &ch), 0);
	ck_assert(memcmp(ch.server_challenge, sc, 8) == 0);
	ck_assert_uint_eq(ch.target_info_len, 0);
	ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
	put32(msg + 16, 8); /* TargetName inside the header */
	ck_assert_int_eq(parse_exact(msg, n, &ch), 0);
	msg[12] = msg[13] = 0xff; /* TargetName length past the end */
	ck_assert_int_eq(parse_exact(msg, n, &ch), 0);
}
END_TEST

/* Random corruption of a valid message: a definite answer, never a read out of bounds. */
START_TEST(mutations)
{
	uint8_t base[256], msg[256];
	size_t n = unhex(spec_challenge_hex, base, sizeof base);
	struct ntlm_challenge ch;
	struct ntlm_auth_input in = spec_input();
	uint8_t out[4096];
	size_t len;
	unsigned seed = 7, ok = 0;

	for (int iter = 0; iter < 50000; iter++) {
		memcpy(msg, base, n);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % n;
			seed = seed * 1103515245u + 12345u;
			msg[at] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		if (parse_exact(msg, n - (seed >> 16) % 4, &ch) == 0) {
			ok++;
			ck_assert_uint_le(ch.target_info_len, CAP_NTLM_TARGET_INFO);
			ck_assert_int_eq(ntlm_authenticate(&ch, &in, out, sizeof out, &len), 0);
		}
	}
	ck_assert_uint_gt(ok, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth_ntlm");
	TCase *tv = tcase_create("vectors");
	TCase *tm = tcase_create("malformed");

	tcase_add_test(tv, ntowfv2_vector);
	tcase_add_test(tv, spec_challenge_parsed);
	tcase_add_test(tv, spec_authenticate);
	tcase_add_test(tv, default_authenticate);
	tcase_add_test(tv, server_timestamp);
	tcase_add_test(tv, client_time_no_target_info);
	tcase_add_test(tv, names_in_utf16);
	tcase_add_test(tv, negotiate_message);
	tcase_add_test(tv, grvhenc_challenge);
	tcase_add_test(tv, squid_fake_challenge);
	suite_add_tcase(s, tv);
	tcase_set_timeout(tm, 60);
	tcase_add_test(tm, truncated);
	tcase_add_test(tm, malformed);
	tcase_add_test(tm, mutations);
	suite_add_tcase(s, tm);
	return unit_run(s);
}
