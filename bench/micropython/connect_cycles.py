# Connection set-up and tear-down: one listener, then up to CYCLES times
# connect (non-blocking) + accept + close both. Prints:
# RESULT connect_cycles cycles=N ms=T per_s=R
from common import CALL_TIMEOUT, elapsed_us, listener, now_us, start_connect

CYCLES = 2000
# Bound on the whole run: fewer cycles are measured when it is reached.
LIMIT_US = 20_000_000

lst, sockaddr = listener(8)
lst.settimeout(CALL_TIMEOUT)
done = 0
t0 = now_us()
while done < CYCLES and elapsed_us(t0) < LIMIT_US:
    c = start_connect(sockaddr)
    s, _ = lst.accept()
    c.close()
    s.close()
    done += 1
us = max(elapsed_us(t0), 1)
lst.close()
print("RESULT connect_cycles cycles=%d ms=%.1f per_s=%.0f" % (done, us / 1000, done * 1_000_000 / us))
