# The kernel's side of the board's scripts (CPython in the bench's network
# namespace), for the board at sys.argv[1] (default 192.0.2.2, ours; lwIP's is
# 192.0.2.3): on 192.0.2.1:9100 a command per connection ("rx N": send N zero
# bytes and close; "tx N": read N bytes, answer "ok"; "connect N": connect to
# the board's :9102 N times, each closed at once and the next only once the
# board has closed its end; "send N": send N random
# bytes and close; "recv N": read N bytes, answer their SHA-256 in hex;
# "hash 0": answer the SHA-256 of the last "send"), on :9101 accept and close
# 5 ms later.
# Serves until killed, or for 900 s; a connection that stalls for 60 s is dropped.
import hashlib
import random
import socket
import sys
import threading
import time

BOARD = sys.argv[1] if len(sys.argv) > 1 else "192.0.2.2"
last_sent = hashlib.sha256()


def serve(c):
    global last_sent
    line = b""
    while not line.endswith(b"\n"):
        b = c.recv(1)
        if not b:
            return
        line += b
    what, n = line.split()
    n = int(n)
    if what == b"rx":
        chunk = bytes(65536)
        while n:
            k = min(n, len(chunk))
            c.sendall(chunk[:k])
            n -= k
    elif what == b"tx":
        while n:
            n -= len(c.recv(min(n, 65536)))
        c.sendall(b"ok\n")
    elif what == b"connect":
        for _ in range(n):
            s = socket.create_connection((BOARD, 9102), timeout=30)
            # FIN first, as close() would, then wait for the board's FIN (it
            # accepted and closed): one connection at a time. The FIN waits
            # 20 ms (asleep on the board, so not in its figures): modlwip loses
            # a FIN that comes before Python's accept(), and its recv() then
            # waits for good.
            time.sleep(0.02)
            s.shutdown(socket.SHUT_WR)
            s.recv(1)
            s.close()
    elif what == b"send":
        data = random.Random(n).randbytes(n)
        last_sent = hashlib.sha256(data)
        c.sendall(data)
    elif what == b"recv":
        h = hashlib.sha256()
        while n:
            b = c.recv(min(n, 65536))
            if not b:
                break
            h.update(b)
            n -= len(b)
        c.sendall(h.hexdigest().encode() + b"\n")
    elif what == b"hash":
        c.sendall(last_sent.hexdigest().encode() + b"\n")


def serve_commands(listener):
    while True:
        c, _ = listener.accept()
        c.settimeout(60)
        try:
            serve(c)
        except OSError as e:
            print("kernel peer:", e, file=sys.stderr)
        c.close()


def accept_and_close(listener):
    while True:
        c, _ = listener.accept()
        # modlwip's connect() fails (OSError with a garbage errno: it reads
        # STATE_PEER_CLOSED as an lwIP error) when the FIN comes before it has
        # seen the connection; ours does not care. 5 ms is spent asleep in WFI,
        # outside the board's busy time.
        time.sleep(0.005)
        c.close()


def listen(port):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("192.0.2.1", port))
    l.listen(16)
    return l


commands, cycles = listen(9100), listen(9101)
print("ready", flush=True)
threading.Thread(target=accept_and_close, args=(cycles,), daemon=True).start()
threading.Thread(target=serve_commands, args=(commands,), daemon=True).start()
threading.Event().wait(900)
