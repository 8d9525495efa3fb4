#!/usr/bin/env python3
"""TLS in our MicroPython against real peers, inside a network namespace.

Usage: tls_driver.py INTERPRETER DIR

Run inside a namespace whose tap0 is the kernel's end at 192.0.2.1/24 (cargo
xtask test --step tls makes it). Writes a throwaway CA, a second ("wrong") CA
and a server certificate for peer.test signed by the first into DIR, starts the
kernel-side peers (openssl s_server -rev and -WWW, and TCP servers that answer
a handshake with random bytes, a close, or plain HTTP), then runs the parts of
tls.py (next to this file) on INTERPRETER's TAP board (192.0.2.2):

- client, verify, garbage, asyncio_client: ours is the client;
- server, asyncio_server: ours serves, and openssl s_client and CPython's ssl
  (verifying the certificate against the CA and the host name) are the clients,
  each sending "N\\n" + N bytes and checking the answer (SHA-256 hex, newline,
  the bytes back) byte for byte.

MicroPython's tls module closes without a close_notify alert, so the openssl
peers are told -ignore_unexpected_eof (CPython's ssl accepts it by default).

Prints one line per check and "N passed, M failed"; exits 1 on any failure.
Every run is bounded (RUN_LIMIT); the peers are stopped at the end.
"""

import hashlib
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

KERNEL, OURS = "192.0.2.1", "192.0.2.2"
# Keep in step with tls.py.
REV, WWW, GARBAGE, SILENT, PLAIN = 4433, 4434, 4440, 4441, 4442
SERVER, ASYNC_SERVER = 4450, 4451
RUN_LIMIT = 120  # seconds for one run of tls.py
BOARD_ENV = {"USOCKET_BOARD": "tap", "USOCKET_TAP": "tap0", "USOCKET_IPV4": OURS + "/24", "USOCKET_GATEWAY4": KERNEL}
HERE = os.path.dirname(os.path.abspath(__file__))

results = []


