# Runs on the mps2-an385 firmware (cargo xtask bench, device part): bulk TCP each
# way and connect/accept/close cycles against kernel_peer.py on 192.0.2.1,
# measured in the firmware's busy time (mps2.busy_us: not asleep in WFI), which
# QEMU's -icount shift=0 makes instructions / 1000. Prints a RESULT line after
# each part (outside its timed interval), so that a part that hangs loses only
# its own figures.
import socket

import mps2

PEER = "192.0.2.1"
BULK = 1 << 20
CYCLES = 50
CHUNK = 2048


def command(line):
    s = socket.socket()
    s.connect((PEER, 9100))
    s.sendall(line)
    return s


# Kernel -> board.
s = command(b"rx %d\n" % BULK)
buf = bytearray(CHUNK)
got = 0
t = mps2.busy_us()
while True:
    n = s.readinto(buf)
    if not n:
        break
    got += n
rx = mps2.busy_us() - t
s.close()
assert got == BULK, got
print("RESULT rx_insn_per_byte=%.2f" % (rx * 1000 / BULK))

# Board -> kernel.
s = command(b"tx %d\n" % BULK)
data = bytes(CHUNK)
t = mps2.busy_us()
for _ in range(BULK // CHUNK):
    s.sendall(data)
assert s.recv(3) == b"ok\n"
tx = mps2.busy_us() - t
s.close()
print("RESULT tx_insn_per_byte=%.2f" % (tx * 1000 / BULK))

# Board connects, the kernel accepts and closes first (no TIME-WAIT here).
t = mps2.busy_us()
for _ in range(CYCLES):
    c = socket.socket()
    c.connect((PEER, 9101))
    assert c.recv(1) == b""
    c.close()
connect = mps2.busy_us() - t
print("RESULT connect_insn=%d" % (connect * 1000 // CYCLES))

# The kernel connects and closes first; the board accepts.
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 9102))
l.listen(4)
s = command(b"connect %d\n" % CYCLES)
t = mps2.busy_us()
for _ in range(CYCLES):
    a, _ = l.accept()
    assert a.recv(1) == b""
    a.close()
accept = mps2.busy_us() - t
s.close()
l.close()

print("RESULT accept_insn=%d stack_peak=%d" % (accept * 1000 // CYCLES, mps2.stack_peak()))
