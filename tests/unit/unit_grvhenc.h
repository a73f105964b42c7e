/* Examples of MS-GRVHENC that more than one unit test uses, byte for byte. */
#ifndef SSTPSHIM_UNIT_GRVHENC_H
#define SSTPSHIM_UNIT_GRVHENC_H

/* 2.2.2.1.1.2: a LongLived GET as a client connected directly sends it (the target rejoined
 * where the text copy wrapped it). */
#define GRVHENC_LL_GET                                                                             \
	"GET /2.0/server.domain.net/hczn5kctbrpxfgkgxzs6zmkp9uwwsvszvs6f72,ConnType=LongLived,"    \
	"ContentLength=2147479552 HTTP/1.0\r\n"                                                    \
	"Accept: */*\r\n"                                                                          \
	"Content-Type: application/octet-stream\r\n"                                               \
	"User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Win32)\r\n"                                \
	"Host: 10.150.1.226\r\n"                                                                   \
	"Pragma: no-cache\r\n"                                                                     \
	"Cache-Control: no-cache\r\n"                                                              \
	"Expires: 0\r\n"                                                                           \
	"Cache-Control: max-age=0\r\n"                                                             \
	"\r\n"

/* 2.2.2.1.3.2: the relay's answer to a LongLived GET, its head and the echo string. */
#define GRVHENC_LL_GET_RESPONSE                                                                    \
	"HTTP/1.0 200 OK\r\n"                                                                      \
	"Date: Wed, 26 Dec 2007 20:31:28 GMT\r\n"                                                  \
	"Server: Groove-Relay/12.0\r\n"                                                            \
	"Connection: Keep-Alive\r\n"                                                               \
	"Content-Length: 2147479552\r\n"                                                           \
	"\r\n"                                                                                     \
	"GroovePing: 1.0,Ping\r\n"

/* 4.6: the proxy's NTLM CHALLENGE in base64, as check_auth_ntlm.c repairs the printed text. */
#define GRVHENC_TYPE2                                                                              \
	"TlRMTVNTUAACAAAAEAAQADgAAAA1goriluCDYHcYI/sAAAAAAAAAAFQAVABIAAAABQLODgAAAA9TAFAASQBSAEkA" \
	"VAAxAEIAAgAQAFMAUABJAFIASQBUADEAQgABABAAUwBQAEkAUgBJAFQAMQBCAAQAEABzAHAAaQByAGkAdAAxAGIA" \
	"AwAQAHMAcABpAHIAaQB0ADEAYgAAAAAA"

#endif
