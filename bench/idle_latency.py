#!/usr/bin/env python3
"""Latency of a small message after a connection has been idle, each direction on its own.

    idle_latency.py server                      prints "listening on 127.0.0.1:PORT"
    idle_latency.py client -p PORT [-i IDLE] [-n COUNT]

The client opens COUNT connections at once (default 5), each tells the server IDLE (seconds,
default 60, decimals allowed), and then on each connection:
  down: the server waits IDLE seconds, then sends its CLOCK_MONOTONIC time; the client takes
        the difference with its own clock when the message arrives;
  up:   the client waits IDLE seconds, then sends its time; the server takes the difference and
        sends it back (that trip is not timed).
Both processes run on one host, so CLOCK_MONOTONIC is the same clock. The client prints
"down_ms MEDIAN down_max_ms MAX up_ms MEDIAN up_max_ms MAX" (milliseconds); it exits 1 on any
error."""
import argparse
import socket
import statistics
import sys
import threading
import time


def serve(c):
    with c, c.makefile("rwb", buffering=0) as f:
        idle = float(f.readline())
        time.sleep(idle)  # the idle period being measured, not a synchronisation
        f.write(b"%.9f\n" % time.monotonic())
        sent = float(f.readline())
        f.write(b"%.9f\n" % (time.monotonic() - sent))


def server():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def one(port, idle, out, i):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=idle * 4 + 60)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with c, c.makefile("rwb", buffering=0) as f:
            f.write(b"%f\n" % idle)
            sent = float(f.readline())
            down = time.monotonic() - sent
            time.sleep(idle)
            f.write(b"%.9f\n" % time.monotonic())
            up = float(f.readline())
        out[i] = (down * 1000, up * 1000)
    except (OSError, ValueError) as e:
        print("idle_latency: connection %d: %s" % (i, e), file=sys.stderr)


def client(port, idle, count):
    out = [None] * count
    threads = [threading.Thread(target=one, args=(port, idle, out, i)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if None in out:
        sys.exit(1)
    down = [d for d, _ in out]
    up = [u for _, u in out]
    print("down_ms %.3f down_max_ms %.3f up_ms %.3f up_max_ms %.3f"
          % (statistics.median(down), max(down), statistics.median(up), max(up)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["server", "client"])
    ap.add_argument("-p", "--port", type=int)
    ap.add_argument("-i", "--idle", type=float, default=60.0)
    ap.add_argument("-n", "--count", type=int, default=5)
    a = ap.parse_args()
    if a.mode == "server":
        server()
    else:
        client(a.port, a.idle, a.count)


main()
