#!/bin/bash
# Applications that close every descriptor they do not know (tests/probes/probe_closeall.c): the
# engine's descriptors survive, tunnels keep working and new ones can be made.
. "$(dirname "$0")/lib.sh"

probe_run probe_closeall loop "close() on 3..1023 at startup and with a tunnel open"
probe_run probe_closeall loop-child "a child's close() loop, then a new tunnel; the parent's survives"
probe_run probe_closeall close-range-child "a child's close_range(3, ~0U, 0), then a new tunnel"
probe_run probe_closeall closefrom-child "a child's closefrom(3), then a new tunnel"
probe_done
