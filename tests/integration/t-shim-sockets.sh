#!/bin/bash
# What an intercepted socket says about itself (tests/probes/probe_sockets.c): the original peer
# for IPv4, IPv6 and IPv4-mapped destinations, a local name of the right family, SO_DOMAIN,
# SO_TYPE and SO_PROTOCOL, options that read back as set, and O_NONBLOCK / FD_CLOEXEC kept.
. "$(dirname "$0")/lib.sh"

probe_run probe_sockets names4 "getpeername 127.0.0.1:port, getsockname AF_INET"
probe_run probe_sockets names6 "getpeername [::1]:port, getsockname AF_INET6"
probe_run probe_sockets names-mapped "getpeername [::ffff:127.0.0.1]:port, getsockname AF_INET6"
probe_run probe_sockets options "TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF read back; SO_DOMAIN/TYPE/PROTOCOL"
probe_run probe_sockets flags "O_NONBLOCK and FD_CLOEXEC, set by socket() or fcntl(), survive connect"
probe_done
