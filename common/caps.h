/* Every size cap and default limit of the project, in one place (STYLE: named caps). */
#ifndef SSTPSHIM_CAPS_H
#define SSTPSHIM_CAPS_H

/* Bytes buffered per direction of a tunnel before the pump stops reading the other side. */
#define CAP_PUMP_BUFFER (1024u * 1024u)
/* Bytes a read callback takes past libevent's 4 KiB per wake-up (common/ev_read), from the
 * application's socket (engine/pump) or a relay's backend: a few 32768-octet bodies. */
#define CAP_READ_MORE (128u * 1024u)
/* Bytes of a TCP Fast Open sendto() payload carried ahead of the connection. */
#define CAP_EARLY_DATA (64u * 1024u)
/* Transports one chain may list (SSTPSHIM_TRANSPORTS). */
#define CAP_CHAIN_LEN 16
/* Ports SSTPSHIM_PORTS may list. */
#define CAP_PORTS 64
/* Length of one log line, after which it is cut. */
#define CAP_LOG_LINE 1024
/* Socket options remembered per intercepted socket for getsockopt(). */
#define CAP_SOCKOPTS 16
/* epoll instances remembered per file descriptor, to re-register an fd we replace. */
#define CAP_EPOLL_REGS 4
/* Highest file descriptor the shim tracks; above it, connect() passes through untouched. */
#define CAP_FD_MAX (1u << 20)
/* Addresses whose resolved host name the shim remembers (getaddrinfo/gethostbyname). */
#define CAP_NAMEMAP 1024u
/* Length of a host name, as DNS allows. */
#define CAP_HOST_NAME 255u

/* proto/http_msg: HTTP/1.x message heads (MS-GRVHENC 2.2.2, RFC 7230 3). */
/* Bytes of one head, first line through the blank line that ends it; also its storage. */
#define CAP_HTTP_HEAD (16u * 1024u)
/* Bytes of a request line or status line, without its line end. */
#define CAP_HTTP_LINE (8u * 1024u)
/* Header fields one head may carry (squid, nginx and ISA add a handful each). */
#define CAP_HTTP_HEADERS 64
/* proto/http_chunked: bytes of one line of a chunked body, a chunk-size line with its
 * extensions or a trailer field (RFC 7230 4.1). */
#define CAP_HTTP_CHUNK_LINE 4096u

/* proto/auth_*: proxy authentication (RFC 7235, 7617, 7616, MS-NLMP; MS-GRVHENC 3.7.5.1.3). */
/* Bytes of scheme names, tokens and unescaped parameter values kept from the challenge fields of
 * one reply (all its Proxy-Authenticate fields together); also their storage. */
#define CAP_AUTH_TEXT 4096u
/* Challenges kept from one reply (ISA sends three, squid one field per scheme). */
#define CAP_AUTH_CHALLENGES 16u
/* auth-params one challenge may carry (Digest defines ten). */
#define CAP_AUTH_PARAMS 16u
/* Bytes of a Digest realm, nonce or opaque kept between requests. */
#define CAP_DIGEST_FIELD 512u
/* Bytes of a decoded NTLM CHALLENGE message we accept (Windows sends under 400). */
#define CAP_NTLM_MSG 2048u
/* Bytes of the TargetInfo (AV pairs) of a CHALLENGE message, copied into the response. */
#define CAP_NTLM_TARGET_INFO 1024u
/* Bytes of a user, domain or workstation name, or of a password, in UTF-16LE (256 UTF-16 units,
 * the longest Windows password). */
#define CAP_NTLM_NAME 512u
/* proto/crypto_lazy: bytes kept of the reason libcrypto could not be loaded (dlerror's text, a
 * path and a message). */
#define CAP_CRYPTO_ERROR 512u

/* proto/proxy_url, proto/no_proxy: proxy settings as curl reads them. */
/* Bytes of one proxy URL setting (SSTPSHIM_HTTP_PROXY, https_proxy, ...). */
#define CAP_PROXY_URL 4096u
/* Bytes of a proxy user name or password once percent-decoded (SOCKS5 allows 255 of each). */
#define CAP_PROXY_CRED 1024u
/* Bytes of an address entry in NO_PROXY; longer ones never match (curl's buffer is as long). */
#define CAP_NO_PROXY_ADDR 128u

/* proto/poll_msg: the Polling encapsulation's message (MS-GRVHENC 2.2.2.3). */
/* Bytes of one request or response entity body, virtual connection fields included (2.2.2.3.1.2). */
#define CAP_POLL_BODY 32768u
/* Bytes of a Virtual-Connection-GUID (the spec's are 39 characters). */
#define CAP_POLL_GUID 64u
/* Bytes of one NUL-terminated field of the message other than the Relay-Server-URL. */
#define CAP_POLL_FIELD 48u

