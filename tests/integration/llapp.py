#!/usr/bin/env python3
"""A plain socket client for the longlived scenarios (the unmodified application under the shim).

usage: llapp.py banner PORT     the server speaks first; we must see nothing before our first
                                bytes, then its banner and our echo
       llapp.py limit PORT N    sends N bytes, which pass SSTPSHIM_LONGLIVED_LIMIT: the
                                connection must end (reset or EOF); a new one then works
       llapp.py refused PORT    connect() must fail with ECONNREFUSED
       llapp.py stream PORT MIB sends MIB MiB of random bytes while reading them back, compares
                                them, and closes without a half-close
"""
import hashlib
import os
import threading
import select
import socket
import sys


def fail(why):
    print("FAIL: " + why, file=sys.stderr)
    sys.exit(1)


def read_exactly(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            fail("EOF after %d of %d bytes: %r" % (len(buf), n, buf[:100]))
        buf += d
    return buf


def banner(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    # GetSessionReady (3.2.1.1): the relay holds the banner until our first bytes. Nothing
    # arriving within a second is what we expect, not a synchronisation.
    r, _, _ = select.select([s], [], [], 1.0)
    if r:
        fail("data before the client's first bytes: %r" % s.recv(100))
    s.sendall(b"hello\n")
    got = read_exactly(s, len(b"220 banner\r\nhello\n"))
    if got != b"220 banner\r\nhello\n":
        fail("got %r" % got)


def limit(port, n):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    ended = False
    try:
        s.sendall(b"x" * int(n))
        s.shutdown(socket.SHUT_WR)
        got = 0
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
        ended = got < int(n)
    except (ConnectionResetError, BrokenPipeError):
        ended = True
    if not ended:
        fail("%s bytes went through a connection limited below that" % n)
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"y" * 1000)
    if read_exactly(s, 1000) != b"y" * 1000:
        fail("the next connection does not echo")


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=20)
    except ConnectionRefusedError:
        return
    fail("connect() succeeded")


def stream(port, mib):
    n = int(mib) << 20
    data = os.urandom(1 << 20)
    s = socket.create_connection(("127.0.0.1", port), timeout=60)

    def send():
        for _ in range(n >> 20):
            s.sendall(data)

    t = threading.Thread(target=send, daemon=True)
    t.start()
    want, got = hashlib.sha256(), hashlib.sha256()
    for _ in range(n >> 20):
        want.update(data)
    left = n
    while left:
        d = s.recv(min(left, 1 << 20))
        if not d:
            fail("EOF with %d of %d bytes still to come" % (left, n))
        got.update(d)
        left -= len(d)
    t.join()
    if got.digest() != want.digest():
        fail("the %s MiB that came back differ from those sent" % mib)
    s.close()


if __name__ == "__main__":
    {"banner": banner, "limit": limit, "refused": refused, "stream": stream}[sys.argv[1]](int(sys.argv[2]), *sys.argv[3:])
