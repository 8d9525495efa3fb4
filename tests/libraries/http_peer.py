# The kernel's HTTP server for the requests test (CPython, run in the test's
# namespace by `cargo xtask test --step libraries`): GET /bytes/N answers N
# bytes of bytes(range(256)) repeated; POST /sha256 answers the hex SHA-256 of
# the body and echoes the request's X-Echo header back. Runs until killed.
import hashlib
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def answer(self, body, headers=()):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if not self.path.startswith("/bytes/"):
            return self.send_error(404)
        n = int(self.path[len("/bytes/"):])
        self.answer(bytes(i % 256 for i in range(n)))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        digest = hashlib.sha256(body).hexdigest().encode()
        self.answer(digest, [("X-Echo", self.headers.get("X-Echo", ""))])

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
