#!/bin/bash
# Wrong credentials for squid's Basic authentication, and none at all: the connect transport
# fails (the application's connect() gets EACCES), the log says why, no log line holds a
# credential, and failed attempts leave no connection to the proxy open.
. "$(dirname "$0")/lib.sh"

start_echo_behind_proxy
start_squid squid "$SERVER_PORT" basic
export SSTPSHIM_TRANSPORTS=connect
bad=Wr0ngPassw0rd

SSTPSHIM_HTTP_PROXY="http://$PROXY_USER:$bad@127.0.0.1:$SQUID_PORT" run_shimmed_rc wrong /dev/null \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] && grep -q "Permission denied" "$WORK/wrong.stderr" ||
	fail "wrong password: client exited with $RC: $(cat "$WORK/wrong.stderr")"
assert_log_file "$WORK/wrong.log" "tried connect \(the proxy refused the credentials \(wrong user or password\)" \
	"wrong password"
assert_nowhere "$bad"
assert_nowhere "$(printf '%s:%s' "$PROXY_USER" "$bad" | base64)"
pass "wrong password: EACCES, the log says the proxy refused the credentials, none logged"

SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$SQUID_PORT" run_shimmed_rc nouser /dev/null \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] && grep -q "Permission denied" "$WORK/nouser.stderr" ||
	fail "no credentials: client exited with $RC: $(cat "$WORK/nouser.stderr")"
assert_log_file "$WORK/nouser.log" "tried connect \(the proxy requires authentication and its URL has no user" \
	"no credentials"
pass "no credentials: EACCES, the log says the proxy URL has no user"

# Failed attempts leave nothing behind: the connect transport closes its connections to the proxy
# before the application's connect() returns, so once 20 refused connect()s have returned, no
# TCP socket of this process may still lead to squid.
cat > "$WORK/leak.py" <<'PY'
import errno, os, socket, sys
port, proxy = int(sys.argv[1]), int(sys.argv[2])
for i in range(20):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", port))
        sys.exit("connect() succeeded")
    except OSError as e:
        if e.errno != errno.EACCES:
            sys.exit(f"attempt {i}: {e}")
    s.close()
mine = {os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
        if os.path.exists(f"/proc/self/fd/{fd}")}
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(table).readlines()[1:]:
        f = line.split()
        if int(f[2].split(":")[1], 16) == proxy and f"socket:[{f[9]}]" in mine:
            sys.exit(f"a socket to the proxy is still open: {line.strip()}")
PY
SSTPSHIM_HTTP_PROXY="http://$PROXY_USER:$bad@127.0.0.1:$SQUID_PORT" run_shimmed_rc leak /dev/null \
	python3 "$WORK/leak.py" "$REFUSED_PORT" "$SQUID_PORT"
[ "$RC" = 0 ] || fail "leak check: $(cat "$WORK/leak.stderr")"
n=$(grep -c "tried connect (the proxy refused the credentials" "$WORK/leak.log" || true)
[ "$n" = 20 ] || fail "leak check: $n refused attempts logged, want 20"
pass "20 refused attempts: no connection to the proxy left open"
