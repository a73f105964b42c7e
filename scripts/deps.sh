#!/bin/sh
# Installs what sstpshim needs to build and test on Debian: the libraries it links against and the
# real programs its integration tests and benchmarks start on loopback. Idempotent and quiet when
# everything is already there.
set -e
PKGS="build-essential pkg-config libevent-dev libssl-dev check
      socat curl python3 squid dante-server microsocks nginx haproxy
      proxychains4 httptunnel iproute2 openssl util-linux"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "sstpshim: missing packages:$missing (run scripts/deps.sh as root)" >&2
  exit 1
fi
echo "sstpshim: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 ||
  { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends $missing >/dev/null; }
# Packaged daemons must not hold the ports the tests use; the tests start their own instances.
for svc in squid nginx haproxy danted; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
exit 0
