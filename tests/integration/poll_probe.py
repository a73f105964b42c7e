#!/usr/bin/env python3
"""Scripted Polling client of sstp-relay (MS-GRVHENC 2.2.2.3, 3.6) for t-polling-relay.sh.

    poll_probe.py SCENARIO RELAY_PORT [RELAY_LOG]

The relay runs in front of an echo server with --poll-hold 5 (and --poll-expire 1 for
`expire`). Every request is a new TCP connection, as 3.5 wants. Exits 0 when the scenario
behaved, 1 with a message otherwise."""
import os
import socket
import sys
import time

PORT = int(sys.argv[2])
NAME = b"127.0.0.1"
EOF_FIELD = "X-Sstpshim-Eof"


def checksum(data):
    s = 0
    for i, b in enumerate(data):
        s += ((b - 256 if b > 127 else b) + 1) * (i + 1)
    return s


def guid():
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789"
    return bytes(alphabet[b % 36] for b in os.urandom(39))


def body(g, seq, data=b"", csum=None):
    c = checksum(data) if csum is None else csum
    return b"1.2\0grooveDNS://" + NAME + b"\0" + g + b"\0" + str(seq).encode() + b"\0" + \
        str(c).encode() + b"\0" + data


def send(payload, eof=False):
    """Opens a connection and sends one request; returns the socket."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
    head = ("POST / HTTP/1.0\r\nAccept: */*\r\nContent-Type: application/octet-stream\r\n"
            "Host: 127.0.0.1:%d\r\nContent-Length: %d\r\n%s\r\n"
            % (PORT, len(payload), EOF_FIELD + ": 1\r\n" if eof else "")).encode()
    s.sendall(head + payload)
    return s


def read_reply(s):
    """(status, headers, body), or None when the relay closed without a response."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            s.close()
            if buf:
                fail("response cut inside its head: %r" % buf)
            return None
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers["content-length"])
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            fail("response body cut: %d of %d" % (len(rest), n))
        rest += chunk
    s.close()
    return status, headers, rest[:n]


def request(g, seq, data=b"", eof=False, csum=None):
    return read_reply(send(body(g, seq, data, csum), eof))


def fields(reply, seq):
    """Checks a 200 response's fields; returns (data, eof)."""
    status, headers, b = reply
    if status != 200:
        fail("HTTP %d, expected 200" % status)
    parts = b.split(b"\0", 6)
    if parts[0] != b"1.2" or parts[1] != b"grooveDNS://" + NAME or int(parts[3]) != seq:
        fail("unexpected fields %r (wanted seq %d)" % (parts[:6], seq))
    data = parts[6] if len(parts) > 6 else b""
    if checksum(data) % 2**32 != int(parts[4]):
        fail("checksum %s does not match the data" % parts[4])
    if not parts[5].count(b",") == 2:
        fail("no poll parameters: %r" % parts[5])
    return data, headers.get(EOF_FIELD.lower()) == "1"


def expect_status(reply, want, what):
    got = reply[0] if reply else None
    if got != want:
        fail("%s: HTTP %s, expected %s" % (what, got, want))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def handshake(g, data=b"hi"):
    reply = request(g, 0)
    expect_status(reply, 400, "probe")
    if reply[2] != b"" or reply[1].get("content-length") != "0":
        fail("the probe's 400 has a body")
    return fields(request(g, 0, data), 0)[0]


def collect(g, seq, want, first=b""):
    """Polls from seq on until the data received (after `first`) reaches len(want)."""
    got = first
    while len(got) < len(want):
        got += fields(request(g, seq), seq)[0]
        seq += 1
    if got != want:
        fail("received %r, expected %r" % (got, want))
    return seq


def sc_handshake():
    g = guid()
    first = handshake(g, b"ping")
    collect(g, 1, b"ping", first)


def sc_unknown():
    g = guid()
    expect_status(request(g, 3), 404, "a poll for an unknown GUID")
    expect_status(request(g, 0, b"data"), 404, "data for a GUID that was never probed")
    expect_status(request(g, 1), 404, "and again: nothing was created")


def sc_checksum():
    g = guid()
    handshake(g)
    expect_status(request(g, 1, b"abc", csum=checksum(b"abd")), 400, "a wrong checksum")
    expect_status(request(g, 1, b"abc"), 404, "the virtual connection after a checksum error")
    g = guid()
    handshake(g)
    # the same checksum written as a signed or a wider integer is the same modulo 2^32
    data = bytes([0x80] * 5)
    reply = request(g, 1, data, csum=checksum(data))
    if checksum(data) >= 0:
        fail("expected a negative checksum for 0x80 bytes")
    fields(reply, 1)
    reply = request(g, 2, b"x", csum=checksum(b"x") + 2**32)
    fields(reply, 2)