def record(ok, what):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + what, flush=True)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certs(d):
    """The CAs, the server's key and certificate (PEM, and the CAs in DER too), a 1 MiB blob."""
    for ca in ("ca", "wrong-ca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=usocket test " + ca, "-keyout", ca + ".key", "-out", ca + ".pem", cwd=d)
        openssl("x509", "-in", ca + ".pem", "-outform", "DER", "-out", ca + ".der", cwd=d)
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=peer.test",
            "-keyout", "server.key", "-out", "server.csr", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:peer.test,IP:%s,IP:%s\nbasicConstraints=CA:FALSE\n" % (KERNEL, OURS))
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", "server.ext", "-out", "server.pem", cwd=d)
    blob = os.urandom(1 << 20)
    with open(os.path.join(d, "blob.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(d, "blob.sha256"), "w") as f:
        f.write(hashlib.sha256(blob).hexdigest() + "\n")


def tcp_server(port, respond):
    """A kernel TCP server on a thread: respond(conn) for each connection, then close."""
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((KERNEL, port))
    lsock.listen(16)

    def loop():
        while True:
            conn, _ = lsock.accept()
            try:
                respond(conn)
            except OSError:
                pass
            conn.close()

    threading.Thread(target=loop, daemon=True).start()


class Ours:
    """One run of a part of tls.py, its output collected by a thread."""

    def __init__(self, part, *args):
        self.part, self.lines, self.ready = part, [], threading.Event()
        cmd = [EXE, os.path.join(HERE, "tls.py"), part, DIR, *map(str, args)]
        self.proc = subprocess.Popen(cmd, env={**os.environ, **BOARD_ENV}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.proc.stdout:
            print("    " + line.rstrip(), flush=True)
            self.lines.append(line.rstrip())
            if line.strip() == "READY":
                self.ready.set()
        self.ready.set()

    def finish(self):
        """It passes when it exits 0 with "PASS part" last."""
        try:
            self.proc.wait(timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            print("    (killed after %d s)" % RUN_LIMIT)
        self.reader.join(5)
        ok = self.proc.returncode == 0 and self.lines[-1:] == ["PASS " + self.part]
        record(ok, "ours: %s (exit %s)" % (self.part, self.proc.returncode))


def answer(data):
    return hashlib.sha256(data).hexdigest().encode() + b"\n" + data


def cpython_client(port, n, outcomes):
    """CPython's ssl, verifying the CA and peer.test: sends n random bytes, checks the answer."""
    try:
        data = os.urandom(n)
        ctx = ssl.create_default_context(cafile=os.path.join(DIR, "ca.pem"))
        with socket.create_connection((OURS, port), timeout=30) as raw:
            with ctx.wrap_socket(raw, server_hostname="peer.test") as tls:
                version = tls.version()
                tls.sendall(b"%d\n" % n + data)
                got = b""
                while True:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    got += chunk
        outcomes.append((got == answer(data), "CPython ssl client (CA and host name verified), %d bytes to port %d: %s, answer %d bytes" % (n, port, version, len(got))))
    except Exception as e:  # noqa: BLE001 - any failure is the test's result
        outcomes.append((False, "CPython ssl client to port %d: %r" % (port, e)))


def s_client(port):
    """openssl s_client, verifying too: sends "N\\n" + text, checks the answer."""
    text = b"hello from openssl s_client"
    proc = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (OURS, port), "-quiet", "-verify_return_error",
                           "-CAfile", os.path.join(DIR, "ca.pem"), "-verify_hostname", "peer.test", "-ignore_unexpected_eof"],
                          input=b"%d\n" % len(text) + text, capture_output=True, timeout=30)
    return (proc.returncode == 0 and proc.stdout == answer(text),
            "openssl s_client (verified) to port %d: exit %d, answer %r" % (port, proc.returncode, proc.stdout[:80]))


def serve_clients(part, port, cpython_sizes):
    """Starts ours as a server, then s_client, then the CPython clients (concurrently)."""
    ours = Ours(part, 1 + len(cpython_sizes))
    if not ours.ready.wait(RUN_LIMIT) or ours.proc.poll() is not None:
        ours.finish()
        return
    record(*s_client(port))
    outcomes = []
    threads = [threading.Thread(target=cpython_client, args=(port, n, outcomes)) for n in cpython_sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for ok, what in outcomes:
        record(ok, what)
    record(len(outcomes) == len(cpython_sizes), "%d CPython clients finished" % len(cpython_sizes))
    ours.finish()


def s_servers(part):
    """openssl s_server -rev (echoes lines reversed) and -WWW (serves DIR's files), logs per part."""
    peers = []
    for mode, port in (("-rev", REV), ("-WWW", WWW)):
        log = open(os.path.join(DIR, "s_server%s-%s.log" % (mode, part)), "w")
        peers.append(subprocess.Popen(["openssl", "s_server", "-accept", "%s:%d" % (KERNEL, port), "-cert", "server.pem", "-key", "server.key",
                                       mode, "-http_server_binmode", "-ignore_unexpected_eof", "-quiet"],
                                      cwd=DIR, stdout=log, stderr=subprocess.STDOUT))
    time.sleep(0.5)
    return peers


def main():
    global EXE, DIR
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    EXE, DIR = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(DIR, exist_ok=True)
    make_certs(DIR)
    tcp_server(GARBAGE, lambda c: c.sendall(os.urandom(4096)))
    tcp_server(SILENT, lambda c: None)
    tcp_server(PLAIN, lambda c: c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
    for part in ("client", "verify", "garbage", "asyncio_client"):
        # Fresh s_servers for each part: one a part left hanging (a
        # connection whose FIN never came) cannot stall the next.
        peers = s_servers(part)
        try:
            Ours(part).finish()
        finally:
            for p in peers:
                p.kill()
                p.wait()
    serve_clients("server", SERVER, [1, 256 * 1024])
    serve_clients("asyncio_server", ASYNC_SERVER, [1000, 100 * 1024, 256 * 1024])
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) and results else 1


if __name__ == "__main__":
    sys.exit(main())
