#!/bin/bash
# The example clients, unmodified, reach an echo server through the shim's direct443 fallback:
# nothing listens on the intercepted port, the echo server listens on the alternate port.
# 100 MiB go each way; what comes back must be what was sent, the shim must log direct443 and
# write nothing to the client's stderr, and the client must exit 0.
. "$(dirname "$0")/lib.sh"

hold_refused_port
random_file "$WORK/sent" "$PROGRAMS_MIB"

for client in client_blocking client_epoll; do
	echo_via_direct443 "$client" "$WORK/sent" "$BUILD/examples/$client" --stdio -p "$REFUSED_PORT"
	pass "$client: $PROGRAMS_MIB MiB each way intact via direct443"
done
