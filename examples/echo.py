# Echo server and client over usocket's loopback board (127.0.0.1 inside the
# interpreter: no root, no network). Run: cargo xtask run examples/echo.py
import asyncio
import socket

PORT = 7007
LINES = [b"hello\n", b"from usocket\n", b"on smoltcp\n"]


async def echo(reader, writer):
    peer = writer.get_extra_info("peername")
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()
    print("server: closed connection from", peer)


async def client():
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    for line in LINES:
        writer.write(line)
        await writer.drain()
        reply = await reader.readline()
        print("client: sent", line, "got", reply)
        assert reply == line
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(echo, "127.0.0.1", PORT)
    await client()
    server.close()
    await server.wait_closed()


def blocking_echo():
    # The same with plain sockets: one process, so the server side is driven
    # between the client's calls (the loopback stack runs inside them).
    listener = socket.socket()
    listener.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
    listener.listen(1)
    client = socket.socket()
    client.connect(listener.getsockname())
    server, peer = listener.accept()
    client.sendall(b"ping")
    server.sendall(server.recv(16))
    print("blocking: got", client.recv(16), "back via", peer)
    for s in (client, server, listener):
        s.close()


asyncio.run(main())
blocking_echo()
print("echo example done")
