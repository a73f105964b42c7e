# Helpers for the keepalive scenarios (t-keepalive-*.sh), on top of lib.sh: an echo server as
# the backend, sstp-relay in front of it, optionally nginx in front of the relay, and clients under
# the shim with the relay as their KeepAlive server (the intercepted host is 127.0.0.1, where the
# relay listens, reached through SSTPSHIM_HTTP_PORT).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KA_DIR="$(dirname "${BASH_SOURCE[0]}")"

# Starts a process that prints "listening on ADDR:PORT" once its socket listens (the cutter,
# nginx's wrapper): "$1" names it, the rest is the command. Sets KA_PORT.
ka_start_printing_port() {
	local name=$1
	shift
	spawn "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
	wait_line "$WORK/$name.out" '^listening on .*:[0-9][0-9]*$'
	KA_PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/$name.out" | head -n1)
}

# Starts nginx as a reverse proxy on 127.0.0.1 in front of the relay, with its defaults towards
# upstreams (HTTP/1.0 and a new connection per request, request and response buffering) and the
# extra http-block directives "$@" (and server-block ones in $KA_NGINX_SERVER): sets
# KA_NGINX_PORT. The port is one the kernel just gave us; if
# another process takes it first, nginx fails to bind and we try again with another.
ka_start_nginx() {
	local dir="$WORK/nginx" try
	mkdir -p "$dir/tmp"
	for try in 1 2 3 4 5; do
		KA_NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		ka_nginx_conf "$dir" "$KA_NGINX_PORT" "$*" > "$dir/nginx.conf"
		: > "$dir/error.log"
		spawn nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
		KA_NGINX_PID=$LAST_PID
		# nginx logs the event method after it has bound and is listening, or a bind error
		wait_line "$dir/error.log" 'using the "epoll" event method\|bind() to' 10
		grep -q 'bind() to' "$dir/error.log" || return 0
	done
	fail "nginx could not bind a port: $(tail -3 "$dir/error.log")"
}

# nginx.conf for ka_start_nginx: directory $1, port $2, extra http directives $3.
ka_nginx_conf() {
	cat <<-CONF
	daemon off;
	master_process off;
	pid $1/nginx.pid;
	error_log $1/error.log notice;
	events { worker_connections 256; }
	http {
	    access_log $1/access.log;
	    client_body_temp_path $1/tmp/body;
	    proxy_temp_path $1/tmp/proxy;
	    fastcgi_temp_path $1/tmp/fastcgi;
	    uwsgi_temp_path $1/tmp/uwsgi;
	    scgi_temp_path $1/tmp/scgi;
	    $3
	    server {
	        listen 127.0.0.1:$2;
	        location / { proxy_pass http://127.0.0.1:$RELAY_PORT; }
	        ${KA_NGINX_SERVER:-}
	    }
	}
	CONF
}

# Runs client "$@" (after a name, $1, a stdin file, $2, and the HTTP port to reach the relay at,
# $3) under the shim towards 127.0.0.1:REFUSED_PORT; callers export SSTPSHIM_TRANSPORTS. Fails
# unless it exits 0 within PROGRAMS_LIMIT s and the shim's log names the winner
# (keepalive, or $KA_WINNER).
ka_run() {
	local name=$1 input=$2 port=$3 rc=0
	shift 3
	timeout "$PROGRAMS_LIMIT" env LD_PRELOAD="$SHIM${LD_PRELOAD:+:$LD_PRELOAD}" \
		SSTPSHIM_HTTP_PORT="$port" SSTPSHIM_LOG_FILE="$WORK/$name.log" "$@" \
		< "$input" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || rc=$?
	[ "$rc" != 124 ] || fail "$name did not finish within $PROGRAMS_LIMIT s"
	[ "$rc" = 0 ] || fail "$name exited with status $rc: $(head -c 600 "$WORK/$name.stderr")
shim log: $(tail -5 "$WORK/$name.log" 2>&1)"
	grep -q -- "tunnel 127.0.0.1:$REFUSED_PORT: established via ${KA_WINNER:-keepalive}" \
		"$WORK/$name.log" ||
		fail "$name: the shim log does not show ${KA_WINNER:-keepalive}: $(tail -20 "$WORK/$name.log" 2>&1)"
}

# socat as the unmodified client: sends file $2, writes what comes back; exits on the echoed EOF
# (see t-programs-socat.sh). Name $1, relay port $3.
ka_socat() {
	ka_run "$1" "$2" "$3" socat -b 65536 -t $((PROGRAMS_LIMIT * 10)) STDIO "TCP:127.0.0.1:$REFUSED_PORT"
}

# Fails unless the relay logged a KeepAlive virtual connection that finished both ways with $1
# octets each way.
ka_assert_relay_counted() {
	grep -q "ka .*closed, both directions finished; $1 octets up, $1 down" "$WORK/relay.log" ||
		fail "the relay did not count $1 octets each way: $(grep 'ka .*closed' "$WORK/relay.log" | tail -3)"
}

# Starts squid on 127.0.0.1 as a forward proxy that denies CONNECT and caches nothing: sets
# KA_SQUID_PORT; its logs in $WORK/squid/. (squid cannot be given port 0; if the port was taken
# in the meantime, it says so in cache.log and we try another.)
ka_start_squid() {
	local dir="$WORK/squid" try
	mkdir -p "$dir" && chmod 0777 "$dir" "$WORK"
	for try in 1 2 3; do
		KA_SQUID_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		cat > "$dir/squid.conf" <<-CONF
		http_port 127.0.0.1:$KA_SQUID_PORT
		acl CONNECT method CONNECT
		http_access deny CONNECT
		http_access allow all
		cache deny all
		access_log stdio:$dir/access.log
		cache_log $dir/cache.$try.log
		pid_filename $dir/squid.pid
		coredump_dir $dir
		cache_effective_user proxy
		shutdown_lifetime 0 seconds
		CONF
		spawn squid -N -f "$dir/squid.conf" > "$dir/squid.out" 2>&1
		wait_line "$dir/cache.$try.log" 'Accepting HTTP Socket connections\|Address already in use' 30
		grep -q 'Address already in use' "$dir/cache.$try.log" || return 0
	done
	fail "squid could not bind a port"
}
