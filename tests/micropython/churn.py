# Exhaustion and churn in our interpreter (loopback board): the fd table fills
# to OSError(ENOMEM) and empties again; 10,000 connect/accept/close cycles
# leave the table as it was (every fd can still be opened) and the GC heap at
# its baseline. Prints one line per check and "N passed, M failed".
import errno
import gc
import socket
import sys
import time

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS", name, detail)
    else:
        failed += 1
        print("FAIL", name, detail)


def fill():
    # Open sockets until the table is full; returns them and the error.
    socks = []
    try:
        while len(socks) < 1000:
            socks.append(socket.socket())
    except OSError as e:
        return socks, e.args[0]
    return socks, None


socks, err = fill()
capacity = len(socks)
check("the table fills to ENOMEM", err == errno.ENOMEM and capacity > 0, "%d sockets" % capacity)
for s in socks:
    s.close()
socks = None

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0))
l.listen(2)
addr = l.getsockname()


def cycle():
    c = socket.socket()
    c.connect(addr)
    s, _ = l.accept()
    c.send(b"ping")
    ok = s.recv(4) == b"ping"
    c.close()
    s.close()
    return ok


for _ in range(100):
    cycle()
gc.collect()
before = gc.mem_free()
start = time.ticks_ms()
bad = 0
for _ in range(10000):
    if not cycle():
        bad += 1
took = time.ticks_diff(time.ticks_ms(), start)
gc.collect()
after = gc.mem_free()
check("10000 cycles, every echo right", bad == 0, "in %d ms" % took)
check("GC heap back at its baseline", after >= before - 1024, "free %d before, %d after" % (before, after))
l.close()

socks, err = fill()
check("the whole table is free again", len(socks) == capacity and err == errno.ENOMEM, "%d of %d" % (len(socks), capacity))
for s in socks:
    s.close()

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
