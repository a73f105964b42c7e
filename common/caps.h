/* Every size cap and default limit of the project, in one place (STYLE: named caps). */
#ifndef SSTPSHIM_CAPS_H
#define SSTPSHIM_CAPS_H

/* Bytes buffered per direction of a tunnel before the pump stops reading the other side. */
#define CAP_PUMP_BUFFER (1024u * 1024u)
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

#endif
