#!/usr/bin/python3
"""KeepAlive requests written by hand against sstp-relay: ka_probe.py RELAY_PORT [drain]

The relay's backend is an echo server, so what the backend received comes back in GET
responses. Checks the handshake (2.2.2.2, 3.4.5), the offset deduplication and end marker of
proto/keepalive.h, and that protocol errors get a 400 and close the virtual connection (3.4.5.2.4).
Prints nothing and exits 0 when all pass; "FAIL: ..." and exit 1 otherwise.
"""
import os
import socket
import sys

PORT = int(sys.argv[1])
ECHO = b"GroovePing: 1.0,Ping\r\n"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def guid():
    return os.urandom(20).hex()[:39]


def target(g):
    return f"/2.0/127.0.0.1/{g},ConnType=KeepAlive".encode()


def get_req(g):
    return (b"GET " + target(g) + b" HTTP/1.0\r\nHost: 127.0.0.1\r\n"
            b"Connection: Keep-Alive\r\n\r\n")


def post_req(g, body, offset=None, end=False):
    extra = b"" if offset is None else b"X-Sstp-Offset: %d\r\n" % offset
    extra += b"X-Sstp-End: 1\r\n" if end else b""
    return (b"POST " + target(g) + b" HTTP/1.0\r\nConnection: Keep-Alive\r\n"
            b"Content-Length: %d\r\n" % len(body) + extra + b"\r\n" + body)


def connect():
    s = socket.create_connection(("127.0.0.1", PORT))
    s.settimeout(10)
    return s


def response(s):
    """One response: (status, headers text, body); (None, ...) when the connection closes."""
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(65536)
        if not d:
            return None, "", b""
        data += d
    head, _, body = data.partition(b"\r\n\r\n")
    text = head.decode("latin-1")
    length = 0
    for line in text.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    while len(body) < length:
        d = s.recv(65536)
        if not d:
            fail("body cut short")
        body += d
    return int(text.split()[1]), text, body[:length]


def expect(s, status, what, body=None):
    got, text, b = response(s)
    if got != status or (body is not None and b != body):
        fail(f"{what}: expected {status} {body!r}, got {got} {b!r}")
    return text, b


def handshake():
    """A virtual connection with both handshakes done: (guid, get socket, post socket)."""
    g = guid()
    gs, ps = connect(), connect()
    gs.sendall(get_req(g))
    ps.sendall(post_req(g, ECHO))
    expect(ps, 200, "handshake POST", b"<HTML></HTML>\r\n")
    expect(gs, 200, "handshake GET", ECHO)
    return g, gs, ps


def read_down(g, gs, want):
    """GETs until want octets came back."""
    got = b""
    while len(got) < len(want):
        gs.sendall(get_req(g))
        _, b = expect(gs, 200, "data GET")
        got += b
    if got != want:
        fail(f"the backend got {got!r}, expected {want!r}")


def leave(g, gs, ps):
    """Goes away as a client does, a GET outstanding: the relay closes the virtual connection
    (3.4.7)."""
    gs.sendall(get_req(g))
    gs.close()
    ps.close()


def dedupe():
    g, gs, ps = handshake()
    for body, off in ((b"hello", 0), (b"hello world", 0), (b"lo world!", 3), (b"!", 11)):
        ps.sendall(post_req(g, body, off))
        expect(ps, 200, f"POST at {off}", b"")
    read_down(g, gs, b"hello world!")
    leave(g, gs, ps)


def no_offset():
    g, gs, ps = handshake()
    for _ in range(2):  # a spec client: every body is delivered
        ps.sendall(post_req(g, b"abc"))
        expect(ps, 200, "POST without offset", b"")
    read_down(g, gs, b"abcabc")
    leave(g, gs, ps)


def end_marker():
    g, gs, ps = handshake()
    ps.sendall(post_req(g, b"bye", 0))
    expect(ps, 200, "POST", b"")
    ps.sendall(post_req(g, b"", 3, end=True))
    expect(ps, 200, "end POST", b"")
    read_down(g, gs, b"bye")
    gs.sendall(get_req(g))  # the echo server closes after our end: the relay says so
    text, _ = expect(gs, 200, "end GET", b"")
    if "X-Sstp-End: 1" not in text:
        fail("no X-Sstp-End after the backend closed: " + text)


def refused(what, send):
    """send(guid, get socket, post socket) makes a protocol error and returns the socket that
    must get the 400; then the virtual connection must be gone."""
    g, gs, ps = handshake()
    expect(send(g, gs, ps), 400, what)
    s = connect()
    s.sendall(post_req(g, b"x", 0))
    expect(s, 400, what + ": then a chunk for the closed virtual connection")


def second_get(g, gs, ps):
    gs.sendall(get_req(g))
    s = connect()
    s.sendall(get_req(g))
    return s


def errors():
    refused("an offset beyond what was delivered",
            lambda g, gs, ps: (ps.sendall(post_req(g, b"x", 5)), ps)[1])
    refused("a second GET outstanding", second_get)
    s = connect()
    s.sendall(post_req(guid(), b"x" * 32769))
    expect(s, 400, "a body over 32768 octets")
    g = guid()
    gs, ps = connect(), connect()
    gs.sendall(get_req(g))
    ps.sendall(post_req(g, b"GroovePong: 1.0,Ping\r\n"))
    if response(gs)[0] is not None or response(ps)[0] is not None:
        fail("a wrong echo string got an answer")


def drain():
    """ka_probe.py PORT drain: an established virtual connection and a half-open one (a GET and
    no POST); prints "ready" and waits for a line on stdin, sent once the relay drains (SIGTERM).
    Then the half-open one is closed, and the established one carries on until it is left."""
    g, gs, ps = handshake()
    half = connect()
    half.sendall(get_req(guid()))
    print("ready", flush=True)
    sys.stdin.readline()
    if response(half)[0] is not None:
        fail("the half-open virtual connection got an answer while draining")
    ps.sendall(post_req(g, b"still here", 0))
    expect(ps, 200, "a chunk while draining")
    read_down(g, gs, b"still here")
    leave(g, gs, ps)


if sys.argv[2:] == ["drain"]:
    drain()
else:
    for scenario in (dedupe, no_offset, end_marker, errors):
        scenario()
