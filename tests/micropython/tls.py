# TLS in our interpreter on the TAP board (192.0.2.2) against real peers on the
# kernel side (192.0.2.1), which tls_driver.py starts: one part per run,
# `tls.py PART CERTDIR [ARGS...]`. Each check prints "ok ..."; any failure
# raises, so the run exits non-zero. The last line is "PASS PART".
import asyncio
import binascii
import gc
import hashlib
import os
import socket
import ssl
import sys

KERNEL = "192.0.2.1"
PART = sys.argv[1]
DIR = sys.argv[2]
ARGS = sys.argv[3:]
# Ports of the driver's peers (keep in step with tls_driver.py).
REV, WWW, GARBAGE, SILENT, PLAIN = 4433, 4434, 4440, 4441, 4442
SERVER, ASYNC_SERVER = 4450, 4451
# More than the board's 64 fds: a socket leaked per failed handshake runs out.
LEAK_ROUNDS = 70


def path(name):
    return DIR + "/" + name


def read(name):
    with open(path(name), "rb") as f:
        return f.read()


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok", what)


def connect(port):
    s = socket.socket()
    s.connect(socket.getaddrinfo(KERNEL, port)[0][-1])
    return s


def sha256_hex(data):
    return binascii.hexlify(hashlib.sha256(data).digest())


def closed(s):
    # A closed socket of ours refuses every call with EBADF.
    try:
        s.send(b"x")
    except OSError as e:
        return e.errno == 9
    return False


def fails(what, make, sock):
    # make() must raise (OSError or ValueError, with a message) and leave sock closed.
    try:
        make()
    except (OSError, ValueError) as e:
        check(len(str(e)) > 0, what + " raises " + type(e).__name__ + ": " + str(e).replace("\n", " / "))
        check(closed(sock), what + ": the socket is closed")
        return
    raise AssertionError(what + " did not raise")


def rev_lines(tls):
    # openssl s_server -rev sends each line back reversed.
    for n in (1, 50, 500):
        line = binascii.hexlify(os.urandom(n))
        tls.write(line + b"\n")
        got = tls.readline()
        check(got == bytes(reversed(line)) + b"\n", "write/readline of %d bytes, reversed by s_server" % len(line))
    tls.send(b"send and recv\n")
    got = b""
    while not got.endswith(b"\n"):
        got += tls.recv(64)
    check(got == b"vcer dna dnes\n", "send/recv")


def client_context(cafile="ca.pem"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=path(cafile))
    return ctx


def server_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(path("server.pem"), path("server.key"))
    return ctx


def part_client():
    # Blocking client against openssl s_server: handshake (no verification,
    # the default), send/recv, then an HTTPS GET of a 1 MiB file byte-exact.
    tls = ssl.wrap_socket(connect(REV), server_hostname="peer.test")
    print("cipher", tls.cipher())
    rev_lines(tls)
    tls.close()
    tls = ssl.wrap_socket(connect(WWW))
    status, length, digest = https_get(tls, b"/blob.bin")
    tls.close()
    check(status.startswith(b"HTTP/1.0 200"), "HTTPS GET status line " + status.decode())
    check(length == 1 << 20 and digest == read("blob.sha256").strip(), "HTTPS GET body: %d bytes, SHA-256 matches" % length)


def https_get(tls, target):
    # GET target over tls to the end: the status line, the body's length and SHA-256 (hex).
    tls.write(b"GET " + target + b" HTTP/1.0\r\n\r\n")
    status = tls.readline().strip()
    while tls.readline() not in (b"\r\n", b""):
        pass
    h, length, buf = hashlib.sha256(), 0, bytearray(16384)
    while True:
        n = tls.readinto(buf)
        if not n:
            break
        h.update(memoryview(buf)[:n])
        length += n
    return status, length, binascii.hexlify(h.digest())


def part_verify():
    # The CA file, DER cadata and PEM cadata verify s_server's certificate.
    tls = client_context().wrap_socket(connect(REV), server_hostname="peer.test")
    rev_lines(tls)
    tls.close()
    tls = ssl.wrap_socket(connect(REV), cert_reqs=ssl.CERT_REQUIRED, cadata=read("ca.der"), server_hostname="peer.test")
    rev_lines(tls)
    tls.close()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cadata=read("ca.pem"))
    tls = ctx.wrap_socket(connect(REV), server_hostname="peer.test")
    rev_lines(tls)
    tls.close()
    # And what must fail does, closing the socket.
    wrong = client_context("wrong-ca.pem")
    s = connect(REV)
    fails("a certificate from another CA", lambda: wrong.wrap_socket(s, server_hostname="peer.test"), s)
    s = connect(REV)
    fails("another host name", lambda: client_context().wrap_socket(s, server_hostname="other.test"), s)
    s = connect(REV)
    fails("CERT_REQUIRED without server_hostname", lambda: client_context().wrap_socket(s), s)
    s = connect(REV)
    fails("module wrap_socket with the wrong CA", lambda: ssl.wrap_socket(s, cert_reqs=ssl.CERT_REQUIRED, cadata=read("wrong-ca.der"), server_hostname="peer.test"), s)
    # No socket leaks with the collector off.
    gc.disable()
    for _ in range(LEAK_ROUNDS):
        s = connect(REV)
        try:
            wrong.wrap_socket(s, server_hostname="peer.test")
        except ValueError:
            pass
    gc.enable()
    check(True, "%d failed verifications leak no socket (the board has 64 fds)" % LEAK_ROUNDS)


