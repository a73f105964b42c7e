#!/bin/bash
# Bad SSTPSHIM_* values do not hurt the application (tests/probes/probe_settings.c): defaults or
# the valid part apply, tunnels work, and nothing is printed; nor is anything by default.
. "$(dirname "$0")/lib.sh"

probe_run probe_settings quiet "no SSTPSHIM_LOG: success, refusal and non-blocking connect print nothing"
probe_run probe_settings ports-abc "SSTPSHIM_PORTS=abc: the default port 2492 is intercepted, no other"
probe_run probe_settings timeout-negative "SSTPSHIM_CONNECT_TIMEOUT=-1: the default applies"
probe_run probe_settings log-loud "SSTPSHIM_LOG=loud: still silent"
probe_run probe_settings transports-bogus "SSTPSHIM_TRANSPORTS=bogus,direct443: direct443 only"
probe_run probe_settings all-bad "all of these at once, and SSTPSHIM_TRANSPORT_TIMEOUT=soon"
probe_done
