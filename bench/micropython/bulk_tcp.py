# Bulk TCP: 16 MiB from a client to a server socket in one process, both
# non-blocking and driven by one loop (write a chunk, readinto a preallocated
# buffer). Prints: RESULT bulk_tcp bytes=N ms=T mbps=R loops=L (MB = 10^6 bytes)
from common import CALL_TIMEOUT, elapsed_us, listener, now_us, start_connect

TOTAL = 16 << 20
CHUNK = 64 * 1024
# Bounds: wall time and loop iterations (a stalled transfer ends with an error).
LIMIT_US = 30_000_000
MAX_LOOPS = 4_000_000

# 0, 1, ..., 255 repeated: byte i of the stream is i % 256.
data = bytes(range(256)) * (CHUNK // 256)
out = memoryview(data)
buf = bytearray(CHUNK)

lst, sockaddr = listener(1)
lst.settimeout(CALL_TIMEOUT)
client = start_connect(sockaddr)
server, _ = lst.accept()
server.setblocking(False)

sent = received = loops = 0
t0 = now_us()
while received < TOTAL:
    loops += 1
    if loops > MAX_LOOPS or (loops & 63 == 0 and elapsed_us(t0) > LIMIT_US):
        raise SystemExit("bulk_tcp: stalled after %d of %d bytes (%d loops, %d ms)" % (received, TOTAL, loops, elapsed_us(t0) // 1000))
    if sent < TOTAL:
        pos = sent % CHUNK
        n = client.write(out[pos : min(CHUNK, pos + TOTAL - sent)])
        if n:
            sent += n
    n = server.readinto(buf)
    if n:
        if buf[0] != received & 255 or buf[n - 1] != (received + n - 1) & 255:
            raise SystemExit("bulk_tcp: wrong data at byte %d" % received)
        received += n
    elif n == 0:
        raise SystemExit("bulk_tcp: early end of stream at byte %d" % received)
us = max(elapsed_us(t0), 1)

# The end of the stream arrives after close().
client.close()
t1 = now_us()
while True:
    n = server.readinto(buf)
    if n == 0:
        break
    if n:
        raise SystemExit("bulk_tcp: %d bytes beyond the stream's end" % n)
    if elapsed_us(t1) > CALL_TIMEOUT * 1_000_000:
        raise SystemExit("bulk_tcp: no end of stream after close()")
server.close()
lst.close()
print("RESULT bulk_tcp bytes=%d ms=%.1f mbps=%.1f loops=%d" % (TOTAL, us / 1000, TOTAL / us, loops))
