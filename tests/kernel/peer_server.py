# The kernel's side of the DHCP switch tests (run in their network namespace by
# `cargo xtask dhcp` and `cargo xtask device`): a TCP server on HOST PORT that
# answers each connection's first bytes with b"PEER <the address they came
# from> <the bytes>", so that a board sees which source address it used.
# CPython; runs until killed.
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host, port))
server.listen(4)
print("listening on %s:%d" % (host, port), flush=True)
while True:
    conn, peer = server.accept()
    conn.settimeout(10)
    try:
        data = conn.recv(64)
        conn.sendall(b"PEER " + peer[0].encode() + b" " + data)
        print("answered", peer[0], flush=True)
    except OSError as e:
        print("error with", peer[0], e, flush=True)
    conn.close()