def sc_sequence():
    g = guid()
    handshake(g)
    expect_status(request(g, 5), 400, "request 5 after 0")
    expect_status(request(g, 1), 404, "the virtual connection after a sequence error")


def sc_resend():
    g = guid()
    got = handshake(g, b"a")
    got += fields(request(g, 1), 1)[0]          # the echo of "a" (held until it came)
    held = send(body(g, 2))                      # a poll with nothing to return: held
    resent = request(g, 2, b"xyz")               # the same number with data: answered at once,
    # whichever of the two the relay reads first (the poll is then dropped, or stale)
    data, _ = fields(resent, 2)
    got += data
    if read_reply(held) is not None:
        fail("the abandoned poll was answered")
    stale = send(body(g, 2))                     # the abandoned poll arriving after its resend
    if read_reply(stale) is not None:
        fail("a stale poll was answered")
    collect(g, 3, b"axyz", got)


def sc_retransmit():
    g = guid()
    got = handshake(g, b"abc")
    reply = request(g, 1)                        # carries "abc" (unless response 0 did)
    lost, _ = fields(reply, 1)
    if got + lost != b"abc":
        fail("expected the echo of abc, got %r" % (got + lost))
    # pretend response 1 never arrived: the resend of request 1 must carry its data again
    again, _ = fields(request(g, 1, b"def"), 1)
    if not again.startswith(lost):
        fail("the resend's response %r does not start with the lost data %r" % (again, lost))
    collect(g, 2, b"abcdef", got + again)


def sc_eof():
    g = guid()
    got = handshake(g, b"last")
    seq, end = 1, False
    data, end = fields(request(g, 1, b"", eof=True), 1)
    got += data
    while not end:
        seq += 1
        data, end = fields(request(g, seq), seq)
        got += data
    if got != b"last":
        fail("received %r before the end" % got)
    expect_status(request(g, seq + 1), 404, "after both ends the virtual connection")


def sc_expire():
    g = guid()
    handshake(g)
    log = sys.argv[3]
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(log) as f:
            if ("pvc %s (" % g[:8].decode()) in f.read() and \
                    ("pvc %s (" % g[:8].decode()) in "".join(
                        l for l in open(log) if "--poll-expire: abandoned" in l):
                break
        time.sleep(0.05)                         # waiting for the log line, not for time
    else:
        fail("the relay did not expire the virtual connection")
    expect_status(request(g, 1), 404, "an expired virtual connection")


def sc_garbage():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
    s.sendall(b"\x16\x03\x01garbage\r\n\r\n")
    expect_status(read_reply(s), 400, "garbage")
    s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
    s.sendall(b"POST / HTTP/1.0\r\nContent-Length: 40000\r\n\r\n")
    expect_status(read_reply(s), 400, "a body over 32768")
    s = send(b"1.2\0grooveDNS://x\0" + b"g" * 70 + b"\0" + b"0\0" + b"0\0")
    expect_status(read_reply(s), 400, "a GUID over its cap")
    s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
    s.sendall(b"POST / HTTP/1.0\r\nContent-Length: 100\r\n\r\nshort")
    s.close()
    sc_handshake()                               # and the relay still works


def sc_drain():
    """For SIGTERM: an established virtual connection with a poll held (nothing to return) and one
    that only sent its probe; prints "ready" and waits for a line on stdin, sent once the relay
    drains. The held poll must then be answered when the relay drains, well before its hold (30 s,
    t-polling-relay.sh) runs out: measured from when it was sent, so that however long the
    script takes to signal the relay, only a relay that waits out the hold can fail this."""
    g = guid()
    seq = collect(g, 1, b"ping", handshake(g, b"ping"))
    sent = time.monotonic()
    held = send(body(g, seq))
    expect_status(request(guid(), 0), 400, "a probe")
    print("ready", flush=True)
    sys.stdin.readline()
    fields(read_reply(held) or fail("the held poll was closed unanswered"), seq)
    if time.monotonic() - sent > 20:
        fail("the held poll was answered when its hold ran out, not when the relay drained")


SCENARIOS = {k[3:]: v for k, v in globals().items() if k.startswith("sc_")}
SCENARIOS[sys.argv[1]]()
