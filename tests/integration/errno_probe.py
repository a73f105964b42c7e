#!/usr/bin/python3
"""errno_probe.py HOST PORT: connects once blocking and once non-blocking (poll, then SO_ERROR)
and prints the outcome of each as an errno name, e.g. "blocking ENETUNREACH" and
"nonblocking ENETUNREACH", or "... connected". An unmodified application as far as the shim
knows."""
import errno
import select
import socket
import sys


def name(err):
    return errno.errorcode.get(err, str(err)) if err else "connected"


def blocking(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        return name(s.connect_ex(addr))
    finally:
        s.close()


def nonblocking(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        err = s.connect_ex(addr)
        if err not in (0, errno.EINPROGRESS):
            return "immediate " + name(err)
        p = select.poll()
        p.register(s, select.POLLOUT)
        if not p.poll(60000):
            return "no wakeup within 60 s"
        return name(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    finally:
        s.close()


addr = (sys.argv[1], int(sys.argv[2]))
print("blocking", blocking(addr))
print("nonblocking", nonblocking(addr))
