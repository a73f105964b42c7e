#!/usr/bin/env python3
"""Plays both ends of sstp-relay's --tunnel-listen: the client, and the backend the relay was
started in front of, so that each end's half-close and reset can be timed against the other's.

usage: tunnel_probe.py SCENARIO TUNNEL_PORT BACKEND_PORT
The relay must have been started with --backend 127.0.0.1:BACKEND_PORT; the probe listens there
for the scenario's one connection. Exits 0 when the relay behaved, or prints why not and exits 1.
Every wait is a blocking call with a deadline, never a sleep.
"""
import hashlib
import os
import socket
import struct
import sys
import threading

HOST = "127.0.0.1"
DEADLINE = 20.0
MIB = 1 << 20


def fail(why):
    print("FAIL: " + why, file=sys.stderr)
    sys.exit(1)


def backend_listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(1)
    s.settimeout(DEADLINE)
    return s


def accept(listener):
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        fail("the relay did not connect to the backend within %.0f s" % DEADLINE)
    conn.settimeout(DEADLINE)
    return conn


def connect(port):
    return socket.create_connection((HOST, port), timeout=DEADLINE)


def read_to_end(s, what):
    """Everything until EOF; (bytes, True) or, after a reset, (bytes, False)."""
    buf = bytearray()
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return bytes(buf), True
            buf += d
    except ConnectionResetError:
        return bytes(buf), False
    except socket.timeout:
        fail("%s: no end within %.0f s after %d bytes" % (what, DEADLINE, len(buf)))


def reset(s):
    """Closes s with a reset rather than a FIN."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def digest(b):
    return hashlib.sha256(b).hexdigest()[:16]


# --- scenarios ----------------------------------------------------------------------------

def send_and_end(s, data):
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)


def carry(src, dst, data, what):
    """src sends data and its end (in a thread, so that both ends move at once); dst must read
    exactly that, then the end."""
    sender = threading.Thread(target=lambda: send_and_end(src, data))
    sender.start()
    got, clean = read_to_end(dst, what)
    sender.join()
    if not clean or got != data:
        fail("%s got %d bytes (%s) of %d, then %s" % (what, len(got), digest(got), len(data),
                                                      "EOF" if clean else "a reset"))


def open_tunnel(tunnel, backend_port):
    """A client connection through the tunnel and the backend's end of it."""
    listener = backend_listener(backend_port)
    client = connect(tunnel)
    return client, accept(listener)


def sc_down_first(tunnel, backend_port):
    """The backend ends its bytes first while the client goes on sending: the half-close carries
    through, and the other direction stays open until its own end."""
    client, server = open_tunnel(tunnel, backend_port)
    carry(server, client, os.urandom(4 * MIB), "the client")
    carry(client, server, os.urandom(4 * MIB), "the backend, after its own end")
    client.close()
    server.close()


def sc_up_first(tunnel, backend_port):
    """The client ends its bytes first and waits for the backend's answer, as a request and
    response over a half-closed connection."""
    client, server = open_tunnel(tunnel, backend_port)
    up = os.urandom(4 * MIB)
    carry(client, server, up, "the backend")
    server.sendall(digest(up).encode())
    server.close()
    answer, clean = read_to_end(client, "client")
    if not clean or answer != digest(up).encode():
        fail("the answer after the client's end: %r" % answer)
    client.close()


def read_exactly(s, n, what):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            fail("%s: EOF after %d of %d bytes" % (what, len(buf), n))
        buf += d
    return buf


def sc_backend_reset(tunnel, backend_port):
    """A backend that resets mid-stream ends the client's connection too, at once."""
    client, server = open_tunnel(tunnel, backend_port)
    server.sendall(b"x" * 1000)
    read_exactly(client, 1000, "client")
    client.sendall(b"hello")
    read_exactly(server, 5, "backend")
    reset(server)
    got, _ = read_to_end(client, "client after the backend's reset")
    if got:
        fail("client got %d bytes after the backend's reset" % len(got))
    client.close()


def sc_client_reset(tunnel, backend_port):
    """A client that resets mid-stream ends the backend's connection too, at once."""
    client, server = open_tunnel(tunnel, backend_port)
    client.sendall(b"hello")
    read_exactly(server, 5, "backend")
    reset(client)
    server.sendall(b"y" * 1000)
    read_to_end(server, "backend after the client's reset")
    server.close()


def sc_backend_down(tunnel, backend_port):
    """Nothing listens on the backend port: the client's connection is closed."""
    client = connect(tunnel)
    got, _ = read_to_end(client, "client with the backend down")
    if got:
        fail("bytes from a backend that is down: %r" % got[:100])
    client.close()


SCENARIOS = {name[3:]: fn for name, fn in globals().items() if name.startswith("sc_")}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in SCENARIOS:
        print(__doc__ + "scenarios: " + " ".join(sorted(SCENARIOS)), file=sys.stderr)
        sys.exit(2)
    SCENARIOS[sys.argv[1]](int(sys.argv[2]), int(sys.argv[3]))
    sys.exit(0)
