#!/bin/bash
# Runs every integration scenario (tests/integration/t-*.sh) against the build directory given,
# each in its own scratch directory; prints one line per scenario and fails if any failed.
set -u
BUILD=$(cd "${1:-build}" && pwd)
export BUILD
here=$(cd "$(dirname "$0")" && pwd)
failed=0
for t in "$here"/t-*.sh; do
	name=$(basename "$t" .sh)
	[ -n "${ONLY:-}" ] && [[ "$name" != *"$ONLY"* ]] && continue
	start=$(date +%s.%N)
	if out=$(bash "$t" 2>&1); then
		printf 'PASS %-28s %6.1fs\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
	else
		printf 'FAIL %-28s\n' "$name"
		printf '%s\n' "$out" | tail -40 | sed 's/^/    /'
		failed=1
	fi
done
exit $failed
