# TLS handshakes: an asyncio server and client with ssl= in one process; each
# round connects, shakes hands (ECDHE-ECDSA, P-256), exchanges one byte each
# way and closes. Prints: RESULT tls_handshake n=N ms=T ms_each=E per_s=R
import asyncio

from common import HOST, elapsed_us, now_us, tls_server

ROUNDS = 50
# Bound on the whole run: fewer rounds are measured when it is reached.
LIMIT_US = 30_000_000


async def serve(reader, writer):
    if await reader.readexactly(1) == b"h":
        writer.write(b"k")
        await writer.drain()


async def main():
    server, port, client_ctx = await tls_server(serve)
    done = 0
    t0 = now_us()
    while done < ROUNDS and elapsed_us(t0) < LIMIT_US:
        reader, writer = await asyncio.open_connection(HOST, port, ssl=client_ctx)
        writer.write(b"h")
        await writer.drain()
        if await reader.readexactly(1) != b"k":
            raise SystemExit("tls_handshake: wrong answer")
        writer.close()
        await writer.wait_closed()
        done += 1
    us = max(elapsed_us(t0), 1)
    server.close()
    await server.wait_closed()
    print("RESULT tls_handshake n=%d ms=%.1f ms_each=%.2f per_s=%.1f" % (done, us / 1000, us / 1000 / done, done * 1_000_000 / us))


asyncio.run(main())
