#!/bin/bash
# The keepalive transport through squid forwarding HTTP (CONNECT denied) that asks for Basic
# (basic_ncsa_auth), Digest (digest_file_auth) or NTLM (ntlm_fake_auth) credentials: the first
# request of each session draws a 407 and goes again with the answer (MS-GRVHENC 3.3.5.1.3,
# 3.3.5.2.3), every later one carries the credentials at once (3.3.4.7.2, 3.3.5.3.2) -- squid
# denies only those first requests, plus, with Digest, one now and then when its nonce has served
# 50 requests; NTLM's two connections stay authenticated -- and MIB MiB go each way intact. With
# a wrong password keepalive fails with EACCES and a log line saying so, the chain moves on to
# polling, which fails the same way, and the application's connect() fails. No credential
# appears in any log or output.
. "$(dirname "$0")/ka_lib.sh"

command -v squid > /dev/null || { echo "skip: squid is not installed"; exit 0; }
MIB=4
hold_refused_port
random_file "$WORK/sent" "$MIB"
start_echo_relay
export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=info
unset no_proxy NO_PROXY HTTP_PROXY SSTPSHIM_HTTP_PROXY

# check KIND USER SCHEME MAX: squid asking for KIND, the proxy URL's user USER (percent-encoded),
# both sessions answering with SCHEME (the name the log uses); at most MAX requests denied
# (MAX "tenth": a tenth of them).
check() {
	local kind=$1 user=$2 scheme=$3 max=$4 n denied total
	start_squid_forward "$kind"
	export http_proxy="http://$user:$PROXY_PASSWORD@127.0.0.1:$SQUID_PORT"
	ka_socat "$kind" "$WORK/sent" "$RELAY_PORT"
	assert_same_sha "$WORK/sent" "$WORK/$kind.stdout" "$kind: $MIB MiB echoed"
	stop_squid
	n=$(grep -c "keepalive \(GET\|POST\): 407 from .*, answering with $scheme\$" "$WORK/$kind.log" || true)
	[ "$n" -ge 2 ] || fail "$kind: $n challenges answered with $scheme, want both sessions': $(grep 'keepalive' "$WORK/$kind.log" | tail -8)"
	total=$(grep -c " http://127.0.0.1:$RELAY_PORT/.*ConnType=KeepAlive" "$WORK/squid/access.log" || true)
	denied=$(grep -c " TCP_DENIED/407 " "$WORK/squid/access.log" || true)
	[ "$max" != tenth ] || max=$((total / 10))
	[ "$total" -gt 100 ] && [ "$denied" -le "$max" ] ||
		fail "$kind: squid denied $denied of $total requests, want at most $max (later requests carry the credentials at once)"
	grep -q "POST http://127.0.0.1:$RELAY_PORT/.*$PROXY_USER " "$WORK/squid/access.log" ||
		fail "$kind: squid logged no authenticated POST: $(tail -5 "$WORK/squid/access.log")"
	mv "$WORK/squid" "$WORK/squid-$kind"
	pass "$kind: $MIB MiB each way intact via keepalive; both sessions answered with $scheme, squid denied $denied of $total requests"
}

check basic "$PROXY_USER" Basic 2
check digest "$PROXY_USER" "Digest MD5" tenth
check ntlm "EXAMPLE%5C$PROXY_USER" NTLM 4

bad=Wr0ngPassw0rd
start_squid_forward basic
http_proxy="http://$PROXY_USER:$bad@127.0.0.1:$SQUID_PORT" SSTPSHIM_HTTP_PORT="$RELAY_PORT" \
	SSTPSHIM_TRANSPORTS=keepalive,polling \
	run_shimmed_rc wrong /dev/null "$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] && grep -q "Permission denied" "$WORK/wrong.stderr" ||
	fail "wrong password: client exited with $RC: $(cat "$WORK/wrong.stderr")"
refused="the proxy refused the credentials \\(wrong user or password\\)"
assert_log_file "$WORK/wrong.log" "keepalive (GET|POST): 407 from .*: $refused" "wrong password"
assert_log_file "$WORK/wrong.log" "tried keepalive \\($refused, .*polling \\($refused" "wrong password"
pass "wrong password: keepalive and then polling fail, the log says the proxy refused the credentials, connect() fails with EACCES"

assert_no_proxy_credentials "$bad"
