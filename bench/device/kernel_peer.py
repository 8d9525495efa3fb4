# The kernel's side of board_tcp.py (CPython in the bench's network namespace):
# on 192.0.2.1:9100 a command per connection ("rx N": send N bytes and close;
# "tx N": read N bytes, answer "ok"; "connect N": connect to the board's
# 192.0.2.2:9102 N times, closing each at once), on :9101 accept and close.
# Exits after the "connect" command, or after 300 s.
import socket
import sys
import threading


def serve_commands(listener):
    while True:
        c, _ = listener.accept()
        line = b""
        while not line.endswith(b"\n"):
            line += c.recv(1)
        what, n = line.split()
        n = int(n)
        if what == b"rx":
            chunk = bytes(65536)
            while n:
                k = min(n, len(chunk))
                c.sendall(chunk[:k])
                n -= k
            c.close()
        elif what == b"tx":
            while n:
                n -= len(c.recv(min(n, 65536)))
            c.sendall(b"ok\n")
            c.close()
        elif what == b"connect":
            for _ in range(n):
                s = socket.create_connection(("192.0.2.2", 9102), timeout=30)
                s.close()
            c.close()
            return


def accept_and_close(listener):
    while True:
        c, _ = listener.accept()
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
done = threading.Thread(target=serve_commands, args=(commands,), daemon=True)
done.start()
done.join(300)
sys.exit(0 if not done.is_alive() else 1)
