#!/usr/bin/python3
"""A plain Python socket client: pyclient.py HOST PORT

Connects with socket.create_connection, sends its stdin from a second thread and half-closes
(shutdown SHUT_WR) at the end of it, and writes everything it receives to stdout. Exits 0 once
the peer has closed and all of stdin was sent; prints one line to stderr and exits 1 on an error.
Nothing here knows about the shim: it is the unmodified application the shim runs under.
"""
import os
import socket
import sys
import threading

CHUNK = 1 << 20


def send_stdin(sock, errors):
    """Copies fd 0 to the socket, then half-closes; records an error instead of raising."""
    try:
        while True:
            chunk = os.read(0, CHUNK)
            if not chunk:
                break
            sock.sendall(chunk)
        sock.shutdown(socket.SHUT_WR)
    except OSError as err:
        errors.append(err)


def receive_to_stdout(sock):
    """Copies the socket to stdout until the peer closes."""
    out = sys.stdout.buffer
    while True:
        chunk = sock.recv(CHUNK)
        if not chunk:
            break
        out.write(chunk)
    out.flush()


def main():
    if len(sys.argv) != 3:
        print("usage: pyclient.py HOST PORT", file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    errors = []
    try:
        with socket.create_connection((host, port)) as sock:
            # A daemon thread, so that a failing receive side does not wait for stdin to drain.
            sender = threading.Thread(target=send_stdin, args=(sock, errors), daemon=True)
            sender.start()
            receive_to_stdout(sock)
            sender.join()
    except OSError as err:
        errors.append(err)
    if errors:
        print(f"pyclient: {errors[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