def part_garbage():
    # Peers that are not TLS servers: random bytes, an immediate close, plain HTTP.
    for port, what in ((GARBAGE, "random bytes"), (SILENT, "a close without a byte"), (PLAIN, "a plain HTTP answer")):
        s = connect(port)
        fails("a handshake against " + what, lambda: ssl.wrap_socket(s, server_hostname="peer.test"), s)
    # One context for all (a context is 40 KB of the heap, which the collector
    # may not reclaim here).
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    gc.disable()
    for _ in range(LEAK_ROUNDS):
        s = connect(GARBAGE)
        try:
            ctx.wrap_socket(s)
        except OSError:
            pass
    gc.enable()
    check(True, "%d garbage handshakes leak no socket" % LEAK_ROUNDS)

    async def stream_of_garbage():
        reader, writer = await asyncio.open_connection(KERNEL, GARBAGE, ssl=True)
        try:
            writer.write(b"hello\n")
            await writer.drain()
            await reader.read(100)
        except OSError as e:
            return e
        finally:
            writer.close()
        return None

    e = asyncio.run(stream_of_garbage())
    check(isinstance(e, OSError), "asyncio open_connection(ssl=True) against random bytes raises %r" % (e,))


def answer(data):
    # The servers' reply: the SHA-256 of what came, in hex, a newline, the data back.
    return sha256_hex(data) + b"\n" + data


def part_server():
    # Blocking server, each client: "N\n" then N bytes; it answers and closes.
    count = int(ARGS[0])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(socket.getaddrinfo("0.0.0.0", SERVER)[0][-1])
    listener.listen(4)
    print("READY")
    ctx = server_context()
    key, cert = read("server.key"), read("server.pem")
    for i in range(count):
        s, peer = listener.accept()
        # Half through the module function (key/cert as data), half through a context.
        if i % 2:
            tls = ssl.wrap_socket(s, server_side=True, key=key, cert=cert)
        else:
            tls = ctx.wrap_socket(s, server_side=True)
        n = int(tls.readline())
        data = tls.read(n)
        tls.write(answer(data))
        tls.close()
        check(len(data) == n, "served %d bytes to %s" % (n, peer))
    listener.close()


def part_asyncio_client():
    async def main():
        # Verified (a CA file), then asyncio's own ssl=True (no verification).
        for ssl_arg, host in ((client_context(), "peer.test"), (True, None)):
            reader, writer = await asyncio.open_connection(KERNEL, REV, ssl=ssl_arg, server_hostname=host)
            for n in (1, 500):
                line = binascii.hexlify(os.urandom(n))
                writer.write(line + b"\n")
                await writer.drain()
                got = await reader.readline()
                check(got == bytes(reversed(line)) + b"\n", "asyncio ssl=%s: %d bytes, reversed by s_server" % ("context" if host else "True", len(line)))
            writer.close()
            await writer.wait_closed()

    asyncio.run(main())


def part_asyncio_server():
    count = int(ARGS[0])

    async def main():
        done = asyncio.Event()
        served = []

        async def serve(reader, writer):
            n = int(await reader.readline())
            data = await reader.readexactly(n)
            writer.write(answer(data))
            await writer.drain()
            writer.close()
            await writer.wait_closed()
            served.append(n)
            if len(served) == count:
                done.set()

        server = await asyncio.start_server(serve, "0.0.0.0", ASYNC_SERVER, ssl=server_context())
        print("READY")
        await done.wait()
        server.close()
        await server.wait_closed()
        check(len(served) == count, "asyncio start_server(ssl=) served %d clients: %r bytes" % (count, served))

    asyncio.run(main())


PARTS = {
    "client": part_client,
    "verify": part_verify,
    "garbage": part_garbage,
    "server": part_server,
    "asyncio_client": part_asyncio_client,
    "asyncio_server": part_asyncio_server,
}
PARTS[PART]()
print("PASS", PART)
