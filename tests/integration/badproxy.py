#!/usr/bin/python3
"""A misbehaving HTTP proxy for the connect transport's tests: badproxy.py MODE [BANNER_FILE]

Listens on an ephemeral port of 127.0.0.1, prints "listening on 127.0.0.1:PORT" once it accepts
connections, reads each client's request head (through its blank line) and then, by MODE:

  garbage   answers a line that is not HTTP (an SSH greeting) and waits for the client to close
  endless   answers a status line and then header lines that never end, until the client closes
  close     closes the connection in the middle of a status line
  banner    answers "200 Connection established" and, in the same send, the bytes of
            BANNER_FILE, as a server that speaks first would; then closes its side

Serves connections one after another until killed.
"""
import socket
import sys

HEAD_CAP = 65536


def read_head(conn):
    """Reads until the blank line that ends a request head; False if the client went away."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk or len(data) > HEAD_CAP:
            return False
        data += chunk
    return True


def drain(conn):
    """Waits for the client to close."""
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


def serve(conn, mode, banner):
    if not read_head(conn):
        return
    if mode == "garbage":
        conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        drain(conn)
    elif mode == "endless":
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n")
        line = b"X-Padding: " + b"a" * 100 + b"\r\n"
        try:
            while True:
                conn.sendall(line * 64)
        except OSError:
            pass
    elif mode == "close":
        conn.sendall(b"HTTP/1.1 200 Conn")
    elif mode == "banner":
        conn.sendall(b"HTTP/1.0 200 Connection established\r\n\r\n" + banner)
        conn.shutdown(socket.SHUT_WR)
        drain(conn)


def main():
    mode = sys.argv[1]
    banner = b""
    if mode == "banner":
        with open(sys.argv[2], "rb") as f:
            banner = f.read()
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        with conn:
            serve(conn, mode, banner)


if __name__ == "__main__":
    main()
