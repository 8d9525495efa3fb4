# Runs on the mps2-an385 firmware in real time (cargo xtask bench --device): one
# transfer each way with kernel_peer.py, SIZE bytes, each bounded by LIMIT_S
# seconds (socket timeout and a deadline), timed with time.ticks_us (QEMU's
# virtual clock follows the host's without -icount). With HASH, the bytes are
# hashed on both sides (SHA-256) and compared. SIZE, HASH and LIMIT_S are set
# by a first line the bench puts before this script. Prints one RESULT line.
import hashlib
import socket
import time
from binascii import hexlify

PEER = "192.0.2.1"
CHUNK = 2048


def command(line):
    s = socket.socket()
    s.settimeout(LIMIT_S)
    s.connect((PEER, 9100))
    s.sendall(line)
    return s


def answer(s):
    got = b""
    while not got.endswith(b"\n"):
        b = s.recv(80)
        if not b:
            break
        got += b
    s.close()
    return got.strip()


def over(t):
    return time.ticks_diff(time.ticks_us(), t) > LIMIT_S * 1000000


def receive():
    s = command(b"send %d\n" % SIZE)
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    mv = memoryview(buf)
    got = 0
    t = time.ticks_us()
    while not over(t):
        n = s.readinto(buf)
        if not n:
            break
        if HASH:
            h.update(mv[:n])
        got += n
    us = time.ticks_diff(time.ticks_us(), t)
    s.close()
    same = not HASH or hexlify(h.digest()) == answer(command(b"hash 0\n"))
    return got, us, got == SIZE and same


def send():
    s = command(b"recv %d\n" % SIZE)
    h = hashlib.sha256()
    chunk = bytearray(hashlib.sha256(b"board").digest() * (CHUNK // 32))
    sent = 0
    t = time.ticks_us()
    while sent < SIZE and not over(t):
        chunk[0:4] = sent.to_bytes(4, "little")
        k = min(CHUNK, SIZE - sent)
        if HASH:
            h.update(memoryview(chunk)[:k])
        s.sendall(memoryview(chunk)[:k])
        sent += k
    theirs = answer(s) if sent == SIZE else b""
    us = time.ticks_diff(time.ticks_us(), t)
    return sent, us, sent == SIZE and (not HASH or hexlify(h.digest()) == theirs)


out = []
for name, run in (("rx", receive), ("tx", send)):
    try:
        n, us, ok = run()
        out.append("%s_bytes=%d %s_us=%d %s_intact=%d" % (name, n, name, us, name, ok))
    except OSError as e:
        out.append("%s_error=OSError(%s)" % (name, e.args[0] if e.args else ""))
print("RESULT " + " ".join(out))
