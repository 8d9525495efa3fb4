# MicroPython's _thread with our sockets on the loopback board: a server whose
# threads block in accept and recv while client threads connect and echo, a
# thread blocked in recv that another thread's close wakes with EBADF, and a
# blocked accept beside it. Before the stack was shared, the first blocking
# call held it and every other thread hung. Bounds are loose: correctness,
# not speed.
import _thread
import errno
import socket
import sys
import time

passed = failed = 0
CLIENTS = 4
CYCLES = 25
MESSAGE = b"0123456789abcdef" * 4


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print("%s %s %s" % ("PASS" if ok else "FAIL", name, detail))


lock = _thread.allocate_lock()
results = []


def record(what):
    with lock:
        results.append(what)


def echo_one(c):
    try:
        while True:
            data = c.recv(256)
            if not data:
                break
            c.sendall(data)
    except OSError:
        pass
    c.close()


def serve(listener):
    while True:
        try:
            c, _ = listener.accept()
        except OSError as e:
            record(("server", e.errno))
            return
        _thread.start_new_thread(echo_one, (c,))


def client(n, port):
    ok = 0
    for i in range(CYCLES):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(MESSAGE)
            got = b""
            while len(got) < len(MESSAGE):
                chunk = s.recv(len(MESSAGE) - len(got))
                if not chunk:
                    break
                got += chunk
            ok += got == MESSAGE
        except OSError as e:
            record(("client error", n, i, e.errno))
        s.close()
    record(("client", n, ok))


def blocked(name, call):
    t = time.ticks_ms()
    try:
        call()
        record((name, "returned", time.ticks_diff(time.ticks_ms(), t)))
    except OSError as e:
        record((name, e.errno, time.ticks_diff(time.ticks_ms(), t)))


def wait_for(pred, ms):
    t = time.ticks_ms()
    while not pred() and time.ticks_diff(time.ticks_ms(), t) < ms:
        time.sleep_ms(5)
    return pred()


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(8)
port = listener.getsockname()[1]
_thread.start_new_thread(serve, (listener,))

# A connection the server is sent nothing on: its recv blocks; and a listener nobody connects to.
idle = socket.socket()
idle.connect(("127.0.0.1", port))
lonely = socket.socket()
lonely.bind(("127.0.0.1", 0))
lonely.listen(1)
_thread.start_new_thread(blocked, ("recv", lambda: idle.recv(1)))
_thread.start_new_thread(blocked, ("accept", lambda: lonely.accept()))
time.sleep_ms(50)

t = time.ticks_ms()
for n in range(CLIENTS):
    _thread.start_new_thread(client, (n, port))
done = wait_for(lambda: len([r for r in results if r[0] == "client"]) == CLIENTS, 30000)
took = time.ticks_diff(time.ticks_ms(), t)
clients = [r for r in results if r[0] == "client"]
errors = [r for r in results if r[0] == "client error"]
check("%d threads x %d echo cycles beside a blocked recv and accept" % (CLIENTS, CYCLES),
      done and all(r[2] == CYCLES for r in clients) and not errors,
      "%d ms, %r %r" % (took, clients, errors[:3]))
check("the blocked calls are still blocked", not [r for r in results if r[0] in ("recv", "accept")], repr(results))

t = time.ticks_ms()
idle.close()
lonely.close()
woke = wait_for(lambda: len([r for r in results if r[0] in ("recv", "accept")]) == 2, 2000)
woken = {r[0]: r[1] for r in results if r[0] in ("recv", "accept")}
check("close wakes a thread blocked in recv with EBADF", woken.get("recv") == errno.EBADF, repr(woken))
check("close wakes a thread blocked in accept with EBADF", woken.get("accept") == errno.EBADF, repr(woken))
check("within 2 s of the close", woke, "%d ms" % time.ticks_diff(time.ticks_ms(), t))

listener.close()
check("the server's accept ends with EBADF", wait_for(lambda: ("server", errno.EBADF) in results, 2000), repr([r for r in results if r[0] == "server"]))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
