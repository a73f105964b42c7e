#!/bin/bash
# connect() under the shim as an application sees it (tests/probes/probe_connect.c): blocking
# success and failure, the chain's timeout, connect() again while pending and once connected,
# TCP Fast Open, half-close, a server's reset, and a port the shim must leave alone. Every
# scenario also checks that no descriptor leaked and that the shim printed nothing.
. "$(dirname "$0")/lib.sh"

probe_run probe_connect block "blocking connect via direct443, 256 KiB echoed, then EISCONN"
probe_run probe_connect handoff "a blocking connect ends with the TCP socket itself under the fd (TCP_INFO, getpeername, an epoll registration made before); a non-blocking one keeps its socketpair"
probe_run probe_connect refused "every transport refused: -1/ECONNREFUSED"
probe_run probe_connect timeout "SSTPSHIM_CONNECT_TIMEOUT=1 against a full accept queue: ETIMEDOUT after 1-5 s, blocking and not"
probe_run probe_connect again "pending connect: not writable, EALREADY, ENOTCONN; then 0 or EISCONN, then EISCONN"
probe_run probe_connect interrupted "a blocking connect interrupted by a signal: EINTR, then pending (EALREADY, not writable), then established with nothing stray in the stream"
probe_run probe_connect sockopts "SO_RCVTIMEO set before connect bounds recv() on the handed-over socket and on a socketpair end; SO_LINGER and SO_RCVBUF read back as without the shim"
probe_run probe_connect sndtimeo "SO_SNDTIMEO bounds a blocking connect: EINPROGRESS when it runs out, then established in the background"
probe_run probe_connect bound "a socket bound to 127.0.0.2 before connect reaches the server from 127.0.0.2, blocking and not; getsockname says so"
probe_run probe_connect tos "IP_TOS set before connect is on the socket that sends to the server (ss --tos), blocking and not"
probe_run probe_connect fastopen "sendto(MSG_FASTOPEN) connects and sends; the echo comes back"
probe_run probe_connect shutdown "shutdown(SHUT_WR): the server sees EOF, the echo then EOF reach the app"
probe_run probe_connect reset "a reset from the server: recv() gives -1/ECONNRESET"
probe_run probe_connect passthrough "a port not intercepted stays a real TCP socket (SO_DOMAIN, TCP_INFO)"
probe_done
