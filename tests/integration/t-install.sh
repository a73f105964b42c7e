#!/bin/bash
# `make install` into a prefix of its own: the wrapper finds the installed library in its libdir
# and carries a client to a server through direct443; the man page is installed. A staged
# install (DESTDIR) puts the same files under the staging root. The library does not need
# libcrypto to load (proto/crypto_lazy.c opens it for proxy authentication only), so a process
# under the shim that never authenticates to a proxy does not map it.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

make -C "$top" -s install BUILD="$BUILD" PREFIX=/opt/sstpshim DESTDIR="$WORK/stage" > "$WORK/install.log" 2>&1 ||
	fail "staged make install failed: $(tail -5 "$WORK/install.log")"
[ -f "$WORK/stage/opt/sstpshim/lib/sstpshim/libsstpshim.so" ] || fail "library not staged"
grep -q "/opt/sstpshim/lib/sstpshim" "$WORK/stage/opt/sstpshim/bin/sstpshim" ||
	fail "staged wrapper does not name the libdir"

root="$WORK/prefix"
make -C "$top" -s install BUILD="$BUILD" PREFIX="$root" > "$WORK/install.log" 2>&1 ||
	fail "make install failed: $(tail -5 "$WORK/install.log")"
[ -f "$root/share/man/man1/sstpshim.1" ] || fail "man page not installed"
[ ! -e "$root/bin/libsstpshim.so" ] || fail "library must live in the libdir, not beside the wrapper"
lib="$root/lib/sstpshim/libsstpshim.so"
ldd "$lib" > "$WORK/ldd.out" || fail "ldd $lib failed"
grep -q libevent "$WORK/ldd.out" || fail "ldd lists no libevent: $(cat "$WORK/ldd.out")"
! grep -q libcrypto "$WORK/ldd.out" || fail "the library needs libcrypto at load time: $(cat "$WORK/ldd.out")"
LD_PRELOAD="$lib" cat /proc/self/maps > "$WORK/maps" || fail "cat under the shim failed"
grep -q libsstpshim "$WORK/maps" || fail "the shim was not loaded"
! grep -q libcrypto "$WORK/maps" || fail "a process under the shim maps libcrypto"
refused_port
spawn "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0 > "$WORK/server.out"
wait_line "$WORK/server.out" '^listening on'
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$WORK/server.out")
SSTPSHIM_PORTS=$REFUSED_PORT SSTPSHIM_ALT_PORT=$port "$root/bin/sstpshim" -v \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" > "$WORK/client.out" 2> "$WORK/client.err" ||
	fail "client under the installed wrapper failed: $(cat "$WORK/client.err")"
grep -q "established via direct443" "$WORK/client.err" || fail "-v did not log the tunnel"
grep -q "^round trip" "$WORK/client.out" || fail "no round trip"
"$root/bin/sstpshim" 2> "$WORK/usage.err" && fail "wrapper without a program must fail"
grep -q "^usage: sstpshim" "$WORK/usage.err" || fail "no usage text"
pass "make install, the wrapper and the man page"
