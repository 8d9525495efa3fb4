# Our interpreter on a TAP board, one mode per run, driven from the kernel's
# side by tests/kernel/tap_board_driver.py (`cargo xtask test`, as root):
#
#   data HOST PORT N      connect, send N bytes, exit without closing
#   reset HOST PORT       the same with SO_LINGER (1, 0) and 1000 bytes
#   stalled HOST PORT     send until the peer's window is full, exit without closing
#   listener PORT         listen on the board's address, wait for a queued
#                         connection (never accepted), exit
#   connect HOST PORT     time one connect (the first of a fresh process)
#   loopback HOST PORT    echo through 127.0.0.1 and ::1 listeners of its own,
#                         then one connect to HOST PORT (which the wire must see)
#   server PORT           asyncio echo server until a client sends b"quit\n"
#
# Each prints what the driver checks, one line per fact.
import socket
import struct
import sys
import time

mode = sys.argv[1]


def addr(host, port):
    return socket.getaddrinfo(host, int(port))[0][-1]


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def connected(host, port):
    s = socket.socket(family(host))
    s.connect(addr(host, port))
    return s


if mode == "data":
    s = connected(sys.argv[2], sys.argv[3])
    n = int(sys.argv[4])
    chunk = bytes(range(256)) * 64
    sent = 0
    while sent < n:
        sent += s.send(chunk[: min(len(chunk), n - sent)])
    print("SENT", sent)
    # No close: the exit closes it.
elif mode == "reset":
    s = connected(sys.argv[2], sys.argv[3])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.write(b"r" * 1000)
    print("SENT", 1000)
elif mode == "stalled":
    s = connected(sys.argv[2], sys.argv[3])
    s.setblocking(False)
    sent = 0
    idle = 0
    chunk = b"s" * 4096
    while idle < 50:
        n = s.write(chunk)
        if n:
            sent += n
            idle = 0
        else:
            idle += 1
            time.sleep_ms(10)
    print("SENT", sent)
elif mode == "listener":
    import select

    l = socket.socket()
    l.bind(addr("192.0.2.2", sys.argv[2]))
    l.listen(2)
    print("LISTENING")
    p = select.poll()
    p.register(l, select.POLLIN)
    pending = p.poll(10000)
    # The poll wakes on the handshake's last ACK: give the kernel's connect()
    # time to return before the exit resets the queued connection.
    time.sleep_ms(200)
    print("PENDING" if pending else "NO CONNECTION")
elif mode == "sleeper":
    # Listens, then sleeps: the stack's thread answers the kernel's SYNs and
    # takes its data meanwhile; after the sleep the connection is there.
    l = socket.socket()
    l.bind(addr("192.0.2.2", sys.argv[2]))
    l.listen(2)
    print("LISTENING")
    time.sleep(float(sys.argv[3]))
    l.settimeout(5)
    c, _ = l.accept()
    c.settimeout(5)
    print("GOT", c.recv(64))
    c.close()
    l.close()
elif mode == "connect":
    t = time.ticks_us()
    s = connected(sys.argv[2], sys.argv[3])
    print("CONNECT_US", time.ticks_diff(time.ticks_us(), t))
    s.close()
elif mode == "loopback":
    data = bytes(range(256)) * 256
    for host in ("127.0.0.1", "::1"):
        l = socket.socket(family(host))
        l.bind(addr(host, 0))
        l.listen(1)
        c = connected(host, l.getsockname()[1])
        srv = l.accept()[0]
        c.write(data)
        got = b""
        while len(got) < len(data):
            got += srv.read(len(data) - len(got))
        print("ECHO", host, got == data)
        for x in (c, srv, l):
            x.close()
    connected(sys.argv[2], sys.argv[3]).close()
    print("WIRE")
elif mode == "server":
    import asyncio

    stop = asyncio.Event()
    clients = [0, 0]

    async def echo(r, w):
        clients[0] += 1
        clients[1] = max(clients[1], clients[0])
        while True:
            line = await r.readline()
            if not line:
                break
            if line == b"quit\n":
                stop.set()
                break
            w.write(line)
            await w.drain()
        w.close()
        await w.wait_closed()
        clients[0] -= 1

    async def main():
        server = await asyncio.start_server(echo, "192.0.2.2", int(sys.argv[2]), backlog=32)
        print("SERVING")
        await stop.wait()
        server.close()
        await server.wait_closed()
        print("MOST_CLIENTS", clients[1])

    asyncio.run(main())
else:
    raise SystemExit("unknown mode " + mode)
