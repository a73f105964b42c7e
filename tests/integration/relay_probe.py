#!/usr/bin/env python3
"""Speaks LongLived (MS-GRVHENC 2.2.2.1) to sstp-relay over raw sockets, well and badly.

usage: relay_probe.py SCENARIO RELAY_PORT [ARGS...]
Each scenario exits 0 when the relay behaved, or prints why not and exits 1. Every wait is a
blocking read with a deadline, never a sleep.
"""
import os
import random
import socket
import string
import sys
import time

HOST = "127.0.0.1"
ECHO = b"GroovePing: 1.0,Ping"
DEADLINE = 20.0


def fail(why):
    print("FAIL: " + why, file=sys.stderr)
    sys.exit(1)


def guid():
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(39))


def get_req(g, name="relay.test", version="2.0", cl=2147479552):
    return ("GET /%s/%s/%s,ConnType=LongLived,ContentLength=%d HTTP/1.0\r\n"
            "Accept: */*\r\nHost: relay.test\r\nPragma: no-cache\r\n\r\n"
            % (version, name, g, cl)).encode()


def post_req(g, name="relay.test", version="2.0", cl=2147479552):
    return ("POST /%s/%s/%s,ConnType=LongLived HTTP/1.0\r\nUserAgent: %s\r\n"
            "Content-Length: %d\r\n\r\n" % (version, name, g, name, cl)).encode() + ECHO + b"\r\n"


def connect(port):
    s = socket.create_connection((HOST, port), timeout=DEADLINE)
    return s


def read_until(s, marker, limit=1 << 20):
    """Reads until marker; returns everything read, or what came before EOF."""
    buf = b""
    while marker not in buf and len(buf) < limit:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return buf


def read_to_eof(s):
    """Everything until EOF or a reset; fails on the deadline (the relay must close)."""
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return buf
            buf += d
    except ConnectionResetError:
        return buf
    except socket.timeout:
        fail("the relay did not close the connection within %.0f s (got %r)" % (DEADLINE, buf[:200]))


def status_of(resp):
    if not resp.startswith(b"HTTP/1."):
        return None
    return int(resp.split(b" ", 2)[1])


def open_vc(port, g=None, post_first=False):
    """A full handshake; returns (get, post, leftover after the echo)."""
    g = g or guid()
    a, b = connect(port), connect(port)
    if post_first:
        b.sendall(post_req(g))
        a.sendall(get_req(g))
    else:
        a.sendall(get_req(g))
        b.sendall(post_req(g))
    resp = read_until(a, ECHO + b"\r\n")
    if status_of(resp) != 200 or not resp.endswith(ECHO + b"\r\n"):
        fail("no 200 with the echo: %r" % resp[:300])
    if b"Content-Length: 2147479552\r\n" not in resp:
        fail("no Content-Length: 2147479552 in %r" % resp)
    return a, b


def roundtrip(get, post, data):
    post.sendall(data)
    got = b""
    while len(got) < len(data):
        d = get.recv(65536)
        if not d:
            fail("EOF after %d of %d echoed bytes" % (len(got), len(data)))
        got += d
    if got != data:
        fail("echo differs")


def expect_status_and_close(s, status, what):
    resp = read_to_eof(s)
    if status_of(resp) != status:
        fail("%s: expected %d, got %r" % (what, status, resp[:200]))


# --- scenarios ----------------------------------------------------------------------------

def sc_good(port):
    for post_first in (False, True):
        a, b = open_vc(port, post_first=post_first)
        roundtrip(a, b, os.urandom(100000))
        b.shutdown(socket.SHUT_WR)
        if read_to_eof(a) != b"":
            fail("bytes after the echo's end")
        a.close()
        b.close()


def sc_get_only(port):
    a = connect(port)
    a.sendall(get_req(guid()))
    t = time.monotonic()
    if read_to_eof(a) != b"":
        fail("the relay answered a GET without its POST")
    return time.monotonic() - t


def sc_post_only(port):
    b = connect(port)
    b.sendall(post_req(guid()))
    if read_to_eof(b) != b"":
        fail("the relay answered a POST without its GET")


