# An HTTP GET against a local HTTP server, both on usocket's loopback board.
# Run: cargo xtask run examples/http_get.py
import asyncio

PORT = 8080
BODY = b"<h1>Hello from usocket</h1>\n"


async def serve(reader, writer):
    request = await reader.readline()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass  # headers
    method, path, _ = request.split(b" ", 2)
    if method == b"GET" and path == b"/":
        head = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(BODY)
        writer.write(head + BODY)
    else:
        writer.write(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def http_get(host, port, path):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path.encode(), host.encode()))
    await writer.drain()
    status = await reader.readline()
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, value = line.split(b":", 1)
        headers[name.strip().lower()] = value.strip()
    body = await reader.read(int(headers.get(b"content-length", b"0")))
    writer.close()
    await writer.wait_closed()
    return status.strip(), body


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT)
    status, body = await http_get("127.0.0.1", PORT, "/")
    print(status.decode(), body)
    assert status == b"HTTP/1.0 200 OK" and body == BODY
    status, _ = await http_get("127.0.0.1", PORT, "/missing")
    print(status.decode())
    assert status == b"HTTP/1.0 404 Not Found"
    server.close()
    await server.wait_closed()


asyncio.run(main())
print("http_get example done")
