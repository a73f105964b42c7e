#!/usr/bin/python3
"""A plain Python socket client for the socks5 scenarios: sockclient.py HOST PORT MODE

  errno     connect() and print "connected", or the errno's name (ECONNREFUSED, ...); exit 0
  exchange  send stdin in 256 KiB pieces, each once the previous one came back whole, write what
            came back to stdout, then close without a half-close. For microsocks: it ends both
            directions at the first EOF it sees, and one thread relays both with blocking writes,
            so a full-duplex bulk transfer through it can stall for good
  greet     print the line the server sends first, send "ping\\n", print the echoed line
  leak      connect and close LEAK_ROUNDS times (any outcome), then print "fds +N" (or -N):
            how many more descriptors the process holds than after the first round. The engine
            frees the last tunnel's sockets a moment after connect() returns, so up to 2 is
            noise; a leak shows up as one or more per round

Exits 1 with one line on stderr on any other error. Nothing here knows about the shim.
"""
import errno
import os
import socket
import sys

PIECE = 256 * 1024


def do_errno(host, port):
    sock = socket.socket()
    try:
        sock.connect((host, port))
    except OSError as err:
        print(errno.errorcode.get(err.errno, str(err.errno)))
        return
    print("connected")
    sock.close()


def do_exchange(host, port):
    sock = socket.create_connection((host, port))
    out = sys.stdout.buffer
    while True:
        piece = sys.stdin.buffer.read(PIECE)
        if not piece:
            break
        sock.sendall(piece)
        want = len(piece)
        while want:
            chunk = sock.recv(want)
            if not chunk:
                raise OSError("the connection closed before the echo was complete")
            out.write(chunk)
            want -= len(chunk)
    sock.close()
    out.flush()


def do_greet(host, port):
    sock = socket.create_connection((host, port))
    reader = sock.makefile("rb")
    sys.stdout.write(reader.readline().decode())
    sock.sendall(b"ping\n")
    sys.stdout.write(reader.readline().decode())
    sock.close()


LEAK_ROUNDS = 50


def connect_once(host, port):
    sock = socket.socket()
    try:
        sock.connect((host, port))
    except OSError:
        pass
    sock.close()


def do_leak(host, port):
    connect_once(host, port)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(LEAK_ROUNDS):
        connect_once(host, port)
    print("fds %+d" % (len(os.listdir("/proc/self/fd")) - before))


def main():
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    try:
        modes = {"errno": do_errno, "exchange": do_exchange, "greet": do_greet, "leak": do_leak}
        modes[mode](host, port)
    except OSError as err:
        print("sockclient: %s" % err, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
