#!/usr/bin/python3
"""A TCP relay that breaks KeepAlive POST sessions on purpose: ka_cutter.py UPSTREAM_PORT PLAN

Listens on an ephemeral port of 127.0.0.1 (printed as "listening on 127.0.0.1:PORT") and
forwards each connection to 127.0.0.1:UPSTREAM_PORT one HTTP message at a time: a whole request
from the client, then the whole response from upstream. Data POSTs (those carrying X-Sstp-Offset
and a body) are counted across all connections; PLAN is a comma list of N:STAGE, and the N-th one
has its connection cut at STAGE:
  before-head   nothing of the request is forwarded
  mid-head      half of its head is forwarded
  mid-body      its head and half of its body are forwarded
  after-body    all of it is forwarded, upstream's response is read and thrown away
  mid-response  all of it is forwarded, half of upstream's response goes back
Each cut prints "cut N STAGE offset=X" on stdout. Everything else passes unchanged.
"""
import socket
import sys
import threading

LOCK = threading.Lock()
COUNT = [0]


def read_message(sock, buf):
    """Reads one HTTP message (head and Content-Length body); returns (message, rest, head) or
    (None, ...) at EOF."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None, buf, None
        buf += data
    end = buf.index(b"\r\n\r\n") + 4
    head = buf[:end].decode("latin-1")
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(buf) < end + length:
        data = sock.recv(65536)
        if not data:
            return None, buf, None
        buf += data
    return buf[:end + length], buf[end + length:], head


def header(head, name):
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def stage_for(head, plan):
    """Counts data POSTs; the stage to cut this one at, or None."""
    if not head.startswith("POST ") or header(head, "x-sstp-offset") is None:
        return None
    if int(header(head, "content-length") or 0) == 0:
        return None
    with LOCK:
        COUNT[0] += 1
        return plan.get(COUNT[0]), COUNT[0]


def cut(client, upstream, stage, n, head, request, rest_up):
    offset = header(head, "x-sstp-offset")
    hlen = head.index("\r\n\r\n") + 4
    if stage == "mid-head":
        upstream.sendall(request[:hlen // 2])
    elif stage == "mid-body":
        upstream.sendall(request[:hlen + (len(request) - hlen) // 2])
    elif stage in ("after-body", "mid-response"):
        upstream.sendall(request)
        response, _, _ = read_message(upstream, rest_up)
        if response is not None and stage == "mid-response":
            client.sendall(response[:len(response) // 2])
    print(f"cut {n} {stage} offset={offset}", flush=True)


def serve(client, port, plan):
    upstream = socket.create_connection(("127.0.0.1", port))
    rest_client, rest_up = b"", b""
    try:
        while True:
            request, rest_client, head = read_message(client, rest_client)
            if request is None:
                return
            found = stage_for(head, plan)
            if found and found[0]:
                cut(client, upstream, found[0], found[1], head, request, rest_up)
                return
            upstream.sendall(request)
            response, rest_up, _ = read_message(upstream, rest_up)
            if response is None:
                return
            client.sendall(response)
    except OSError:
        return
    finally:
        client.close()
        upstream.close()


def main():
    port = int(sys.argv[1])
    plan = {}
    for item in sys.argv[2].split(","):
        n, _, stage = item.partition(":")
        plan[int(n)] = stage
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"listening on 127.0.0.1:{listener.getsockname()[1]}", flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, port, plan), daemon=True).start()


if __name__ == "__main__":
    main()