def sc_duplicate(port):
    g = guid()
    a1 = connect(port)
    a1.sendall(get_req(g))
    a2 = connect(port)
    a2.sendall(get_req(g))
    expect_status_and_close(a2, 400, "second GET for one GUID")
    b = connect(port)
    b.sendall(post_req(g))
    resp = read_until(a1, ECHO + b"\r\n")
    if status_of(resp) != 200:
        fail("the first GET lost its virtual connection: %r" % resp[:200])
    roundtrip(a1, b, b"still here")
    b2 = connect(port)
    b2.sendall(post_req(g))
    expect_status_and_close(b2, 400, "a POST for an established GUID")
    roundtrip(a1, b, b"and still here")


def sc_garbage(port):
    s = connect(port)
    s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
    expect_status_and_close(s, 400, "garbage")
    s = connect(port)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    expect_status_and_close(s, 400, "not a LongLived URI")
    s = connect(port)
    s.sendall(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
    expect_status_and_close(s, 501, "another method")
    s = connect(port)
    s.sendall(get_req(guid(), version="3.0"))
    expect_status_and_close(s, 400, "version 3.0")
    s = connect(port)
    s.sendall(get_req(guid()).replace(b"LongLived", b"Tunnel"))
    expect_status_and_close(s, 400, "ConnType=Tunnel (no such encapsulation)")
    # the echo string wrong: the virtual connection closes, nothing is answered on the GET
    g = guid()
    a, b = connect(port), connect(port)
    a.sendall(get_req(g))
    b.sendall(post_req(g).replace(ECHO, b"GroovePong: 1.0,Ping"))
    if read_to_eof(a) != b"":
        fail("a handshake with a wrong echo string was answered")
    # application data before the echo came back, then data on the GET session
    a, b = open_vc(port)
    a.sendall(b"x")
    read_to_eof(a)


def sc_oversized(port):
    s = connect(port)
    s.sendall(b"GET /" + b"a" * 20000)  # no line end ever
    expect_status_and_close(s, 400, "a 20000-byte request line")
    s = connect(port)
    s.sendall(b"GET /x HTTP/1.0\r\n" + b"X-Big: " + b"b" * 40000 + b"\r\n\r\n")
    expect_status_and_close(s, 400, "a 40000-byte header")
    s = connect(port)
    s.sendall(b"GET /x HTTP/1.0\r\n" + b"X: y\r\n" * 200 + b"\r\n")
    expect_status_and_close(s, 400, "200 header fields")


def sc_slowloris(port, n=50):
    socks = []
    for _ in range(int(n)):
        s = connect(port)
        s.sendall(b"GET /2.0/relay.test/")
        socks.append(s)
    for s in socks[:5]:
        s.sendall(b"x")  # dribbling does not extend the deadline
    sc_good(port)  # others are served meanwhile
    for s in socks:
        expect_status_and_close(s, 408, "a head that never ends")


def sc_name(port):
    s = connect(port)
    s.sendall(get_req(guid(), name="other.test"))
    expect_status_and_close(s, 400, "another Relay-Server-Name")
    a, b = open_vc(port)  # relay.test is ours (any case)
    roundtrip(a, b, b"named")


def sc_backend_down(port):
    g = guid()
    a, b = connect(port), connect(port)
    a.sendall(get_req(g))
    b.sendall(post_req(g))
    expect_status_and_close(a, 500, "backend down")
    read_to_eof(b)


def rss_kib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sc_many(port, n="1000", relay_pid=None):
    n = int(n)
    before = rss_kib(relay_pid) if relay_pid else 0
    vcs = [open_vc(port) for _ in range(n)]
    after = rss_kib(relay_pid) if relay_pid else 0
    for i, (a, b) in enumerate(vcs):
        b.sendall(b"vc %d\n" % i)
    for i, (a, b) in enumerate(vcs):
        want = b"vc %d\n" % i
        got = b""
        while len(got) < len(want):
            d = a.recv(100)
            if not d:
                fail("vc %d: EOF" % i)
            got += d
        if got != want:
            fail("vc %d got %r" % (i, got))
    if relay_pid:
        # Each virtual connection is spliced now, and idle: three sockets (GET, POST, backend)
        # and no pipe, which is lent only while bytes are in flight.
        fds = len(os.listdir("/proc/%s/fd" % relay_pid))
        print("relay descriptors with %d idle spliced virtual connections: %d" % (n, fds))
        if fds > 3 * n + 64:
            fail("the relay holds %d descriptors for %d idle virtual connections (3 each, "
                 "plus a few of its own)" % (fds, n))
    for a, b in vcs:
        b.shutdown(socket.SHUT_WR)
    for a, b in vcs:
        if read_to_eof(a) != b"":
            fail("bytes after the end")
        a.close()
        b.close()
    if relay_pid:
        print("relay RSS %d KiB -> %d KiB with %d idle virtual connections: %.1f KiB each"
              % (before, after, n, (after - before) / n))


def sc_limit(port):
    """A GET ContentLength of 1000: the relay closes when the response would pass it."""
    g = guid()
    a, b = connect(port), connect(port)
    a.sendall(get_req(g, cl=1000))
    b.sendall(post_req(g, cl=100000))
    read_until(a, ECHO + b"\r\n")
    roundtrip(a, b, b"a" * 900)       # 22 + 900 <= 1000
    b.sendall(b"b" * 200)             # the echo would pass 1000
    if len(read_to_eof(a)) > 1000 - 922:
        fail("the relay sent past the GET ContentLength")
    g = guid()
    a, b = connect(port), connect(port)
    a.sendall(get_req(g))
    b.sendall(post_req(g, cl=1000))
    read_until(a, ECHO + b"\r\n")
    roundtrip(a, b, b"c" * 900)
    b.sendall(b"d" * 200)             # the POST body passes 1000: protocol error
    read_to_eof(a)


def sc_drain(port):
    """SIGTERM: the established virtual connection carries on, new connections are refused,
    half-open ones are closed, and the relay exits once the last one is gone. Prints "ready"
    once both are open and waits for a line on stdin, sent once the relay logged its signal."""
    a, b = open_vc(port)
    half = connect(port)
    half.sendall(get_req(guid()))
    roundtrip(a, b, b"before")  # the half-open GET has been read by now
    print("ready", flush=True)
    sys.stdin.readline()
    if read_to_eof(half) != b"":
        fail("a half-open virtual connection was answered while draining")
    try:
        connect(port).close()
        fail("a new connection was accepted while draining")
    except ConnectionRefusedError:
        pass
    roundtrip(a, b, b"draining" * 1000)
    b.shutdown(socket.SHUT_WR)
    read_to_eof(a)


def sc_max(port, n):
    """--max-connections N: N connections are served, the next waits in the backlog until one
    of them closes, then it is served."""
    n = int(n)
    held = [connect(port) for _ in range(n)]
    for h in held:
        h.sendall(b"GET /2.0/relay.test/")  # heads in progress: each holds a slot
    extra = connect(port)  # the kernel completes it; the relay does not accept it yet
    extra.sendall(b"garbage\r\n\r\n")
    extra.settimeout(1.0)
    try:
        if extra.recv(100):
            fail("a connection beyond --max-connections was served")
    except socket.timeout:
        pass  # not served while the others are open: expected
    extra.settimeout(DEADLINE)
    held.pop().close()
    expect_status_and_close(extra, 400, "the connection served once a slot was free")


def sc_not_a_proxy(port):
    """Absolute URIs naming another host and port, and CONNECT, never make the relay connect
    anywhere but its backend."""
    other = socket.socket()
    other.bind((HOST, 0))
    other.listen(4)
    other.setblocking(False)
    target = "http://%s:%d" % (HOST, other.getsockname()[1])
    g = guid()
    a, b = connect(port), connect(port)
    a.sendall(get_req(g).replace(b"GET /", ("GET %s/" % target).encode(), 1))
    b.sendall(post_req(g).replace(b"POST /", ("POST %s/" % target).encode(), 1))
    resp = read_until(a, ECHO + b"\r\n")
    if status_of(resp) != 200:
        fail("absolute URI refused: %r" % resp[:200])
    roundtrip(a, b, b"to the backend")  # the echo server answered, not `other`
    s = connect(port)
    s.sendall(("CONNECT %s:%d HTTP/1.1\r\nHost: x\r\n\r\n" % (HOST, other.getsockname()[1])).encode())
    expect_status_and_close(s, 501, "CONNECT")
    try:
        other.accept()
        fail("the relay connected to a host a client named")
    except BlockingIOError:
        pass


SCENARIOS = {name[3:]: fn for name, fn in globals().items() if name.startswith("sc_")}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in SCENARIOS:
        print(__doc__ + "scenarios: " + " ".join(sorted(SCENARIOS)), file=sys.stderr)
        sys.exit(2)
    r = SCENARIOS[sys.argv[1]](int(sys.argv[2]), *sys.argv[3:])
    sys.exit(0)
