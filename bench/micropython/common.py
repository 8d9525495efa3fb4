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
