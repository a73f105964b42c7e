#!/bin/bash
# Non-blocking connect() under the shim (tests/probes/probe_nonblock.c): EINPROGRESS, not
# writable while pending, writable with SO_ERROR 0 once established, and a wake-up with SO_ERROR
# ECONNREFUSED on failure, as poll, select and epoll report it, including an epoll registration
# made before connect() (nginx's way), level- and edge-triggered.
. "$(dirname "$0")/lib.sh"

for how in poll select epoll epoll-before-lt epoll-before-et; do
	probe_run probe_nonblock "$how" "pending, established and refused connects seen through $how"
done
probe_done
