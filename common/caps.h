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

#endif
