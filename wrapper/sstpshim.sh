#!/bin/sh
# sstpshim — run a program with its SSTP connections carried through firewalls and proxies.
# Usage: sstpshim [--transports LIST] [-v] [--] program [args...]
usage() {
	echo "usage: sstpshim [--transports LIST] [-v] [--] program [args...]" >&2
	echo "  --transports LIST  comma list tried in order (default: direct,direct443,connect," >&2
	echo "                     socks5,longlived,keepalive,polling)" >&2
	echo "  -v                 log each tunnel's transports to stderr (SSTPSHIM_LOG=info)" >&2
	echo "see sstpshim(1) for the SSTPSHIM_* environment variables" >&2
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--transports) [ $# -ge 2 ] || usage; SSTPSHIM_TRANSPORTS=$2; export SSTPSHIM_TRANSPORTS; shift 2 ;;
	--transports=*) SSTPSHIM_TRANSPORTS=${1#*=}; export SSTPSHIM_TRANSPORTS; shift ;;
	-v) SSTPSHIM_LOG=${SSTPSHIM_LOG:-info}; export SSTPSHIM_LOG; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) echo "sstpshim: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || usage

# The library beside this script (a build tree), else where `make install` put it.
here=$(cd "$(dirname "$0")" && pwd)
lib=""
for candidate in "$here/libsstpshim.so" "@LIBDIR@/libsstpshim.so"; do
	if [ -f "$candidate" ]; then lib=$candidate; break; fi
done
if [ -z "$lib" ]; then
	echo "sstpshim: cannot find libsstpshim.so beside $0 or in @LIBDIR@" >&2
	exit 127
fi
LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
export LD_PRELOAD
exec "$@"
