#!/usr/bin/python3
"""A plain Python socket client for echo servers behind proxies: echoclient.py HOST PORT

Like pyclient.py, but it never half-closes: it sends its stdin (a regular file) from a second
thread, reads until as many bytes as the file holds have come back, writes them to stdout and
closes. squid ends a CONNECT tunnel as soon as the client half-closes, dropping what the server
still had to send, so a client that shuts down its write side first loses the tail of the echo
through squid, with or without the shim. Exits 0 when all came back; prints one line to stderr
and exits 1 on an error or an early end. Nothing here knows about the shim.
"""
import os
import socket
import sys
import threading

CHUNK = 1 << 20


def send_stdin(sock, errors):
    """Copies fd 0 to the socket; records an error instead of raising."""
    try:
        while True:
            chunk = os.read(0, CHUNK)
            if not chunk:
                break
            sock.sendall(chunk)
    except OSError as err:
        errors.append(err)


def main():
    if len(sys.argv) != 3:
        print("usage: echoclient.py HOST PORT", file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    want = os.fstat(0).st_size
    got = 0
    errors = []
    out = sys.stdout.buffer
    try:
        with socket.create_connection((host, port)) as sock:
            sender = threading.Thread(target=send_stdin, args=(sock, errors), daemon=True)
            sender.start()
            while got < want:
                chunk = sock.recv(CHUNK)
                if not chunk:
                    errors.append(f"the connection ended after {got} of {want} bytes")
                    break
                out.write(chunk)
                got += len(chunk)
            sender.join()
    except OSError as err:
        errors.append(err)
    out.flush()
    if errors:
        print(f"echoclient: {errors[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
