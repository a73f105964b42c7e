#!/bin/bash
# The Python client under the default order of the direct transports and longlived: direct and
# direct443 are refused, longlived through the relay wins (Appendix A <5>), 100 MiB each way.
. "$(dirname "$0")/lib.sh"

hold_refused_port
intercepted=$REFUSED_PORT
refused_port
export SSTPSHIM_PORTS=$intercepted SSTPSHIM_ALT_PORT=$REFUSED_PORT
REFUSED_PORT=$intercepted
export SSTPSHIM_TRANSPORTS=direct,direct443,longlived
random_file "$WORK/sent" "$PROGRAMS_MIB"
start_echo_relay

run_via_longlived python "$WORK/sent" \
	/usr/bin/python3 "$(dirname "$0")/pyclient.py" 127.0.0.1 "$REFUSED_PORT"
assert_empty "$WORK/python.stderr" "python stderr"
assert_same_sha "$WORK/sent" "$WORK/python.stdout" "python: $PROGRAMS_MIB MiB echoed via longlived"
grep -q "tried direct (Connection refused.*direct443 (Connection refused" "$WORK/python.log" ||
	fail "direct and direct443 were not tried first: $(cat "$WORK/python.log")"
pass "python: direct and direct443 refused, $PROGRAMS_MIB MiB each way intact via longlived"
