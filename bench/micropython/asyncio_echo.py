# asyncio echo round trips over 127.0.0.1 in one process: a server task and
# a client task, ROUNDS lines each way on one connection. Prints:
# RESULT asyncio_echo rounds=N ms=T per_s=R
import asyncio

from common import HOST, elapsed_us, free_server, now_us

ROUNDS = 5000


async def echo(r, w):
    while True:
        line = await r.readline()
        if not line:
            break
        w.write(line)
        await w.drain()
    w.close()
    await w.wait_closed()


async def main():
    server, port = await free_server(echo)
    r, w = await asyncio.open_connection(HOST, port)
    t0 = now_us()
    for i in range(ROUNDS):
        w.write(b"%d\n" % i)
        await w.drain()
        assert await r.readline() == b"%d\n" % i
    us = max(elapsed_us(t0), 1)
    w.close()
    await w.wait_closed()
    server.close()
    await server.wait_closed()
    print("RESULT asyncio_echo rounds=%d ms=%.1f per_s=%.0f" % (ROUNDS, us / 1000, ROUNDS * 1_000_000 / us))


asyncio.run(main())
