#!/bin/bash
# The polling transport through squid forwarding HTTP (CONNECT denied) that asks for Basic
# (basic_ncsa_auth) or Digest (digest_file_auth) credentials: the probe draws a 407 and goes again
# on a new connection with the answer (MS-GRVHENC 3.5.5.1.3), every later request carries the
# credentials at once (3.5.4.3.2) -- squid denies only the probe, plus, with Digest, one request
# now and then when its nonce has served 50 -- and POLL_MIB MiB go each way intact. NTLM
# authenticates a connection and Polling opens one per request (3.5.4.3, 3.5.5.1.5): behind a
# proxy that offers only NTLM the transport fails at once with a log line that says so. A wrong
# password fails it with EACCES and a log line saying so. Either way the application's connect()
# fails, and no credential appears in any log or output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll_lib.sh"

command -v squid > /dev/null || { echo "skip: squid is not installed"; exit 0; }
POLL_MIB=4
random_file "$WORK/sent" "$POLL_MIB"
poll_start_echo_relay --poll-hold 25
unset no_proxy NO_PROXY HTTP_PROXY SSTPSHIM_HTTP_PROXY

# check KIND SCHEME MAX: squid asking for KIND, answered with SCHEME (the name the log uses); at
# most MAX requests denied (MAX "tenth": a tenth of them).
check() {
	local kind=$1 scheme=$2 max=$3 denied total
	start_squid_forward "$kind"
	http_proxy="http://$PROXY_USER:$PROXY_PASSWORD@127.0.0.1:$SQUID_PORT" poll_echo "$kind" \
		"$WORK/sent" "$BUILD/examples/client_blocking" --stdio -p 2492
	stop_squid
	grep -q "polling: 407 from .*, answering with $scheme\$" "$WORK/$kind.log" ||
		fail "$kind: the probe's 407 was not answered with $scheme: $(grep 'polling' "$WORK/$kind.log" | head -5)"
	total=$(grep -c " POST http://127.0.0.1:$POLL_RELAY_PORT" "$WORK/squid/access.log" || true)
	denied=$(grep -c " TCP_DENIED/407 " "$WORK/squid/access.log" || true)
	[ "$max" != tenth ] || max=$((total / 10))
	[ "$total" -gt 100 ] && [ "$denied" -le "$max" ] ||
		fail "$kind: squid denied $denied of $total requests, want at most $max (later requests carry the credentials at once)"
	mv "$WORK/squid" "$WORK/squid-$kind"
	pass "$kind: $POLL_MIB MiB each way intact via polling, answered with $scheme; squid denied $denied of $total requests"
}

check basic Basic 1
check digest "Digest MD5" tenth

# expect_refused NAME USER PASSWORD PATTERN: the application's connect() through the squid
# running fails with EACCES, without hanging, and NAME's log says why (extended regex PATTERN).
expect_refused() {
	local name=$1
	http_proxy="http://$2:$3@127.0.0.1:$SQUID_PORT" poll_client "$name" /dev/null \
		"$BUILD/examples/client_blocking" -p 2492 -n 1
	[ "$POLL_RC" != 124 ] || fail "$name: connect() hung"
	[ "$POLL_RC" = 2 ] && grep -q "Permission denied" "$WORK/$name.stderr" ||
		fail "$name: client exited with $POLL_RC: $(cat "$WORK/$name.stderr")"
	assert_log_file "$WORK/$name.log" "$4" "$name"
}

start_squid_forward ntlm
expect_refused ntlm "EXAMPLE%5C$PROXY_USER" "$PROXY_PASSWORD" \
	"tried polling \\(the proxy offers only NTLM, which authenticates a connection, but each request here has a connection of its own"
stop_squid
mv "$WORK/squid" "$WORK/squid-ntlm"
pass "ntlm: polling fails at once, the log says why, connect() fails with EACCES"

bad=Wr0ngPassw0rd
start_squid_forward basic
expect_refused wrong "$PROXY_USER" "$bad" \
	"tried polling \\(the proxy refused the credentials \\(wrong user or password\\)"
pass "wrong password: polling fails, the log says the proxy refused the credentials, connect() fails with EACCES"

assert_no_proxy_credentials "$bad"
