#!/bin/bash
# Tunnels across exec, fork and threads (tests/probes/probe_process.c).
. "$(dirname "$0")/lib.sh"

probe_run probe_process cloexec "exec: the FD_CLOEXEC tunnel is gone, the other works, no engine descriptor leaks"
probe_run probe_process fork-inherit "a child uses the tunnel it inherited, then one of its own"
probe_run probe_process fork-fresh "a child connects first, then its parent"
probe_run probe_process fork-after-connect "a child connects anew; the parent's tunnel survives the child"
probe_run probe_process threads "200 threads connect at once, each echo intact"
probe_done