/* engine/tp_socks5: SOCKS Encapsulation (MS-GRVHENC 3.9). */
/* Milliseconds one socks5 attempt may take, TCP connection to the proxy through the CONNECT
 * reply, unless SSTPSHIM_TRANSPORT_TIMEOUT says otherwise. Longer than a direct dial's 5 s: the
 * proxy makes its own connection to the destination before it replies (3.9.2.1 suggests 90 s
 * for the whole negotiation; the chain's 30 s bounds it anyway). */
#define CAP_SOCKS5_HANDSHAKE_MS 10000u

/* engine/tp_connect, engine/proxy_auth: HTTP CONNECT through a proxy (MS-GRVHENC 3.7). */
/* Replies to 401/407 one tunnel answers before giving up: Basic and Digest need one, NTLM two
 * (NEGOTIATE, AUTHENTICATE), plus one for a stale Digest nonce or credentials remembered from an
 * earlier tunnel that the proxy no longer takes (3.7.5.1.3: "multiple round trips"). */
#define CAP_PROXY_AUTH_ROUNDS 4u
/* Bytes of one Proxy-Authorization value ("NTLM " and an AUTHENTICATE message in base64, whose
 * names and TargetInfo are capped above; a Digest line with its quoted fields). */
#define CAP_PROXY_AUTH_VALUE 8192u
/* Proxies whose authentication scheme is remembered between tunnels (ProxyAuthRequired, 3.7.1.2):
 * one per proxy setting (engine/proxy.c reads one for each use). */
#define CAP_PROXY_AUTH_MEMOS 4u
/* Bytes of a 401/407 reply body read and thrown away to keep the connection for the next
 * request (as sent: a chunked one with its framing); a longer body is not read: the connection is
 * closed and a new one opened. One that only turns out longer as it comes (chunked) fails the
 * attempt once it passes this (proto/keepalive's reader). */
#define CAP_PROXY_AUTH_BODY (64u * 1024u)
/* Bytes of a CONNECT request head (request line, five fields, a Proxy-Authorization value). */
#define CAP_CONNECT_REQUEST (CAP_PROXY_AUTH_VALUE + 1024u)
/* Bytes of a request of an HTTP encapsulation with a Proxy-Authorization value (engine/
 * proxy_request): the LongLived heads are under CAP_LL_HEAD. */
#define CAP_PROXY_REQUEST (CAP_PROXY_AUTH_VALUE + 4096u)
/* Bytes of the reason a scheme cannot be used without libcrypto (engine/proxy_auth): a sentence
 * and the loader's reason. */
#define CAP_PROXY_AUTH_WHY (CAP_CRYPTO_ERROR + 64u)

/* proto/guid, proto/longlived: the LongLived encapsulation (MS-GRVHENC 2.2.1.1, 2.2.2.1). */
/* Characters of a Virtual-Connection-GUID we accept. The ABNF says 39 (2.2.1.1.1) and we send 39,
 * but the spec's own examples carry 37 to 40; anything this long is still unguessable. */
#define CAP_GUID_MIN 32u
#define CAP_GUID_MAX 64u
/* Bytes of a LongLived request-target we write (absolute URI with ID= through a proxy). */
#define CAP_LL_URI (CAP_HOST_NAME * 2 + 200u)
/* Bytes of a LongLived request or response head we write, body fragment included. */
#define CAP_LL_HEAD 2048u

/* engine/tp_keepalive: the KeepAlive client (MS-GRVHENC 3.3). */
/* Times in a row the POST session may be re-opened for the same chunk (3.3.7.1) before the
 * virtual connection is given up: a path that always breaks it must not loop for ever. */
#define CAP_KA_POST_REOPENS 8u

/* Empty splice pipes a thread keeps for the next direction that needs one (common/splice_pipe). */
#define CAP_SPLICE_IDLE_PIPES 8u

/* relay/: the sstp-relay server. */
/* Bytes buffered per direction of a virtual connection before reading the other side stops. */
#define CAP_RELAY_BUFFER (1024u * 1024u)
/* Virtual connection GUIDs kept in the lookup table's buckets (a power of two). */
#define CAP_RELAY_BUCKETS 4096u
/* Listeners one relay may open (--listen and --tunnel-listen together). */
#define CAP_RELAY_LISTENERS 16u
/* Default for --max-connections: TCP connections open at once, clients and backends. */
#define CAP_RELAY_CONNECTIONS 20000u
/* relay/poll_vc: Polling virtual connections one relay keeps at once (each holds a backend
 * connection and up to CAP_RELAY_BUFFER + CAP_POLL_BODY bytes). */
#define CAP_RELAY_POLL_VCS 10000u

#endif
