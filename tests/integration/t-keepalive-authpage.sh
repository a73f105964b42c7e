#!/bin/bash
# The keepalive transport through nginx as its HTTP proxy, nginx asking for Basic credentials
# (auth_basic) with a 401 page of its own (error_page): the client answers the 401 of each
# session (MS-GRVHENC 3.3.5.1.3, 3.3.5.2.3) and MIB MiB go each way intact.
# 1. The page passed through sub_filter: nginx sends it without Content-Length and closes the
#    connection after it (a close-delimited body); the answer goes on a new connection.
# 2. A page of 40000 octets with its Content-Length, over KeepAlive's 32768-octet bodies: it is
#    read and dropped, and the answer goes on the same connection, which nginx keeps.
# (A chunked 401/407 page is covered by tests/unit/check_tp_keepalive.c: our requests are
# HTTP/1.0, to which nginx, squid and haproxy never answer chunked, RFC 7230 3.3.1.)
. "$(dirname "$0")/ka_lib.sh"

command -v nginx > /dev/null || { echo "skip: nginx is not installed"; exit 0; }
MIB=2
hold_refused_port
random_file "$WORK/sent" "$MIB"
start_echo_relay
mkdir -p "$WORK/pages"
printf '<html><body>%s</body></html>\n' "$(printf 'authentication required %.0s' $(seq 20))" \
	> "$WORK/pages/close401.html"
head -c 40000 /dev/zero | tr '\0' 'x' > "$WORK/pages/long401.html"
printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 "$PROXY_PASSWORD")" > "$WORK/pages/passwd"
export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=info
unset no_proxy NO_PROXY HTTP_PROXY SSTPSHIM_HTTP_PROXY

# check NAME PAGE-LOCATION-DIRECTIVES: nginx's 401 page served by those; MIB MiB echoed.
check() {
	local name=$1 page=$2 n
	KA_NGINX_SERVER="error_page 401 /$name.html;
	    location = /$name.html { auth_basic off; internal; root $WORK/pages; $page }"
	# conn.log: which connection each request came on, for the same-or-new checks below
	ka_start_nginx "auth_basic sstp; auth_basic_user_file $WORK/pages/passwd;
	    log_format conn '\$connection \$request_method \$status';
	    access_log $WORK/nginx/conn.log conn;"
	export http_proxy="http://$PROXY_USER:$PROXY_PASSWORD@127.0.0.1:$KA_NGINX_PORT"
	ka_socat "$name" "$WORK/sent" "$RELAY_PORT"
	assert_same_sha "$WORK/sent" "$WORK/$name.stdout" "$name: $MIB MiB echoed"
	n=$(grep -c "keepalive \(GET\|POST\): 401 from .*, answering with Basic\$" "$WORK/$name.log" || true)
	[ "$n" -ge 2 ] || fail "$name: $n 401s answered, want both sessions': $(grep keepalive "$WORK/$name.log" | tail -8)"
	grep -q '" 401 ' "$WORK/nginx/access.log" || fail "$name: nginx logged no 401"
	kill "$KA_NGINX_PID"
	wait "$KA_NGINX_PID" 2> /dev/null || true
	mv "$WORK/nginx" "$WORK/nginx-$name"
	pass "$name: nginx's 401 page answered on both sessions, $MIB MiB each way intact"
}

# sub_filter drops the Content-Length; to an HTTP/1.0 request nginx then closes after the body
check close401 "sub_filter '</body>' '</body>';"
check long401 ""
# Where the GET's answer went: after the 40000-octet page, on the connection that carried the 401
# (the page was read through); after the close-delimited page, on another. (The POST's page,
# after a body nginx discards, comes with Connection: close: that answer goes on a new
# connection either way.)
# same_conn LOG: whether a GET answered 200 came on the connection of a GET answered 401.
same_conn() {
	awk '$2 == "GET" && $3 == 401 { c[$1] = 1 } $2 == "GET" && $3 == 200 && ($1 in c) { ok = 1 }
	     END { exit !ok }' "$1"
}
same_conn "$WORK/nginx-long401/conn.log" ||
	fail "long401: no authenticated GET on the connection of the 401: $(cat "$WORK/nginx-long401/conn.log" | head -8)"
pass "long401: the GET session read nginx's 40000-octet page and answered on the same connection"
! same_conn "$WORK/nginx-close401/conn.log" ||
	fail "close401: a GET went again on the connection nginx closed: $(head -8 "$WORK/nginx-close401/conn.log")"
pass "close401: the GET session answered on a new connection"
assert_no_proxy_credentials "$PROXY_PASSWORD"
