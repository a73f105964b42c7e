#!/bin/bash
# The connect transport authenticates to squid with each scheme it speaks (MS-GRVHENC 3.7.5.1.3):
# Basic (basic_ncsa_auth), Digest (digest_file_auth) and NTLM (ntlm_fake_auth, the three-message
# flow on one kept-alive connection). One Python process opens two tunnels in turn; each echoes
# its bytes back. The first tunnel is challenged; the second sends the remembered scheme at once
# (3.7.1.2 ProxyAuthRequired), so the shim answers exactly as many challenges as the scheme
# needs once: Basic and Digest one, NTLM two (NEGOTIATE, AUTHENTICATE) plus one for the second
# tunnel's CHALLENGE. No credential appears in any log.
. "$(dirname "$0")/lib.sh"

start_echo_behind_proxy
export SSTPSHIM_TRANSPORTS=connect
head -c 65536 /dev/urandom > "$WORK/sent"

# Two connections in one process, each sending the file and checking its echo.
cat > "$WORK/twice.py" <<'PY'
import socket, sys
data = open(sys.argv[2], "rb").read()
for _ in range(2):
    with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as s:
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        if got != data:
            sys.exit(f"echo differs: {len(got)} of {len(data)} bytes")
PY

# check KIND USER ANSWERS SCHEME: squid asking for KIND, the proxy URL's user USER (percent-
# encoded), ANSWERS challenges answered in all, with SCHEME (the name the log uses).
check() {
	local kind=$1 user=$2 answers=$3 scheme=$4 n
	start_squid "squid-$kind" "$SERVER_PORT" "$kind"
	export SSTPSHIM_HTTP_PROXY="http://$user:$PROXY_PASSWORD@127.0.0.1:$SQUID_PORT"
	run_shimmed_rc "$kind" /dev/null python3 "$WORK/twice.py" "$REFUSED_PORT" "$WORK/sent"
	[ "$RC" = 0 ] || fail "$kind: the client exited with status $RC: $(head -c 600 "$WORK/$kind.stderr")"
	n=$(grep -c "established via connect in " "$WORK/$kind.log" || true)
	[ "$n" = 2 ] || fail "$kind: $n tunnels established via connect, want 2: $(tail -5 "$WORK/$kind.log")"
	n=$(grep -c "407 from .*, answering with $scheme\$" "$WORK/$kind.log" || true)
	[ "$n" = "$answers" ] ||
		fail "$kind: answered $n challenges with $scheme, want $answers: $(grep 'connect:' "$WORK/$kind.log" | tail -8)"
	stop_squid
	pass "$kind: two tunnels through squid, $answers challenge(s) answered with $scheme"
}

check basic "$PROXY_USER" 1 Basic
check digest "$PROXY_USER" 1 "Digest MD5"
check ntlm "EXAMPLE%5C$PROXY_USER" 3 NTLM
assert_nowhere "$PROXY_PASSWORD"
assert_nowhere "$(printf '%s:%s' "$PROXY_USER" "$PROXY_PASSWORD" | base64)"
pass "no credential in any log or output"
