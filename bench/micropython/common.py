# Shared by the benchmark scripts; runs on our interpreter (usocket on the
# in-process loopback board) and on stock unix MicroPython (kernel sockets).
import errno
import socket
import time

HOST = "127.0.0.1"
# Stock MicroPython has no getsockname(): listen on the first free port from here.
FIRST_PORT = 47310
PORTS = 50
# No blocking call may wait longer than this, in seconds.
CALL_TIMEOUT = 5


def addr(port):
    return socket.getaddrinfo(HOST, port)[0][-1]


def listener(backlog):
    """A listening socket on 127.0.0.1 and its address (for connect)."""
    for port in range(FIRST_PORT, FIRST_PORT + PORTS):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr(port))
        except OSError as e:
            s.close()
            if e.errno == errno.EADDRINUSE:
                continue
            raise
        s.listen(backlog)
        return s, addr(port)
    raise OSError(errno.EADDRINUSE)


def start_connect(sockaddr):
    """A non-blocking client socket with its connect() started."""
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(sockaddr)
    except OSError as e:
        if e.errno != errno.EINPROGRESS:
            c.close()
            raise
    return c


def now_us():
    return time.ticks_us()


def elapsed_us(t0):
    """Microseconds since t0 = now_us() (ticks wrap after minutes, not within a run)."""
    return time.ticks_diff(time.ticks_us(), t0)



async def free_server(handle, **kwargs):
    """asyncio.start_server(handle, HOST, port, **kwargs) on the first free port
    from FIRST_PORT (start_server takes no socket of ours, and stock has no
    getsockname()). Returns the server and its port."""
    import asyncio

    for port in range(FIRST_PORT, FIRST_PORT + PORTS):
        try:
            return await asyncio.start_server(handle, HOST, port, **kwargs), port
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE)


# TLS benchmarks: the certificate and key `cargo xtask bench` makes with openssl.
async def tls_server(handle):
    """An asyncio server with ssl= (the bench certificate) on a free port that
    runs handle(reader, writer) for each client, then closes the connection.
    Returns it, its port and a client context (no verification)."""
    import asyncio
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain("target/bench-tls/cert.pem", "target/bench-tls/key.pem")

    async def serve(reader, writer):
        await handle(reader, writer)
        writer.close()
        await writer.wait_closed()

    server, port = await free_server(serve, ssl=ctx)
    return server, port, ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
