# asyncio's loop with a listener registered in its poller: PASSES times
# `await asyncio.sleep_ms(0)`. Each pass polls the sockets once without
# waiting. Prints: RESULT asyncio_pass passes=N ms=T per_s=R
import asyncio

from common import elapsed_us, listener, now_us

PASSES = 20000


async def main():
    lst, _ = listener(8)
    lst.setblocking(False)
    # Registered for reading as a server's listener is.
    asyncio.core._io_queue.queue_read(lst)
    t0 = now_us()
    for _ in range(PASSES):
        await asyncio.sleep_ms(0)
    us = max(elapsed_us(t0), 1)
    asyncio.core._io_queue.remove(lst)
    lst.close()
    print("RESULT asyncio_pass passes=%d ms=%.1f per_s=%.0f" % (PASSES, us / 1000, PASSES * 1_000_000 / us))


asyncio.run(main())
