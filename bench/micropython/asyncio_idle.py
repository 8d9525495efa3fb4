# An idle asyncio server: a listener registered, nothing arriving, for
# SECONDS. Reads this process's CPU time from /proc/self/stat (utime and
# stime, in clock ticks of 10 ms) before and after. Prints:
# RESULT asyncio_idle seconds=S cpu_ms=C cpu_pct=P
import asyncio

from common import FIRST_PORT, HOST, PORTS

SECONDS = 3
TICK_MS = 10


def cpu_ms():
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the name: state is field 3, utime 14 and stime 15 (1-based, of the whole line).
    return (int(fields[11]) + int(fields[12])) * TICK_MS


async def main():
    for port in range(FIRST_PORT, FIRST_PORT + PORTS):
        try:
            server = await asyncio.start_server(lambda r, w: None, HOST, port)
            break
        except OSError:
            continue
    before = cpu_ms()
    await asyncio.sleep(SECONDS)
    used = cpu_ms() - before
    server.close()
    await server.wait_closed()
    print("RESULT asyncio_idle seconds=%d cpu_ms=%d cpu_pct=%.2f" % (SECONDS, used, used / (SECONDS * 10)))


asyncio.run(main())
