#!/bin/bash
# nginx in front of sstp-relay as a reverse proxy with keepalive_timeout 0 (one request per
# connection, bodies buffered both ways): LongLived's endless bodies cannot pass it, Polling's
# short requests can, and KeepAlive's GET session is closed after every response, which 3.3.7
# does not allow. The chain (longlived, keepalive, polling) must fall through to polling, and
# POLL_MIB MiB go each way intact, with long polling (the hold is below nginx's
# proxy_read_timeout).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll_lib.sh"

command -v nginx > /dev/null || fail "nginx is not installed (scripts/deps.sh installs it)"
poll_start_echo_relay --poll-hold 25
nginx_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log info;
events { worker_connections 1024; }
http {
	access_log $WORK/nginx/logs/access.log;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
	keepalive_timeout 0;
	server {
		listen 127.0.0.1:$nginx_port;
		location / { proxy_pass http://127.0.0.1:$POLL_RELAY_PORT; }
	}
}
CONF
spawn nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
timeout 10 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$nginx_port) 2>/dev/null; do sleep 0.05; done" ||
	fail "nginx did not start: $(cat "$WORK/nginx/logs/error.log")"

random_file "$WORK/sent" "$POLL_MIB"
POLL_RELAY_PORT=$nginx_port POLL_TRANSPORTS=longlived,keepalive,polling SSTPSHIM_TRANSPORT_TIMEOUT=3 \
	poll_client nginx "$WORK/sent" "$BUILD/examples/client_blocking" --stdio -p 2492
[ "$POLL_RC" = 0 ] || fail "client exited with status $POLL_RC: $(head -c 300 "$WORK/nginx.stderr")
shim: $(tail -5 "$WORK/nginx.log")"
grep -q "established via polling in .*tried longlived (.*), keepalive (" "$WORK/nginx.log" ||
	fail "polling did not win after longlived and keepalive: $(grep -m1 'established\|failed' "$WORK/nginx.log")"
assert_same_sha "$WORK/sent" "$WORK/nginx.stdout" "through nginx"
pass "nginx keepalive_timeout 0: longlived and keepalive failed, polling won, $POLL_MIB MiB each way intact"
