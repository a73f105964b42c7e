#!/usr/bin/python3
"""A scripted, misbehaving SOCKS5 server: socks_server.py MODE

Listens on an ephemeral port of 127.0.0.1, prints "listening on 127.0.0.1:PORT", and answers
every client the way MODE says, for the socks5 transport's bad/ugly tests. It reads exactly the
greeting and the CONNECT request (RFC 1928 3, 4) before answering, so what it does is decided by
the mode alone, never by how the client's bytes were cut.

Modes:
  ok-v4, ok-v6, ok-name
                 method 00, then the CONNECT reply with a BND.ADDR of that type (RFC 1928 6:
                 ATYP 01, 04, 03) and "HELLO-FROM-SERVER\\n" in one write, then echoes
                 everything until the client closes
  bad-version    answers the greeting with 04 00
  bad-atyp       method 00, then a CONNECT reply with ATYP 05
  close-greeting closes right after reading the greeting
  close-connect  method 00, reads the CONNECT request, closes
  rep-NN         method 00, then a CONNECT reply with REP NN (hex), BND 0.0.0.0:0
"""
import socket
import sys
import threading


def read_exact(conn, n):
    """n bytes from conn, or fewer if it closed."""
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_greeting(conn):
    head = read_exact(conn, 2)
    return head + read_exact(conn, head[1]) if len(head) == 2 else head


def read_connect(conn):
    head = read_exact(conn, 4)
    if len(head) < 4:
        return head
    if head[3] == 1:
        rest = 4 + 2
    elif head[3] == 4:
        rest = 16 + 2
    else:
        length = read_exact(conn, 1)
        head += length
        rest = (length[0] if length else 0) + 2
    return head + read_exact(conn, rest)


REPLY_OK = {
    "ok-v4": b"\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38",
    "ok-v6": b"\x05\x00\x00\x04" + b"\x00" * 15 + b"\x01\x04\x38",
    "ok-name": b"\x05\x00\x00\x03\x0bproxy.local\x04\x38",
}


def serve(conn, mode):
    with conn:
        read_greeting(conn)
        if mode == "close-greeting":
            return
        if mode == "bad-version":
            conn.sendall(b"\x04\x00")
            return
        conn.sendall(b"\x05\x00")
        read_connect(conn)
        if mode == "close-connect":
            return
        if mode == "bad-atyp":
            conn.sendall(b"\x05\x00\x00\x05\x00\x00\x00\x00\x00\x00")
            return
        if mode.startswith("rep-"):
            conn.sendall(b"\x05" + bytes([int(mode[4:], 16)]) + b"\x00\x01" + b"\x00" * 6)
            return
        conn.sendall(REPLY_OK[mode] + b"HELLO-FROM-SERVER\n")
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            conn.sendall(chunk)


def main():
    mode = sys.argv[1]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
