#!/bin/bash
# The longlived transport through squid forwarding HTTP (CONNECT denied) that asks for Basic
# (basic_ncsa_auth), Digest (digest_file_auth) or NTLM (ntlm_fake_auth: the three messages on one
# kept-alive connection) credentials: both sessions draw a 407 and answer it (MS-GRVHENC
# 3.1.5.1.1.2, 3.1.5.2.1.3), and 10 MiB go each way intact. A wrong password makes
# the application's connect() fail with EACCES and the log say why. No credential appears in any
# log or output.
. "$(dirname "$0")/lib.sh"

command -v squid > /dev/null || { echo "skip: squid is not installed"; exit 0; }
hold_refused_port
start_echo_relay
export SSTPSHIM_TRANSPORTS=longlived
unset no_proxy NO_PROXY HTTP_PROXY SSTPSHIM_HTTP_PROXY
PROGRAMS_MIB=10

# check KIND USER SCHEME: squid asking for KIND, the proxy URL's user USER (percent-encoded),
# answered with SCHEME (the name the log uses).
check() {
	local kind=$1 user=$2 scheme=$3 n
	start_squid_forward "$kind"
	export http_proxy="http://$user:$PROXY_PASSWORD@127.0.0.1:$SQUID_PORT"
	run_via_longlived "$kind" /dev/null python3 "$LLAPP" stream "$REFUSED_PORT" "$PROGRAMS_MIB"
	n=$(grep -c "longlived \(GET\|POST\): 407 from .*, answering with $scheme\$" "$WORK/$kind.log" || true)
	[ "$n" -ge 2 ] || fail "$kind: $n challenges answered with $scheme, want both sessions': $(grep 'longlived' "$WORK/$kind.log" | tail -8)"
	grep -q "POST http://127.0.0.1:$RELAY_PORT/.*$PROXY_USER " "$WORK/squid/access.log" ||
		fail "$kind: squid logged no authenticated POST: $(tail -5 "$WORK/squid/access.log")"
	stop_squid
	mv "$WORK/squid" "$WORK/squid-$kind"
	pass "$kind: $PROGRAMS_MIB MiB each way intact via longlived, $n challenges on both sessions answered with $scheme"
}

check basic "$PROXY_USER" Basic
check digest "$PROXY_USER" "Digest MD5"
check ntlm "EXAMPLE%5C$PROXY_USER" NTLM

bad=Wr0ngPassw0rd
start_squid_forward basic
http_proxy="http://$PROXY_USER:$bad@127.0.0.1:$SQUID_PORT" SSTPSHIM_HTTP_PORT="$RELAY_PORT" \
	run_shimmed_rc wrong /dev/null "$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] && grep -q "Permission denied" "$WORK/wrong.stderr" ||
	fail "wrong password: client exited with $RC: $(cat "$WORK/wrong.stderr")"
assert_log_file "$WORK/wrong.log" "tried longlived \\(the proxy refused the credentials \\(wrong user or password\\)" \
	"wrong password"
pass "wrong password: EACCES, the log says the proxy refused the credentials"

assert_nowhere "$PROXY_PASSWORD"
assert_nowhere "$bad"
assert_nowhere "$(printf '%s:%s' "$PROXY_USER" "$PROXY_PASSWORD" | base64)"
assert_nowhere "$(printf '%s:%s' "$PROXY_USER" "$bad" | base64)"
pass "no credential in any log or output"
