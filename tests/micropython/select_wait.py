# Our select module (targets/host/micropython/select) on the loopback board:
# MicroPython's select API, and one wait for everything — a poll with our
# sockets sleeps until they are ready or its timeout, never in 1 ms steps.
# Bounds are loose: these are correctness checks, not benchmarks
# (cargo xtask bench measures).
import asyncio
import select
import socket
import sys
import time

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s %s" % ("PASS" if ok else "FAIL", name, detail))


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


def ms_since(t):
    return time.ticks_diff(time.ticks_us(), t) / 1000


a, b = udp(), udp()
p = select.poll()
p.register(a, select.POLLIN)

# An idle poll waits for its timeout, neither shorter nor much longer.
t = time.ticks_us()
r = p.poll(60)
took = ms_since(t)
check("idle poll(60) waits its timeout", r == [] and 55 <= took < 600, "%.1f ms" % took)
t = time.ticks_us()
check("poll(0) returns at once", p.poll(0) == [] and ms_since(t) < 50)

# A datagram makes the socket readable; the poll reports it at once.
b.sendto(b"x", a.getsockname())
t = time.ticks_us()
r = p.poll(1000)
check("a ready socket is reported at once", r == [(a, select.POLLIN)] and ms_since(t) < 50, repr(r))
a.recv(8)

# Mixed with an OS fd (stdout, writable): both kinds in one poll.
p.register(1, select.POLLOUT)
r = p.poll(1000)
check("an OS fd beside our socket", (1, select.POLLOUT) in r and all(o != a for o, _ in r), repr(r))
p.unregister(1)

# modify(), unregister() and ipoll's one-shot flag.
p.modify(a, select.POLLOUT)
got = [(o, ev) for o, ev in p.ipoll(0, 1)]
check("ipoll one-shot reports once", got == [(a, select.POLLOUT)] and list(p.ipoll(0, 1)) == [], repr(got))
try:
    p.modify(b, select.POLLIN)
    check("modify of an unregistered object is ENOENT", False)
except OSError as e:
    check("modify of an unregistered object is ENOENT", e.errno == 2)
p.unregister(a)
p.unregister(a)
check("unregister twice is quiet", p.poll(0) == [])
try:
    p.register(-1)
    check("register(-1) is ValueError", False)
except ValueError:
    check("register(-1) is ValueError", True)

# select.select, which MicroPython's unix select leaves out.
b.sendto(b"y", a.getsockname())
r = select.select([a], [b], [], 1.0)
check("select.select", r == ([a], [b], []), repr(r))
a.recv(8)
t = time.ticks_us()
r = select.select([a], [], [], 0.05)
took = ms_since(t)
check("select.select times out", r == ([], [], []) and 45 <= took < 600, "%.1f ms" % took)
a.close()
b.close()


# asyncio: a pass of the loop with a listener registered costs microseconds
# (MicroPython's unix select slept 1 ms in each: 1.1 ms per pass).
async def passes():
    async def echo(r, w):
        w.write(await r.read(64))
        await w.drain()
        w.close()
        await w.wait_closed()

    server = await asyncio.start_server(echo, "127.0.0.1", 8470)
    t = time.ticks_us()
    for _ in range(1000):
        await asyncio.sleep_ms(0)
    per_pass = ms_since(t)
    check("asyncio pass with a listener registered", per_pass < 200, "%.1f us" % per_pass)
    # A timer and sockets in one wait: echo round trips while a sleeper ticks.
    ticks = [0]

    async def ticker():
        while True:
            await asyncio.sleep_ms(5)
            ticks[0] += 1

    tick = asyncio.create_task(ticker())
    t = time.ticks_us()
    for i in range(100):
        r, w = await asyncio.open_connection("127.0.0.1", 8470)
        w.write(b"%d" % i)
        await w.drain()
        ok = await r.read(64) == b"%d" % i
        w.close()
        await w.wait_closed()
        if not ok:
            break
    took = ms_since(t)
    await asyncio.sleep_ms(30)
    tick.cancel()
    check("100 connect+echo+close beside a 5 ms timer", ok and took < 2000 and ticks[0] >= 3, "%.1f ms, %d ticks" % (took, ticks[0]))
    server.close()
    await server.wait_closed()


asyncio.run(passes())

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
