#!/bin/bash
# A plain Python socket client (tests/integration/pyclient.py), unmodified, reaches the echo
# server through the shim's direct443 fallback and gets back exactly the 100 MiB it sent.
. "$(dirname "$0")/lib.sh"

hold_refused_port
random_file "$WORK/sent" "$PROGRAMS_MIB"

echo_via_direct443 python "$WORK/sent" \
	/usr/bin/python3 "$(dirname "$0")/pyclient.py" 127.0.0.1 "$REFUSED_PORT"
pass "python: $PROGRAMS_MIB MiB each way intact via direct443"
