#!/usr/bin/python3
"""A small HTTP/1.1 file server: httpd.py ROOT

Binds 127.0.0.1 on an ephemeral port and prints "listening on 127.0.0.1:PORT" once bound.
GET /<name> streams the file ROOT/<name>. PUT /upload streams its body (Content-Length) to
ROOT/upload and answers with the hex SHA-256 of the bytes it received, followed by a newline.
Anything it does not understand gets an error status; server-side problems go to stderr.
"""
import hashlib
import http.server
import os
import shutil
import socketserver
import sys

CHUNK = 1 << 20


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 makes the base class answer "Expect: 100-continue", which curl sends before a
    # large upload; with HTTP/1.0 curl would wait a second before sending the body anyway.
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (base class signature)
        """Keeps stderr for real problems: no access log."""

    def do_GET(self):
        name = self.path.lstrip("/")
        if not name or "/" in name or name.startswith("."):
            self.send_error(404)
            return
        try:
            source = open(os.path.join(self.server.root, name), "rb")
        except OSError:
            self.send_error(404)
            return
        with source:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(os.fstat(source.fileno()).st_size))
            self.end_headers()
            shutil.copyfileobj(source, self.wfile, CHUNK)

    def do_PUT(self):
        if self.path != "/upload":
            self.send_error(404)
            return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self.send_error(411)
            return
        received, digest = self.receive_body(int(length))
        if received != int(length):
            self.close_connection = True
            print(f"httpd: upload cut short at {received} of {length} bytes", file=sys.stderr)
            return
        body = (digest + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def receive_body(self, length):
        """Streams `length` body bytes to ROOT/upload; returns (bytes received, hex SHA-256)."""
        final = os.path.join(self.server.root, "upload")
        digest = hashlib.sha256()
        left = length
        with open(final + ".part", "wb") as sink:
            while left:
                chunk = self.rfile.read(min(left, CHUNK))
                if not chunk:
                    break
                sink.write(chunk)
                digest.update(chunk)
                left -= len(chunk)
        os.replace(final + ".part", final)
        return length - left, digest.hexdigest()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        # The base class looks up the host's name; tests use loopback only and need no lookups.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


def main():
    if len(sys.argv) != 2:
        print("usage: httpd.py ROOT", file=sys.stderr)
        return 2
    server = Server(("127.0.0.1", 0), Handler)
    server.root = sys.argv[1]
    print(f"listening on 127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
