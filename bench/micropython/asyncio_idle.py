# An idle asyncio server: a listener registered, nothing arriving, for
# SECONDS. Reads this process's CPU time from /proc/self/stat (utime and
# stime, in clock ticks of 10 ms) before and after. Prints:
# RESULT asyncio_idle seconds=S cpu_ms=C cpu_pct=P
import asyncio

from common import free_server

SECONDS = 3
TICK_MS = 10


def cpu_ms():
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the name: state is field 3, utime 14 and stime 15 (1-based, of the whole line).
    return (int(fields[11]) + int(fields[12])) * TICK_MS


async def main():
    server, _ = await free_server(lambda r, w: None)
    before = cpu_ms()
    await asyncio.sleep(SECONDS)
    used = cpu_ms() - before
    server.close()
    await server.wait_closed()
    print("RESULT asyncio_idle seconds=%d cpu_ms=%d cpu_pct=%.2f" % (SECONDS, used, used / (SECONDS * 10)))


asyncio.run(main())
