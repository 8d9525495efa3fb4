# microdot (the MicroPython web framework, from PyPI, unmodified) served by the
# interpreter that runs this script: `micropython microdot_app.py PORT`.
#   GET /             a short text
#   POST /sha256      the SHA-256 of the body (streamed, any size), in hex
#   GET /bytes/N      N bytes of the pattern bytes(range(256)) repeated, streamed
# Prints "READY" once it listens.
import binascii
import hashlib
import sys

import asyncio
from microdot import Microdot, Request

# Bodies above this arrive as a stream (request.stream), read in chunks here.
Request.max_body_length = 16 * 1024
Request.max_content_length = 64 * 1024 * 1024

app = Microdot()
PATTERN = bytes(range(256)) * 64


@app.route("/")
async def index(request):
    return "hello from microdot"


@app.post("/sha256")
async def sha256(request):
    h = hashlib.sha256()
    left = request.content_length
    while left > 0:
        chunk = await request.stream.read(min(left, 16384))
        if not chunk:
            break
        h.update(chunk)
        left -= len(chunk)
    return binascii.hexlify(h.digest()).decode()


@app.route("/bytes/<int:n>")
async def pattern(request, n):
    async def body():
        left = n
        while left > 0:
            part = PATTERN if left >= len(PATTERN) else PATTERN[:left]
            left -= len(part)
            yield part

    return body(), 200, {"Content-Type": "application/octet-stream", "Content-Length": str(n)}


async def main(port):
    server = asyncio.create_task(app.start_server(host="0.0.0.0", port=port))
    await asyncio.sleep_ms(100)
    print("READY")
    await server


asyncio.run(main(int(sys.argv[1])))
