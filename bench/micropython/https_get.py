# HTTPS GET: an asyncio HTTP/1.0 server with ssl= sends 10 MiB, an asyncio
# client in the same process reads it with readinto (both ends' crypto on one
# CPU). Prints: RESULT https_get bytes=N ms=T mbps=R (MB = 10^6 bytes)
import asyncio

from common import HOST, elapsed_us, now_us, tls_server

TOTAL = 10 << 20
CHUNK = 16 * 1024
# 0, 1, ..., 255 repeated: byte i of the body is i % 256.
DATA = bytes(range(256)) * (CHUNK // 256)


async def serve(reader, writer):
    await reader.readline()
    while await reader.readline() not in (b"\r\n", b""):
        pass
    writer.write(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % TOTAL)
    for _ in range(TOTAL // CHUNK):
        writer.write(DATA)
        await writer.drain()


async def main():
    server, port, client_ctx = await tls_server(serve)
    t0 = now_us()
    reader, writer = await asyncio.open_connection(HOST, port, ssl=client_ctx)
    writer.write(b"GET /blob HTTP/1.0\r\n\r\n")
    await writer.drain()
    if not (await reader.readline()).startswith(b"HTTP/1.0 200"):
        raise SystemExit("https_get: no 200 status")
    while await reader.readline() != b"\r\n":
        pass
    buf = bytearray(CHUNK)
    received = 0
    while True:
        n = await reader.readinto(buf)
        if not n:
            break
        if buf[0] != received & 255 or buf[n - 1] != (received + n - 1) & 255:
            raise SystemExit("https_get: wrong data at byte %d" % received)
        received += n
    us = max(elapsed_us(t0), 1)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    if received != TOTAL:
        raise SystemExit("https_get: %d of %d bytes" % (received, TOTAL))
    print("RESULT https_get bytes=%d ms=%.1f mbps=%.1f" % (TOTAL, us / 1000, TOTAL / us))


asyncio.run(main())
