#!/usr/bin/env python3
"""A scripted HTTP proxy for the Polling failure scenarios (t-polling-failures.sh).

    poll_proxy.py MODE [N]

Listens on an ephemeral port of 127.0.0.1, prints "listening on 127.0.0.1:PORT", and serves
each connection as a plain HTTP proxy would: reads one request (head and Content-Length body),
forwards it to the host:port of its absolute URI with a relative target, and relays the answer.
MODE says how it misbehaves, from request N on (default 1, the probe):
  forward   never
  garbage   answers bytes that are not HTTP
  502       answers "502 Bad Gateway" with an HTML body, as squid does
  close     closes the connection without an answer
Counts requests in the order they arrive."""
import socket
import sys
import threading

MODE = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1
count = 0
lock = threading.Lock()


def read_request(c):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = c.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    n = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            n = int(line.split(":", 1)[1])
    while len(body) < n:
        chunk = c.recv(65536)
        if not chunk:
            return None
        body += chunk
    return lines, body


def forward(c, lines, body):
    method, target, version = lines[0].split(" ")
    assert target.startswith("http://"), target
    rest = target[7:]
    authority, _, path = rest.partition("/")
    host, _, port = authority.partition(":")
    up = socket.create_connection((host, int(port or 80)))
    head = "\r\n".join([" ".join([method, "/" + path, version])] + lines[1:]) + "\r\n\r\n"
    up.sendall(head.encode("latin-1") + body)
    while True:
        chunk = up.recv(65536)
        if not chunk:
            break
        c.sendall(chunk)
    up.close()


def serve(c):
    global count
    try:
        req = read_request(c)
        if req is None:
            return
        with lock:
            count += 1
            n = count
        if MODE == "forward" or n < N:
            forward(c, *req)
        elif MODE == "garbage":
            c.sendall(b"\x00\x01garbage that is not HTTP\r\n\r\n")
        elif MODE == "502":
            page = b"<html><body>Bad Gateway</body></html>"
            c.sendall(b"HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/html\r\n"
                      b"Content-Length: %d\r\n\r\n%s" % (len(page), page))
    except OSError:
        pass
    finally:
        c.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
