#!/bin/bash
# curl, unmodified, downloads and uploads 100 MiB through the shim's direct443 fallback from/to a
# small HTTP/1.1 server (tests/integration/httpd.py) on the alternate port. The download must
# match the served file, the upload must match by the digest the server computed of what it
# received and by the file it stored, and curl must write nothing else to stdout or stderr.
. "$(dirname "$0")/lib.sh"

hold_refused_port
mkdir "$WORK/root"
random_file "$WORK/root/big" "$PROGRAMS_MIB"
random_file "$WORK/upload.src" "$PROGRAMS_MIB"
start_listening_server httpd /usr/bin/python3 "$(dirname "$0")/httpd.py" "$WORK/root"
export SSTPSHIM_ALT_PORT=$SERVER_PORT
# -q: no ~/.curlrc; --noproxy: no proxy from the environment; --fail: HTTP errors exit non-zero.
curl_opts=(-q -sS --fail --noproxy '*')
url="http://127.0.0.1:$REFUSED_PORT"

run_via_direct443 curl-get /dev/null curl "${curl_opts[@]}" -o "$WORK/downloaded" "$url/big"
assert_empty "$WORK/curl-get.stdout" "curl download stdout"
assert_empty "$WORK/curl-get.stderr" "curl download stderr"
assert_same_sha "$WORK/root/big" "$WORK/downloaded" "download"
pass "curl: $PROGRAMS_MIB MiB download intact via direct443"

run_via_direct443 curl-put /dev/null curl "${curl_opts[@]}" -T "$WORK/upload.src" "$url/upload"
assert_empty "$WORK/curl-put.stderr" "curl upload stderr"
# The whole of stdout must be the server's answer, so the shim cannot have added anything.
printf '%s\n' "$(sha "$WORK/upload.src")" > "$WORK/upload.expected"
cmp -s "$WORK/upload.expected" "$WORK/curl-put.stdout" ||
	fail "upload: server answered '$(head -c 200 "$WORK/curl-put.stdout")', sent sha256 $(sha "$WORK/upload.src")"
assert_same_sha "$WORK/upload.src" "$WORK/root/upload" "upload as stored"
assert_empty "$WORK/httpd.err" "httpd stderr"
pass "curl: $PROGRAMS_MIB MiB upload intact via direct443"
