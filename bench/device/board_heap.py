# Runs on the mps2-an385 firmware (cargo xtask bench --device): MicroPython heap
# (gc.mem_alloc) that N connected TCP sockets hold, per socket; modlwip
# allocates its socket state there, usocket in static tables. The sockets
# connect to kernel_peer.py's :9101 (which closes its end; ours stay open).
import gc
import socket

PEER = "192.0.2.1"
N = 4

socks = [None] * N
gc.collect()
before = gc.mem_alloc()
for i in range(N):
    s = socket.socket()
    s.connect((PEER, 9101))
    socks[i] = s
gc.collect()
after = gc.mem_alloc()
for s in socks:
    s.close()
print("RESULT heap_per_socket=%d" % ((after - before) // N))
